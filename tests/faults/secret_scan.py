"""Scan raw bytes (database files, Redis dumps, append-only files) for secrets at rest.

Independent of dialogs/redaction.py on purpose: its own Luhn check, its own idea of how a
card number is written. What it reports:

- a card number: digits in groups joined by a space or a dash (as typed: 4-4-4-4, 4-6-5, or
  none), 13 to 19 digits in all, Luhn-valid. Full-width digits, ideographic spaces, full-width
  dashes and zero-width spaces are folded first, raw (UTF-8) or JSON-escaped (\\uff10).
- a needle: an exact secret, as UTF-8 or as JSON writes it with ensure_ascii (\\u escapes).

Machine numbers that are not card numbers are left out: a 13-digit group that reads as a
Unix time in milliseconds within ten years of now (Redis writes expiry times and stream ids
so; no card is 13 digits starting 1), and digits inside a hex string of 32 or more characters
(sha256 hashes of tokens and files).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

_FULL_WIDTH = {bytes("０１２３４５６７８９"[d], "utf-8"): str(d).encode() for d in range(10)}
_SEPARATORS = {
    "\u3000".encode(): b" ",  # ideographic space
    "\uff0d".encode(): b"-",  # full-width hyphen-minus
    "\u200b".encode(): b" ",  # zero-width space
}
_ESCAPED = {
    **{f"\\uff1{d}".encode(): str(d).encode() for d in range(10)},
    b"\\u3000": b" ",
    b"\\uff0d": b"-",
    b"\\u200b": b" ",
}
_OTHER_ESCAPE = rb"\\u[0-9a-fA-F]{4}"  # any other character, escaped: not a digit
_FOLD = re.compile(
    b"|".join([*(re.escape(k) for k in [*_FULL_WIDTH, *_SEPARATORS, *_ESCAPED]), _OTHER_ESCAPE]),
    re.IGNORECASE,
)
_TABLE = {k.lower(): v for k, v in {**_FULL_WIDTH, **_SEPARATORS, **_ESCAPED}.items()}

_RUN = re.compile(rb"(?<![0-9])[0-9]+(?:[ \-][0-9]+)*(?![0-9])")
_HEX = re.compile(rb"[0-9a-fA-F]")
TEN_YEARS_MS = 10 * 365 * 86_400_000


@dataclass(frozen=True)
class Finding:
    kind: str  # "card" or "needle"
    value: str
    where: str
    offset: int

    def __str__(self) -> str:
        return f"{self.kind} {self.value!r} in {self.where} at byte {self.offset}"


def luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def fold(blob: bytes) -> bytes:
    """Full-width digits and the separators typed between them as ASCII; any other escaped
    character as one byte that is not a digit (so "\\u53f7" does not end in a 7)."""
    return _FOLD.sub(lambda m: _TABLE.get(m.group(0).lower(), b"\x00"), blob)


def _in_hex_string(blob: bytes, start: int, end: int) -> bool:
    while start > 0 and _HEX.match(blob, start - 1):
        start -= 1
    while end < len(blob) and _HEX.match(blob, end):
        end += 1
    return end - start >= 32


def _is_timestamp_ms(group: bytes, now_ms: int) -> bool:
    return len(group) == 13 and abs(int(group) - now_ms) < TEN_YEARS_MS


def card_numbers(blob: bytes, where: str = "blob") -> list[Finding]:
    """Every Luhn-valid card number written in `blob` (see the module's docstring)."""
    folded = fold(blob)
    now_ms = int(time.time() * 1000)
    found: list[Finding] = []
    for match in _RUN.finditer(folded):
        if _in_hex_string(folded, match.start(), match.end()):
            continue
        groups = re.split(rb"[ \-]", match.group(0))
        for i in range(len(groups)):
            total = 0
            for j in range(i, len(groups)):
                group = groups[j]
                if _is_timestamp_ms(group, now_ms) or (j > i and min(len(groups[i]), len(group)) < 2):
                    break
                total += len(group)
                if total > 19:
                    break
                digits = b"".join(groups[i : j + 1]).decode()
                if total >= 13 and luhn(digits):
                    found.append(Finding("card", digits, where, match.start()))
    return found


def needles(blob: bytes, secrets: list[str], where: str = "blob") -> list[Finding]:
    """Each secret found in `blob`: as UTF-8, JSON-escaped, or typed in full-width forms."""
    folded = fold(blob)
    found: list[Finding] = []
    for secret in secrets:
        forms = [secret.encode(), json.dumps(secret)[1:-1].encode()]
        offsets = [haystack.find(form) for form in forms for haystack in (blob, folded)]
        offset = max(offsets)
        if offset >= 0:
            found.append(Finding("needle", secret, where, offset))
    return found


def contains_text(blob: bytes, text: str) -> bool:
    """`text` is in `blob` as UTF-8 or JSON-escaped (how the stores serialise text)."""
    return text.encode() in blob or json.dumps(text)[1:-1].encode() in blob


def files_under(directory: Path) -> dict[str, bytes]:
    """Every file under `directory`, by path relative to it."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def scan(files: dict[str, bytes], secrets: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    for name, blob in files.items():
        findings += card_numbers(blob, name)
        findings += needles(blob, secrets, name)
    return findings
