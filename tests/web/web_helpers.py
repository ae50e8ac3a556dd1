"""What the browser tests share besides fixtures: the server handle, screenshots, login."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Page

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


@dataclass
class Server:
    url: str
    admin_password: str
    data_dir: Path
    process: subprocess.Popen[str]


def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows now as test-artifacts/<name>.png."""
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


def agent_client(
    server: Server, name: str = "admin", password: str | None = None
) -> tuple[httpx.Client, str]:
    """An HTTP client logged in to the console (for what the test's agent does off-screen),
    and its CSRF token."""
    client = httpx.Client(base_url=server.url)
    form = client.get("/console/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    client.post(
        "/console/login",
        data={"name": name, "password": password or server.admin_password, "csrf": csrf.group(1)},
    )
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/console").text)
    assert token is not None
    return client, token.group(1)
