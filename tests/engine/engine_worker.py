"""A worker process driving the engine, as a `lossline serve` process would.

    python engine_worker.py CONVERSATION_IDS PREFIX LINES_JSON SENT_AT

Settings come from the environment (LOSSLINE_DATA_DIR, LOSSLINE_REDIS_URL). For each line n
it sends `LINES[n]` to every conversation with message id `PREFIX-n` and prints
"ACK <conversation id> <n>" once the turn is acknowledged, so a test can kill it mid-way.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime

from bot.engine import Engine
from bot.settings import Settings
from bot.store.factory import open_backend
from dialogs.messages import Turn


async def main(
    conversation_ids: list[str], prefix: str, lines: list[str], sent_at: datetime
) -> None:
    backend = await open_backend(Settings())
    engine = Engine(backend.store, backend.queue, backend.events)
    try:
        for n, line in enumerate(lines):
            for conversation_id in conversation_ids:
                turn = Turn(text=line, sent_at=sent_at)
                await engine.handle(conversation_id, turn, message_id=f"{prefix}-{n}")
                print("ACK", conversation_id, n, flush=True)
    finally:
        await backend.aclose()


if __name__ == "__main__":
    ids, prefix, lines, sent_at = sys.argv[1:5]
    asyncio.run(main(ids.split(","), prefix, json.loads(lines), datetime.fromisoformat(sent_at)))
