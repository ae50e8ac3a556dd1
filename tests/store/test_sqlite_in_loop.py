"""SQLite jobs (a turn's, the hand-off queue's, Telegram's links, the console's) run on the
event loop when the file is free, and wait on aiosqlite's thread (never on the loop) when
another process holds the write lock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import entry, record

from bot.console.sqlite_store import SqliteConsoleStore
from bot.console.store import Agent, AuditEntry, Note, Session
from bot.store.base import Changes, HandoffEntry
from bot.store.sqlite import BUSY_TIMEOUT_MS, CHECKPOINT_EVERY, SqliteDatabase, SqliteStore
from bot.store.sqlite_queue import SqliteHandoffQueue
from bot.telegram.links import SqliteKeyValue
from dialogs.messages import TranscriptEntry

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    opened = await SqliteDatabase.open(tmp_path / "lossline.sqlite3")
    yield opened
    await opened.aclose()


@pytest.fixture
def store(db: SqliteDatabase) -> SqliteStore:
    return SqliteStore(db, retention_seconds=3600)


async def test_a_turn_does_not_wait_for_the_connection_thread(db: SqliteDatabase, store: SqliteStore) -> None:
    written = record()
    await store.create(written)
    held = threading.Event()
    # Keep aiosqlite's thread busy: a load or commit that needed it would wait for `held`.
    stuck = asyncio.ensure_future(db.conn._execute(held.wait, 30))
    try:
        loaded = await asyncio.wait_for(store.load(written.id), 5)
        committed = await asyncio.wait_for(
            store.commit_turn(written.id, 1, Changes(state_name="b"), [entry("x")], "m1", {}), 5
        )
    finally:
        held.set()
        await stuck
    assert loaded == written
    assert committed.status == "applied" and committed.record.version == 2


# What the test below reads back: transcript, entry, pending, delivered, claimed, added, link.
Seen = tuple[list[TranscriptEntry], str, tuple[int, str | None], list[HandoffEntry], bool, bool, str | None]


async def test_a_hand_off_and_a_telegram_chat_do_not_wait_for_the_connection_thread(
    db: SqliteDatabase, store: SqliteStore
) -> None:
    """The hand-off turn reads the transcript and writes the queue; a Telegram chat's first
    turn writes its links: each a trip (or three) to aiosqlite's thread, until they too ran
    on the loop like the turn's own jobs."""
    written = record()
    await store.create(written, [entry("您好")])
    queue = SqliteHandoffQueue(db, redeliver_ms=60_000)
    links = SqliteKeyValue(db)
    await links.get("warm")  # its table is made on first use, once
    held = threading.Event()
    stuck = asyncio.ensure_future(db.conn._execute(held.wait, 30))
    try:

        async def everything() -> Seen:
            transcript = await store.transcript(written.id)
            await store.evidence(written.id)
            entry_id = await queue.enqueue(written.id, {"summary": {}})
            pending = (await queue.pending_count(), await queue.pending_for(written.id))
            delivered = await queue.read("console-1", block_ms=0)
            claimed = await queue.claim(entry_id, "agent:alice")
            await links.put("chat:1", written.id, 60)
            added = await links.add("case:LL-1", written.id, 60)
            return transcript, entry_id, pending, delivered, claimed, added, await links.get("chat:1")

        transcript, entry_id, pending, delivered, claimed, added, linked = await asyncio.wait_for(
            everything(), 5
        )
    finally:
        held.set()
        await stuck
    assert [e.text for e in transcript] == ["您好"]
    assert pending == (1, entry_id) and [e.id for e in delivered] == [entry_id]
    assert claimed and added and linked == written.id


async def test_console_requests_do_not_wait_for_the_connection_thread(db: SqliteDatabase) -> None:
    """Every console request looks its session up; actions write the audit log and notes."""
    console = await SqliteConsoleStore.open(db)
    later = datetime.now(UTC) + timedelta(hours=1)
    held = threading.Event()
    stuck = asyncio.ensure_future(db.conn._execute(held.wait, 30))
    try:

        async def everything() -> tuple[bool, int, Session | None, list[AuditEntry], list[Note]]:
            added = await console.add_agent(Agent(name="alice", password_hash="x"))
            await console.save_session("k1", Session(agent="alice", csrf="c", expires_at=later))
            await console.audit(AuditEntry(agent="alice", action="login", conversation_id="c1"))
            await console.add_note("c1", Note(agent="alice", text="已核实身份"))
            found = await console.session("k1")
            await console.delete_session("k1")
            return (
                added and await console.agent("alice") is not None,
                await console.agent_count(),
                found,
                await console.audit_log("c1"),
                await console.notes("c1"),
            )

        added, agents, found, audit, notes = await asyncio.wait_for(everything(), 5)
        gone = await asyncio.wait_for(console.session("k1"), 5)
    finally:
        held.set()
        await stuck
    assert added and agents == 1 and found is not None and found.agent == "alice" and gone is None
    assert [a.action for a in audit] == ["login"] and [n.text for n in notes] == ["已核实身份"]


async def test_a_commit_behind_another_process_waits_off_the_loop_and_then_applies(
    tmp_path: Path, store: SqliteStore
) -> None:
    written = record()
    await store.create(written)
    other = sqlite3.connect(tmp_path / "lossline.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is mid-write: the file is locked
    commit = asyncio.ensure_future(
        store.commit_turn(written.id, 1, Changes(state_name="b"), [entry("x")], "m1", {})
    )
    ticks = 0
    for _ in range(20):  # the loop keeps running while the commit waits for the lock
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 20 and not commit.done()
    other.execute("COMMIT")
    other.close()
    outcome = await asyncio.wait_for(commit, 10)
    assert outcome.status == "applied" and outcome.record.version == 2
    assert [e.text for e in await store.transcript(written.id)] == ["x"]
    loaded = await store.load(written.id)
    assert loaded is not None and loaded.state_name == "b"


async def test_a_failed_job_on_the_loop_leaves_nothing_half_written(
    db: SqliteDatabase, store: SqliteStore
) -> None:
    written = record()
    await store.create(written)

    def half(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE conversations SET version = 99 WHERE id = ?", (written.id,))
        conn.execute("SELECT * FROM no_such_table")

    with pytest.raises(sqlite3.OperationalError):
        await db.call(half, write=True)
    loaded = await store.load(written.id)
    assert loaded is not None and loaded.version == 1
    # and the loop's jobs still fail at once on a lock, while the thread's wait as configured
    assert db.conn._conn.execute("PRAGMA busy_timeout").fetchone() == (0,)
    async with db.reading() as conn, conn.execute("PRAGMA busy_timeout") as cursor:
        assert await cursor.fetchone() == (BUSY_TIMEOUT_MS,)
    assert db.conn._conn.execute("PRAGMA busy_timeout").fetchone() == (0,)


async def test_the_log_is_copied_back_as_turns_commit(
    tmp_path: Path, db: SqliteDatabase, store: SqliteStore
) -> None:
    written = record()
    await store.create(written)
    wal = tmp_path / "lossline.sqlite3-wal"
    big = {"notes": "很长的经过" * 400}  # ~6 KB of state a commit: two or three pages of log
    version = 1
    largest = 0
    for n in range(5 * CHECKPOINT_EVERY):
        outcome = await store.commit_turn(
            written.id, version, Changes(state={**big, "n": n}), [entry(f"turn {n}")], f"m{n}", {}
        )
        version = outcome.record.version
        await asyncio.sleep(0)  # let a finished checkpoint be noticed
        largest = max(largest, wal.stat().st_size)
    # The log restarts after each checkpoint: it never holds more than a few rounds of commits.
    assert largest < 3 * CHECKPOINT_EVERY * 4 * 4096


async def test_turns_commit_while_the_log_is_copied_back_and_it_still_restarts(
    db: SqliteDatabase, store: SqliteStore
) -> None:
    """The copy runs beside the turns; only the last few frames are copied under the lock."""
    written = record()
    await store.create(written)
    huge = {"notes": "很长的经过" * 10_000}  # ~150 KB of state: ~40 pages of log a commit
    version = 1
    for n in range(CHECKPOINT_EVERY // 2):  # a long log, short of the automatic checkpoint
        changes = Changes(state={**huge, "n": n})
        outcome = await store.commit_turn(written.id, version, changes, [], f"a{n}", {})
        version = outcome.record.version
    copying = asyncio.ensure_future(db._copy_back())
    await asyncio.sleep(0)  # the copy has begun
    outcome = await store.commit_turn(written.id, version, Changes(state={"n": -1}), [], "during", {})
    assert not copying.done()  # the turn did not wait for the copy
    await copying
    await store.commit_turn(written.id, outcome.record.version, Changes(state={"n": -2}), [], "after", {})
    async with db.reading() as conn:
        [(busy, logged, _)] = await conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
    # Wholly copied, so the commit after it started the log afresh: its frames alone.
    assert busy == 0 and logged < 20, logged
