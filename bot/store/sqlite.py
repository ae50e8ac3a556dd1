"""The embedded store: one SQLite file under the data dir, in WAL mode.

One connection per process, behind an asyncio lock (aiosqlite runs it on its own thread).
Every write is one `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock up front,
so two processes sharing the file serialise their commits instead of failing mid-way.

A turn's operations (load, commit_turn, create) each run as one function on that thread
(`SqliteDatabase.call`), not statement by statement: every `await conn.execute` is a round
trip between the event loop and the thread, and on a busy server each round trip waits for
the GIL and the loop, a dozen of them per turn while holding the lock (bench/load.py).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite
import structlog

from bot.jsontext import dumps
from bot.store.base import (
    Changes,
    CommitOutcome,
    ConversationNotFound,
    ConversationRecord,
    EvidenceMeta,
    ExternalKeyTaken,
    Store,
    base_at,
    from_micros,
    micros,
    parse_entries,
)
from dialogs.messages import TranscriptEntry

log = structlog.get_logger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    external_key TEXT UNIQUE,
    expires_at REAL,               -- NULL while a hand-off is open
    record TEXT NOT NULL           -- ConversationRecord as JSON
);
CREATE INDEX IF NOT EXISTS conversations_expiry ON conversations(expires_at);
-- The console's list, newest first: read in index order, not sorted from a scan of them all.
CREATE INDEX IF NOT EXISTS conversations_recent ON conversations(
    julianday(json_extract(record, '$.updated_at'))
);
CREATE TABLE IF NOT EXISTS transcript (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transcript_by_conversation ON transcript(conversation_id, seq);
CREATE TABLE IF NOT EXISTS applied_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    result TEXT NOT NULL,
    applied_at REAL NOT NULL,
    UNIQUE (conversation_id, message_id)
);
CREATE TABLE IF NOT EXISTS evidence (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS evidence_by_conversation ON evidence(conversation_id, seq);
CREATE TABLE IF NOT EXISTS handoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    enqueued_at REAL NOT NULL,
    delivered_to TEXT,
    delivered_at REAL,
    claimed_by TEXT,
    claimed_at REAL
);
CREATE INDEX IF NOT EXISTS handoffs_open ON handoffs(claimed_by, delivered_at);
-- Agent messages to push to a chat until a worker has (Store.owe_agent_message).
CREATE TABLE IF NOT EXISTS agent_messages_owed (
    conversation_id TEXT NOT NULL,
    at_us INTEGER NOT NULL,        -- the transcript entry's time, µs since the epoch
    PRIMARY KEY (conversation_id, at_us)
);
CREATE INDEX IF NOT EXISTS agent_messages_owed_by_time ON agent_messages_owed(at_us);
CREATE TABLE IF NOT EXISTS handoffs_announced (
    conversation_id TEXT PRIMARY KEY,
    at REAL NOT NULL
);
"""


T = TypeVar("T")
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's transaction
CHECKPOINT_EVERY = 200  # commits between two checkpoints (a turn writes ~5 pages of log)
PURGE_BATCH = 100  # expired conversations deleted per transaction (~8 ms on a thread)
WRITTEN_KEPT = 10_000


class SqliteDatabase:
    """The connection, its lock and the transaction helper shared by store and queue."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.lock = asyncio.Lock()
        self._writes = 0
        self._checkpoint: asyncio.Future[None] | None = None
        self._checkpointer: sqlite3.Connection | None = None  # used by one checkpoint at a time
        # The version of each conversation this process last wrote (the newest WRITTEN_KEPT):
        # whose changes SqliteEvents need not announce to this process's watchers.
        self.written: OrderedDict[str, int] = OrderedDict()

    def wrote(self, conversation_id: str, version: int) -> None:
        self.written[conversation_id] = version
        self.written.move_to_end(conversation_id)
        if len(self.written) > WRITTEN_KEPT:
            self.written.popitem(last=False)

    @classmethod
    async def open(cls, path: Path) -> SqliteDatabase:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN ourselves.
        # check_same_thread=False: `call` runs short jobs on the event loop's thread too (it
        # holds the lock, so the connection is never used by two threads at once).
        conn = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")  # durable across crashes in WAL
        await conn.execute("PRAGMA foreign_keys=ON")
        # No checkpoint inside a commit: on the loop it would stop everything for the ~4 ms
        # of copying the log back; `_wrote` has a thread of its own do it instead.
        await conn.execute("PRAGMA wal_autocheckpoint=0")
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.executescript(SCHEMA)
        # From here the connection fails at once on another process's lock (see `call`); the
        # jobs sent to aiosqlite's thread wait, each setting the wait around itself (`_waiting`,
        # `reading`).
        await conn.execute("PRAGMA busy_timeout=0")
        return cls(conn, path)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self.reading() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
        self._wrote()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection on aiosqlite's thread, waiting up to BUSY_TIMEOUT_MS for another
        process's lock."""
        async with self.lock:
            await self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            try:
                yield self.conn
            finally:
                await self.conn.execute("PRAGMA busy_timeout=0")

    async def call(self, fn: Callable[..., T], *args: Any, write: bool = False) -> T:
        """`fn(connection, *args)`, however many statements it runs; with `write`, inside one
        BEGIN IMMEDIATE transaction.

        A turn's jobs take a fraction of a millisecond when nobody else holds the file, so
        they run right here on the event loop: a trip to aiosqlite's thread and back costs
        more than the job, and under load each trip waits for the GIL. Only when another
        process holds the write lock (SQLITE_BUSY at once) does the job go to the thread,
        to wait there (busy_timeout) without stopping the loop."""
        job = _transaction if write else _plain
        async with self.lock:
            conn = self.conn._conn
            try:
                result: T = job(conn, fn, args)  # busy_timeout is 0 here: no waiting
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                # aiosqlite has no public way to run a function on its thread; _execute is
                # what all its own methods use.
                result = cast(T, await self.conn._execute(_waiting, conn, job, fn, args))
        if write:
            self._wrote()
        return result

    def _wrote(self) -> None:
        """Count a commit; every CHECKPOINT_EVERY, copy the log back into the database file."""
        self._writes += 1
        if self._writes < CHECKPOINT_EVERY or self._checkpoint is not None:
            return
        self._writes = 0
        self._checkpoint = asyncio.ensure_future(self._copy_back())
        self._checkpoint.add_done_callback(self._checkpointed)

    async def _copy_back(self) -> None:
        # Most of the log is copied by a connection of its own, on a thread, while turns go
        # on committing (SQLite lets a checkpoint run beside a writer). Then, under the lock,
        # the few frames they committed meanwhile: the log ends wholly copied, so the next
        # commit starts it afresh (a checkpoint that always missed the newest frames would let
        # it grow for ever). Holding the lock for the whole copy stopped every turn for
        # 10-25 ms a second at 200 turns/s.
        await asyncio.to_thread(self._checkpoint_now)
        async with self.lock:
            await asyncio.to_thread(self._checkpoint_now)

    def _checkpoint_now(self) -> None:
        if self._checkpointer is None:
            self._checkpointer = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _checkpointed(self, done: asyncio.Future[None]) -> None:
        self._checkpoint = None
        if not done.cancelled() and done.exception() is not None:
            log.warning("sqlite.checkpoint_failed", error=repr(done.exception()))

    async def aclose(self) -> None:
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        if self._checkpointer is not None:
            self._checkpointer.close()
        await self.conn.close()


class SqliteStore(Store):
    def __init__(
        self,
        db: SqliteDatabase,
        retention_seconds: int,
        message_ids_kept: int = 20,
        message_ids_ttl_s: int = 86_400,
    ) -> None:
        self.db = db
        self.retention_seconds = retention_seconds
        self.message_ids_kept = message_ids_kept
        self.message_ids_ttl_s = message_ids_ttl_s

    def _expires_at(self, record: ConversationRecord) -> float | None:
        return None if record.keeps_forever else time.time() + self.retention_seconds

    async def create(
        self,
        record: ConversationRecord,
        transcript: Sequence[TranscriptEntry] = (),
        publish: tuple[str, str] | None = None,
    ) -> None:
        if publish is not None:
            raise ValueError("the SQLite store carries no pub/sub messages (see Store.carries)")
        rows = _transcript_rows(record.id, transcript)
        await self.db.call(self._create, record, rows, write=True)
        self.db.wrote(record.id, record.version)

    def _create(
        self, conn: sqlite3.Connection, record: ConversationRecord, rows: list[tuple[str, str]]
    ) -> None:
        if record.external_key is not None:
            # An expired conversation gives its key up even before purge_expired runs.
            conn.execute(
                "DELETE FROM conversations WHERE external_key = ? AND expires_at < ?",
                (record.external_key, time.time()),
            )
            row = conn.execute(
                "SELECT id FROM conversations WHERE external_key = ?", (record.external_key,)
            ).fetchone()
            if row is not None:
                raise ExternalKeyTaken(record.external_key, row[0])
        conn.execute(
            "INSERT INTO conversations (id, version, external_key, expires_at, record)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                record.id,
                record.version,
                record.external_key,
                self._expires_at(record),
                record.model_dump_json(),
            ),
        )
        if rows:
            conn.executemany("INSERT INTO transcript (conversation_id, entry) VALUES (?, ?)", rows)

    async def load(self, conversation_id: str) -> ConversationRecord | None:
        return await self.db.call(_load_now, conversation_id)

    async def find_by_external_key(self, external_key: str) -> ConversationRecord | None:
        return await self.db.call(_load_now, external_key, "external_key")

    async def commit_turn(
        self,
        conversation_id: str,
        expected_version: int,
        changes: Changes,
        transcript: Sequence[TranscriptEntry],
        message_id: str | None,
        result: dict[str, Any],
        base: ConversationRecord | None = None,
        publish: tuple[str, str] | None = None,
        with_transcript: bool = False,
    ) -> CommitOutcome:
        if publish is not None:
            raise ValueError("the SQLite store carries no pub/sub messages (see Store.carries)")
        rows = _transcript_rows(conversation_id, transcript)
        outcome = await self.db.call(
            self._commit_turn,
            conversation_id,
            expected_version,
            changes,
            rows,
            message_id,
            result,
            base_at(base, expected_version),
            with_transcript,
            write=True,
        )
        if outcome.status == "applied":
            self.db.wrote(conversation_id, outcome.record.version)
        return outcome

    def _commit_turn(
        self,
        conn: sqlite3.Connection,
        conversation_id: str,
        expected_version: int,
        changes: Changes,
        rows: list[tuple[str, str]],
        message_id: str | None,
        result: dict[str, Any],
        base: ConversationRecord | None,
        with_transcript: bool,
    ) -> CommitOutcome:
        # With `base` (the record at expected_version), only the version is read, unless the
        # answer is the current record (duplicate, conflict).
        version = live_column(conn, "version", "id", conversation_id)
        if version is None:
            raise ConversationNotFound(conversation_id)
        if message_id is not None:
            stored = conn.execute(
                "SELECT result FROM applied_messages"
                " WHERE conversation_id = ? AND message_id = ? AND applied_at >= ?",
                (conversation_id, message_id, time.time() - self.message_ids_ttl_s),
            ).fetchone()
            if stored is not None:
                current = _current(conn, conversation_id)
                return CommitOutcome(status="duplicate", record=current, result=json.loads(stored[0]))
        if version != expected_version:
            return CommitOutcome(status="conflict", record=_current(conn, conversation_id))
        record = changes.apply(base if base is not None else _current(conn, conversation_id))
        conn.execute(
            "UPDATE conversations SET version = ?, expires_at = ?, record = ? WHERE id = ?",
            (record.version, self._expires_at(record), record.model_dump_json(), record.id),
        )
        if rows:
            conn.executemany("INSERT INTO transcript (conversation_id, entry) VALUES (?, ?)", rows)
        if message_id is not None:
            self._remember(conn, conversation_id, message_id, result)
        entries = parse_entries(_transcript(conn, conversation_id)) if with_transcript else None
        return CommitOutcome(status="applied", record=record, result=result, transcript=entries)

    def _remember(
        self,
        conn: sqlite3.Connection,
        conversation_id: str,
        message_id: str,
        result: dict[str, Any],
    ) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO applied_messages"
            " (conversation_id, message_id, result, applied_at)"
            " VALUES (?, ?, ?, ?)",
            (conversation_id, message_id, dumps(result), time.time()),
        )
        # Keep only the most recent ids: a client retries within seconds, not hundreds of turns.
        conn.execute(
            "DELETE FROM applied_messages WHERE conversation_id = ? AND seq <= ("
            " SELECT seq FROM applied_messages WHERE conversation_id = ?"
            " ORDER BY seq DESC LIMIT 1 OFFSET ?)",
            (conversation_id, conversation_id, self.message_ids_kept),
        )

    async def transcript(self, conversation_id: str) -> list[TranscriptEntry]:
        return parse_entries(await self.db.call(_transcript, conversation_id))

    async def add_evidence(self, conversation_id: str, meta: EvidenceMeta) -> None:
        await self.db.call(_add_evidence, conversation_id, meta.model_dump_json(), write=True)

    async def evidence(self, conversation_id: str) -> list[EvidenceMeta]:
        rows = await self.db.call(
            lambda conn: conn.execute(
                "SELECT meta FROM evidence WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
            ).fetchall()
        )
        return [EvidenceMeta.model_validate_json(row[0]) for row in rows]

    async def list_recent(self, limit: int = 100) -> list[ConversationRecord]:
        rows = await self.db.call(lambda conn: conn.execute(RECENT, (time.time(), limit)).fetchall())
        return [ConversationRecord.model_validate_json(row[0]) for row in rows]

    async def owe_agent_message(self, conversation_id: str, at: datetime) -> None:
        us = micros(at)
        await self.db.call(_owe, conversation_id, us, us - self.retention_seconds * 1_000_000, write=True)

    async def owed_agent_messages(
        self, conversation_id: str | None = None, limit: int = 1000
    ) -> list[tuple[str, datetime]]:
        rows = await self.db.call(_owed, conversation_id, limit)
        return [(cid, from_micros(us)) for cid, us in rows]

    async def settle_agent_message(self, conversation_id: str, at: datetime) -> None:
        await self.db.call(
            lambda conn: conn.execute(
                "DELETE FROM agent_messages_owed WHERE conversation_id = ? AND at_us = ?",
                (conversation_id, micros(at)),
            ),
            write=True,
        )

    async def purge_expired(self) -> int:
        """Delete what expired, PURGE_BATCH conversations (with their transcripts) a
        transaction, on aiosqlite's thread: a turn waits for one batch at most, never for
        the whole purge, and the loop runs meanwhile."""
        now = time.time()
        purged = 0
        while True:
            async with self.db.transaction() as conn:
                cursor = await conn.execute(
                    "DELETE FROM conversations WHERE id IN"
                    " (SELECT id FROM conversations WHERE expires_at < ? LIMIT ?)",
                    (now, PURGE_BATCH),
                )
                deleted = cursor.rowcount
                if deleted < PURGE_BATCH:
                    await conn.execute(
                        "DELETE FROM applied_messages WHERE applied_at < ?",
                        (now - self.message_ids_ttl_s,),
                    )
            purged += deleted
            if deleted < PURGE_BATCH:
                return purged

    async def ping(self) -> bool:
        return bool(await self.db.call(lambda conn: conn.execute("SELECT 1").fetchone()[0] == 1))


def _transcript_rows(conversation_id: str, entries: Sequence[TranscriptEntry]) -> list[tuple[str, str]]:
    return [(conversation_id, e.model_dump_json(exclude_defaults=True)) for e in entries]


# -- jobs for SqliteDatabase.call (on the event loop, or on the connection's thread) --------


def _plain(conn: sqlite3.Connection, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    return fn(conn, *args)


def _transaction(conn: sqlite3.Connection, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn, *args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _waiting(
    conn: sqlite3.Connection, job: Callable[..., Any], fn: Callable[..., T], args: tuple[Any, ...]
) -> T:
    """The job, waiting up to BUSY_TIMEOUT_MS for another process's lock (on the thread).
    The connection's own setting is 0, so that the loop's jobs never wait: two pragmas on this
    rare path rather than two on every job."""
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return cast(T, job(conn, fn, args))
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def is_busy(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, extended codes included."""
    return error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _current(conn: sqlite3.Connection, conversation_id: str) -> ConversationRecord:
    """The record inside a transaction that has seen it exists."""
    record = _load_now(conn, conversation_id)
    assert record is not None
    return record


# An expired conversation is gone even before purge_expired deletes its rows.
_LIVE = "(expires_at IS NULL OR expires_at >= ?)"
# Live conversations, most recently changed first (ordered as the conversations_recent index).
RECENT = (
    f"SELECT record FROM conversations WHERE {_LIVE}"
    " ORDER BY julianday(json_extract(record, '$.updated_at')) DESC LIMIT ?"
)


def _transcript(conn: sqlite3.Connection, conversation_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT entry FROM transcript WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
    ).fetchall()
    return [row[0] for row in rows]


def live_column(conn: sqlite3.Connection, column: str, key: str, value: str) -> Any:
    """`column` of the live conversation whose `key` ("id" or "external_key") is `value`."""
    row = conn.execute(
        f"SELECT {column} FROM conversations WHERE {key} = ? AND {_LIVE}", (value, time.time())
    ).fetchone()
    return None if row is None else row[0]


def _load_now(conn: sqlite3.Connection, value: str, key: str = "id") -> ConversationRecord | None:
    data = live_column(conn, "record", key, value)
    return None if data is None else ConversationRecord.model_validate_json(data)


def _owe(conn: sqlite3.Connection, conversation_id: str, at_us: int, oldest_us: int) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO agent_messages_owed (conversation_id, at_us) VALUES (?, ?)",
        (conversation_id, at_us),
    )
    conn.execute("DELETE FROM agent_messages_owed WHERE at_us < ?", (oldest_us,))


def _owed(conn: sqlite3.Connection, conversation_id: str | None, limit: int) -> list[tuple[str, int]]:
    if conversation_id is None:
        sql = "SELECT conversation_id, at_us FROM agent_messages_owed ORDER BY at_us LIMIT ?"
        return conn.execute(sql, (limit,)).fetchall()
    sql = (
        "SELECT conversation_id, at_us FROM agent_messages_owed WHERE conversation_id = ?"
        " ORDER BY at_us LIMIT ?"
    )
    return conn.execute(sql, (conversation_id, limit)).fetchall()


def _add_evidence(conn: sqlite3.Connection, conversation_id: str, meta: str) -> None:
    if live_column(conn, "1", "id", conversation_id) is None:
        raise ConversationNotFound(conversation_id)
    conn.execute("INSERT INTO evidence (conversation_id, meta) VALUES (?, ?)", (conversation_id, meta))
