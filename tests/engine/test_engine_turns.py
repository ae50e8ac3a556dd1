"""Turns through the engine with the real dialog, on both stores."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from structlog.testing import capture_logs

from bot.engine import BadToken, Engine
from bot.store.base import ConversationNotFound, ExternalKeyTaken
from bot.store.factory import Backend
from dialogs.messages import Turn
from dialogs.state import ConversationState
from tests.p1_answers import P1_ABSOLUTE

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)
CARD, PASSWORD = "4111111111111111", "824613"


def said(text: str) -> Turn:
    return Turn(text=text, sent_at=NOW)


async def test_start_stores_the_conversation_and_its_greeting(
    engine: Engine, backend: Backend
) -> None:
    async with backend.events.subscribe() as console:
        record, token, result = await engine.start("web", "zh-CN", NOW)
        event = await console.get(2)

    assert result.replies
    stored = await backend.store.load(record.id)
    assert stored == record
    assert (record.version, record.owner, record.handoff) == (1, "bot", None)
    assert record.state == result.state and record.state_name == result.state_name
    assert [e.text for e in await backend.store.transcript(record.id)] == [
        r.text for r in result.replies
    ]
    assert await engine.authorize(record.id, token) == record
    with pytest.raises(BadToken):
        await engine.authorize(record.id, token[:-1] + ("A" if token[-1] != "A" else "B"))
    with pytest.raises(ConversationNotFound):
        await engine.authorize("missing", token)
    assert token not in record.model_dump_json()
    assert event is not None and event["type"] == "started"


async def test_an_external_key_opens_one_conversation(engine: Engine, backend: Backend) -> None:
    record, _, _ = await engine.start("telegram", "zh-CN", NOW, external_key="telegram:99")
    assert await backend.store.find_by_external_key("telegram:99") == record
    with pytest.raises(ExternalKeyTaken):
        await engine.start("telegram", "zh-CN", NOW, external_key="telegram:99")


async def test_a_turn_steps_the_dialog_and_saves_only_redacted_text(
    engine: Engine, backend: Backend
) -> None:
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    secret = f"我的卡号{CARD}，密码是{PASSWORD}，昨晚被转走五万两千"

    async with backend.events.subscribe(record.id) as widget:
        with capture_logs() as logs:
            outcome = await engine.handle(record.id, said(secret), message_id="c-1")
        events = [await widget.get(2) for _ in range(3)]

    assert outcome.replies and not outcome.duplicate and not outcome.handoff
    assert outcome.record.version == 2
    assert outcome.record.state_name == outcome.state_name != record.state_name
    assert "redacted" in outcome.record.risk_flags
    transcript = await backend.store.transcript(record.id)
    victim = [e for e in transcript if e.role == "victim"]
    assert len(victim) == 1 and "1111" in victim[0].text
    everything = " ".join(
        [
            (await backend.store.load(record.id) or record).model_dump_json(),
            *(e.model_dump_json() for e in transcript),
            repr(events),
            repr(logs),
            repr(outcome.response()),
        ]
    )
    assert CARD not in everything and PASSWORD not in everything
    assert [e["type"] for e in events if e] == ["message", "reply", "state"]


async def test_a_repeated_message_id_is_applied_once(engine: Engine, backend: Backend) -> None:
    record, _, _ = await engine.start("telegram", "zh-CN", NOW)
    first = await engine.handle(record.id, said("钱被转走了"), message_id="tg:5001")
    again = await engine.handle(record.id, said("钱被转走了"), message_id="tg:5001")

    assert again.duplicate and not first.duplicate
    assert again.response() == first.response()
    assert again.record.version == first.record.version == 2
    victim = [e for e in await backend.store.transcript(record.id) if e.role == "victim"]
    assert len(victim) == 1


async def test_unknown_conversation(engine: Engine) -> None:
    with pytest.raises(ConversationNotFound):
        await engine.handle("missing", said("hi"))


async def test_concurrent_turns_in_one_process_queue_up(engine: Engine, backend: Backend) -> None:
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    outcomes = await asyncio.gather(
        *(engine.handle(record.id, said(f"第{n}条"), message_id=f"m{n}") for n in range(20))
    )
    assert sorted(o.record.version for o in outcomes) == list(range(2, 22))
    victim = [e.text for e in await backend.store.transcript(record.id) if e.role == "victim"]
    assert sorted(victim) == sorted(f"第{n}条" for n in range(20))


async def test_two_engines_on_one_store_interleave_without_loss(
    engine: Engine, make_backend: object
) -> None:
    """Two workers (separate connections, separate locks) on the same conversations."""
    other_backend: Backend = await make_backend()  # type: ignore[operator]
    other = Engine(other_backend.store, other_backend.queue, other_backend.events)
    records = [(await engine.start("web", "zh-CN", NOW))[0] for _ in range(3)]

    async def talk(worker: Engine, name: str) -> None:
        for n in range(8):
            for record in records:
                await worker.handle(record.id, said(f"{name}{n}"), message_id=f"{name}{n}")

    with capture_logs() as logs:
        await asyncio.gather(talk(engine, "a"), talk(other, "b"))
    print(f"\n{sum(e['event'] == 'turn.conflict' for e in logs)} conflicts retried")

    for record in records:
        final = await engine.store.load(record.id)
        assert final is not None and final.version == 1 + 16
        victim = [e.text for e in await engine.store.transcript(record.id) if e.role == "victim"]
        assert sorted(victim) == sorted(f"{w}{n}" for w in "ab" for n in range(8))
        for w in "ab":
            assert [t for t in victim if t.startswith(w)] == [f"{w}{n}" for n in range(8)]


async def test_a_turn_from_a_record_the_caller_loaded_starts_there_or_from_the_newer_one(
    engine: Engine, backend: Backend
) -> None:
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    first = await engine.handle(record.id, said("已经离开了"), "m1", loaded=record)
    assert first.record.version == 2
    # `record` is stale now (version 1): the commit's compare-and-set gives the newer one,
    # and the turn is stepped again from there, not from the stale state.
    second = await engine.handle(record.id, said("冻结了"), "m2", loaded=record)
    assert second.record.version == 3
    replayed = await engine.handle(record.id, said("冻结了"), "m2", loaded=second.record)
    assert replayed.duplicate and replayed.replies == second.replies
    transcript = [e.text for e in await backend.store.transcript(record.id) if e.role == "victim"]
    assert transcript == ["已经离开了", "冻结了"]
    with pytest.raises(ValueError):
        await engine.handle("another", said("x"), "m3", loaded=record)


async def test_a_turn_whose_commit_fails_leaves_the_record_it_started_from_as_it_was(
    engine: Engine, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram keeps the record a chat's last turn committed and starts the next turn from
    it. If a commit fails (the store is out of reach), the victim got no answer and may say
    something else: the kept record must not hold the failed turn's facts (a freeze time, a
    second transaction) as if they had been said and stored."""
    record, _, _ = await engine.start("telegram", "zh-CN", NOW)
    commit = backend.store.commit_turn

    async def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("store out of reach")

    for n, text in enumerate(P1_ABSOLUTE[:-1]):
        kept = json.dumps(record.state, sort_keys=True)
        monkeypatch.setattr(backend.store, "commit_turn", unreachable)
        with pytest.raises(ConnectionError):
            await engine.handle(record.id, said(text), f"m{n}-lost", loaded=record)
        assert json.dumps(record.state, sort_keys=True) == kept, (n, text)
        monkeypatch.setattr(backend.store, "commit_turn", commit)
        record = (await engine.handle(record.id, said(text), f"m{n}", loaded=record)).record
    case = ConversationState.model_validate(record.state).facts
    assert [tx["amount"] for tx in case["transactions"]] == ["3404.34", "1200"]


async def test_a_note_is_a_system_line_for_the_agents_and_a_commit(engine: Engine, backend: Backend) -> None:
    record, _, _ = await engine.start("telegram", "zh-CN", NOW)
    async with backend.events.subscribe(record.id) as console:
        noted = await engine.note(record.id, "这个 Telegram 对话改为继续案件 LL-0000-0000-0000")
        event = await console.get(2)
    assert noted.version == record.version + 1  # a copy of the record held elsewhere is stale
    assert (noted.state, noted.state_name) == (record.state, record.state_name)
    last = (await backend.store.transcript(record.id))[-1]
    assert (last.role, last.text) == ("system", "这个 Telegram 对话改为继续案件 LL-0000-0000-0000")
    assert event is not None
    assert (event["type"], event["text"], event["version"]) == ("notice", last.text, noted.version)


async def test_a_note_with_a_message_id_is_written_once(engine: Engine, backend: Backend) -> None:
    """Several processes may note the same thing (each gave up the same agent message)."""
    record, _, _ = await engine.start("telegram", "zh-CN", NOW)
    for _ in range(2):
        await engine.note(record.id, "没能发到", message_id="undelivered:1")
    await engine.note(record.id, "没能发到", message_id="undelivered:2")
    system = [e.text for e in await backend.store.transcript(record.id) if e.role == "system"]
    assert system == ["没能发到", "没能发到"]
