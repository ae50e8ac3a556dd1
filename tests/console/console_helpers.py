"""Logging in to the console from a TestClient, and starting conversations through the API."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
_HIDDEN = re.compile(r'name="csrf" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def login(client: TestClient, name: str = "alice", password: str = PASSWORD) -> str:
    """Log in through the form (as a fresh browser: earlier cookies dropped); returns the
    session's CSRF token, read from a console page."""
    client.cookies.clear()
    form = client.get("/console/login")
    done = client.post(
        "/console/login",
        data={"name": name, "password": password, "csrf": form_token(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return page_token(client.get("/console").text)


def form_token(html: str) -> str:
    """The login form's own CSRF token."""
    token = _HIDDEN.search(html)
    assert token is not None, html
    return token.group(1)


def page_token(html: str) -> str:
    """The session's CSRF token, as a console page carries it."""
    meta = _META.search(html)
    assert meta is not None, html
    return meta.group(1)


def start(client: TestClient, *texts: str) -> tuple[str, str]:
    """A victim's web conversation with these messages sent; returns (id, token)."""
    data = client.post("/api/conversations", json={}).json()
    for text in texts:
        sent = client.post(
            f"/api/conversations/{data['id']}/messages",
            headers={"Authorization": f"Bearer {data['token']}"},
            json={"text": text},
        )
        assert sent.status_code == 200, sent.text
    return data["id"], data["token"]


def victim_case(client: TestClient, cid: str, token: str) -> dict[str, Any]:
    view = client.get(f"/api/conversations/{cid}/case", headers={"Authorization": f"Bearer {token}"})
    assert view.status_code == 200
    return dict(view.json())
