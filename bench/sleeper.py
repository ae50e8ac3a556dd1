"""How late the machine itself wakes a process that does nothing: the floor under any latency
measured on it.

    python -m bench.sleeper        # sleeps SLEEP_S at a time until its stdin closes

The load benchmark runs this beside `lossline serve` during its measured phase. A process that
only sleeps should wake on time; on a shared virtual machine the hypervisor sometimes runs
something else for tens of milliseconds (CPU steal), and every process on the machine, the
server included, then stalls alike. A p99 latency goal below this floor cannot be judged on
that machine. Prints one JSON object: {"wakes", "p50_ms", "p99_ms", "max_ms"}.
"""

from __future__ import annotations

import json
import select
import sys
import time

from bench.stats import percentile

SLEEP_S = 0.005


def wake_lateness(stop_when_readable: int) -> list[float]:
    """Seconds late of each wake from a SLEEP_S wait, until `stop_when_readable` is (EOF)."""
    late: list[float] = []
    while True:
        before = time.perf_counter()
        readable, _, _ = select.select([stop_when_readable], [], [], SLEEP_S)
        if readable:
            return late
        late.append(max(0.0, time.perf_counter() - before - SLEEP_S))


def summary(late: list[float]) -> dict[str, float]:
    ms = [x * 1000 for x in late]
    return {
        "wakes": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms, default=0.0), 3),
    }


def main() -> None:
    print(json.dumps(summary(wake_lateness(sys.stdin.fileno()))), flush=True)


if __name__ == "__main__":
    main()
