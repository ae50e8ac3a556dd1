"""Every setting is documented in docs/configuration.md."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [
        f"LOSSLINE_{name.upper()}"
        for name in Settings.model_fields
        if f"`LOSSLINE_{name.upper()}`" not in text
    ]
    assert missing == [], f"add these to {DOC.name}: {missing}"


def test_every_setting_says_what_it_is_for() -> None:
    assert [n for n, f in Settings.model_fields.items() if not f.description] == []
