"""What the console keeps: agents, login sessions, the audit log and private notes.

One small interface, kept beside the conversations in the same backend: SQLite tables in the
data dir's database, or Redis keys (see sqlite_store and redis_store).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from pydantic import BaseModel, Field

from bot.store.base import utcnow
from bot.store.factory import Backend


class Agent(BaseModel):
    name: str
    password_hash: str
    created_at: datetime = Field(default_factory=utcnow)


class Session(BaseModel):
    """A logged-in agent. Stored under the hash of the cookie's value, never the value."""

    agent: str
    csrf: str
    expires_at: datetime


class AuditEntry(BaseModel):
    at: datetime = Field(default_factory=utcnow)
    agent: str
    action: str
    conversation_id: str | None = None
    detail: str = ""


class Note(BaseModel):
    at: datetime = Field(default_factory=utcnow)
    agent: str
    text: str


class ConsoleStore(ABC):
    @abstractmethod
    async def add_agent(self, agent: Agent) -> bool:
        """Create the agent; False (and nothing written) if the name is taken."""

    @abstractmethod
    async def agent(self, name: str) -> Agent | None: ...

    @abstractmethod
    async def agent_count(self) -> int: ...

    @abstractmethod
    async def save_session(self, key: str, session: Session) -> None:
        """Keep the session under `key` (a hash of the cookie) until it expires."""

    @abstractmethod
    async def session(self, key: str) -> Session | None:
        """The session, unless it is unknown or expired."""

    @abstractmethod
    async def delete_session(self, key: str) -> None: ...

    @abstractmethod
    async def audit(self, entry: AuditEntry) -> None: ...

    @abstractmethod
    async def audit_log(self, conversation_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """The newest entries first: all of them, or one conversation's."""

    @abstractmethod
    async def add_note(self, conversation_id: str, note: Note) -> None: ...

    @abstractmethod
    async def notes(self, conversation_id: str) -> list[Note]:
        """A conversation's private notes, oldest first."""


async def open_console_store(backend: Backend) -> ConsoleStore:
    """The console's store on the backend the conversations use."""
    from bot.store.redis import RedisStore
    from bot.store.sqlite import SqliteStore

    if isinstance(backend.store, SqliteStore):
        from bot.console.sqlite_store import SqliteConsoleStore

        return await SqliteConsoleStore.open(backend.store.db)
    if isinstance(backend.store, RedisStore):
        from bot.console.redis_store import RedisConsoleStore

        return RedisConsoleStore(backend.store.client, backend.store.prefix)
    raise TypeError(f"no console store for {type(backend.store).__name__}")
