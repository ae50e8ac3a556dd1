"""commit_turn: compare-and-set on the version, idempotent message ids, one atomic step."""

from __future__ import annotations

import asyncio
import random

import pytest
from store_helpers import entry, record

from bot.store.base import Changes, ConversationNotFound, ConversationRecord, Store

pytestmark = pytest.mark.timeout(60)


async def _created(store: Store) -> ConversationRecord:
    written = record()
    await store.create(written)
    return written


async def test_a_commit_writes_state_bumps_the_version_and_appends(store: Store) -> None:
    base = await _created(store)
    outcome = await store.commit_turn(
        base.id,
        1,
        Changes(state={"facts": {"amount": "5200"}}, state_name="ask_time", owner="agent:li"),
        [entry("五千二"), entry("什么时候？", "bot")],
        "msg-1",
        {"replies": [{"text": "什么时候？"}]},
    )
    assert outcome.status == "applied"
    assert outcome.record.version == 2
    loaded = await store.load(base.id)
    assert loaded == outcome.record
    assert loaded is not None
    assert loaded.state == {"facts": {"amount": "5200"}}
    assert (loaded.state_name, loaded.owner, loaded.locale) == ("ask_time", "agent:li", "zh-CN")
    assert loaded.updated_at > base.updated_at
    assert [e.text for e in await store.transcript(base.id)] == ["五千二", "什么时候？"]


async def test_a_stale_version_is_a_conflict_and_writes_nothing(store: Store) -> None:
    base = await _created(store)
    first = await store.commit_turn(base.id, 1, Changes(state_name="b"), [entry("x")], None, {})
    assert first.status == "applied"

    stale = await store.commit_turn(base.id, 1, Changes(state_name="c"), [entry("y")], "m", {})

    assert stale.status == "conflict"
    assert stale.record == first.record  # the current record, to retry from
    assert await store.load(base.id) == first.record
    assert [e.text for e in await store.transcript(base.id)] == ["x"]
    # The conflicting message id was not remembered: it may still be applied.
    retry = await store.commit_turn(base.id, 2, Changes(state_name="c"), [entry("y")], "m", {})
    assert retry.status == "applied"


async def test_a_message_id_is_applied_once(store: Store) -> None:
    base = await _created(store)
    result = {"replies": [{"text": "收到", "buttons": []}], "state": "ask_time", "n": 1.5}
    first = await store.commit_turn(
        base.id, 1, Changes(state_name="ask_time"), [entry("hi")], "tg:1001", result
    )
    again = await store.commit_turn(
        base.id, 1, Changes(state_name="other"), [entry("hi")], "tg:1001", {"ignored": 1}
    )
    # Even with the right version a repeat is a duplicate: the id is checked first.
    later = await store.commit_turn(base.id, 2, Changes(state_name="other"), [entry("hi")], "tg:1001", {})

    assert first.status == "applied"
    assert again.status == later.status == "duplicate"
    assert again.result == later.result == result
    assert again.record == first.record
    assert len(await store.transcript(base.id)) == 1


async def test_only_the_recent_message_ids_are_kept(make_backend: object) -> None:
    backend = await make_backend(message_ids_kept=3)  # type: ignore[operator]
    store: Store = backend.store
    base = await _created(store)
    for n in range(5):
        outcome = await store.commit_turn(base.id, n + 1, Changes(), [], f"m{n}", {"n": n})
        assert outcome.status == "applied"
    recent = await store.commit_turn(base.id, 6, Changes(), [], "m4", {})
    forgotten = await store.commit_turn(base.id, 6, Changes(), [], "m0", {})
    assert (recent.status, recent.result) == ("duplicate", {"n": 4})
    assert forgotten.status == "applied"


async def test_fields_set_to_none_are_cleared(store: Store) -> None:
    base = await _created(store)
    queued = await store.commit_turn(
        base.id, 1, Changes(handoff="queued", handoff_entry="1-0", risk_flags=["x"]), [], None, {}
    )
    assert (queued.record.handoff, queued.record.handoff_entry) == ("queued", "1-0")
    closed = await store.commit_turn(
        base.id, 2, Changes(handoff="closed", handoff_entry=None, risk_flags=[]), [], None, {}
    )
    loaded = await store.load(base.id)
    assert loaded == closed.record
    assert loaded is not None
    assert (loaded.handoff, loaded.handoff_entry, loaded.risk_flags) == ("closed", None, [])


async def test_concurrent_writers_with_cas_retry_lose_nothing(store: Store) -> None:
    """50 commits from 5 tasks on one conversation: each retries on conflict."""
    base = await _created(store)
    applied_versions: list[int] = []

    async def writer(name: str, turns: int) -> None:
        for n in range(turns):
            current = await store.load(base.id)
            assert current is not None
            while True:
                counter = current.state.get("count", 0) + 1
                outcome = await store.commit_turn(
                    base.id,
                    current.version,
                    Changes(state={"count": counter}),
                    [entry(f"{name}-{n}")],
                    f"{name}-{n}",
                    {"count": counter},
                )
                if outcome.status != "conflict":
                    break
                current = outcome.record
                await asyncio.sleep(random.random() / 1000)
            assert outcome.status == "applied"
            applied_versions.append(outcome.record.version)

    await asyncio.gather(*(writer(f"w{i}", 10) for i in range(5)))

    final = await store.load(base.id)
    assert final is not None
    assert final.version == 51 and final.state == {"count": 50}
    assert sorted(applied_versions) == list(range(2, 52))
    texts = [e.text for e in await store.transcript(base.id)]
    assert sorted(texts) == sorted(f"w{i}-{n}" for i in range(5) for n in range(10))
    for i in range(5):  # each writer's turns in its own order
        mine = [t for t in texts if t.startswith(f"w{i}-")]
        assert mine == [f"w{i}-{n}" for n in range(10)]


async def test_message_ids_are_forgotten_after_their_ttl(make_backend: object) -> None:
    backend = await make_backend(message_ids_ttl_s=1)  # type: ignore[operator]
    store: Store = backend.store
    base = await _created(store)
    await store.commit_turn(base.id, 1, Changes(), [], "m1", {})
    assert (await store.commit_turn(base.id, 2, Changes(), [], "m1", {})).status == "duplicate"
    await asyncio.sleep(1.2)
    await store.purge_expired()
    assert (await store.commit_turn(base.id, 2, Changes(), [], "m1", {})).status == "applied"
    assert await store.load(base.id) is not None  # the conversation itself stays


async def test_a_commit_given_its_base_answers_exactly_what_it_stored(store: Store) -> None:
    base = await _created(store)
    changes = Changes(state={"facts": {"amount": "5200", "note": "昨晚 9 点"}}, state_name="ask_time")
    outcome = await store.commit_turn(base.id, 1, changes, [entry("五千二")], "msg-1", {"r": 1}, base=base)
    assert outcome.status == "applied" and outcome.record.version == 2
    assert outcome.record == await store.load(base.id)
    # A base of another version is not trusted: the answer is the stored record.
    stale = await store.commit_turn(base.id, 1, Changes(state_name="x"), [], "msg-2", {}, base=base)
    assert stale.status == "conflict" and stale.record == outcome.record
    again = await store.commit_turn(base.id, 2, Changes(state_name="y"), [], "msg-1", {}, base=outcome.record)
    assert again.status == "duplicate" and again.record == outcome.record and again.result == {"r": 1}
    wrong_base = base.model_copy(update={"version": 2, "state_name": "made-up"})
    applied = await store.commit_turn(base.id, 2, Changes(), [], "msg-3", {}, base=outcome.record)
    assert applied.record == await store.load(base.id)
    with pytest.raises(ConversationNotFound):
        await store.commit_turn("missing", 3, Changes(), [], None, {}, base=wrong_base)


@pytest.mark.parametrize("with_base", [True, False])
async def test_a_commit_can_answer_with_the_whole_transcript(store: Store, with_base: bool) -> None:
    base = await _created(store)
    first = await store.commit_turn(base.id, 1, Changes(state_name="b"), [entry("x")], "m1", {})
    assert first.transcript is None  # not asked for: not read
    handoff = await store.commit_turn(
        base.id,
        2,
        Changes(state_name="c"),
        [entry("转人工"), entry("已转交", "bot")],
        "m2",
        {},
        base=first.record if with_base else None,
        with_transcript=True,
    )
    assert handoff.status == "applied" and handoff.record == await store.load(base.id)
    assert handoff.transcript == await store.transcript(base.id)
    assert [e.text for e in handoff.transcript or []] == ["x", "转人工", "已转交"]
    stale = await store.commit_turn(base.id, 2, Changes(), [entry("y")], "m3", {}, with_transcript=True)
    assert (stale.status, stale.transcript) == ("conflict", None)
    again = await store.commit_turn(base.id, 3, Changes(), [entry("转人工")], "m2", {}, with_transcript=True)
    assert (again.status, again.transcript) == ("duplicate", None)
