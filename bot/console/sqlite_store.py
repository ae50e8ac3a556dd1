"""The console's store as tables in the embedded SQLite database (the conversations' file)."""

from __future__ import annotations

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

    async def add_agent(self, agent: Agent) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO console_agents (name, agent) VALUES (?, ?)",
                (agent.name, agent.model_dump_json()),
            )
            return cursor.rowcount == 1

    async def agent(self, name: str) -> Agent | None:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall("SELECT agent FROM console_agents WHERE name = ?", (name,))
            )
        return Agent.model_validate_json(rows[0][0]) if rows else None

    async def agent_count(self) -> int:
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall("SELECT count(*) FROM console_agents"))
        return int(rows[0][0])

    async def save_session(self, key: str, session: Session) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM console_sessions WHERE expires_at < ?", (time.time(),))
            await conn.execute(
                "INSERT OR REPLACE INTO console_sessions (key, expires_at, session) VALUES (?, ?, ?)",
                (key, session.expires_at.timestamp(), session.model_dump_json()),
            )

    async def session(self, key: str) -> Session | None:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT session FROM console_sessions WHERE key = ? AND expires_at >= ?",
                    (key, time.time()),
                )
            )
        return Session.model_validate_json(rows[0][0]) if rows else None

    async def delete_session(self, key: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM console_sessions WHERE key = ?", (key,))

    async def audit(self, entry: AuditEntry) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO console_audit (conversation_id, entry) VALUES (?, ?)",
                (entry.conversation_id, entry.model_dump_json()),
            )

    async def audit_log(self, conversation_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        where, params = ("WHERE conversation_id = ?", (conversation_id,)) if conversation_id else ("", ())
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                f"SELECT entry FROM console_audit {where} ORDER BY seq DESC LIMIT ?",
                (*params, limit),
            )
        return [AuditEntry.model_validate_json(row[0]) for row in rows]

    async def add_note(self, conversation_id: str, note: Note) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO console_notes (conversation_id, note) VALUES (?, ?)",
                (conversation_id, note.model_dump_json()),
            )

    async def notes(self, conversation_id: str) -> list[Note]:
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                "SELECT note FROM console_notes WHERE conversation_id = ? ORDER BY seq",
                (conversation_id,),
            )
        return [Note.model_validate_json(row[0]) for row in rows]
