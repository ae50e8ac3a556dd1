"""Live events on the embedded store: fanned out inside the process, plus, while anyone here
watches, a look every POLL_S at what other processes sharing the SQLite file changed (a
`lossline telegram` worker beside `lossline serve`, say).

Their events themselves do not cross: SQLite has no pub/sub, and keeping every event in the
file would cost each turn a write. Instead each conversation that another process committed
to since the last look gets a `missed` event (bot.events), so that its watchers read afresh:
the console's pages, the widget, the Telegram forwarder of agent messages. A look reads the
changed conversations only when `PRAGMA data_version` says another connection committed:
a process alone on its file reads nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections import OrderedDict

import structlog

from bot.events import MISSED, LocalEvents, Subscription
from bot.store.sqlite import SqliteDatabase

log = structlog.get_logger(__name__)

POLL_S = 0.5
# A commit's updated_at is when its turn was planned; it lands a little later (later still
# when it waited for another process's write lock), so each look reaches back this far.
LAG_S = 2.0
SEEN_KEPT = 10_000
_UNIX_EPOCH_JULIAN = 2440587.5


class SqliteEvents(LocalEvents):
    def __init__(self, db: SqliteDatabase) -> None:
        super().__init__()
        self.db = db
        self._poller: asyncio.Task[None] | None = None
        # The version of each conversation already announced as changed elsewhere.
        self._seen: OrderedDict[str, int] = OrderedDict()

    async def _add(self, sub: Subscription) -> None:
        await super()._add(sub)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="lossline-sqlite-events")

    async def _poll(self) -> None:
        """Until nobody here watches: every POLL_S, a `missed` for each conversation that a
        commit not made by this process changed."""
        since, seen = time.time(), None
        while self._everything or self._by_conversation:
            await asyncio.sleep(POLL_S)
            now = time.time()
            try:
                version = await self.db.call(_data_version)
                changed = [] if version == seen else await self.db.call(_changed_since, since - LAG_S)
            except Exception:
                log.warning("events.poll_failed", exc_info=True)
                continue
            since, seen = now, version
            for conversation_id, version in changed:
                known = max(self.db.written.get(conversation_id, 0), self._seen.get(conversation_id, 0))
                if version > known:
                    self._note_seen(conversation_id, version)
                    self._deliver({"type": MISSED, "conversation_id": conversation_id})

    def _note_seen(self, conversation_id: str, version: int) -> None:
        self._seen[conversation_id] = version
        self._seen.move_to_end(conversation_id)
        if len(self._seen) > SEEN_KEPT:
            self._seen.popitem(last=False)

    async def aclose(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller


def _data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits to the file (never for this one's own)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def _changed_since(conn: sqlite3.Connection, since: float) -> list[tuple[str, int]]:
    """(id, version) of the conversations whose updated_at is after `since` (POSIX time),
    read through the console list's index."""
    rows = conn.execute(
        "SELECT id, version FROM conversations"
        " WHERE julianday(json_extract(record, '$.updated_at')) > ?",
        (since / 86400 + _UNIX_EPOCH_JULIAN,),
    ).fetchall()
    return [(str(cid), int(version)) for cid, version in rows]
