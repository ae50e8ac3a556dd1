"""Chinese numerals, read by hand: 五万两千, 三千四百零四, 五千二 (= 5200), 3.7万, 二〇二三.

cn2an reads the plain forms but not the elliptic 五千二 / 五万二 that people type, and it is a
lot slower than this; so we keep our own small reader. It reads one numeral at a time: finding
numerals inside a sentence is the business of each reader (money, times).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from dialogs.readers._text import prepare

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "洞": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "两": 2, "贰": 2, "貳": 2,
    "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}

# The characters a Chinese numeral is written with ("洞"/"幺" only count inside numerals that
# also hold other digits; on its own "洞" is a hole, so it is left out of the class).
CN_DIGIT_CHARS = "".join(c for c in DIGITS if c != "洞")
CN_NUMERAL_CHARS = CN_DIGIT_CHARS + "".join(SMALL_UNITS) + "".join(BIG_UNITS)

_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|.", re.S)


def _to_decimal(token: str) -> Decimal | None:
    try:
        return Decimal(token)
    except InvalidOperation:
        return None


def parse_number(numeral: str) -> Decimal | None:
    """The value of one numeral, or None if it is not a well-formed one.

    Accepts Chinese digits and units (十百千万亿, also the financial 壹贰叁…拾佰仟), Arabic
    digits with an optional decimal part, and a mix of both (3.7万, 5千2, 1万2千). The elliptic
    form is read as people mean it: 五千二 = 5200, 五万二 = 52000, 一百二 = 120 (but 一百零二 =
    102). A run of bare Chinese digits is read digit by digit: 二〇二三 = 2023.
    """
    if not numeral or len(numeral) > 40:
        return None
    tokens = _TOKEN.findall(numeral)
    if all(t in DIGITS for t in tokens):
        return Decimal("".join(str(DIGITS[t]) for t in tokens))

    total = Decimal(0)  # everything above the current 万/亿 section
    section = Decimal(0)  # the current section, below 万
    current: Decimal | None = None  # a digit waiting for its unit
    current_is_single = False  # that digit was one character (may be elliptic)
    last_small: int | None = None  # the last 十/百/千 of this section
    last_unit: int | None = None  # the last unit of any size
    last_big: int | None = None
    zero_seen = False  # a 零 since the last unit: no elliptic reading
    for token in tokens:
        if token in DIGITS:
            value = DIGITS[token]
            if value == 0:
                if current is not None:
                    return None
                zero_seen = True
                continue
            if current is not None:
                return None
            current, current_is_single = Decimal(value), True
        elif token[0].isdigit():
            if current is not None:
                return None
            current = _to_decimal(token)
            if current is None:
                return None
            current_is_single = len(token) == 1
        elif token in SMALL_UNITS:
            unit = SMALL_UNITS[token]
            if current is None:
                # 十五 = 15: only 十 may stand without its digit, at the head of a section.
                if unit != 10 or section != 0:
                    return None
                current = Decimal(1)
            if last_small is not None and unit >= last_small:
                return None
            section += current * unit
            current, last_small, last_unit, zero_seen = None, unit, unit, False
        elif token in BIG_UNITS:
            unit = BIG_UNITS[token]
            head = section + (current if current is not None else 0)
            if head == 0:
                return None
            if last_big is not None and unit >= last_big:
                return None
            if unit == 10**8:
                total = (total + head) * unit
            else:
                total += head * unit
            section, current, last_small, last_unit, last_big = Decimal(0), None, None, unit, unit
            zero_seen = False
        else:
            return None
    if current is not None:
        elliptic = (
            not zero_seen
            and current_is_single
            and last_unit is not None
            and last_unit >= 100
            and current == current.to_integral_value()
        )
        section += current * (last_unit // 10) if elliptic and last_unit else current
    return total + section


def parse_int(numeral: str) -> int | None:
    """parse_number for a whole number (a day, an hour, a count), else None."""
    value = parse_number(numeral)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


_CN_RUN = re.compile(f"[{CN_NUMERAL_CHARS}]+")


def arabicize(text: str, *, max_value: int = 10**5) -> str:
    """Each run of Chinese numerals in `text` that reads as a whole number up to `max_value`
    rewritten in Arabic digits (十月八号晚上九点四十 → 10月8号晚上9点40); other runs kept.
    """

    def one(match: re.Match[str]) -> str:
        run = match.group(0)
        value = parse_int(run)
        if value is None or value > max_value:
            return run
        if all(c in DIGITS for c in run):
            # A bare run of digits is read digit by digit only when it is plainly written so
            # (二〇二三, 零五); 两三 and 三四 are "two or three", "three or four": kept.
            if len(run) >= 3 or any(DIGITS[c] == 0 for c in run) or len(run) == 1:
                return "".join(str(DIGITS[c]) for c in run)
            return run
        return str(value)

    return _CN_RUN.sub(one, text)


_NUMBER_RUN = re.compile(
    rf"(?<![0-9.])(?:[0-9]{{1,3}}(?:,[0-9]{{3}})++(?![0-9])|[0-9]++)(?:\.[0-9]++)?+"
    rf"(?:[{CN_NUMERAL_CHARS}]*+)|[{CN_NUMERAL_CHARS}]++"
)


def read_number(text: str) -> Decimal | None:
    """The one number in a short answer, whatever unit word follows it: 72小时 → 72,
    三天 → 3, 1,000 → 1000, 五万 → 50000. None for no number or several different ones.
    (For amounts of money use readers.money, which knows 元角分 and refuses dates and times.)
    Only the first MAX_CHARS characters are read."""
    values: list[Decimal] = []
    for m in _NUMBER_RUN.finditer(prepare(text)):
        run = m.group(0).replace(",", "")
        if run[0] in BIG_UNITS or (run[0] in SMALL_UNITS and run[0] != "十"):
            continue  # 万一, 千万: words
        value = parse_number(run)
        if value is not None and value not in values:
            values.append(value)
    return values[0] if len(values) == 1 else None
