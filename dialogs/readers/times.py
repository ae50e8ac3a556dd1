"""Dates and times as victims write them, absolute or relative to when the message was sent.

Absolute: 2023年10月8日21:40 · 10月8号晚上九点四十 · 2023-10-08 21:40 · 2023/10/8 21:40 ·
10.8 晚上9点 · 下午3点半 · 9点40分 · 九点一刻. Relative to `now` (the message's sent time):
昨晚九点四十 · 昨天晚上十点 · 前天下午3点半 · 今天上午10点 · 今早 · 刚才/刚刚 · 半小时前 ·
两个小时前 · 10分钟前 · 上周五晚上8点 · 3天前.

Decisions:
- Every result is aware, in Asia/Shanghai; a naive `now` is taken as Shanghai time.
- A month and day without a year is the most recent such day not after today; a day alone
  (8号) the most recent such day; a weekday alone (周五) the most recent such day (today
  included). A clock time without a date is its most recent occurrence not after now.
- A clock hour from 1 to 11 with no 上午/下午/晚上 is ambiguous. With a date, both readings on
  that day that are not in the future are candidates. Without a date, the candidates are
  today's readings not in the future, or, when neither is, both of yesterday's. With two
  candidates, `ambiguous` is True, `value` holds the later (likelier for a theft reported
  afterwards) and `alternatives` both, in time order: the dialog must ask which.
- 晚上/半夜 with 12 or with 1–4 o'clock means the small hours after that evening (昨晚1点 is
  today 01:00); 昨晚凌晨2点 likewise.
- A reading after `now` (more than FUTURE_SLACK later) is refused: a theft cannot be in the
  future. `value` is None and `future` is True, so the dialog can say why.
- No clock time given → `date_only` True and `value` at 00:00 of that day (今早 and 昨晚 also
  set `part_of_day`).
- Only the first MAX_CHARS characters are read (see _text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from dialogs.readers._text import prepare
from dialogs.readers.numbers import arabicize
from rules.types import SHANGHAI

FUTURE_SLACK = timedelta(minutes=1)

PartOfDay = Literal["dawn", "morning", "noon", "afternoon", "evening", "night"]
Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class TimeReading:
    """`value` is the time read (None: nothing read, or refused as `future`). `alternatives`
    is non-empty only when `ambiguous`: every candidate, in time order, `value` the latest."""

    value: datetime | None = None
    alternatives: list[datetime] = field(default_factory=list)
    ambiguous: bool = False
    date_only: bool = False
    future: bool = False
    part_of_day: PartOfDay | None = None


@dataclass(frozen=True, slots=True)
class DateReading:
    value: date | None = None
    precision: Precision = "day"
    future: bool = False


NO_TIME = TimeReading()

# --- patterns (on text folded to ASCII digits, Chinese numerals already rewritten) ---------

_ISO = re.compile(
    r"(?<![0-9])([0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2}))(?![0-9])"
)
_YMD = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*[年\-/.]\s*(?P<m>[0-9]{1,2})\s*[月\-/.]\s*(?P<d>[0-9]{1,2})"
    r"\s*[日号]?(?![0-9])"
    r"|(?<![0-9])(?P<y2>[0-9]{2})\s*年\s*(?P<m2>[0-9]{1,2})\s*月\s*(?P<d2>[0-9]{1,2})\s*[日号]?"
    r"(?![0-9])"
)
_YM = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*(?:年\s*(?P<m>[0-9]{1,2})\s*月份?|[\-/.](?P<m2>[0-9]{1,2}))"
    r"(?![0-9\-/.月])"
    r"|(?P<rel>今年|去年|前年|明年|后年)\s*(?:的)?\s*(?P<m3>[0-9]{1,2})\s*月份?"
    r"(?:\s*(?P<d3>[0-9]{1,2})\s*[日号])?"
)
_MD = re.compile(
    r"(?<![0-9./\-])(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]?(?![0-9])"
    r"|(?<![0-9./\-:])(?P<m2>[0-9]{1,2})[/.\-](?P<d2>[0-9]{1,2})(?![0-9./\-:]|\s*[万元块%])"
)
_REL_MONTH_DAY = re.compile(
    r"(?P<rel>上上个?月|上个?月|这个?月|本月)\s*(?:的)?\s*(?:(?P<d>[0-9]{1,2})\s*[日号])?"
)
_DAY = re.compile(r"(?<![0-9月\-/.])(?P<d>[0-9]{1,2})\s*[日号](?![码线楼])")
_REL_DAY = re.compile(
    r"大前天|前天|前日|前晚|前夜|昨天|昨日|昨晚|昨夜|昨早|昨儿个?|昨个|今天|今日|今早|今晚|今夜|"
    r"今儿个?|今个"
)
_REL_DAY_OFFSET = {"大": -3, "前": -2, "昨": -1, "今": 0}
_WEEKDAY = re.compile(
    r"(?P<which>上上|上|这|本|下)?\s*个?\s*(?:周|星期|礼拜)\s*(?P<wd>[1-7日天])"
)
_DAYS_AGO = re.compile(r"(?P<n>[0-9]{1,3})\s*(?:个)?\s*(?:天|日)\s*(?:之|以)?前")
_AGO = re.compile(
    r"(?P<n>[0-9]{1,3})?\s*(?:个)?\s*(?P<half>半)?\s*(?:个)?\s*"
    r"(?P<unit>小时|钟头|分钟|分|刻钟|秒钟|秒)\s*(?:之|以)?前"
)
_NOW = re.compile(r"刚才|刚刚|方才|现在|此刻|这会儿?|刚(?!好|巧|开始|性|需)")
_CLOCK = re.compile(
    r"(?<![0-9])(?P<h>[0-9]{1,2})\s*:\s*(?P<mi>[0-9]{2})(?:\s*:\s*(?P<s>[0-9]{2}))?(?![0-9])"
)
_HOUR = re.compile(
    r"(?<![0-9.])(?P<h>[0-9]{1,2})\s*(?:点钟|点|时)(?![0-9]*\s*[万元块])\s*"
    r"(?:(?P<half>半)|(?P<q>[1-3])\s*刻(?!钟)|(?:过|零)?(?P<mi>[0-9]{1,2})(?:\s*分钟?)?"
    r"(?:\s*(?P<s>[0-9]{1,2})\s*秒)?)?"
)
_PERIOD = re.compile(
    r"凌晨|一大早|早上|早晨|清晨|上午|中午|下午|午后|傍晚|黄昏|晚上|晚间|夜里|夜间|夜晚|半夜|深夜|"
    r"午夜|(?:早|晚|夜)(?=\s*[0-9]|\s*$)"
)
_PERIODS: dict[str, PartOfDay] = {
    "凌晨": "dawn",
    "一大早": "morning",
    "早上": "morning",
    "早晨": "morning",
    "清晨": "morning",
    "上午": "morning",
    "早": "morning",
    "中午": "noon",
    "下午": "afternoon",
    "午后": "afternoon",
    "傍晚": "evening",
    "黄昏": "evening",
    "晚上": "evening",
    "晚间": "evening",
    "晚": "evening",
    "夜里": "night",
    "夜间": "night",
    "夜晚": "night",
    "半夜": "night",
    "深夜": "night",
    "午夜": "night",
    "夜": "night",
}
_REL_DAY_PERIOD: dict[str, PartOfDay] = {"早": "morning", "晚": "evening", "夜": "night"}


def _normalize(text: str) -> str:
    return arabicize(_from_english(prepare(text)), max_value=9999)


# English times, rewritten into the Chinese the patterns below read: the en locale's
# victims write "yesterday at 9pm", and "today"/"yesterday" were ignored (the most recent
# 9:00 was taken).
_MONTHS = {
    m: i
    for i, names in enumerate(
        ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
         "aug august", "sep sept september", "oct october", "nov november", "dec december"),
        start=1,
    )
    for m in names.split()
}  # fmt: skip
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_EN_WORDS = [
    (r"\bthe day before yesterday\b", "前天"),
    (r"\b(?:last night|yesterday (?:evening|night))\b", "昨晚"),
    (r"\byesterday morning\b", "昨天上午"),
    (r"\byesterday afternoon\b", "昨天下午"),
    (r"\byesterday\b", "昨天"),
    (r"\bthis morning\b", "今天上午"),
    (r"\bthis afternoon\b", "今天下午"),
    (r"\b(?:tonight|this evening)\b", "今晚"),
    (r"\btoday\b", "今天"),
    (r"\b(?:just now|a moment ago|right now)\b", "刚才"),
    (r"\bhalf an hour ago\b", "半小时前"),
    (r"\b(?:an?|one) (hour|minute|day) ago\b", r"1 \1 ago"),
    (r"\b(\d{1,3}) ?(?:hours?|hrs?|h) ago\b", r"\1小时前"),
    (r"\b(\d{1,3}) ?(?:minutes?|mins?) ago\b", r"\1分钟前"),
    (r"\b(\d{1,3}) ?days? ago\b", r"\1天前"),
    (r"\b(?:at|around|about) (\d{1,2})(?![\d:]| ?[ap]\.?m\b)", r" \1点"),  # at 9: a clock
    (r"\b(?:at|on|around|about)\b", " "),
]
_EN_RULES = [(re.compile(p, re.I), r) for p, r in _EN_WORDS]
_EN_CLOCK = re.compile(r"\b(?P<h>\d{1,2})(?::(?P<mi>\d{2}))? ?(?P<ap>[ap])\.?m\b\.?", re.I)
_EN_MONTH_DAY = re.compile(
    _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(?P<y>\d{4}))?"
    r"|\b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.replace("mon", "mon2") + r"(?:,?\s*(?P<y2>\d{4}))?",
    re.I,
)
_EN_MONTH_YEAR = re.compile(r"\b(?P<last>last\s+)?" + _MONTH + r"(?:\s+(?P<y>\d{4}))?\b", re.I)


def _from_english(text: str) -> str:
    if not re.search(r"[a-zA-Z]", text):
        return text
    for pattern, chinese in _EN_RULES:
        text = pattern.sub(chinese, text)
    text = _EN_CLOCK.sub(_clock_in_chinese, text)
    text = _EN_MONTH_DAY.sub(_month_day_in_chinese, text)
    return _EN_MONTH_YEAR.sub(_month_year_in_chinese, text)


def _clock_in_chinese(m: re.Match[str]) -> str:
    hour, minute = int(m.group("h")), m.group("mi") or "00"
    if m.group("ap").lower() == "a":
        part = "凌晨" if hour == 12 or hour < 6 else "上午"
        hour = 0 if hour == 12 else hour
    else:
        part = "中午" if hour == 12 else "下午" if hour < 6 else "晚上"
    return f"{part}{hour}:{minute}"


def _month_day_in_chinese(m: re.Match[str]) -> str:
    month = _MONTHS[(m.group("mon") or m.group("mon2")).lower()]
    year = m.group("y") or m.group("y2")
    return f"{year + '年' if year else ''}{month}月{m.group('d') or m.group('d2')}日"


def _month_year_in_chinese(m: re.Match[str]) -> str:
    month = _MONTHS[m.group("mon").lower()]
    if m.group("y"):
        return f"{m.group('y')}年{month}月"
    if m.group("last"):
        return f"去年{month}月"
    return m.group(0)  # "may" alone is a word, not a month


def _aware(now: datetime) -> datetime:
    return now.replace(tzinfo=SHANGHAI) if now.tzinfo is None else now.astimezone(SHANGHAI)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _recent_month_day(month: int, day: int, today: date) -> date | None:
    """The most recent month/day not after today (29 Feb looks back to a leap year)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    for year in range(today.year, today.year - 9, -1):
        found = _safe_date(year, month, day)
        if found is not None and found <= today:
            return found
        if found is None and day > 29:
            return None  # 4月31日 never exists
    return None


def _recent_day(day: int, today: date) -> date | None:
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        found = _safe_date(year, month, day)
        if found is not None and found <= today:
            return found
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def _month_shift(today: date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True, slots=True)
class _DateHit:
    day: date | None  # None: written but impossible (2月30日)
    precision: Precision = "day"
    period: PartOfDay | None = None  # implied by 今晚/昨早
    evening_word: bool = False  # 昨晚/今晚/前晚: 凌晨 after it is the next day


def _find_date(t: str, today: date) -> _DateHit | None:
    """The first date written in `t`, by pattern priority (explicit before relative)."""
    m = _YMD.search(t)
    if m:
        if m.group("y"):
            y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        else:
            y, mo, d = 2000 + int(m.group("y2")), int(m.group("m2")), int(m.group("d2"))
        return _DateHit(_safe_date(y, mo, d))
    m = _YM.search(t)
    if m:
        if m.group("rel"):
            y = today.year + {"今年": 0, "去年": -1, "前年": -2, "明年": 1, "后年": 2}[m.group("rel")]
            mo = int(m.group("m3"))
            if m.group("d3"):
                return _DateHit(_safe_date(y, mo, int(m.group("d3"))))
        else:
            y, mo = int(m.group("y")), int(m.group("m") or m.group("m2"))
        return _DateHit(_safe_date(y, mo, 1), "month")
    m = _MD.search(t)
    if m:
        mo, d = int(m.group("m") or m.group("m2")), int(m.group("d") or m.group("d2"))
        return _DateHit(_recent_month_day(mo, d, today))
    # Before the day words: 3天前晚上 holds 前晚.
    m = _DAYS_AGO.search(t)
    if m:
        return _DateHit(today - timedelta(days=int(m.group("n"))))
    m = _REL_DAY.search(t)
    if m:
        word = m.group(0)
        offset = _REL_DAY_OFFSET["大" if word.startswith("大前") else word[0]]
        period = next((p for c, p in _REL_DAY_PERIOD.items() if c in word[1:]), None)
        evening = period in ("evening", "night")
        return _DateHit(today + timedelta(days=offset), period=period, evening_word=evening)
    m = _WEEKDAY.search(t)
    if m:
        wd_char = m.group("wd")
        weekday = 6 if wd_char in "日天" else int(wd_char) - 1  # Monday = 0
        monday = today - timedelta(days=today.weekday())
        which = m.group("which")
        if which in ("上", "上上", "这", "本", "下"):
            weeks = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1}[which]
            return _DateHit(monday + timedelta(weeks=weeks, days=weekday))
        found = monday + timedelta(days=weekday)
        return _DateHit(found if found <= today else found - timedelta(weeks=1))
    m = _REL_MONTH_DAY.search(t)
    if m:
        rel = m.group("rel")
        months = -2 if rel.startswith("上上") else -1 if rel.startswith("上") else 0
        y, mo = _month_shift(today, months)
        if m.group("d"):
            return _DateHit(_safe_date(y, mo, int(m.group("d"))))
        return _DateHit(date(y, mo, 1), "month")
    m = _DAY.search(t)
    if m:
        return _DateHit(_recent_day(int(m.group("d")), today))
    return None


def _to_24h(hour: int, period: PartOfDay | None) -> list[tuple[int, int]]:
    """(hour 0–23, days after the named day) for each reading of `hour` in `period`."""
    if hour == 24:
        return [(0, 1)]
    if hour > 23:
        return []
    if period is None:
        return [(hour, 0), (hour + 12, 0)] if 1 <= hour <= 11 else [(hour, 0)]
    if period == "dawn":
        return [(0, 0)] if hour == 12 else [(hour, 0)] if hour <= 7 else []
    if period == "morning":
        return [(hour, 0)] if hour <= 12 else []
    if period == "noon":
        if hour in (11, 12) or 13 <= hour <= 15:
            return [(hour, 0)]
        return [(hour + 12, 0)] if 1 <= hour <= 3 else []
    if period == "afternoon":
        return [(hour + 12, 0)] if 1 <= hour <= 11 else [(hour, 0)] if hour >= 12 else []
    # evening / night
    if hour == 12 or hour == 0:
        return [(0, 1)]
    if hour <= 4:
        return [(hour, 1)]
    if hour <= 11:
        return [(hour + 12, 0)] if period == "evening" or hour >= 7 else []
    return [(hour, 0)] if hour >= 17 else []


@dataclass(frozen=True, slots=True)
class _ClockHit:
    hour: int
    minute: int
    second: int
    period: PartOfDay | None
    start: int


def _find_clock(t: str) -> _ClockHit | None:
    m = _CLOCK.search(t)
    if m:
        hour, minute = int(m.group("h")), int(m.group("mi"))
        second = int(m.group("s") or 0)
    else:
        m = _HOUR.search(t)
        if not m:
            return None
        hour = int(m.group("h"))
        if m.group("half"):
            minute = 30
        elif m.group("q"):
            minute = 15 * int(m.group("q"))
        else:
            minute = int(m.group("mi") or 0)
        second = int(m.group("s") or 0)
    if hour > 24 or minute > 59 or second > 59:
        return None
    period = None
    for p in _PERIOD.finditer(t, 0, m.start()):
        period = _PERIODS[p.group(0)]
    if period is None:  # 9点晚上 / 9:40 pm: a period written after the time
        after = _PERIOD.match(t, m.end()) or re.compile(r"\s*(?:pm|PM|p\.m\.)").match(t, m.end())
        if after is not None:
            period = _PERIODS.get(after.group(0), "afternoon")
    if period is None and re.compile(r"\s*(?:am|AM|a\.m\.)").match(t, m.end()):
        period = "morning"
    return _ClockHit(hour, minute, second, period, m.start())


def _at(day: date, hour: int, minute: int, second: int) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=SHANGHAI)


def _ago(t: str, now: datetime) -> datetime | None:
    m = _AGO.search(t)
    if not m or not (m.group("n") or m.group("half")):
        return None
    n = int(m.group("n") or 0) + (0.5 if m.group("half") else 0)
    unit = m.group("unit")
    if unit in ("小时", "钟头"):
        delta = timedelta(hours=n)
    elif unit == "刻钟":
        delta = timedelta(minutes=15 * n)
    elif unit in ("秒", "秒钟"):
        delta = timedelta(seconds=n)
    else:
        delta = timedelta(minutes=n)
    if delta > timedelta(days=400):
        return None
    return now - delta


def _pick(candidates: list[datetime], now: datetime) -> TimeReading:
    past = sorted(c for c in candidates if c <= now + FUTURE_SLACK)
    if not past:
        return TimeReading(future=bool(candidates))
    if len(past) == 1:
        return TimeReading(past[0])
    return TimeReading(past[-1], past, ambiguous=True)


def read_datetime(text: str, now: datetime) -> TimeReading:
    """The time of day (or the day) that `text` names, read against `now`."""
    now = _aware(now)
    today = now.date()
    t = _normalize(text)
    if not t:
        return NO_TIME
    iso = _ISO.search(t)
    if iso:
        try:
            parsed = datetime.fromisoformat(iso.group(1).replace("Z", "+00:00"))
        except ValueError:
            return NO_TIME
        return _pick([parsed.astimezone(SHANGHAI)], now)
    ago = _ago(t, now)
    if ago is not None:
        return TimeReading(ago)

    hit = _find_date(t, today)
    clock = _find_clock(t)
    if hit is not None and hit.day is None:
        return NO_TIME  # 2月30日: a date was written, and it does not exist
    if clock is None:
        if _NOW.search(t) and (hit is None or hit.day == today):
            return TimeReading(now)
        if hit is not None and hit.day is not None and hit.precision == "day":
            midnight = _at(hit.day, 0, 0, 0)
            said = [_PERIODS[p.group(0)] for p in _PERIOD.finditer(t)]
            part = said[-1] if said else hit.period
            if hit.day > today:
                return TimeReading(future=True, date_only=True, part_of_day=part)
            return TimeReading(midnight, date_only=True, part_of_day=part)
        return NO_TIME
    if hit is not None and hit.precision != "day":
        return NO_TIME  # 去年3月 9点: no day to put the time on

    period = clock.period or (hit.period if hit else None)
    readings = _to_24h(clock.hour, period)
    if hit is not None and hit.evening_word and clock.period == "dawn":
        readings = [(h, offset + 1) for h, offset in readings]
    if not readings:
        return NO_TIME  # 下午25点, 凌晨9点

    def on(day: date) -> list[datetime]:
        return [
            _at(day + timedelta(days=off), h, clock.minute, clock.second) for h, off in readings
        ]

    if hit is not None and hit.day is not None:
        return _pick(on(hit.day), now)
    # No date: the most recent occurrence. Ambiguous hours stay on one day (see module doc).

    for days_back in range(0, 3):
        day = today - timedelta(days=days_back)
        candidates = [c for c in on(day) if c <= now + FUTURE_SLACK]
        if candidates:
            return _pick(candidates, now)
    return NO_TIME


def read_date_reading(text: str, now: datetime, *, allow_future: bool = False) -> DateReading:
    """The day (or month: 去年3月 → 1 March, precision "month") that `text` names."""
    now = _aware(now)
    today = now.date()
    t = _normalize(text)
    if not t:
        return DateReading()
    iso = _ISO.search(t)
    if iso:
        reading = read_datetime(t, now)
        if reading.value is not None:
            return DateReading(reading.value.date())
    hit = _find_date(t, today)
    if hit is None or hit.day is None:
        if hit is None and _NOW.search(t):
            return DateReading(today)
        return DateReading()
    if not allow_future:
        future = (
            hit.day > today
            if hit.precision == "day"
            else (hit.day.year, hit.day.month) > (today.year, today.month)
        )
        if future:
            return DateReading(precision=hit.precision, future=True)
    return DateReading(hit.day, hit.precision)


def read_date(text: str, now: datetime, *, allow_future: bool = False) -> date | None:
    """The date `text` names (a purchase date: 2023年3月1日, 2023-03-01, 去年3月, 三月一号),
    or None. A month without a day gives its first day; see read_date_reading for the
    precision. Future dates are refused unless `allow_future` (a policy's end date)."""
    return read_date_reading(text, now, allow_future=allow_future).value
