"""The console's store (agents, sessions, audit, notes) on both backends."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.console.store import Agent, AuditEntry, ConsoleStore, Note, Session, open_console_store
from bot.store.base import utcnow
from bot.store.factory import Backend

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def console(backend: Backend) -> ConsoleStore:
    return await open_console_store(backend)


async def test_agents_are_created_once(console: ConsoleStore) -> None:
    assert await console.agent_count() == 0
    assert await console.agent("alice") is None
    assert await console.add_agent(Agent(name="alice", password_hash="h1"))
    assert not await console.add_agent(Agent(name="alice", password_hash="h2"))
    assert await console.add_agent(Agent(name="小李", password_hash="h3"))
    alice = await console.agent("alice")
    assert alice is not None and alice.password_hash == "h1"
    assert await console.agent_count() == 2


async def test_two_creations_at_once_make_one_agent(console: ConsoleStore) -> None:
    created = await asyncio.gather(
        *(console.add_agent(Agent(name="admin", password_hash=f"h{i}")) for i in range(5))
    )
    assert sorted(created) == [False] * 4 + [True]


async def test_sessions_expire_and_can_be_ended(console: ConsoleStore) -> None:
    live = Session(agent="alice", csrf="c1", expires_at=utcnow() + timedelta(hours=1))
    short = Session(agent="bob", csrf="c2", expires_at=utcnow() + timedelta(seconds=1))
    await console.save_session("k1", live)
    await console.save_session("k2", short)
    assert await console.session("k1") == live
    assert await console.session("nope") is None
    await asyncio.sleep(1.2)
    assert await console.session("k2") is None
    await console.delete_session("k1")
    assert await console.session("k1") is None


async def test_the_audit_log_is_newest_first_all_or_per_conversation(console: ConsoleStore) -> None:
    entries = [
        AuditEntry(agent="alice", action="login"),
        AuditEntry(agent="alice", action="take_over", conversation_id="c1"),
        AuditEntry(agent="bob", action="note", conversation_id="c2"),
        AuditEntry(agent="alice", action="message", conversation_id="c1", detail="您好"),
    ]
    for entry in entries:
        await console.audit(entry)
    assert await console.audit_log() == entries[::-1]
    assert await console.audit_log(limit=2) == entries[:1:-1]
    assert await console.audit_log("c1") == [entries[3], entries[1]]
    assert await console.audit_log("c9") == []


async def test_notes_are_kept_per_conversation_in_order(console: ConsoleStore) -> None:
    first, second = Note(agent="alice", text="一"), Note(agent="bob", text="<b>二</b>")
    await console.add_note("c1", first)
    await console.add_note("c1", second)
    await console.add_note("c2", Note(agent="bob", text="别的"))
    assert await console.notes("c1") == [first, second]
    assert await console.notes("c3") == []
