"""What a reply looks like in Telegram: text chunks within the 4096 limit, escaped for HTML
parse mode, and buttons as an inline keyboard whose callback data fits in 64 bytes."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Sequence

from dialogs.messages import Button

MAX_TEXT = 4096  # characters of one message, counted after entity parsing (UTF-16 units)
MAX_CALLBACK_DATA = 64  # bytes
HASHED = "#"  # callback data of a button id too long to carry: "#" + a hash of the id
ROW_WIDTH = 24  # label characters on one keyboard row before the next button wraps
ROW_BUTTONS = 3

Keyboard = list[list[tuple[str, str]]]  # rows of (label, callback data)
FrozenKeyboard = tuple[tuple[tuple[str, str], ...], ...]  # the same, hashable
MARKUPS_KEPT = 256  # keyboards an adapter keeps built: a dialog shows a few dozen different ones


def frozen(keyboard: Keyboard) -> FrozenKeyboard:
    return tuple(tuple(row) for row in keyboard)


def utf16_len(text: str) -> int:
    """Telegram counts text in UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Chunks of at most `limit` UTF-16 units, cut at line ends where a line fits, else inside
    the line (never inside a character). Whitespace-only chunks are dropped: Telegram refuses
    empty messages."""
    if utf16_len(text) <= limit:
        return [text] if text.strip() else []
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if utf16_len(current) + utf16_len(line) <= limit:
            current += line
            continue
        if current:
            chunks.append(current)
        current = ""
        while utf16_len(line) > limit:
            head, line = _cut(line, limit)
            chunks.append(head)
        current = line
    if current:
        chunks.append(current)
    return [chunk.rstrip("\n") for chunk in chunks if chunk.strip()]


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The longest head of `line` within `limit` UTF-16 units, and the rest."""
    units = 0
    for index, char in enumerate(line):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return line[:index], line[index:]
    return line, ""


def escape(text: str) -> str:
    """Text for parse_mode=HTML: only &, < and > are special there."""
    return html.escape(text, quote=False)


def callback_data(button_id: str) -> str:
    """The id itself when it fits in 64 bytes; otherwise a short hash of it, which
    `choice_of` maps back using the buttons the bot last showed."""
    if len(button_id.encode()) <= MAX_CALLBACK_DATA and not button_id.startswith(HASHED):
        return button_id
    return HASHED + hashlib.sha256(button_id.encode()).hexdigest()[:32]


def choice_of(data: str, shown: Iterable[Button]) -> str | None:
    """The button id a callback's data stands for; None for a hash of no button shown."""
    if not data.startswith(HASHED):
        return data
    return next((b.id for b in shown if callback_data(b.id) == data), None)


def keyboard(buttons: Sequence[Button]) -> Keyboard | None:
    """Buttons in rows: short labels share a row (up to three), long ones get their own."""
    if not buttons:
        return None
    rows: Keyboard = []
    width = 0
    for button in buttons:
        label = button.label
        row = rows[-1] if rows else None
        if row is None or len(row) >= ROW_BUTTONS or width + len(label) > ROW_WIDTH:
            rows.append([(label, callback_data(button.id))])
            width = len(label)
        else:
            row.append((label, callback_data(button.id)))
            width += len(label)
    return rows
