"""Replaying a conversation from a script of user lines (`lossline chat --script`).

One message a line. `[2023-10-09 10:00]` before a line sets when it (and the lines after it)
were sent; `!id` presses the button with that id; `#` starts a comment; blank lines are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from dialogs.conversation import start, step
from dialogs.messages import Reply, StepResult, Turn
from rules.types import as_shanghai

_STAMP = re.compile(r"^\[(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2})?)\]\s*")


@dataclass
class ScriptLine:
    text: str | None
    choice: str | None
    sent_at: datetime


def parse_script(lines: list[str], now: datetime) -> Iterator[ScriptLine]:
    current = now
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _STAMP.match(line)
        if match:
            current = as_shanghai(datetime.fromisoformat(match.group(1)))
            line = line[match.end() :]
        if line.startswith("!"):
            yield ScriptLine(text=None, choice=line[1:].strip(), sent_at=current)
        else:
            yield ScriptLine(text=line, choice=None, sent_at=current)


def replay(
    lines: list[str], now: datetime, channel: str = "cli", locale: str = "zh-CN"
) -> tuple[StepResult, list[tuple[str, str]]]:
    """Run a script through the dialog; return the last result and the transcript."""
    first = next(parse_script(lines, now), None)
    result = start(channel, locale, first.sent_at if first else now)
    transcript: list[tuple[str, str]] = [("bot", r.text) for r in result.replies]
    for entry in parse_script(lines, now):
        result = step(
            result.state, Turn(text=entry.text, choice=entry.choice, sent_at=entry.sent_at)
        )
        transcript.append(("victim", result.said or ""))
        transcript += [("bot", render(r)) for r in result.replies]
    return result, transcript


def render(reply: Reply) -> str:
    text = reply.text
    if reply.buttons:
        text += "\n" + "  ".join(f"[{b.label}]({b.id})" for b in reply.buttons)
    return text
