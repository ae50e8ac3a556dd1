"""The conversation API, endpoint by endpoint and error by error (conversation-api.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from dialogs.script import parse_script
from rules.types import SHANGHAI
from tests.api.conftest import ApiFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def start(api: httpx.AsyncClient, **body: Any) -> tuple[str, dict[str, str], dict[str, Any]]:
    r = await api.post("/api/conversations", json=body or None)
    assert r.status_code == 201, r.text
    data = r.json()
    return data["id"], {"Authorization": f"Bearer {data['token']}"}, data


async def test_start_returns_id_token_replies_and_state(api: httpx.AsyncClient) -> None:
    _, _, data = await start(api, channel="web", locale="zh-CN")
    assert len(data["token"]) >= 43  # 256 bits, url-safe base64
    assert data["state"] == "triage_what"
    reply = data["replies"][0]
    assert reply["text"] and reply["buttons"] == []
    assert reply["expects"] == {"slot": "incident.narrative", "kind": "text"}


async def test_start_without_a_body_and_in_english(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/conversations")
    assert r.status_code == 201
    _, _, data = await start(api, locale="en")
    assert "happened" in data["replies"][0]["text"]


async def test_a_message_gets_replies_state_and_handoff(api: httpx.AsyncClient) -> None:
    cid, auth, _ = await start(api)
    r = await api.post(
        f"/api/conversations/{cid}/messages",
        headers=auth,
        json={"text": "我的支付宝被盗了", "sent_at": "2023-10-09T10:00:00+08:00"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "triage_leaving" and body["handoff"] is False
    assert [b["id"] for b in body["replies"][-1]["buttons"]] == ["yes", "no", "unknown"]
    r = await api.post(f"/api/conversations/{cid}/messages", headers=auth, json={"choice": "no"})
    assert r.json()["state"] == "safety_frozen"


async def test_case_shows_the_facts_so_far(api: httpx.AsyncClient) -> None:
    cid, auth, _ = await start(api)
    for text in ("支付宝被盗了", "没有", "冻结了", "2023年10月8日21:40"):
        await api.post(f"/api/conversations/{cid}/messages", headers=auth, json={"text": text})
    r = await api.get(f"/api/conversations/{cid}/case", headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert body["case"]["incident"]["frozen_at"] == "2023-10-08T21:40:00+08:00"
    assert body["decision"] is None and body["handoff"] is None
    roles = [e["role"] for e in body["transcript"]]
    assert roles[:3] == ["bot", "victim", "bot"]


async def test_a_whole_conversation_through_the_api_hands_off(make_api: ApiFactory) -> None:
    api = await make_api(rate_per_conversation=1e9)  # a script replays faster than a person
    script = Path(__file__).parents[1] / "dialogs" / "scripts" / "p1-hacked-alipay-covered.txt"
    cid, auth, _ = await start(api)
    lines = script.read_text(encoding="utf-8").splitlines()
    body: dict[str, Any] = {}
    for line in parse_script(lines, datetime.now(SHANGHAI)):
        payload = {"text": line.text} if line.text is not None else {"choice": line.choice}
        r = await api.post(
            f"/api/conversations/{cid}/messages",
            headers=auth,
            json={**payload, "sent_at": line.sent_at.isoformat()},
        )
        assert r.status_code == 200, r.text
        body = r.json()
    assert body["handoff"] is True and body["state"] == "handed_off"
    case = (await api.get(f"/api/conversations/{cid}/case", headers=auth)).json()
    assert case["decision"]["totals"]["payable"] == 4604.34
    assert case["handoff"]["status"] == "queued"


async def test_the_same_message_id_is_applied_once(api: httpx.AsyncClient) -> None:
    cid, auth, _ = await start(api)
    url = f"/api/conversations/{cid}/messages"
    first = await api.post(url, headers=auth, json={"text": "支付宝被盗了", "message_id": "m-1"})
    again = await api.post(url, headers=auth, json={"text": "支付宝被盗了", "message_id": "m-1"})
    assert first.json() == again.json()
    via_header = await api.post(url, headers={**auth, "Idempotency-Key": "m-2"}, json={"choice": "no"})
    repeat = await api.post(url, headers={**auth, "Idempotency-Key": "m-2"}, json={"choice": "no"})
    assert via_header.json() == repeat.json()
    transcript = (await api.get(f"/api/conversations/{cid}/case", headers=auth)).json()["transcript"]
    assert [e["role"] for e in transcript].count("victim") == 2


async def test_unknown_conversation_is_404(api: httpx.AsyncClient) -> None:
    _, auth, _ = await start(api)
    for r in (
        await api.post("/api/conversations/nope/messages", headers=auth, json={"text": "x"}),
        await api.get("/api/conversations/nope/case", headers=auth),
    ):
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
        assert r.json()["error"]["message"]


async def test_missing_token_is_401_and_wrong_token_is_403(api: httpx.AsyncClient) -> None:
    cid, _, _ = await start(api)
    _, other, _ = await start(api)
    r = await api.get(f"/api/conversations/{cid}/case")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = await api.get(f"/api/conversations/{cid}/case", headers=other)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await api.post(
        f"/api/conversations/{cid}/messages",
        headers={"Authorization": "Basic x"},
        json={"text": "x"},
    )
    assert r.status_code == 401


async def test_malformed_bodies_are_422_and_change_nothing(api: httpx.AsyncClient) -> None:
    cid, auth, _ = await start(api)
    url = f"/api/conversations/{cid}/messages"
    for body in (
        {},
        {"text": "a", "choice": "b"},
        {"text": 5},
        {"choice": ""},
        {"text": "x", "sent_at": "yesterday"},
        [1, 2],
    ):
        r = await api.post(url, headers=auth, json=body)
        assert r.status_code == 422, body
        assert r.json()["error"]["code"] == "invalid"
    r = await api.post(url, headers={**auth, "Content-Type": "application/json"}, content=b"{not json")
    assert r.status_code == 422
    r = await api.post("/api/conversations", json={"channel": "fax"})
    assert r.status_code == 422
    case = (await api.get(f"/api/conversations/{cid}/case", headers=auth)).json()
    assert [e["role"] for e in case["transcript"]] == ["bot"]


async def test_a_body_too_large_is_413(api: httpx.AsyncClient) -> None:
    cid, auth, _ = await start(api)
    r = await api.post(f"/api/conversations/{cid}/messages", headers=auth, json={"text": "钱" * 100_000})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


async def test_too_fast_is_429_with_retry_after(make_api: ApiFactory) -> None:
    api = await make_api(rate_per_conversation=1.0)  # a burst of 20, then one a minute
    cid, auth, _ = await start(api)
    codes = [
        (await api.post(f"/api/conversations/{cid}/messages", headers=auth, json={"text": "嗯"})).status_code
        for _ in range(25)
    ]
    assert codes[:20] == [200] * 20 and 429 in codes
    r = await api.post(f"/api/conversations/{cid}/messages", headers=auth, json={"text": "嗯"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "too_many_requests"


@pytest.mark.parametrize("backend_kind", ["redis"])
async def test_two_workers_share_one_rate_limit(make_api: ApiFactory) -> None:
    """Two serving processes on one Redis: a client spread over both still gets one burst."""
    workers = [await make_api(rate_per_conversation=1.0) for _ in range(2)]
    cid, auth, _ = await start(workers[0])
    codes = [
        (await workers[n % 2].post(f"/api/conversations/{cid}/messages", headers=auth, json={"text": "嗯"}))
        .status_code
        for n in range(24)
    ]
    assert codes[:20] == [200] * 20 and codes[20:] == [429] * 4


async def test_evidence_upload_accepts_images_and_pdf_only(api: httpx.AsyncClient) -> None:
    cid, auth, _ = await start(api)
    url = f"/api/conversations/{cid}/evidence"
    r = await api.post(url, headers=auth, files={"file": ("截图.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/png" and r.json()["size"] == len(PNG)
    r = await api.post(url, headers=auth, files={"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")})
    assert r.status_code == 201
    r = await api.post(url, headers=auth, files={"file": ("a.png", b"MZ not an image", "image/png")})
    assert r.status_code == 415
    case = (await api.get(f"/api/conversations/{cid}/case", headers=auth)).json()
    assert [e["content_type"] for e in case["evidence"]] == ["image/png", "application/pdf"]
    assert all("stored_path" not in e for e in case["evidence"])


async def test_an_evidence_files_name_is_redacted_on_arrival(api: httpx.AsyncClient) -> None:
    """A victim may name a photo of their card by its number."""
    cid, auth, _ = await start(api)
    url = f"/api/conversations/{cid}/evidence"
    r = await api.post(url, headers=auth, files={"file": ("卡号6222021234567894.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    case = (await api.get(f"/api/conversations/{cid}/case", headers=auth)).json()
    for name in (r.json()["file_name"], case["evidence"][0]["file_name"]):
        assert "6222021234567894" not in name and name.endswith("7894.png"), name


async def test_evidence_too_large_is_413(make_api: ApiFactory) -> None:
    api = await make_api(evidence_max_bytes=2048)
    cid, auth, _ = await start(api)
    r = await api.post(
        f"/api/conversations/{cid}/evidence",
        headers=auth,
        files={"file": ("big.png", PNG + b"\x00" * 4096, "image/png")},
    )
    assert r.status_code == 413


async def test_openapi_health_and_metrics(api: httpx.AsyncClient) -> None:
    r = await api.get("/openapi.json")
    assert r.status_code == 200 and "/api/conversations/{id}/messages" in r.json()["paths"]
    r = await api.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    cid, auth, _ = await start(api)
    await api.post(f"/api/conversations/{cid}/messages", headers=auth, json={"text": "被盗了"})
    text = (await api.get("/metrics")).text
    assert "lossline_turns_total" in text and "lossline_turn_seconds_bucket" in text


async def test_unknown_route_and_method_use_the_error_format(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await api.delete("/api/conversations")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


async def test_concurrent_messages_to_one_conversation_all_apply_in_order(
    api: httpx.AsyncClient,
) -> None:
    cid, auth, _ = await start(api)
    url = f"/api/conversations/{cid}/messages"
    texts = [f"第{i}句" for i in range(10)]
    await asyncio.gather(*(api.post(url, headers=auth, json={"text": t, "message_id": t}) for t in texts))
    case = (await api.get(f"/api/conversations/{cid}/case", headers=auth)).json()
    said = [e["text"] for e in case["transcript"] if e["role"] == "victim"]
    assert sorted(said) == sorted(texts)


async def test_serving_purges_idle_conversations(tmp_path: Path) -> None:
    from bot.app import repeat_forever
    from bot.settings import Settings
    from bot.store.factory import open_backend

    # Retention of one second: the conversation is idle past it almost at once.
    backend = await open_backend(Settings(data_dir=tmp_path, retention_days=0.00001))
    try:
        from bot.engine import Engine

        engine = Engine(backend.store, backend.queue, backend.events)
        record, _, _ = await engine.start("web", "zh-CN", datetime.now(SHANGHAI))
        task = asyncio.create_task(repeat_forever("retention.purge", backend.store.purge_expired, 0.05))
        for _ in range(200):
            if await backend.store.load(record.id) is None:
                break
            await asyncio.sleep(0.02)
        task.cancel()
        assert await backend.store.load(record.id) is None
    finally:
        await backend.aclose()


# Found by schemathesis (tests/api/test_openapi_fuzz.py); each once answered otherwise.


async def test_a_streamed_body_too_large_is_413_not_400(make_api: ApiFactory) -> None:
    """Without a Content-Length (chunked), the limit trips while FastAPI reads the body, which
    used to turn it into a 400."""
    api = await make_api(evidence_max_bytes=2048)
    cid, auth, _ = await start(api)

    async def chunks(head: bytes, size: int, tail: bytes) -> AsyncIterator[bytes]:
        yield head
        for _ in range(size // 1024):
            yield b"x" * 1024
        yield tail

    json_type = {"Content-Type": "application/json"}
    multipart = {"Content-Type": "multipart/form-data; boundary=b"}
    part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n' + PNG
    one = f"/api/conversations/{cid}"
    for url, headers, body in (
        (f"{one}/messages", {**auth, **json_type}, chunks(b'{"text": "', 100_000, b'"}')),
        ("/api/conversations", json_type, chunks(b'{"channel": "', 100_000, b'"}')),
        (f"{one}/evidence", {**auth, **multipart}, chunks(part, 200_000, b"\r\n--b--\r\n")),
    ):
        r = await api.post(url, headers=headers, content=body)
        assert r.status_code == 413, (url, r.text)
        assert r.json()["error"]["code"] == "too_large" and r.json()["error"]["message"]


async def test_a_body_that_cannot_be_parsed_is_422_not_400(api: httpx.AsyncClient) -> None:
    cid, auth, _ = await start(api)
    messages = f"/api/conversations/{cid}/messages"
    json_type = {"Content-Type": "application/json"}
    for url, content in (
        (messages, b"\xff"),  # not UTF-8
        (messages, b'{"text": "\xe9"}'),
        (messages, b"[" * 10_000 + b"]" * 10_000),  # nested deeper than json can read
        ("/api/conversations", b"\xff"),
    ):
        r = await api.post(url, headers={**auth, **json_type}, content=content)
        assert r.status_code == 422, (content[:20], r.text)
        assert r.json()["error"]["code"] == "invalid" and "内容格式不正确" in r.json()["error"]["message"]
    r = await api.post(
        f"/api/conversations/{cid}/evidence",
        headers={**auth, "Content-Type": "multipart/form-data"},  # no boundary
        content=b"--x\r\n",
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"


async def test_broken_json_is_blamed_on_the_body_not_an_offset(api: httpx.AsyncClient) -> None:
    cid, auth, _ = await start(api)
    r = await api.post(
        f"/api/conversations/{cid}/messages",
        headers={**auth, "Content-Type": "application/json"},
        content=b'{"text": "x"',
    )
    assert r.status_code == 422
    assert r.json()["error"]["problems"] == [{"field": "body", "problem": "JSON decode error"}]


async def test_sent_at_is_an_iso_time_and_nothing_else(api: httpx.AsyncClient) -> None:
    """The schema says date-time; numbers and bare dates were read as Unix times and midnight."""
    cid, auth, _ = await start(api)
    url = f"/api/conversations/{cid}/messages"
    for sent_at in (0, 1696800000, "1696800000", 1.5, True, "2023-10-09", "yesterday", {}):
        r = await api.post(url, headers=auth, json={"text": "嗯", "sent_at": sent_at})
        assert r.status_code == 422, sent_at
        assert r.json()["error"]["problems"][0]["field"] == "sent_at"
    for sent_at in ("2023-10-09T08:00:00+08:00", "2023-10-09T08:00", "2023-10-09 08:00:00Z", None):
        r = await api.post(url, headers=auth, json={"text": "嗯", "sent_at": sent_at})
        assert r.status_code == 200, (sent_at, r.text)


async def test_openapi_declares_every_answer_in_the_error_format(api: httpx.AsyncClient) -> None:
    """The schema used to declare 422 in FastAPI's own shape and no other error at all."""
    schema = (await api.get("/openapi.json")).json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    expected = {
        ("post", "/api/conversations"): "201 413 422 429",
        ("post", "/api/conversations/{id}/messages"): "200 401 403 404 409 413 422 429",
        ("get", "/api/conversations/{id}/case"): "200 401 403 404 413 422 429",
        ("post", "/api/conversations/{id}/evidence"): "201 401 403 404 413 415 422 429",
    }
    for (method, path), statuses in expected.items():
        operation = schema["paths"][path][method]
        assert set(operation["responses"]) == set(statuses.split()), path
        for status, response in operation["responses"].items():
            body = response["content"]["application/json"]["schema"]
            assert (body == error) == status.startswith("4"), (path, status)
        assert operation["responses"]["429"]["headers"]["Retry-After"]["required"] is True
        if "{id}" in path:
            assert operation["security"] == [{"conversationToken": []}]
    assert schema["components"]["securitySchemes"]["conversationToken"]["scheme"] == "bearer"
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    message_in = schema["components"]["schemas"]["MessageIn"]
    assert [branch["required"] for branch in message_in["oneOf"]] == [["text"], ["choice"]]


async def test_a_message_solves_few_fastapi_dependencies(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastAPI solves each dependency's own parameters on every use, cached or not, and that
    was a tenth of a turn's CPU: the path every turn takes keeps to the four it needs (the
    route, the address limit, the conversation, its bearer token)."""
    import fastapi.dependencies.utils as dependency_utils
    import fastapi.routing as fastapi_routing

    cid, auth, _ = await start(api)
    solve = dependency_utils.solve_dependencies
    solved = 0

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal solved
        solved += 1
        return await solve(*args, **kwargs)

    monkeypatch.setattr(dependency_utils, "solve_dependencies", counting)
    monkeypatch.setattr(fastapi_routing, "solve_dependencies", counting)
    r = await api.post(f"/api/conversations/{cid}/messages", headers=auth, json={"text": "我的支付宝被盗了"})
    assert r.status_code == 200, r.text
    assert solved == 4
