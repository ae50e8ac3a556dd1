"""The bundled products as the dialog offers them, read from the rules' product data."""

from __future__ import annotations

from functools import cache

from dialogs.readers import Option
from rules import ProductSummary, list_products
from rules.vocabulary import Document

# Button labels: a wording's full title is too long for a chat button (Telegram cuts them),
# and two titles share "个人账户资金损失保险", so a victim naming 华安 would match both.
_SHORT: dict[str, str] = {
    "huaan-account-loss-d": "华安 个人账户资金损失保险（D款）",
    "family-account-loss": "家庭共享保额 账户资金损失保险",
    "citic-sms-guard": "中信信用卡短信宝",
    "jd-account-safety": "京东账户安全险",
}

# Words victims use for a product besides its label; matched by dialogs/readers/choices.py.
_SPOKEN: dict[str, tuple[str, ...]] = {
    "huaan-account-loss-d": ("华安", "D款", "d款"),
    "family-account-loss": ("家庭", "共享保额", "家庭版"),
    "citic-sms-guard": ("中信", "短信宝"),
    "jd-account-safety": ("京东", "账户安全险"),
}


@cache
def catalog() -> dict[str, ProductSummary]:
    return {p.id: p for p in list_products()}


def options() -> list[Option]:
    return [
        Option(
            id=p.id,
            label=_SHORT.get(p.id, p.title),
            synonyms=(p.title, p.insurer, p.id, *_SPOKEN.get(p.id, ())),
        )
        for p in catalog().values()
    ]


def info(product: str) -> ProductSummary:
    return catalog()[product]


def documents(product: str) -> list[Document]:
    """What to ask the victim about: required documents first, then recommended ones."""
    p = info(product)
    return list(dict.fromkeys([*p.required_documents, *p.recommended_documents]))
