"""Text catalogs, one per locale; zh-CN is complete and the fallback for every other."""

from __future__ import annotations

from typing import Any

from dialogs.texts import en, zh_CN

CATALOGS: dict[str, dict[str, str]] = {"zh-CN": zh_CN.TEXTS, "en": en.TEXTS}


def normalise_locale(locale: str | None) -> str:
    if not locale:
        return "zh-CN"
    if locale.lower().startswith("en"):
        return "en"
    return "zh-CN"


def t(locale: str, key: str, **values: Any) -> str:
    template = CATALOGS.get(locale, zh_CN.TEXTS).get(key) or zh_CN.TEXTS[key]
    return template.format(**values) if values else template
