"""Benchmark (not a test): median time to adjudicate a 10-line case. Goal: ≤ 100 µs.

uv run python bench/adjudicate.py [--repeats 200] [--number 50]
"""

from __future__ import annotations

import argparse

from rules.benchmark import run

GOAL_US = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--number", type=int, default=50, help="calls per timed repeat")
    args = parser.parse_args()
    result = run(args.repeats, args.number)
    verdict = "meets" if result.adjudicate_us <= GOAL_US else "MISSES"
    print(
        f"adjudicate, 10-line case:        median {result.adjudicate_us:8.1f} µs "
        f"({verdict} the {GOAL_US:.0f} µs goal)"
    )
    print(f"baseline, Case.model_validate:   median {result.validate_us:8.1f} µs")
    print(f"ratio adjudicate / validate:     {result.ratio:8.2f}")


if __name__ == "__main__":
    main()
