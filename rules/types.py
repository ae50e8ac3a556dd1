"""Money and time as the contract wants them: Decimal amounts, timezone-aware times."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, PlainSerializer

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")


def as_shanghai(value: datetime) -> datetime:
    """A time written without an offset is Asia/Shanghai (case-format.md)."""
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def floor_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


# JSON has no decimal type: amounts leave as numbers, and come back exact because
# readers parse JSON numbers with parse_float=Decimal.
_as_number = PlainSerializer(lambda d: float(d), return_type=float, when_used="json")

Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False), _as_number]
"""A non-negative amount in CNY."""

Ratio = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False), _as_number]

LocalDatetime = Annotated[datetime, AfterValidator(as_shanghai)]
"""An ISO 8601 time; a naive one is read as Asia/Shanghai."""
