"""What agents do through the console API: claim, take over, talk, hand back, notes, phone
mode, export, and the audit log that records each of them."""

from __future__ import annotations

import json

import pytest
from console_helpers import login, start, victim_case
from fastapi.testclient import TestClient

from bot.settings import Settings
from tests.faults.secret_scan import files_under, scan
from tests.p1_answers import P1_ABSOLUTE

pytestmark = pytest.mark.timeout(60)
PAYLOAD = "<img src=x onerror=alert(1)>"
CARD, CODE, PASSWORD_SAID = "6222021234567894", "验证码 804713", "支付密码是682413"


def post(client: TestClient, csrf: str, path: str, body: dict[str, object] | None = None) -> object:
    return client.post(path, headers={"X-CSRF-Token": csrf}, json=body)


def api(cid: str, action: str = "") -> str:
    return f"/console/api/conversations/{cid}" + (f"/{action}" if action else "")


def test_take_over_talk_and_hand_back(client: TestClient) -> None:
    cid, token = start(client, "我的支付宝被盗了")
    csrf = login(client, "alice")
    row = client.post(api(cid, "take-over"), headers={"X-CSRF-Token": csrf}).json()
    assert row["owner"] == "agent:alice"

    said = client.post(api(cid, "messages"), headers={"X-CSRF-Token": csrf}, json={"text": "您好"})
    assert said.status_code == 201
    # The victim writes: the bot keeps quiet, the message is the agent's to read.
    answer = client.post(
        f"/api/conversations/{cid}/messages",
        headers={"Authorization": f"Bearer {token}"},
        json={"text": "没有"},
    ).json()
    assert answer["replies"] == []
    transcript = client.get(api(cid)).json()["transcript"]
    assert [(e["role"], e["text"]) for e in transcript[-2:]] == [("agent", "您好"), ("victim", "没有")]

    # Bob cannot talk or hand back in Alice's conversation.
    bob = login(client, "bob")
    for action, body in (("messages", {"text": "hi"}), ("hand-back", None), ("take-over", None)):
        refused = client.post(api(cid, action), headers={"X-CSRF-Token": bob}, json=body)
        assert refused.status_code == 409, action
        assert refused.json()["error"]["code"] == "owned"

    csrf = login(client, "alice")
    assert client.post(api(cid, "hand-back"), headers={"X-CSRF-Token": csrf}).json()["owner"] == "bot"
    resumed = client.post(
        f"/api/conversations/{cid}/messages",
        headers={"Authorization": f"Bearer {token}"},
        json={"text": "没有"},
    ).json()
    assert "挂失/冻结" in resumed["replies"][-1]["text"]  # the bot reads the answer again

    entries = client.get(f"/console/api/audit?conversation={cid}").json()["entries"]
    assert [(e["agent"], e["action"]) for e in entries] == [
        ("alice", "hand_back"),
        ("alice", "message"),
        ("alice", "take_over"),
    ]


def test_a_handoff_is_claimed_once(client: TestClient) -> None:
    cid, _ = start(client, "转人工")
    alice = login(client, "alice")
    listed = client.get("/console/api/conversations").json()
    assert listed["pending"] == 1
    row = next(r for r in listed["conversations"] if r["id"] == cid)
    assert row["handoff"] == "queued" and row["claimable"]

    claimed = client.post(api(cid, "claim"), headers={"X-CSRF-Token": alice})
    assert claimed.status_code == 200 and claimed.json()["owner"] == "agent:alice"
    assert client.get("/console/api/conversations").json()["pending"] == 0

    bob = login(client, "bob")
    again = client.post(api(cid, "claim"), headers={"X-CSRF-Token": bob})
    assert again.status_code == 409
    entries = client.get("/console/api/audit", params={"conversation": cid}).json()["entries"]
    assert [(e["agent"], e["action"]) for e in entries] == [("alice", "claim")]
    assert entries[0]["conversation_id"] == cid and entries[0]["at"]


def test_not_queued_is_not_claimable(client: TestClient) -> None:
    cid, _ = start(client)
    csrf = login(client)
    refused = client.post(api(cid, "claim"), headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_queued"


def test_phone_mode_answers_with_the_same_readers(client: TestClient) -> None:
    csrf = login(client)
    started = client.post("/console/api/phone", headers={"X-CSRF-Token": csrf}, json={})
    assert started.status_code == 201
    pid = started.json()["id"]
    web_id, web_token = start(client, "我的支付宝被盗了", "没有", "冻结了", "2023年10月8日21:40")
    for text in ("我的支付宝被盗了", "没有", "冻结了", "2023年10月8日21:40"):
        answered = client.post(api(pid, "answer"), headers={"X-CSRF-Token": csrf}, json={"text": text})
        assert answered.status_code == 200
    phone = client.get(api(pid)).json()
    assert phone["conversation"]["channel"] == "phone"
    assert phone["case"] == victim_case(client, web_id, web_token)["case"]
    assert phone["case"]["incident"]["frozen_at"] == "2023-10-08T21:40:00+08:00"
    assert {e["role"] for e in phone["transcript"]} == {"bot", "agent"}
    assert phone["whisper"]["expects"] == {"slot": "incident.police_report.filed", "kind": "bool"}

    # A button pressed for the caller, and a retried answer applied once.
    pressed = client.post(
        api(pid, "answer"), headers={"X-CSRF-Token": csrf}, json={"choice": "yes", "message_id": "m1"}
    ).json()
    again = client.post(
        api(pid, "answer"), headers={"X-CSRF-Token": csrf}, json={"choice": "yes", "message_id": "m1"}
    ).json()
    assert pressed == again
    assert client.get(api(pid)).json()["whisper"]["expects"]["slot"] == "incident.police_report.at"

    # Only phone conversations are answered for.
    refused = client.post(api(web_id, "answer"), headers={"X-CSRF-Token": csrf}, json={"text": "是"})
    assert refused.status_code == 409
    audit = [e["action"] for e in client.get(f"/console/api/audit?conversation={pid}").json()["entries"]]
    assert audit == ["phone_answer"] * 5 + ["phone_start"]


def test_private_notes_never_reach_the_victim(client: TestClient) -> None:
    cid, token = start(client, "信用卡被盗刷了")
    csrf = login(client)
    with client.websocket_connect(f"/api/conversations/{cid}/ws?token={token}") as ws:
        noted = client.post(
            api(cid, "notes"), headers={"X-CSRF-Token": csrf}, json={"text": "疑似诈骗，核实身份"}
        )
        assert noted.status_code == 201
        client.post(api(cid, "take-over"), headers={"X-CSRF-Token": csrf})
        assert ws.receive_json()["type"] == "owner"  # the next event is the take-over, not the note
    notes = client.get(api(cid)).json()["notes"]
    assert [(n["agent"], n["text"]) for n in notes] == [("alice", "疑似诈骗，核实身份")]
    assert "疑似诈骗" not in str(victim_case(client, cid, token))


def test_the_case_card_cites_clauses_with_their_texts(client: TestClient) -> None:
    from rules import clause_text

    answers = [*P1_ABSOLUTE[:21], "没有了"]  # p1 with its first transaction only
    cid, _ = start(client, *answers)
    login(client)
    data = client.get(api(cid)).json()
    decision = data["decision"]
    assert decision["lines"][0]["clauses"] == ["第四条(一)"]
    cited = {c for line in decision["lines"] for c in line["clauses"]}
    cited |= {m["clause"] for m in decision["missing_documents"]}
    cited |= {d["clause"] for d in decision["deadlines"]}
    assert set(data["clauses"]) == cited
    assert data["clauses"]["第四条(一)"] == clause_text("huaan-account-loss-d", "2022", "第四条(一)")
    assert data["summary"]["timeline"] and data["summary"]["checklist"]
    assert data["labels"]["status"]["covered"] == "可赔"


def test_export_is_the_whole_summary_as_a_file(client: TestClient) -> None:
    cid, _ = start(client, f"支付宝被盗了 {PAYLOAD}")
    login(client)
    exported = client.get(api(cid, "export.json"))
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith('attachment; filename="LL-')
    body = exported.json()
    assert body["case"]["incident"]["narrative"].endswith(PAYLOAD)
    assert "markdown" in body and body["transcript"]
    assert client.get("/console/api/audit").json()["entries"][0]["action"] == "export_json"


def test_html_a_victim_typed_is_escaped_on_every_server_rendered_page(client: TestClient) -> None:
    cid, _ = start(client, f"支付宝被盗了 {PAYLOAD}")
    csrf = login(client)
    client.post(api(cid, "notes"), headers={"X-CSRF-Token": csrf}, json={"text": PAYLOAD})
    client.post(api(cid, "take-over"), headers={"X-CSRF-Token": csrf})
    client.post(api(cid, "messages"), headers={"X-CSRF-Token": csrf}, json={"text": PAYLOAD})
    for path in (f"/console/c/{cid}/print", "/console/audit", f"/console/c/{cid}"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<img" not in page.text, path
        assert "script-src 'self'" in page.headers["content-security-policy"]
    printed = client.get(f"/console/c/{cid}/print").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in printed


def test_the_live_feed_streams_every_conversation_to_a_logged_in_agent(client: TestClient) -> None:
    login(client)
    with client.websocket_connect("/console/api/live") as ws:
        cid, token = start(client)
        assert ws.receive_json() == {
            "type": "started",
            "channel": "web",
            "state": "triage_what",
            "version": 1,
            "conversation_id": cid,
        }
        client.post(
            f"/api/conversations/{cid}/messages",
            headers={"Authorization": f"Bearer {token}"},
            json={"text": f"支付宝被盗 {PAYLOAD}"},
        )
        event = ws.receive_json()
        assert event["type"] == "message" and event["text"].endswith(PAYLOAD)


def test_the_live_feed_refuses_another_site(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    login(client)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/console/api/live", headers={"Origin": "https://evil.example"}) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 4401


def test_the_list_is_newest_first_with_risk_flags(client: TestClient) -> None:
    quiet, _ = start(client)
    leaking, _ = start(client, "我的支付宝被盗了", "是的")
    login(client)
    rows = client.get("/console/api/conversations").json()["conversations"]
    assert [r["id"] for r in rows] == [leaking, quiet]
    flags = {r["id"]: {f["id"] for f in r["risk"]} for r in rows}
    assert flags[leaking] >= {"money_leaving", "not_frozen"}
    assert "money_leaving" not in flags[quiet]


def test_evidence_downloads_as_a_file_for_agents_only(client: TestClient) -> None:
    cid, token = start(client, "信用卡被盗刷了")
    pdf = b"%PDF-1.4\n<script>alert(1)</script>\n%%EOF"
    uploaded = client.post(
        f"/api/conversations/{cid}/evidence",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("回执.pdf", pdf, "application/pdf")},
    ).json()
    path = api(cid, f"evidence/{uploaded['sha256']}")
    assert client.get(path).status_code == 401
    login(client)
    listed = client.get(api(cid)).json()["evidence"]
    assert [e["sha256"] for e in listed] == [uploaded["sha256"]]
    got = client.get(path)
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert client.get(api(cid, "evidence/" + "0" * 64)).status_code == 404
    assert client.get("/console/api/audit").json()["entries"][0]["action"] == "evidence_download"


def test_the_live_feed_closes_once_its_session_is_gone(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.websockets import WebSocketDisconnect

    from bot.console import api as console_api

    monkeypatch.setattr(console_api, "SESSION_CHECK_S", 0.0)
    csrf = login(client)
    with client.websocket_connect("/console/api/live") as ws:
        start(client)
        assert ws.receive_json()["type"] == "started"
        client.post("/console/logout", data={"csrf": csrf})
        start(client)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401


# Found by the console's fuzz (tests/console/test_console_fuzz.py): each once answered otherwise.


def test_talking_or_handing_back_without_taking_over_says_to_take_over_first(client: TestClient) -> None:
    """The bot's conversation was refused as "another agent is handling it", which no one was."""
    cid, token = start(client, "我的支付宝被盗了")
    csrf = login(client)
    before = victim_case(client, cid, token)
    for action, body, message in (
        ("messages", {"text": "您好"}, "请先接管这个会话，再给用户发消息。"),
        ("hand-back", None, "机器人已在处理这个会话，无需交还。"),
    ):
        refused = client.post(api(cid, action), headers={"X-CSRF-Token": csrf}, json=body)
        assert refused.status_code == 409, action
        assert refused.json()["error"] == {"code": "not_taken_over", "message": message}
    assert victim_case(client, cid, token) == before  # nothing said, nothing changed
    assert client.get(api(cid)).json()["conversation"]["owner"] == "bot"
    assert client.get("/console/api/audit", params={"conversation": cid}).json()["entries"] == []

    # Another agent's conversation is still refused as theirs.
    client.post(api(cid, "take-over"), headers={"X-CSRF-Token": csrf})
    bob = login(client, "bob")
    for action, body in (("messages", {"text": "您好"}), ("hand-back", None)):
        refused = client.post(api(cid, action), headers={"X-CSRF-Token": bob}, json=body)
        assert refused.json()["error"] == {"code": "owned", "message": "这个会话正由其他坐席处理。"}


def test_what_agents_type_is_redacted_on_arrival(client: TestClient, settings: Settings) -> None:
    """A message reading a card number back, a note of what a caller read out, a phone
    answer: no full card number, code or password reaches the database or the audit log."""
    csrf = login(client)
    cid, _ = start(client, "我的支付宝被盗了")
    assert client.post(api(cid, "take-over"), headers={"X-CSRF-Token": csrf}).status_code == 200
    said = client.post(
        api(cid, "messages"), headers={"X-CSRF-Token": csrf}, json={"text": f"您的卡号是{CARD}吗？"}
    )
    assert said.status_code == 201 and said.json()["text"] == "您的卡号是**** **** **** 7894吗？"
    noted = client.post(
        api(cid, "notes"), headers={"X-CSRF-Token": csrf}, json={"text": f"来电人报卡号 {CARD}，{CODE}"}
    )
    assert noted.status_code == 201
    assert noted.json()["text"] == "来电人报卡号 **** **** **** 7894，验证码 ******"
    pid = client.post("/console/api/phone", headers={"X-CSRF-Token": csrf}, json={}).json()["id"]
    answered = client.post(
        api(pid, "answer"), headers={"X-CSRF-Token": csrf}, json={"text": f"信用卡被盗刷了，{PASSWORD_SAID}"}
    )
    assert answered.status_code == 200

    shown = json.dumps(
        [client.get(api(c)).json() for c in (cid, pid)] + [client.get("/console/api/audit").json()],
        ensure_ascii=False,
    )
    assert "**** **** **** 7894" in shown and "密码是******" in shown
    for secret in (CARD, "804713", "682413"):
        assert secret not in shown
    files = files_under(settings.data_dir)
    assert scan(files, [CODE, PASSWORD_SAID]) == []


def test_facts_the_victim_did_not_know_are_listed_to_verify(client: TestClient) -> None:
    """The window and deductible a victim could not give are assumed so the case can be
    decided; the case card and the printed case file say so, for the agent to check."""
    told = ("招行信用卡被人盗刷了", "否", "是", "昨晚十点半", "否", "家庭", "2023年3月1日", "是")
    cid, _ = start(client, *told, "不记得了", "5万", "不知道")
    login(client)
    expected = ["挂失前可赔时间（受害人不清楚，暂按条款默认）", "免赔额（受害人不清楚，暂按无免赔）"]
    assert client.get(api(cid)).json()["summary"]["to_verify"] == expected
    printed = client.get(f"/console/c/{cid}/print").text
    assert "<h2>待核实</h2>" in printed and all(v in printed for v in expected)
