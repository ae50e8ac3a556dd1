"""Storage out of reach for a moment: the API answers 503 "unavailable" with a Retry-After (not
a 500 with a traceback in the logs), nothing is applied, and the same message sent again once
the storage is back is applied once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.settings import Settings
from bot.store import sqlite as sqlite_module
from bot.store.factory import SQLITE_FILE
from tests.api.conftest import ApiFactory
from tests.api.test_conversation_api import start

pytestmark = pytest.mark.timeout(60)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    error = response.json()["error"]
    assert error["code"] == "unavailable" and error["message"] == "服务暂时不可用，请稍后再试。"


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_a_message_while_redis_restarts_is_503_then_applies_once(
    make_api: ApiFactory, make_redis_server: Callable[[], Any]
) -> None:
    server = make_redis_server()
    api = await make_api(redis_url=server.url)
    cid, auth, _ = await start(api)
    url = f"/api/conversations/{cid}/messages"
    body = {"text": "我的支付宝被盗了", "message_id": "m-1"}
    server.stop()
    assert_unavailable(await api.post(url, headers=auth, json=body))
    server.start()
    done = await api.post(url, headers=auth, json=body)
    assert done.status_code == 200, done.text
    again = await api.post(url, headers=auth, json=body)
    assert again.json() == done.json()
    case = (await api.get(f"/api/conversations/{cid}/case", headers=auth)).json()
    assert [e["text"] for e in case["transcript"] if e["role"] == "victim"] == ["我的支付宝被盗了"]


@pytest.mark.parametrize("backend_kind", ["sqlite"])
async def test_a_message_behind_another_process_s_long_write_is_503(
    make_api: ApiFactory, backend_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT_MS", 200)
    api = await make_api()
    cid, auth, _ = await start(api)
    url = f"/api/conversations/{cid}/messages"
    body = {"text": "我的支付宝被盗了", "message_id": "m-1"}
    other = sqlite3.connect(Path(backend_settings.data_dir) / SQLITE_FILE, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process, writing for longer than the timeout
        assert_unavailable(await api.post(url, headers=auth, json=body))
    finally:
        other.execute("ROLLBACK")
        other.close()
    done = await api.post(url, headers=auth, json=body)
    assert done.status_code == 200, done.text
