"""A separate OS process that commits turns to shared conversations on one Redis.

    python hammer_worker.py REDIS_URL WORKER CONVERSATION_IDS TURNS

For each of its TURNS it commits, to every conversation, its own message `WORKER-n` and the
shared message `shared-n` (which every worker sends: a redelivered update), retrying on
version conflicts the way the engine does. Prints how many commits were applied.
"""

from __future__ import annotations

import asyncio
import random
import sys
from datetime import UTC, datetime

from bot.settings import Settings
from bot.store.base import Changes, Store
from bot.store.factory import open_backend
from dialogs.messages import TranscriptEntry


async def commit(store: Store, conversation_id: str, message_id: str) -> str:
    current = await store.load(conversation_id)
    assert current is not None
    while True:
        count = current.state.get("count", 0) + 1
        said = TranscriptEntry(role="victim", text=message_id, at=datetime.now(UTC))
        outcome = await store.commit_turn(
            conversation_id,
            current.version,
            Changes(state={"count": count}),
            [said],
            message_id,
            {"count": count},
        )
        if outcome.status != "conflict":
            return outcome.status
        current = outcome.record
        await asyncio.sleep(random.random() / 2000)


async def main(url: str, worker: str, conversation_ids: list[str], turns: int) -> None:
    backend = await open_backend(Settings(redis_url=url))
    applied = 0
    try:
        for n in range(turns):
            for conversation_id in conversation_ids:
                for message_id in (f"{worker}-{n}", f"shared-{n}"):
                    applied += await commit(backend.store, conversation_id, message_id) == "applied"
    finally:
        await backend.aclose()
    print(applied)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])))
