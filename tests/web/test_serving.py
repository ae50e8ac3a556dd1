"""The widget's files and the API's CORS, without a browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as c:
        yield c


def test_the_widget_and_its_demo_page_are_served(client: TestClient) -> None:
    widget = client.get("/widget.js")
    assert widget.status_code == 200
    assert widget.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in widget.text and "innerHTML" not in widget.text
    demo = client.get("/")
    assert '<script src="http://testserver/widget.js" data-lossline-server="http://testserver"' in demo.text
    assert 'data-lossline-locale="zh-CN"' in demo.text
    assert 'data-lossline-locale="en"' in client.get("/?locale=en").text
    assert 'data-lossline-locale="zh-CN"' in client.get("/?locale=<b>").text


def test_other_sites_may_call_the_conversation_api(client: TestClient) -> None:
    origin = {"Origin": "https://bank.example"}
    preflight = client.options(
        "/api/conversations/abc/messages",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    started = client.post("/api/conversations", json={}, headers=origin)
    assert started.status_code == 201
    assert started.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in started.headers


def test_but_not_the_console(client: TestClient) -> None:
    origin = {"Origin": "https://bank.example"}
    answer = client.get("/console/api/conversations", headers=origin)
    assert answer.status_code == 401
    assert "access-control-allow-origin" not in answer.headers
    preflight = client.options(
        "/console/api/phone", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
