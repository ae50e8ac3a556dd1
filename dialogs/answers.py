"""Reading one answer of a given kind, and saying back what was understood.

The readers themselves (Chinese numerals, spoken times, synonyms) live in dialogs/readers; this
module turns their output into an outcome the turn loop acts on: a value with its echo, an
ambiguity to confirm, or a miss naming the text that explains what we could not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dialogs.messages import Button
from dialogs.readers import (
    Option,
    read_bool,
    read_choice,
    read_date,
    read_datetime,
    read_money,
    read_number,
)
from dialogs.texts import t
from rules.types import SHANGHAI

FUTURE_SLACK = timedelta(minutes=2)


@dataclass
class Outcome:
    value: Any = None
    echo: str | None = None
    miss: str | None = None  # text key
    miss_values: dict[str, Any] = field(default_factory=dict)
    confirm: list[datetime] | None = None  # several readings: ask which

    @property
    def ok(self) -> bool:
        return self.miss is None and self.confirm is None


def fmt_money(amount: Decimal) -> str:
    return f"{amount:.2f}".removesuffix(".00")


def fmt_time(value: datetime, now: datetime) -> str:
    # Victims read Beijing time, whatever clock the message came with (Telegram's is UTC).
    local = value.astimezone(SHANGHAI)
    head = f"{local.year}年" if local.year != now.astimezone(SHANGHAI).year else ""
    return f"{head}{local.month}月{local.day}日 {local:%H:%M}"


def fmt_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def money(locale: str, text: str | None) -> Outcome:
    reading = read_money(text or "")
    if reading is None:
        return Outcome(miss="miss_money")
    key = "echo_money_approx" if reading.approximate else "echo_money"
    return Outcome(value=reading.value, echo=t(locale, key, amount=fmt_money(reading.value)))


def moment(
    locale: str, text: str | None, choice: str | None, now: datetime, pending: list[datetime] | None
) -> Outcome:
    if pending and choice and choice.startswith("alt:"):
        index = choice.removeprefix("alt:")
        if index.isdigit() and int(index) < len(pending):
            value = pending[int(index)]
            return Outcome(value=value, echo=t(locale, "echo_time", time=fmt_time(value, now)))
    reading = read_datetime(text or "", now)
    if reading.future:
        return Outcome(miss="miss_future")
    if reading.value is None and not reading.alternatives:
        return Outcome(miss="miss_datetime")
    candidates = [reading.value] if reading.value and not reading.ambiguous else reading.alternatives
    candidates = [c for c in candidates if c is not None and c <= now + FUTURE_SLACK]
    if not candidates:
        return Outcome(miss="miss_future")
    if len(candidates) > 1:
        return Outcome(confirm=candidates)
    value = candidates[0]
    return Outcome(value=value, echo=t(locale, "echo_time", time=fmt_time(value, now)))


def day(locale: str, text: str | None, now: datetime, allow_future: bool = False) -> Outcome:
    value = read_date(text or "", now, allow_future=allow_future)
    if value is None:
        return Outcome(miss="miss_date")
    return Outcome(value=value, echo=t(locale, "echo_date", date=fmt_date(value)))


def yes_no(locale: str, text: str | None, choice: str | None) -> Outcome:
    if choice in ("yes", "no"):
        value: bool | None = choice == "yes"
    else:
        value = read_bool(text or "")
    if value is None:
        return Outcome(miss="miss_bool")
    return Outcome(value=value, echo=t(locale, "echo_bool_yes" if value else "echo_bool_no"))


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
