"""The benchmarks' parts run and measure what they claim, at a tiny size: these check that
each runner really does the work (every bot reaches the hand-off, every reply is sent), not
how fast — speed is `lossline bench`'s business."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.baselines import PtbConversationBot, PtbDurableBot
from bench.flat import measure_flat
from bench.footprint import measure_footprint
from bench.stats import percentile
from bench.suite import GOALS, _goals
from bench.telegram_loopback import Responder, text_update
from bench.turns import TurnBench, interleave, ratio, run_turns, script, whole
from bot.commands.bench_cmds import _report

pytestmark = pytest.mark.timeout(120)


def test_the_script_is_the_thirty_turn_claim() -> None:
    lines = script()
    assert len(lines) == 31 and lines[-1].text == "转交"


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) == 0.0


async def test_every_runner_takes_the_whole_script(redis_url: str, tmp_path: Path) -> None:
    results = await run_turns(tmp_path, redis_url, rounds=2, warmup=0)
    assert set(results.runners) == {
        "engine-sqlite",
        "engine-redis",
        "lossline-aiogram",
        "aiogram-fsm",
        "lossline-ptb",
        "ptb-conversation",
        "ptb-durable",
    }
    for runner in results.runners.values():
        assert len(runner.turn_seconds) == 2 * 31 and len(runner.conversation_seconds) == 2
    runners = results.runners
    assert results.ratio_vs_aiogram == ratio(runners["lossline-aiogram"], runners["aiogram-fsm"])
    summary = results.as_dict()
    assert summary["turn_ratio_vs_aiogram"] > 0 and summary["turn_ratio_vs_ptb"] > 0
    assert summary["turn_ratio_vs_ptb_durable"] > 0
    # The lossline bots' turns less their engines' part: smaller than the whole, not nothing.
    for library in ("aiogram", "ptb"):
        without = summary[f"turn_ratio_vs_{library}_without_engine"]
        assert 0 < without < summary[f"turn_ratio_vs_{library}"]


async def test_a_lossline_bot_counts_the_seconds_its_engine_took_in_each_conversation(
    redis_url: str, tmp_path: Path
) -> None:
    bench = TurnBench(tmp_path, redis_url)
    try:
        bot = await bench.lossline_bot("ptb", "sqlite", first_chat=9_000)
        assert bot.engine is not None
        for n in range(2):
            taken = sum(await whole(bot, n))
            assert 0 < bot.engine_seconds[n] < taken
        assert sum(bot.engine_seconds) == pytest.approx(bot.engine.seconds)
    finally:
        await bench.aclose()


async def test_the_durable_ptb_bot_has_kept_each_answer_when_the_next_comes(tmp_path: Path) -> None:
    """What makes it the durable baseline: after each update its state is in the SQLite file,
    as another process would read it if this one died now. The pickled bot's is not."""
    lines = script()[:3]
    for directory in ("durable", "pickled"):
        (tmp_path / directory).mkdir()
    durable = PtbDurableBot(tmp_path / "durable", Responder())
    pickled = PtbConversationBot(tmp_path / "pickled", Responder())
    for bot in (durable, pickled):
        await bot.open()
    try:
        for n, line in enumerate(lines, start=1):
            assert line.text is not None
            update = text_update(n, 77, line.text, int(line.sent_at.timestamp()))
            await durable.feed(update)
            await pickled.feed(update)
            with sqlite3.connect(tmp_path / "durable" / "ptb-claims.sqlite3") as other:
                [(data,)] = other.execute("SELECT data FROM users WHERE id = 77").fetchall()
                [(state,)] = other.execute("SELECT state FROM conversations").fetchall()
            assert list(json.loads(data).values()) == [line.text for line in lines[:n]]
            assert json.loads(state) == n
        assert not (tmp_path / "pickled" / "ptb-claims.pickle").exists()  # written once a minute
    finally:
        for bot in (durable, pickled):
            await bot.close()


async def test_redis_bytes_are_counted_per_conversation(redis_url: str, tmp_path: Path) -> None:
    footprint = await measure_footprint(redis_url, tmp_path, conversations=200)
    # A conversation holds at least its greeting; the whole server's growth is counted.
    assert 300 < footprint.memory_usage_of_one <= footprint.used_memory_per_conversation * 2
    assert footprint.used_memory_per_conversation > 300


async def test_redis_bytes_per_conversation_do_not_depend_on_how_many(redis_url: str, tmp_path: Path) -> None:
    """The engine's pool of connections is not counted: a run of 300 and one of 900 agree."""
    few = await measure_footprint(redis_url, tmp_path, conversations=300)
    many = await measure_footprint(redis_url, tmp_path, conversations=900)
    assert 0.8 < few.used_memory_per_conversation / many.used_memory_per_conversation < 1.25


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
async def test_flat_cost_fills_the_store_to_each_level(kind: str, redis_url: str, tmp_path: Path) -> None:
    result = await measure_flat(kind, tmp_path, redis_url, levels=(50, 150), conversations=2)
    assert set(result.per_turn_ms) == {50, 150}
    assert result.growth > 0
    if kind == "sqlite":  # each level is a store of its own, filled to it
        for level in (50, 150):
            with sqlite3.connect(tmp_path / f"flat-sqlite-{level}" / "lossline.sqlite3") as db:
                (stored,) = db.execute("SELECT count(*) FROM conversations").fetchone()
            assert stored == level + 1 + 3  # the fill's own start; warm-up and 2 rounds


async def test_flat_levels_are_measured_together_in_lockstep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measured one after the other, the machine's drift between levels came out as growth."""
    from bench import flat

    measured_together: list[list[str]] = []
    lockstep = flat.interleave

    async def spy(runners: Any, rounds: int, warmup: int = 2) -> Any:
        measured_together.append([runner.name for runner in runners])
        return await lockstep(runners, rounds, warmup)

    monkeypatch.setattr(flat, "interleave", spy)
    await measure_flat("sqlite", tmp_path, None, levels=(20, 60), conversations=1)
    assert measured_together == [["engine-sqlite-20", "engine-sqlite-60"]]


def test_the_report_says_which_goals_are_missed() -> None:
    result = {
        "quick": True,
        "seconds": 1.0,
        "turn_ratio_vs_aiogram": 0.8,
        "turn_ratio_vs_ptb": 3.5,
        "adjudicate_us": 150.0,
        "turn_ratio_vs_aiogram_without_engine": 0.35,
        "turn_ratio_vs_ptb_without_engine": 1.25,
        "turns": {"engine-sqlite": {"turns_per_s": 10.0, "p50_ms": 1.0, "p99_ms": 2.0}},
        "load": {},
    }
    result["goals"] = _goals(result)
    assert result["goals"]["turn_ratio_vs_aiogram"]["met"] is True
    assert result["goals"]["adjudicate_us"] == {"value": 150.0, "goal": GOALS["adjudicate_us"], "met": False}
    report = _report(result)
    assert "meets ≤ 1" in report and "MISSES ≤ 100" in report
    assert "(the two less the engine's part: aiogram 0.35 ×, PTB 1.25 ×)" in report


@dataclass
class Recording:
    """A runner of three turns that notes when each of its turns ran."""

    name: str
    log: list[tuple[str, int, int]]

    async def turns(self, n: int) -> AsyncIterator[float]:
        for turn in range(3):
            self.log.append((self.name, n, turn))
            yield 0.001


async def test_runners_take_their_turns_in_lockstep_first_one_then_the_other() -> None:
    log: list[tuple[str, int, int]] = []
    results = await interleave([Recording("a", log), Recording("b", log)], rounds=2, warmup=1)
    assert log == [
        ("a", 0, 0), ("b", 0, 0), ("b", 0, 1), ("a", 0, 1), ("a", 0, 2), ("b", 0, 2),
        ("b", 1, 0), ("a", 1, 0), ("a", 1, 1), ("b", 1, 1), ("b", 1, 2), ("a", 1, 2),
        ("a", 2, 0), ("b", 2, 0), ("b", 2, 1), ("a", 2, 1), ("a", 2, 2), ("b", 2, 2),
    ]  # fmt: skip
    assert results["a"].conversation_seconds == pytest.approx([0.003, 0.003])  # the warm-up left out


def test_the_sleeper_reports_how_late_it_woke_when_its_stdin_closes() -> None:
    import json
    import subprocess
    import sys
    import time

    sleeper = subprocess.Popen(
        [sys.executable, "-m", "bench.sleeper"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    time.sleep(0.3)
    out, _ = sleeper.communicate(timeout=10)
    report = json.loads(out)
    assert sleeper.returncode == 0
    assert report["wakes"] >= 10  # ~5 ms a wake over 0.3 s, however slow the machine
    assert 0 <= report["p50_ms"] <= report["p99_ms"] <= report["max_ms"]
