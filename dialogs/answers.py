"""Reading one answer of a given kind, and saying back what was understood.

The readers themselves (Chinese numerals, spoken times, synonyms) live in dialogs/readers; this
module turns their output into an outcome the turn loop acts on: a value with its echo, an
ambiguity to confirm, or a miss naming the text that explains what we could not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dialogs.messages import Button
from dialogs.readers import (
    UNSURE,
    Option,
    PartOfDay,
    read_answer,
    read_choice,
    read_date_reading,
    read_datetime,
    read_money,
    read_number,
)
from dialogs.texts import t
from rules.types import SHANGHAI

FUTURE_SLACK = timedelta(minutes=2)


@dataclass(frozen=True)
class DayPart:
    """A day the victim named without a time (昨晚, 今天上午, 10月8日), kept while the time is asked."""

    day: date
    part: PartOfDay | None = None

    @classmethod
    def asked_in(cls, pending: dict[str, Any] | None) -> DayPart | None:
        """The day whose time a question's `pending` says is being asked, if any."""
        day = (pending or {}).get("day")
        return cls(date.fromisoformat(day), (pending or {}).get("part")) if day else None

    def pending(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "part": self.part}

    def said(self) -> str:
        """The day as a time on it can be read: 2023年10月8日晚上."""
        return f"{self.day.year}年{self.shown()}"

    def shown(self) -> str:
        return f"{self.day.month}月{self.day.day}日{_PART_WORDS.get(self.part or '', '')}"

    def question(self, locale: str) -> str:
        if locale == "en":
            part = f" ({self.part})" if self.part else ""
            return t(locale, "ask_clock", day=f"{self.day:%b} {self.day.day}{part}")
        return t(locale, "ask_clock", day=self.shown())


@dataclass(frozen=True)
class MonthPart:
    """A month (去年三月) or a year the victim named for a date whose day matters, kept while
    the day is asked."""

    year: int
    month: int | None = None

    @classmethod
    def asked_in(cls, pending: dict[str, Any] | None) -> MonthPart | None:
        """The month whose day a question's `pending` says is being asked, if any."""
        asked = (pending or {}).get("month_of")
        return cls(asked[0], asked[1]) if asked else None

    def pending(self) -> dict[str, Any]:
        return {"month_of": [self.year, self.month]}

    def shown(self) -> str:
        return f"{self.year}年" + (f"{self.month}月" if self.month else "")

    def question(self, locale: str) -> str:
        return t(locale, "ask_exact_day", month=self.shown_in(locale))

    def shown_in(self, locale: str) -> str:
        if locale != "en":
            return self.shown()
        return f"{date(self.year, self.month, 1):%B} {self.year}" if self.month else str(self.year)

    def completed(self, text: str) -> str:
        """`text` (15号, 3月15日) with the year and month asked about put before what it lacks."""
        if "年" in text or re.search(r"\d{4}|[/.-]", text):
            return text
        if "月" in text or self.month is None:
            return f"{self.year}年{text}"
        return f"{self.shown()}{text}"


def follow_up_in(pending: dict[str, Any] | None) -> DayPart | MonthPart | None:
    """What a question's `pending` says is being asked after a day or a month was told."""
    return DayPart.asked_in(pending) or MonthPart.asked_in(pending)


# Words that put a clock time on that part of the day. 晚上 for "night" too: the reader
# takes 晚上一点 as the small hours after that evening, as 昨晚一点 means.
_PART_WORDS = {
    "dawn": "凌晨",
    "morning": "上午",
    "noon": "中午",
    "afternoon": "下午",
    "evening": "晚上",
    "night": "晚上",
}
# An answer that names its own day or moment (10月8日…, 昨晚…, 半小时前, 刚才) is read as it
# is, not as a time on the day asked about.
_OWN_DAY = re.compile(r"[年月日号昨今明前刚/-]|周|星期|礼拜|\d\.\d")
# A year said: 2025年3月16日, 明年3月, 2025/3/16 (Chinese numerals too: 二〇二五年).
_YEAR_SAID = re.compile(r"年|[0-9]{4}")


@dataclass
class Outcome:
    value: Any = None
    echo: str | None = None
    miss: str | None = None  # text key
    miss_values: dict[str, Any] = field(default_factory=dict)
    confirm: list[datetime] | None = None  # several readings: ask which
    clock_for: DayPart | None = None  # a day without a clock time: ask the time on that day
    day_for: MonthPart | None = None  # a month without a day, where the day matters: ask it
    next_pending: dict[str, Any] | None = None  # kept for the next question (see timed_yes)
    assumed: bool = False  # the victim did not know: a default, said so, for the agent to check

    @property
    def ok(self) -> bool:
        """A value read: nothing missed, nothing to confirm, nothing more to ask."""
        asks = (self.confirm, self.clock_for, self.day_for)
        return self.miss is None and all(a is None for a in asks)


def fmt_money(amount: Decimal) -> str:
    return f"{amount:.2f}".removesuffix(".00")


def fmt_time(value: datetime, now: datetime, locale: str = "zh-CN") -> str:
    # Victims read Beijing time, whatever clock the message came with (Telegram's is UTC).
    local = value.astimezone(SHANGHAI)
    other_year = local.year != now.astimezone(SHANGHAI).year
    if locale == "en":
        return f"{local:%b} {local.day}{f', {local.year}' if other_year else ''} {local:%H:%M}"
    head = f"{local.year}年" if other_year else ""
    return f"{head}{local.month}月{local.day}日 {local:%H:%M}"


def fmt_date(value: date, locale: str = "zh-CN") -> str:
    if locale == "en":
        return f"{value:%b} {value.day}, {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def money(locale: str, text: str | None) -> Outcome:
    reading = read_money(text or "")
    if reading is None:
        return Outcome(miss="miss_money")
    key = "echo_money_approx" if reading.approximate else "echo_money"
    return Outcome(value=reading.value, echo=t(locale, key, amount=fmt_money(reading.value)))


def moment(
    locale: str,
    text: str | None,
    choice: str | None,
    now: datetime,
    pending: list[datetime] | None,
    day: DayPart | None = None,
) -> Outcome:
    """A moment of the theft. A day without a time (昨晚) is not taken as its midnight: the
    time on that day is asked (`clock_for`), and the next answer (九点左右) read on `day`."""
    if pending and choice and choice.startswith("alt:"):
        index = choice.removeprefix("alt:")
        if index.isdigit() and int(index) < len(pending):
            value = pending[int(index)]
            return Outcome(value=value, echo=t(locale, "echo_time", time=fmt_time(value, now, locale)))
    text = text or ""
    on_day = day is not None and not _OWN_DAY.search(text)
    reading = read_datetime(day.said() + text if day is not None and on_day else text, now)
    if reading.future:
        return Outcome(miss="miss_future")
    if reading.date_only and reading.value is not None:
        if on_day and day is not None:  # asked for the time on that day, and still none
            return Outcome(miss="miss_clock")
        return Outcome(clock_for=DayPart(reading.value.date(), reading.part_of_day))
    if reading.value is None and not reading.alternatives:
        return Outcome(miss="miss_datetime")
    candidates = [reading.value] if reading.value and not reading.ambiguous else reading.alternatives
    candidates = [c for c in candidates if c is not None and c <= now + FUTURE_SLACK]
    if not candidates:
        return Outcome(miss="miss_future")
    if len(candidates) > 1:
        return Outcome(confirm=candidates)
    value = candidates[0]
    return Outcome(value=value, echo=t(locale, "echo_time", time=fmt_time(value, now, locale)))


def day(
    locale: str,
    text: str | None,
    now: datetime,
    allow_future: bool = False,
    exact: bool = False,
    asked: MonthPart | None = None,
    after: date | None = None,
) -> Outcome:
    """A date. With `exact`, a month or a year alone (去年三月) is not taken as its first day:
    its day is asked (`day_for`), and the next answer (15号) read in `asked`. The day a policy
    was bought picks the wording that decides the claim, and a month's 1st may fall before a
    new version's start. With `after`, a day told without its year (4月1号) is the first such
    day on or after it, not the most recent one: a policy starts after it is bought, and ends
    after it starts."""
    text = text or ""
    reading = read_date_reading(asked.completed(text) if asked else text, now, allow_future=allow_future)
    value = reading.value
    if value is None:
        return Outcome(miss="miss_date")
    if exact and reading.precision != "day":
        if asked is not None:  # asked for the day, and still none
            return Outcome(miss="miss_exact_day", miss_values={"month": asked.shown_in(locale)})
        month = value.month if reading.precision == "month" else None
        return Outcome(day_for=MonthPart(value.year, month))
    if after is not None and reading.precision == "day" and not _YEAR_SAID.search(text):
        value = _on_or_after(value, after)
    return Outcome(value=value, echo=t(locale, "echo_date", date=fmt_date(value, locale)))


def _on_or_after(day: date, after: date) -> date:
    """`day`'s month and day in the first year that puts it on or after `after`."""
    for year in range(after.year, after.year + 5):  # 29 February looks on to a leap year
        try:
            found = day.replace(year=year)
        except ValueError:
            continue
        if found >= after:
            return found
    return day


UNKNOWN_BUTTON = "unknown"  # the id of a 不知道 button, wherever one is shown


def yes_no(
    locale: str,
    text: str | None,
    choice: str | None,
    unsure: bool = False,
    read: Callable[[str], bool | str | None] = read_answer,
) -> Outcome:
    """True or False; with `unsure`, a "don't know" (its button, or said) is an answer too,
    UNSURE, where otherwise it is not understood. `read`: how a typed answer is read."""
    value: bool | str | None
    if choice in ("yes", "no"):
        value = choice == "yes"
    elif choice == UNKNOWN_BUTTON:
        value = UNSURE
    else:
        value = read(text or "")
    if value is None or (value == UNSURE and not unsure):
        return Outcome(miss="miss_bool")
    if value == UNSURE:
        return Outcome(value=UNSURE, echo=t(locale, "echo_bool_unsure"))
    return Outcome(value=value, echo=t(locale, "echo_bool_yes" if value else "echo_bool_no"))


def timed_yes(locale: str, yes: Outcome, text: str | None, now: datetime) -> Outcome:
    """A yes that says when (昨晚九点半冻结的, 昨天下午三点报的警): the moment is the value, and
    the question for it is not asked. With a day but no time (昨晚冻结的), that question
    comes next and asks for the time on that day."""
    if yes.value is not True or not text:
        return yes
    when = moment(locale, text, None, now, None)
    if when.ok:
        return when
    if when.clock_for is not None:
        return Outcome(value=True, echo=yes.echo, next_pending=when.clock_for.pending())
    return yes


def pick(locale: str, text: str | None, choice: str | None, options: list[Option]) -> Outcome:
    ids = {o.id: o for o in options}
    chosen = choice if choice in ids else read_choice(text or choice or "", options)
    if chosen is None:
        example = options[0].label if options else ""
        return Outcome(miss="miss_choice", miss_values={"example": example})
    return Outcome(value=chosen, echo=t(locale, "echo_choice", label=ids[chosen].label))


def number(text: str | None) -> int | None:
    value = read_number(text or "")
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def buttons(options: list[Option]) -> list[Button]:
    return [Button(id=o.id, label=o.label) for o in options]
