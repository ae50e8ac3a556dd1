"""The `lossline` command. Each command lives in bot/commands/ and is imported only when run."""

from __future__ import annotations

import typer

from bot.commands import register

app = typer.Typer(
    help="lossline 盗刷应急理赔助手",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
register(app)

if __name__ == "__main__":
    app()
