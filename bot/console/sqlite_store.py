"""The console's store as tables in the embedded SQLite database (the conversations' file)."""

from __future__ import annotations

import sqlite3
import time

from bot.console.store import Agent, AuditEntry, ConsoleStore, Note, Session
from bot.store.sqlite import SqliteDatabase

SCHEMA = """
CREATE TABLE IF NOT EXISTS console_agents (
    name TEXT PRIMARY KEY,
    agent TEXT NOT NULL                 -- Agent as JSON (the password only as its hash)
);
CREATE TABLE IF NOT EXISTS console_sessions (
    key TEXT PRIMARY KEY,               -- sha256 of the cookie value
    expires_at REAL NOT NULL,
    session TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS console_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT,
    entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS console_audit_by_conversation ON console_audit(conversation_id, seq);
CREATE TABLE IF NOT EXISTS console_notes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS console_notes_by_conversation ON console_notes(conversation_id, seq);
"""


class SqliteConsoleStore(ConsoleStore):
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    @classmethod
    async def open(cls, db: SqliteDatabase) -> SqliteConsoleStore:
        async with db.reading() as conn:
            await conn.executescript(SCHEMA)
        return cls(db)

    # Each job runs through SqliteDatabase.call, on the loop like a turn's own: every console
    # request checks its session, and a trip to aiosqlite's thread cost more than the query.

    async def add_agent(self, agent: Agent) -> bool:
        added: int = await self.db.call(
            lambda conn: conn.execute(
                "INSERT OR IGNORE INTO console_agents (name, agent) VALUES (?, ?)",
                (agent.name, agent.model_dump_json()),
            ).rowcount,
            write=True,
        )
        return added == 1

    async def agent(self, name: str) -> Agent | None:
        rows = await self.db.call(
            lambda conn: conn.execute("SELECT agent FROM console_agents WHERE name = ?", (name,)).fetchall()
        )
        return Agent.model_validate_json(rows[0][0]) if rows else None

    async def agent_count(self) -> int:
        rows = await self.db.call(lambda conn: conn.execute("SELECT count(*) FROM console_agents").fetchall())
        return int(rows[0][0])

    async def save_session(self, key: str, session: Session) -> None:
        expires_at, stored = session.expires_at.timestamp(), session.model_dump_json()
        await self.db.call(_save_session, key, expires_at, stored, write=True)

    async def session(self, key: str) -> Session | None:
        rows = await self.db.call(
            lambda conn: conn.execute(
                "SELECT session FROM console_sessions WHERE key = ? AND expires_at >= ?", (key, time.time())
            ).fetchall()
        )
        return Session.model_validate_json(rows[0][0]) if rows else None

    async def delete_session(self, key: str) -> None:
        await self.db.call(
            lambda conn: conn.execute("DELETE FROM console_sessions WHERE key = ?", (key,)), write=True
        )

    async def audit(self, entry: AuditEntry) -> None:
        await self.db.call(
            lambda conn: conn.execute(
                "INSERT INTO console_audit (conversation_id, entry) VALUES (?, ?)",
                (entry.conversation_id, entry.model_dump_json()),
            ),
            write=True,
        )

    async def audit_log(self, conversation_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        where, params = ("WHERE conversation_id = ?", (conversation_id,)) if conversation_id else ("", ())
        rows = await self.db.call(
            lambda conn: conn.execute(
                f"SELECT entry FROM console_audit {where} ORDER BY seq DESC LIMIT ?", (*params, limit)
            ).fetchall()
        )
        return [AuditEntry.model_validate_json(row[0]) for row in rows]

    async def add_note(self, conversation_id: str, note: Note) -> None:
        await self.db.call(
            lambda conn: conn.execute(
                "INSERT INTO console_notes (conversation_id, note) VALUES (?, ?)",
                (conversation_id, note.model_dump_json()),
            ),
            write=True,
        )

    async def notes(self, conversation_id: str) -> list[Note]:
        rows = await self.db.call(
            lambda conn: conn.execute(
                "SELECT note FROM console_notes WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
            ).fetchall()
        )
        return [Note.model_validate_json(row[0]) for row in rows]


def _save_session(conn: sqlite3.Connection, key: str, expires_at: float, session: str) -> None:
    conn.execute("DELETE FROM console_sessions WHERE expires_at < ?", (time.time(),))
    conn.execute(
        "INSERT OR REPLACE INTO console_sessions (key, expires_at, session) VALUES (?, ?, ?)",
        (key, expires_at, session),
    )
