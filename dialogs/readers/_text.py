"""Input hygiene shared by every reader: bound the input, fold full-width forms.

Every reader looks at the first `MAX_CHARS` characters of a message only. An answer to a
question is short; a 100 KB paste is not an answer, and bounding it keeps every reader fast
whatever arrives. (Redaction is the exception: it scans the whole text, see dialogs.redaction.)
"""

from __future__ import annotations

MAX_CHARS = 2000

_FOLD: dict[int, int | None] = {}
# Full-width digits and Latin letters → ASCII (ｑ１２３ → q123).
for _offset in range(0xFF10, 0xFF1A):
    _FOLD[_offset] = _offset - 0xFF10 + ord("0")
for _offset in range(0xFF21, 0xFF3B):
    _FOLD[_offset] = _offset - 0xFF21 + ord("A")
for _offset in range(0xFF41, 0xFF5B):
    _FOLD[_offset] = _offset - 0xFF41 + ord("a")
# Punctuation that numbers and times are written with. The Chinese comma "，" is kept: it
# separates clauses, and is never a thousands separator.
_FOLD.update(
    {
        ord("："): ord(":"),
        ord("．"): ord("."),
        ord("／"): ord("/"),
        ord("－"): ord("-"),
        ord("−"): ord("-"),
        ord("～"): ord("~"),
        ord("￥"): ord("¥"),
        ord("＄"): ord("$"),
        ord("％"): ord("%"),
        ord("＋"): ord("+"),
        ord("　"): ord(" "),
        ord("\u00a0"): ord(" "),
        ord("\t"): ord(" "),
        # Zero-width characters would split a number in two: drop them.
        ord("\u200b"): None,
        ord("\u200c"): None,
        ord("\u200d"): None,
        ord("\u2060"): None,
        ord("\ufeff"): None,
    }
)


_FOLD_DIGITS: dict[int, int | None] = {
    k: v for k, v in _FOLD.items() if v is None or chr(v).isalnum() or k in (0xFF0D, 0x3000)
}


def fold_digits(text: str) -> str:
    """Only full-width digits and letters folded (and zero-width characters dropped): what
    redaction needs to see every number, without touching the rest of the victim's text."""
    return text.translate(_FOLD_DIGITS)


def fold_width(text: str) -> str:
    """Full-width digits, letters and the punctuation of numbers folded to ASCII."""
    return text.translate(_FOLD)


def prepare(text: str) -> str:
    """The first MAX_CHARS characters, full-width forms folded, outer whitespace stripped."""
    return fold_width(text[:MAX_CHARS]).strip()
