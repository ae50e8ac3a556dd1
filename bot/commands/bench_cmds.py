"""`lossline bench`: the benchmarks of bench/ in one run (see docs/BENCHMARKS.md)."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import typer

# What the human-readable report shows: key, label, unit.
HEADLINES = [
    ("turn_ratio_vs_aiogram", "turn ÷ hand-written aiogram FSM bot", "×"),
    ("turn_ratio_vs_ptb", "turn ÷ hand-written PTB ConversationHandler bot", "×"),
    ("p99_ms_1000_concurrent", "p99 per turn, 1,000 concurrent conversations", "ms"),
    ("adjudicate_us", "adjudicating a 10-line case (median)", "µs"),
    ("redis_bytes_per_conversation", "Redis per idle conversation", "B"),
    ("flat_growth", "cost per turn, most stored ÷ fewest", "×"),
]


def bench(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    quick: bool = typer.Option(False, "--quick", help="Every headline figure in under a minute."),
) -> None:
    """Measure lossline against hand-written bots, under load, and at rest."""
    from bench.suite import run_bench
    from bot.logs import configure

    # The engine logs every turn: to /dev/null, so that the terminal does not time itself.
    with open(os.devnull, "w") as devnull:
        configure(stream=devnull)
        say = (lambda _: None) if as_json else (lambda line: typer.echo(line, err=True))
        result = asyncio.run(run_bench(quick, say))
    typer.echo(json.dumps(result, ensure_ascii=False) if as_json else _report(result))


def _report(result: dict[str, Any]) -> str:
    lines = [f"lossline bench{' --quick' if result['quick'] else ''} ({result['seconds']} s)", ""]
    goals = result["goals"]
    for key, label, unit in HEADLINES:
        if key not in result:
            continue
        goal = goals.get(key)
        verdict = "" if goal is None else ("meets" if goal["met"] else "MISSES") + f" ≤ {goal['goal']:g}"
        lines.append(f"  {label:<48} {result[key]:>10g} {unit:<3} {verdict}")
        if key == "turn_ratio_vs_ptb" and "turn_ratio_vs_ptb_without_engine" in result:
            aiogram, ptb = (result[f"turn_ratio_vs_{lib}_without_engine"] for lib in ("aiogram", "ptb"))
            lines.append(f"    (the two less the engine's part: aiogram {aiogram:g} ×, PTB {ptb:g} ×)")
    lines += ["", "per turn (p1 script, 31 turns):"]
    for name, runner in result["turns"].items():
        lines.append(
            f"  {name:<18} {runner['turns_per_s']:>8.1f} turns/s  p50 {runner['p50_ms']:7.2f} ms"
            f"  p99 {runner['p99_ms']:7.2f} ms"
        )
    for backend, load in result["load"].items():
        lines.append(
            f"serve ({backend}): {load['conversations']} conversations, {load['turns']} turns, "
            f"{load['errors']} errors, p50 {load['p50_ms']} / p95 {load['p95_ms']} / "
            f"p99 {load['p99_ms']} ms, "
            f"{load['turns_per_s']} turns/s, {load['rss_bytes_per_conversation']:.0f} B RSS per conversation"
        )
    for kind, flat in result.get("flat", {}).items():
        levels = ", ".join(f"{n}: {ms} ms" for n, ms in flat["per_turn_ms"].items())
        lines.append(f"stored ({kind}): median per turn {levels}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
