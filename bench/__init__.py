"""Benchmarks behind `lossline bench`: each module measures one thing against a baseline run
in the same process, and returns numbers; bot/commands/bench_cmds.py prints them."""

from pathlib import Path

# The conversation every benchmark plays: p1, 31 typed answers from the first message to the
# hand-off (money, times, the policy, two transactions, documents, review).
P1_SCRIPT = Path(__file__).resolve().parents[1] / "tests/dialogs/scripts/p1-hacked-alipay-covered.txt"
