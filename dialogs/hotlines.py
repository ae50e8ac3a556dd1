"""Official hotlines to freeze a card or account, from dialogs/data/hotlines.yaml.

The file is read once, on first use, and validated strictly (unknown keys, malformed numbers,
an alias claimed by two institutions are errors). `hotline_for(institution, account)` gives the
number to call; None means we do not know it for certain, and the dialog says
"请拨打卡片背面的客服电话".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from dialogs.readers.choices import Option, matches
from rules.vocabulary import Account

DATA_FILE = Path(__file__).parent / "data" / "hotlines.yaml"

_NUMBER = r"^(?:[0-9]{3,6}|[0-9]{3}-[0-9]{3}-[0-9]{4})$"
Line = Literal["general", "credit_card", "emergency"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hotline(_Strict):
    """One number to call, with whose it is and what it is for."""

    institution: str
    number: str = Field(pattern=_NUMBER)
    line: Line
    note: str

    @property
    def dial(self) -> str:
        """The digits to dial (400-889-5558 → 4008895558)."""
        return self.number.replace("-", "")


class _LineEntry(_Strict):
    number: str = Field(pattern=_NUMBER)
    line: Literal["general", "credit_card"]
    note: str = Field(min_length=1)


class Institution(_Strict):
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    hotlines: tuple[_LineEntry, ...] = ()

    @model_validator(mode="after")
    def _one_line_of_each_kind(self) -> Institution:
        lines = [h.line for h in self.hotlines]
        if len(lines) != len(set(lines)):
            raise ValueError(f"{self.name}: two hotlines for the same line")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class _Emergency(_Strict):
    id: Literal["police", "anti_fraud"]
    name: str = Field(min_length=1)
    number: str = Field(pattern=_NUMBER)
    note: str = Field(min_length=1)


class HotlineCatalog(_Strict):
    institutions: tuple[Institution, ...]
    emergency: tuple[_Emergency, ...]

    @model_validator(mode="after")
    def _names_unique(self) -> HotlineCatalog:
        seen: dict[str, str] = {}
        for inst in self.institutions:
            for name in inst.names:
                key = name.lower()
                if key in seen and seen[key] != inst.name:
                    raise ValueError(f"alias {name!r} claimed by {seen[key]} and {inst.name}")
                seen[key] = inst.name
        ids = [e.id for e in self.emergency]
        if sorted(ids) != ["anti_fraud", "police"]:
            raise ValueError("emergency must list police and anti_fraud exactly once each")
        return self


def load_catalog(path: Path = DATA_FILE) -> HotlineCatalog:
    """Read and validate a hotline file (raises pydantic.ValidationError on a bad one)."""
    with path.open(encoding="utf-8") as f:
        return HotlineCatalog.model_validate(yaml.safe_load(f))


@cache
def catalog() -> HotlineCatalog:
    """The bundled catalogue, read once."""
    return load_catalog()


@cache
def _by_name() -> dict[str, Institution]:
    return {name.lower(): inst for inst in catalog().institutions for name in inst.names}


def institution_named(name: str) -> Institution | None:
    """The institution whose canonical name or alias is exactly `name` (case-insensitive)."""
    return _by_name().get(name.strip().lower())


@cache
def _institution_options() -> tuple[Option, ...]:
    return tuple(Option(inst.name, inst.name, inst.aliases) for inst in catalog().institutions)


def find_institutions(text: str) -> list[str]:
    """Canonical names of the institutions named in `text`, in the order first named
    (招行 → 招商银行, 花呗 → 支付宝). A name inside a longer name of another institution does not
    count; a negated one (不是招行) does not either."""
    options = _institution_options()
    return [options[i].id for i in matches(text, options)]


def hotline_for(institution: str | None, account: Account | None = None) -> Hotline | None:
    """The number to call for `institution` (a canonical name, an alias, or text naming one),
    the credit-card line for a credit or supplementary card when there is one. None when the
    institution is unknown or we hold no number for it we are certain of."""
    if not institution:
        return None
    inst = institution_named(institution)
    if inst is None:
        found = find_institutions(institution)
        inst = institution_named(found[0]) if len(found) == 1 else None
    if inst is None or not inst.hotlines:
        return None
    credit = account in (Account.credit_card, Account.supplementary_card)
    wanted = "credit_card" if credit else "general"
    entry = next((h for h in inst.hotlines if h.line == wanted), None) or next(
        (h for h in inst.hotlines if h.line == "general"), inst.hotlines[0]
    )
    return Hotline(institution=inst.name, number=entry.number, line=entry.line, note=entry.note)


def _emergency(kind: Literal["police", "anti_fraud"]) -> Hotline:
    entry = next(e for e in catalog().emergency if e.id == kind)
    return Hotline(institution=entry.name, number=entry.number, line="emergency", note=entry.note)


def police_hotline() -> Hotline:
    """110."""
    return _emergency("police")


def anti_fraud_hotline() -> Hotline:
    """96110, the national anti-fraud line."""
    return _emergency("anti_fraud")
