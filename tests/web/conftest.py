"""Browser tests: a real `lossline serve` (SQLite in a temp dir) driven by Debian's chromium.

Never `playwright install`: the browser is the system's /usr/bin/chromium, which scripts/test
installs with apt when it is missing. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ADMIN_LINE = re.compile(r"console agent created: admin / (\S+)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives chromium against a real lossline serve")


@dataclass
class Server:
    url: str
    admin_password: str
    data_dir: Path
    process: subprocess.Popen[str]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`lossline serve` as a child process, its first-start admin password read from its
    output. Rate limits are raised: a test types a whole claim in a few seconds."""
    data_dir = tmp_path_factory.mktemp("serve-data")
    port = _free_port()
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
        cwd=data_dir,
    )
    assert process.stdout is not None
    password = None
    deadline = time.monotonic() + 30
    for line in process.stdout:
        found = ADMIN_LINE.search(line)
        if found:
            password = found.group(1)
            break
        if time.monotonic() > deadline:
            break
    if password is None:
        process.kill()
        pytest.fail("lossline serve did not print a first-start admin password")
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("lossline serve did not answer /healthz")
    # Keep reading its output so the pipe never fills up and blocks the server.
    import threading

    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    yield Server(url, password, data_dir, process)
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no {CHROMIUM}: install Debian's chromium (scripts/test does it with apt)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def agent_context(browser: Browser) -> Iterator[BrowserContext]:
    """A second, separate browser profile: the agent's."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def dialogs_seen(context: BrowserContext, agent_context: BrowserContext) -> list[str]:
    """Every alert/confirm/prompt any page opens (an XSS payload that ran would open one)."""
    seen: list[str] = []
    for ctx in (context, agent_context):
        ctx.on("page", lambda page: page.on("dialog", lambda d: (seen.append(d.message), d.dismiss())))
    return seen


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def login(page: Page, server: Server, name: str = "admin", password: str | None = None) -> None:
    page.goto(f"{server.url}/console")
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(password or server.admin_password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="会话", exact=True).wait_for()
