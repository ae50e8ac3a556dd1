"""Amounts of money in the loose forms victims type.

5200 · 5,200.50 · ¥1200 · ￥1,200元 · 五千二 · 五万两千元 · 3.7万 · 1.2w · 一千二百块 ·
两千五百块钱 · 三千四百零四块三毛四 · "被转走了五万两千" (found inside a sentence) ·
三千多 / 3千左右 (approximate).

Decisions:
- A sentence may hold numbers that are not amounts (十点, 两笔, 尾号1234, 2023-10-08, 95588).
  Numbers followed by a time or counting word, joined to a date or time, or introduced by a
  card/phone/code word are skipped. A number that carries a money mark (¥, 元, 块, 万, 千 …)
  is "strong"; a bare number is "weak" and only counts when no strong one is present.
- Several different amounts ("5200和3000") are ambiguous: `value` is None and `candidates`
  lists them in the order written, so the dialog can ask which one (or split them into
  transactions). The same amount written twice is one amount.
- Refused, with `problem` saying why: negative (-5200, 负5200), zero, more than 10 亿, more
  than two decimal places after conversion, a foreign currency (美元, 港币 …).
- Only the first MAX_CHARS characters are read (see _text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from dialogs.readers._text import prepare
from dialogs.readers.numbers import (
    BIG_UNITS,
    CN_DIGIT_CHARS,
    CN_NUMERAL_CHARS,
    DIGITS,
    SMALL_UNITS,
    parse_number,
)

MAX_AMOUNT = Decimal(10) ** 9  # 10 亿: more than that is a typo, not a theft
Problem = Literal["negative", "zero", "too_large", "too_precise", "foreign_currency", "ambiguous"]


@dataclass(frozen=True, slots=True)
class AmountReading:
    """What a message says about an amount.

    `value` is the one amount read (exact, or approximate when `approximate`), or None when
    there is none, several (`candidates`), or it was refused (`problem`).
    """

    value: Decimal | None
    approximate: bool = False
    candidates: tuple[Decimal, ...] = ()
    problem: Problem | None = None

    @property
    def ambiguous(self) -> bool:
        return self.problem == "ambiguous"


NOTHING = AmountReading(None)

# One numeral: Arabic (with thousands separators and decimals), Chinese digits and units, and
# w/k after a digit (1.2w, 5k). Possessive, so a long run can never backtrack.
_ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
_RUN = re.compile(
    rf"(?:{_ARABIC}|[{CN_NUMERAL_CHARS}]|(?<=[0-9])[wWkK](?![a-zA-Z])"
    rf"|点(?=[{CN_DIGIT_CHARS}]))++"
)
_CURRENCY_BEFORE = re.compile(r"(?:[¥]|人民币|rmb|RMB|CNY|cny)\s*$")
_FOREIGN_BEFORE = re.compile(r"(?:[$€£]|US\$|美元|美金|港币|港元|HK\$|USD|usd)\s*$")
_SIGN_BEFORE = re.compile(r"(?:(?<![0-9\-])-|负)\s*(?:[¥]|人民币)?\s*$")
_APPROX_BEFORE = re.compile(
    r"(?:大概|大约|约莫|约|差不多|将近|接近|估计|大致|少说|起码|至少|最少|顶多|最多|近|快)\s*"
    r"(?:有|是|共|一共)?\s*(?:[¥]|人民币)?\s*$"
)
# A bare number right after one of these is not an amount: 尾号1234, 打了95588, 验证码 8848.
_NOT_AMOUNT_BEFORE = re.compile(
    r"(?:第|尾号|尾数|后四位|卡号|号码|手机号?|电话|热线|拨打?了?|打了?|致电|验证码|校验码|动态码|"
    r"密码|工号|编号|单号|订单号?|流水号|[a-zA-Z_#@/:.\-])\s*(?:是|为|[:=])?\s*$"
)
_AFTER = re.compile(
    r"(?P<approx1>多|余|来|几|出头)?"
    r"(?P<unit>[万萬亿億千仟百佰])?"
    r"(?P<approx2>多|余|来|几)?"
    r"\s*(?P<foreign>美元|美金|刀|港币|港元|日元|欧元|英镑|韩元|澳元|加元|块美金)?"
    r"(?P<yuan>元|块|圆|圓|塊)?(?P<qian>钱|人民币|整)?"
)
_JIAO_FEN = re.compile(
    rf"(?P<jiao>[0-9{CN_DIGIT_CHARS}])(?P<jiao_unit>毛|角)?"
    rf"(?:(?P<fen>[0-9{CN_DIGIT_CHARS}])(?P<fen_unit>分)?)?"
)
_APPROX_AFTER = re.compile(r"\s*(?:左右|上下|出头|以上|以下|不到|多点|多一点|的样子)")
# A number directly followed by one of these is a time, a date or a count, not money.
_NOT_AMOUNT_AFTER = re.compile(
    r"\s*(?:[:/\-](?=[0-9])|点|时|分|秒|小时|钟|刻|号|日|月|年|岁|周|星期|礼拜|天|个|次|笔|张|"
    r"位|条|人|楼|层|倍|%|折|级|期|代|款|遍|下|台|部|家|件|页|行|w(?=[a-zA-Z])|"
    r"[a-zA-Z])"
)
_CN_ONLY = set(CN_NUMERAL_CHARS)


@dataclass(frozen=True, slots=True)
class _Found:
    value: Decimal
    strong: bool
    approximate: bool
    problem: Problem | None


def _jiao_fen(rest: str) -> tuple[Decimal, int]:
    """角 and 分 after 元/块: (amount, characters used). 三毛四 → 0.34, 五 (块五) → 0.5."""
    m = _JIAO_FEN.match(rest)
    if not m:
        return Decimal(0), 0

    def digit(c: str) -> int:
        return int(c) if c.isdigit() else DIGITS[c]

    jiao = digit(m.group("jiao"))
    if m.group("jiao_unit"):
        amount = Decimal(jiao) / 10
        if m.group("fen") is not None:
            after = rest[m.end() : m.end() + 1]
            if m.group("fen_unit") or not _blocks_elliptic(after):
                return amount + Decimal(digit(m.group("fen"))) / 100, m.end()
            return amount, m.end("jiao_unit")
        return amount, m.end()
    # 块五 (= 5.5): a lone digit right after 块, with nothing that makes it a count or a time.
    end = m.end("jiao")
    if _blocks_elliptic(rest[end : end + 1]):
        return Decimal(0), 0
    return Decimal(jiao) / 10, end


def _blocks_elliptic(after: str) -> bool:
    if not after:
        return False
    if after.isdigit() or after in _CN_ONLY:
        return True
    if _NOT_AMOUNT_AFTER.match(after):
        return True
    return "\u4e00" <= after <= "\u9fff" and after not in "钱的了啊呀吧呢哦左多"


def _numeral_value(run: str) -> Decimal | None:
    """The value of a numeral run, with 点 as a Chinese decimal point only before a unit."""
    numeral = run.translate(_LATIN_UNITS).replace(",", "")
    if "点" not in numeral:
        return parse_number(numeral)
    whole, _, frac = numeral.partition("点")
    digits = frac.rstrip(_DECIMAL_UNITS)
    unit = frac[len(digits) :]
    whole_value = parse_number(whole)
    if whole_value is None or not digits or not all(c in DIGITS for c in digits):
        return None
    decimals = "".join(str(DIGITS[c]) for c in digits)
    return parse_number(f"{whole_value}.{decimals}{unit}")


def _read_run(text: str, start: int, end: int) -> tuple[_Found | None, int]:
    """The amount the numeral text[start:end] stands for, and where reading stopped."""
    run = text[start:end]
    before = text[max(0, start - 8) : start]
    if run[0] in _UNIT_CHARS and run[0] != "十":
        return None, end  # 千万别…, 万一…: a word, not a numeral
    if run[0] == "点" or (before.endswith("点") and run[0] in _CN_ONLY):
        return None, end  # the minutes of 九点四十
    after = _AFTER.match(text, end)
    assert after is not None  # every group in it is optional
    unit, yuan, foreign = after.group("unit"), after.group("yuan"), after.group("foreign")
    approximate = bool(after.group("approx1") or after.group("approx2"))
    jiao_only = len(run) == 1 and text[end : end + 1] in ("毛", "角")
    marked = bool(unit or approximate or yuan or foreign or jiao_only)
    if not marked and _NOT_AMOUNT_AFTER.match(text, end):
        return None, end  # 十点, 两笔, 3天前, 2023-10…
    stop = after.end() if marked else end
    if "点" in run and not (unit or yuan or run[-1] in _DECIMAL_UNITS):
        return None, end  # 三点五 alone is more likely a time than ¥3.5
    lone_cn = len(run) == 1 and run in _CN_ONLY
    if lone_cn and not (unit or yuan or foreign or jiao_only):
        return None, end  # 一下, 一共, 两个…

    if jiao_only:
        value, used = _jiao_fen(text[start:])
        if not used:
            return None, end
        stop = start + used
    else:
        parsed = _numeral_value(run)
        if parsed is None:
            return None, end
        value = parsed
        if unit:
            if any(c in _UNIT_CHARS for c in run.translate(_LATIN_UNITS)) and unit not in BIG_UNITS:
                return None, end  # 三千多百: not a numeral
            value *= BIG_UNITS.get(unit) or SMALL_UNITS[unit]
        if yuan:
            extra, used = _jiao_fen(text[stop:])
            value += extra
            stop += used
    strong = bool(
        marked
        or any((c in _UNIT_CHARS and c != "十") or c in "wWkK" for c in run)
        or _CURRENCY_BEFORE.search(before)
    )
    negative = bool(_SIGN_BEFORE.search(before))
    if not strong and not negative and _NOT_AMOUNT_BEFORE.search(before):
        return None, stop  # 尾号1234, 打了95588, 验证码 8848
    if _APPROX_AFTER.match(text, stop) or _APPROX_BEFORE.search(before):
        approximate = True

    problem: Problem | None = None
    if foreign or _FOREIGN_BEFORE.search(before):
        problem, strong = "foreign_currency", True
    elif negative:
        problem = "negative"
    elif value == 0:
        problem = "zero"
    elif value > MAX_AMOUNT:
        problem = "too_large"
    elif value != value.quantize(Decimal("0.01")):
        problem = "too_precise"
    return _Found(value, strong, approximate, problem), stop


_UNIT_CHARS = "".join(SMALL_UNITS) + "".join(BIG_UNITS)
_DECIMAL_UNITS = "万萬亿億千仟"  # 三点五万: a Chinese decimal only scales by these
# An Arabic digit glued to a Chinese one ("5200一笔") ends the numeral there.
_SCRIPT_CHANGE = re.compile(rf"[0-9](?=[{CN_DIGIT_CHARS}])|[{CN_DIGIT_CHARS}](?=[0-9])")
_LATIN_UNITS = str.maketrans({"w": "万", "W": "万", "k": "千", "K": "千"})


def _normalize(value: Decimal) -> Decimal:
    """At most two decimal places, no exponent, no trailing zeros beyond the cents."""
    cents = value.quantize(Decimal("0.01"))
    return cents.quantize(Decimal(1)) if cents == cents.to_integral_value() else cents


def read_amount(text: str) -> AmountReading:
    """Everything a message says about an amount: the value, approximate or not, the
    candidates when several amounts are written, and why a written amount was refused."""
    text = prepare(text)
    found: list[_Found] = []
    pos = 0
    while True:
        m = _RUN.search(text, pos)
        if m is None:
            break
        start, end = m.span()
        cut = _SCRIPT_CHANGE.search(text, start, end)
        if cut is not None:
            end = cut.start() + 1
        item, pos = _read_run(text, start, end)
        if item is not None:
            found.append(item)
    if not found:
        return NOTHING
    strong = [f for f in found if f.strong]
    chosen = strong or found
    distinct: list[_Found] = []
    for f in chosen:
        if all(f.value != d.value for d in distinct):
            distinct.append(f)
    if len(distinct) > 1:
        return AmountReading(
            None,
            approximate=any(f.approximate for f in distinct),
            candidates=tuple(_normalize(f.value) for f in distinct if f.problem is None),
            problem="ambiguous",
        )
    one = distinct[0]
    if one.problem is not None:
        return AmountReading(None, approximate=one.approximate, problem=one.problem)
    value = _normalize(one.value)
    return AmountReading(value, approximate=one.approximate, candidates=(value,))


@dataclass(frozen=True, slots=True)
class MoneyReading:
    """One amount read: `value` in CNY with at most two decimal places; `approximate` for
    三千多, 3千左右, 大概5000 (the dialog should ask for the exact figure)."""

    value: Decimal
    approximate: bool = False


def read_money(text: str) -> MoneyReading | None:
    """The one amount in `text`, or None: no amount, several different ones, or one refused
    (negative, zero, over 10 亿, sub-cent, foreign currency). `read_amount` says which."""
    reading = read_amount(text)
    if reading.value is None:
        return None
    return MoneyReading(reading.value, reading.approximate)
