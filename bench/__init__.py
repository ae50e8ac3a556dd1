"""Benchmarks behind `lossline bench`: each module measures one thing against a baseline run
in the same process, and returns numbers; bot/commands/bench_cmds.py prints them."""
