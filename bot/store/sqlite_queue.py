"""The hand-off queue as a SQLite table, with the Redis Stream's semantics.

An entry is new (delivered_to NULL), delivered to a console (delivered_to, delivered_at) or
claimed (claimed_by). A delivered entry left unclaimed past the redelivery time goes to the
next console that reads, like XAUTOCLAIM. Claimed entries stay as the record of who took what.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from datetime import datetime
from typing import Any

from bot.jsontext import dumps
from bot.store.base import HandoffEntry, HandoffQueue
from bot.store.sqlite import SqliteDatabase

POLL_S = 0.1  # how often a blocked read looks for entries another process added


class SqliteHandoffQueue(HandoffQueue):
    def __init__(self, db: SqliteDatabase, redeliver_ms: int, block_ms: int = 2000) -> None:
        self.db = db
        self.redeliver_s = redeliver_ms / 1000
        self.block_ms = min(block_ms, 2000)
        self._added = asyncio.Event()

    async def enqueue(self, conversation_id: str, payload: dict[str, Any]) -> str:
        entry_id = await self.db.call(
            lambda conn: conn.execute(
                "INSERT INTO handoffs (conversation_id, payload, enqueued_at) VALUES (?, ?, ?)",
                (conversation_id, dumps(payload), time.time()),
            ).lastrowid,
            write=True,
        )
        # Wake this process's blocked readers now (set() wakes every current waiter).
        self._added.set()
        self._added.clear()
        return str(entry_id)

    async def read(self, consumer: str, count: int = 10, block_ms: int | None = None) -> list[HandoffEntry]:
        block = self.block_ms if block_ms is None else min(block_ms, 2000)
        deadline = time.monotonic() + block / 1000
        while True:
            entries = await self._deliver(consumer, count)
            left = deadline - time.monotonic()
            if entries or left <= 0:
                return entries
            try:
                await asyncio.wait_for(self._added.wait(), min(left, POLL_S))
            except TimeoutError:
                pass

    async def _deliver(self, consumer: str, count: int) -> list[HandoffEntry]:
        rows = await self.db.call(_delivered_rows, consumer, count, self.redeliver_s, write=True)
        return [
            HandoffEntry(id=str(row[0]), conversation_id=row[1], payload=json.loads(row[2])) for row in rows
        ]

    async def claim(self, entry_id: str, agent: str) -> bool:
        if not entry_id.isdigit():
            return False
        claimed: int = await self.db.call(
            lambda conn: conn.execute(
                "UPDATE handoffs SET claimed_by = ?, claimed_at = ? WHERE id = ? AND claimed_by IS NULL",
                (agent, time.time(), int(entry_id)),
            ).rowcount,
            write=True,
        )
        return claimed == 1

    async def pending_count(self) -> int:
        rows = await self.db.call(
            lambda conn: conn.execute("SELECT count(*) FROM handoffs WHERE claimed_by IS NULL").fetchall()
        )
        return int(rows[0][0])

    async def pending_for(self, conversation_id: str) -> str | None:
        rows = await self.db.call(
            lambda conn: conn.execute(
                "SELECT id FROM handoffs WHERE claimed_by IS NULL AND conversation_id = ?"
                " ORDER BY id LIMIT 1",
                (conversation_id,),
            ).fetchall()
        )
        return next((str(row[0]) for row in rows), None)

    async def announce(self, conversation_id: str, at: datetime) -> None:
        await self.db.call(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO handoffs_announced (conversation_id, at) VALUES (?, ?)",
                (conversation_id, at.timestamp()),
            ),
            write=True,
        )

    async def announced(self, before: datetime, limit: int = 100) -> list[tuple[str, float]]:
        rows = await self.db.call(
            lambda conn: conn.execute(
                "SELECT conversation_id, at FROM handoffs_announced WHERE at < ? ORDER BY at LIMIT ?",
                (before.timestamp(), limit),
            ).fetchall()
        )
        return [(row[0], row[1]) for row in rows]

    async def renew(self, conversation_id: str, seen: float, at: datetime) -> bool:
        renewed: int = await self.db.call(
            lambda conn: (
                conn.execute(
                    "UPDATE handoffs_announced SET at = ? WHERE conversation_id = ? AND at = ?",
                    (at.timestamp(), conversation_id, seen),
                ).rowcount
            ),
            write=True,
        )
        return renewed == 1

    async def withdraw(self, conversation_id: str) -> None:
        await self.db.call(
            lambda conn: conn.execute(
                "DELETE FROM handoffs_announced WHERE conversation_id = ?", (conversation_id,)
            ),
            write=True,
        )


def _delivered_rows(conn: sqlite3.Connection, consumer: str, count: int, redeliver_s: float) -> list[Any]:
    """Up to `count` entries for `consumer`, marked delivered to it: like the stream, entries
    another console left unclaimed past the redelivery time first, then new ones."""
    now = time.time()
    rows = conn.execute(
        "SELECT id, conversation_id, payload FROM handoffs"
        " WHERE claimed_by IS NULL AND delivered_at < ? ORDER BY id LIMIT ?",
        (now - redeliver_s, count),
    ).fetchall()
    if not rows:
        rows = conn.execute(
            "SELECT id, conversation_id, payload FROM handoffs"
            " WHERE claimed_by IS NULL AND delivered_to IS NULL ORDER BY id LIMIT ?",
            (count,),
        ).fetchall()
    conn.executemany(
        "UPDATE handoffs SET delivered_to = ?, delivered_at = ? WHERE id = ?",
        [(consumer, now, row[0]) for row in rows],
    )
    return rows
