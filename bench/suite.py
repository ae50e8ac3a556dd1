"""Every benchmark of `lossline bench`, in one run, on a redis-server of its own: the turn
ratios against hand-written aiogram and PTB bots, adjudication, `lossline serve` under 1,000
concurrent conversations, Redis bytes per idle conversation, and the cost per turn as
conversations pile up. Returns one JSON-able dict; docs/BENCHMARKS.md explains each key."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.flat import measure_flat
from bench.footprint import measure_footprint
from bench.load import run_load_apart
from bench.servers import PRODUCTION, RedisServer
from bench.turns import run_turns
from rules.benchmark import run as run_adjudicate

GOALS: dict[str, float] = {
    "turn_ratio_vs_aiogram": 1.0,
    "turn_ratio_vs_ptb": 1.0,
    "p99_ms_1000_concurrent": 20.0,
    "adjudicate_us": 100.0,
    "redis_bytes_per_conversation": 2048.0,
    "flat_growth": 1.25,  # cost per turn at the largest store ÷ at the smallest
}


# As docker-compose.yml runs it: one process per core. SQLite serves from one process.
REDIS_WORKERS = 2


@dataclass(frozen=True)
class Plan:
    rounds: int  # interleaved conversations per turn runner
    adjudicate_repeats: int
    load_conversations: int
    load_turns: int
    load_think_s: tuple[float, float]
    load_backends: tuple[str, ...]
    footprint_conversations: int
    flat_levels: tuple[int, ...]


FULL = Plan(
    rounds=20,
    adjudicate_repeats=200,
    load_conversations=1000,
    load_turns=10,
    load_think_s=(2.0, 6.0),
    load_backends=("sqlite", "redis"),
    footprint_conversations=2000,
    flat_levels=(1_000, 10_000, 100_000),
)
# Under 60 s: every key, from fewer rounds and turns; the flat-cost fill is left out.
QUICK = Plan(
    rounds=3,
    adjudicate_repeats=30,
    load_conversations=1000,
    load_turns=2,  # the load (think 2–6 s, ~250 turns/s offered), for ~10 s
    load_think_s=(2.0, 6.0),
    load_backends=("sqlite",),
    footprint_conversations=1000,
    flat_levels=(),
)


def _machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _goals(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    met: dict[str, dict[str, Any]] = {}
    for key, goal in GOALS.items():
        value = result.get(key)
        if value is not None:
            met[key] = {"value": value, "goal": goal, "met": value <= goal}
    return met


async def run_bench(quick: bool, say: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    began = time.perf_counter()
    result: dict[str, Any] = {"quick": quick, "machine": _machine()}
    with tempfile.TemporaryDirectory(prefix="lossline-bench-") as temp:
        directory = Path(temp)
        redis = RedisServer(directory / "redis", PRODUCTION)
        redis.start()
        try:
            say("turns: the p1 script through lossline and the hand-written bots…")
            turns = await run_turns(directory / "turns", redis.url, rounds=plan.rounds)
            summary = turns.as_dict()
            result["turns"] = summary.pop("runners")
            result |= summary

            say("adjudication of a 10-line case…")
            adjudication = run_adjudicate(plan.adjudicate_repeats)
            result["adjudicate_us"] = round(adjudication.adjudicate_us, 1)
            result["adjudicate"] = {
                "median_us": round(adjudication.adjudicate_us, 1),
                "baseline_model_validate_us": round(adjudication.validate_us, 1),
                "ratio": round(adjudication.ratio, 2),
            }

            say("Redis bytes per idle conversation…")
            footprint = await measure_footprint(redis.url, directory, plan.footprint_conversations)
            result["redis_bytes_per_conversation"] = round(footprint.used_memory_per_conversation)
            result["footprint"] = footprint.as_dict()

            loads: dict[str, Any] = {}
            for backend in plan.load_backends:
                say(f"lossline serve ({backend}) under {plan.load_conversations} concurrent conversations…")
                loads[backend] = await run_load_apart(
                    conversations=plan.load_conversations,
                    turns_per_conversation=plan.load_turns,
                    backend=backend,
                    redis_url=redis.url if backend == "redis" else None,
                    think_s=plan.load_think_s,
                    workers=REDIS_WORKERS if backend == "redis" else 1,
                )
            result["load"] = loads
            result["p99_ms_1000_concurrent"] = max(load["p99_ms"] for load in loads.values())
            result["worker_bytes_per_active_conversation"] = max(
                load["rss_bytes_per_conversation"] for load in loads.values()
            )

            if plan.flat_levels:
                flat: dict[str, Any] = {}
                for kind in ("sqlite", "redis"):
                    say(f"cost per turn with {', '.join(map(str, plan.flat_levels))} stored ({kind})…")
                    measured = await measure_flat(kind, directory, redis.url, plan.flat_levels)
                    flat[kind] = measured.as_dict()
                result["flat"] = flat
                result["flat_growth"] = max(f["growth"] for f in flat.values())
        finally:
            redis.stop()
    result["goals"] = _goals(result)
    result["seconds"] = round(time.perf_counter() - began, 1)
    return result
