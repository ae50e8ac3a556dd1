"""`lossline chat` and `lossline graph`: the dialog in a terminal, and its map."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import typer

from rules.types import SHANGHAI


def chat(
    script: Path | None = typer.Option(None, "--script", help="Replay a file of user lines."),
    locale: str = typer.Option("zh-CN", "--locale"),
) -> None:
    """Talk to the dialog in the terminal (按钮：输入 !id 或按钮文字)."""
    from dialogs.conversation import start, step
    from dialogs.messages import Turn
    from dialogs.script import render, replay

    now = datetime.now(SHANGHAI)
    if script is not None:
        lines = (sys.stdin if str(script) == "-" else script.open(encoding="utf-8")).readlines()
        _, transcript = replay(lines, now, locale=locale)
        for role, text in transcript:
            typer.echo(f"{'机器人' if role == 'bot' else '用户'}：{text}\n")
        return
    result = start("cli", locale, now)
    for reply in result.replies:
        typer.echo(render(reply) + "\n")
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        choice = line[1:].strip() if line.startswith("!") else None
        turn = Turn(text=None if choice else line, choice=choice, sent_at=datetime.now(SHANGHAI))
        result = step(result.state, turn)
        for reply in result.replies:
            typer.echo(render(reply) + "\n")


def graph(
    out: Path = typer.Option(Path("docs/dialog.md"), "--out", help="Where to write the diagram."),
) -> None:
    """Write the conversation's state machine as a Mermaid diagram."""
    from dialogs.graph import document

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document(), encoding="utf-8")
    typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
    app.command("graph")(graph)
