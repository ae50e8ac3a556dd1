"""Registers every `lossline` sub-command. One module per command group."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from bot.commands import agent_cmds, bench_cmds, dialog_cmds, rules_cmds, serve_cmds, telegram_cmds

    rules_cmds.register(app)
    dialog_cmds.register(app)
    serve_cmds.register(app)
    telegram_cmds.register(app)
    agent_cmds.register(app)
    bench_cmds.register(app)
