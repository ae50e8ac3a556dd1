"""Picking one of the offered options from what the victim typed.

An option is picked by its id, its label, any of its synonyms, or its position ("1", "第一个").
Inside a longer message, the option whose words appear is picked if it is the only one:
- a word inside a longer word of another option does not count (信用卡 in 信用卡附属卡);
- a word inside one of the option's blockers does not count (支付 in 支付宝);
- a negated word does not count (不是信用卡，是储蓄卡 → 储蓄卡);
- an option that `outranks` another wins over it (花呗 + 买了 → credit_purchase);
- words of two different options otherwise → None: the dialog asks again with buttons.
Only the first MAX_CHARS characters are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from dialogs.readers._text import prepare
from dialogs.readers.numbers import parse_int


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()  # longer words in which a synonym does not count
    outranks: tuple[str, ...] = ()  # ids of options this one wins over when both appear
    # The label's parts are not words of it: a part that is an everyday word (转走 of
    # 取走/转走, 冻结 of 扣划/冻结) would pick the option out of any sentence holding it.
    whole_label: bool = False


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_LABEL_PARTS = re.compile(r"[（）()、/,，;；]|等$")
_PICK = re.compile(
    r"(?:选|选择|我选|要)?第?(?P<n>[0-9]{1,2}|[一二两三四五六七八九十]{1,3})"
    r"(?:个|项|条|号|种|位|)(?:吧|的|选项)?"
)
_NEGATED = re.compile(r"(?:不是|不|没有|没|非|并非|而非|而不是|除了)\s*$")


def _key(text: str) -> str:
    return _PUNCT.sub("", text).lower()


@lru_cache(maxsize=1024)
def _terms(option: Option) -> tuple[str, ...]:
    """Every word that names `option`: its label, the label's parts, its synonyms."""
    parts = [] if option.whole_label else [p.strip() for p in _LABEL_PARTS.split(option.label)]
    terms = {option.label, *option.synonyms, *(p for p in parts if len(p) >= 2)}
    return tuple(sorted((t.lower() for t in terms if t), key=len, reverse=True))


def _spans(text: str, word: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    start = text.find(word)
    while start != -1 and len(found) < 50:
        found.append((start, start + len(word)))
        start = text.find(word, start + 1)
    return found


def matches(text: str, options: Sequence[Option]) -> list[int]:
    """Indexes of the options whose words appear in `text`, in order of first appearance.
    See the module doc for what does not count."""
    t = prepare(text).lower()
    hits: list[tuple[int, int, int]] = []  # (start, end, option index)
    for index, option in enumerate(options):
        blocked = [s for b in option.blockers for s in _spans(t, b.lower())]
        for term in _terms(option):
            for start, end in _spans(t, term):
                if any(bs <= start and end <= be for bs, be in blocked):
                    continue
                if _NEGATED.search(t, max(0, start - 4), start):
                    continue
                hits.append((start, end, index))
    kept = [
        h
        for h in hits
        if not any(
            o[2] != h[2] and o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0]
            for o in hits
        )
    ]
    seen: list[int] = []
    for _, _, index in sorted(kept):
        if index not in seen:
            seen.append(index)
    beaten = {i for i in seen for j in seen if options[i].id in options[j].outranks}
    return [i for i in seen if i not in beaten]


def read_choice(text: str, options: Sequence[Option]) -> str | None:
    """The id of the option `text` picks, or None (nothing, or more than one)."""
    if not options:
        return None
    key = _key(prepare(text))
    if not key:
        return None
    for option in options:
        if key in (_key(option.id), _key(option.label)) or key in map(_key, option.synonyms):
            return option.id
    pick = _PICK.fullmatch(key)
    if pick:
        n = parse_int(pick.group("n"))
        if n is not None and 1 <= n <= len(options):
            return options[n - 1].id
        return None
    found = matches(text, options)
    return options[found[0]].id if len(found) == 1 else None
