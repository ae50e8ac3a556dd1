"""A worker process for the kill trials, forked from a warm forkserver.

A fresh interpreter per trial would spend most of a trial importing (~1 s). Instead the test
starts multiprocessing's forkserver with `tests.faults.forkserver_preload`, which imports this
module (and with it the engine, both stores and the dialog) and runs the dialog once so that
its lazy caches are filled. Each trial is then a plain os.fork() of that process: a real OS
process that opens its own backend, as a `lossline serve` worker would, and can be SIGKILLed
at any moment.

`drive` reports on a pipe: ("begin", cid, n) before it hands turn n of a conversation to the
engine, ("ack", cid, n, duplicate, handoff) once the engine acknowledged it, ("done",) at the
end, or ("error", traceback).
"""

from __future__ import annotations

import asyncio
import logging
import os
import traceback
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

import structlog

from bot.engine import Engine
from bot.settings import Settings
from bot.store.factory import open_backend
from dialogs.messages import Turn
from dialogs.script import parse_script, replay
from rules.types import SHANGHAI

SCRIPTS = Path(__file__).resolve().parents[1] / "dialogs" / "scripts"
HANDOFF_SCRIPT = SCRIPTS / "p1-hacked-alipay-covered.txt"  # ends with 转交: a hand-off
SCRIPT_NOW = datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)


def script_turns(path: Path = HANDOFF_SCRIPT) -> list[Turn]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        Turn(text=line.text, choice=line.choice, sent_at=line.sent_at)
        for line in parse_script(lines, SCRIPT_NOW)
    ]


def message_id(n: int) -> str:
    """The client's id of turn n: the same on every delivery, so a re-send applies once."""
    return f"turn-{n}"


def _quiet() -> None:
    """Workers log nothing: their output would land in whichever test's capture."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))


def warm() -> None:
    """Run the dialog once, so that forked workers start with its caches filled."""
    replay(HANDOFF_SCRIPT.read_text(encoding="utf-8").splitlines(), SCRIPT_NOW)


def drive(conn: Connection, env: dict[str, str], plan: list[tuple[str, int]], turns: list[Turn]) -> None:
    """Send `turns[start:]` to each conversation of the plan, round-robin, until all are
    done. Settings come from the environment, as in a served worker."""
    try:
        _quiet()
        for name in [name for name in os.environ if name.startswith("LOSSLINE_")]:
            del os.environ[name]
        os.environ.update(env)
        asyncio.run(_drive(conn, plan, turns))
        conn.send(("done",))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        raise


async def _drive(conn: Connection, plan: list[tuple[str, int]], turns: list[Turn]) -> None:
    backend = await open_backend(Settings())
    engine = Engine(backend.store, backend.queue, backend.events)
    position = dict(plan)
    try:
        while any(n < len(turns) for n in position.values()):
            for conversation_id, n in position.items():
                if n >= len(turns):
                    continue
                conn.send(("begin", conversation_id, n))
                outcome = await engine.handle(conversation_id, turns[n], message_id(n))
                conn.send(("ack", conversation_id, n, outcome.duplicate, outcome.handoff))
                position[conversation_id] = n + 1
    finally:
        await backend.aclose()
