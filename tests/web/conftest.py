"""Browser tests: a real `lossline serve` (SQLite in a temp dir) driven by Debian's chromium.

Never `playwright install`: the browser is the system's /usr/bin/chromium, which scripts/test
installs with apt when it is missing. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from web_helpers import CHROMIUM, CHROMIUM_ARGS, Server

from bench.servers import free_port

ADMIN_LINE = re.compile(r"console agent created: admin / (\S+)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives chromium against a real lossline serve")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`lossline serve` as a child process, its first-start admin password read from its
    output. Rate limits are raised: a test types a whole claim in a few seconds."""
    data_dir = tmp_path_factory.mktemp("serve-data")
    port = free_port()
    env = {
        **os.environ,
        "LOSSLINE_DATA_DIR": str(data_dir),
        "LOSSLINE_RATE_PER_CONVERSATION": "100000",
        "LOSSLINE_RATE_PER_ADDRESS": "100000",
    }
    env.pop("LOSSLINE_REDIS_URL", None)
    env.pop("LOSSLINE_TELEGRAM_TOKEN", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "lossline"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=data_dir,  # no stray .env from the working directory
    )
    assert process.stdout is not None
    password = None
    for line in process.stdout:
        found = ADMIN_LINE.search(line)
        if found:
            password = found.group(1)
            break
    if password is None:
        process.kill()
        pytest.fail("lossline serve did not print a first-start admin password")
    # Keep reading its output so the pipe never fills up and blocks the server.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("lossline serve did not answer /healthz")
        time.sleep(0.05)
    yield Server(url, password, data_dir, process)
    process.terminate()
    try:
        # uvicorn waits for open WebSocket handlers; the widget's (bot/api.py) notices a
        # browser that left only at its next 15 s ping, so do not wait that long.
        process.wait(3)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module. Not for the session: while sync Playwright runs, its
    event loop counts as running in this thread, and later tests' asyncio.run() would fail."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no {CHROMIUM}: install Debian's chromium (scripts/test does it with apt)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _context(browser: Browser) -> BrowserContext:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    ctx.set_default_timeout(10_000)
    return ctx


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """The victim's browser profile."""
    ctx = _context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def agent_context(browser: Browser) -> Iterator[BrowserContext]:
    """A second, separate browser profile: the agent's."""
    ctx = _context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def dialogs_seen(context: BrowserContext, agent_context: BrowserContext) -> list[str]:
    """Every alert/confirm/prompt any page opens (an XSS payload that ran would open one)."""
    seen: list[str] = []

    def watch(page: object) -> None:
        page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))  # type: ignore[attr-defined]

    for ctx in (context, agent_context):
        ctx.on("page", watch)
    return seen
