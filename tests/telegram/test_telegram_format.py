"""Telegram's limits on what the bot sends: 4096 UTF-16 units, HTML entities, 64-byte
callback data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.format import (
    MAX_CALLBACK_DATA,
    callback_data,
    choice_of,
    escape,
    keyboard,
    split_text,
    utf16_len,
)
from dialogs.messages import Button
from tests.telegram.botapi import ApiFailure, _parse_html


def test_a_short_text_is_one_chunk_and_an_empty_one_none() -> None:
    assert split_text("你好") == ["你好"]
    assert split_text("  \n ") == []


def test_long_text_is_cut_at_line_ends() -> None:
    lines = [f"第{n:03d}行" + "字" * 40 for n in range(300)]  # 46 units a line
    chunks = split_text("\n".join(lines))
    assert len(chunks) == 4
    assert all(utf16_len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks) == "\n".join(lines)
    assert all(c.split("\n")[0].startswith("第") for c in chunks)  # no line was cut


def test_a_line_longer_than_the_limit_is_cut_inside_it() -> None:
    text = "长" * 5000 + "\n短"
    chunks = split_text(text)
    assert chunks == ["长" * 4096, "长" * 904 + "\n短"]  # the rest of the line, then the next


def test_emoji_count_twice_and_are_never_cut_in_half() -> None:
    text = "🙂" * 3000  # 6000 UTF-16 units
    chunks = split_text(text)
    assert [utf16_len(c) for c in chunks] == [4096, 1904]
    assert "".join(chunks) == text


@given(st.text(alphabet=st.sampled_from(["a", "长", "🙂", "\n", " ", "<", "&"]), max_size=9000))
def test_splitting_keeps_every_character_within_the_limit(text: str) -> None:
    chunks = split_text(text, limit=500)
    assert all(c.strip() and utf16_len(c) <= 500 for c in chunks)

    def visible(value: str) -> str:
        return "".join(value.split())

    assert visible("".join(chunks)) == visible(text)  # only blank lines at the cuts go


@pytest.mark.parametrize(
    "text",
    ["金额 < 5000 & > 100", "<b>不是标签</b>", "&lt; 已经转义过的也要原样显示", "a&b<c>d"],
)
def test_escaped_text_shows_exactly_as_written(text: str) -> None:
    assert _parse_html(escape(text)) == text
    with pytest.raises(ApiFailure):
        _parse_html(text.replace("&lt;", "&bogus;") + " <x")  # unescaped, Telegram refuses


def test_callback_data_is_the_id_when_it_fits_and_a_hash_when_it_does_not() -> None:
    assert callback_data("huaan-account-loss-d") == "huaan-account-loss-d"
    fits = "x" * MAX_CALLBACK_DATA
    assert callback_data(fits) == fits
    long_id = "tx_amount:" + "很长的按钮" * 10  # 160 bytes
    data = callback_data(long_id)
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    shown = [Button(id="other", label="别的"), Button(id=long_id, label="长")]
    assert choice_of(data, shown) == long_id
    assert choice_of(data, [Button(id="other", label="别的")]) is None  # not shown: stale
    assert choice_of("yes", []) == "yes"
    assert callback_data("#looks-hashed") != "#looks-hashed"  # no id passes for a hash


def test_keyboards_put_short_labels_together_and_long_ones_alone() -> None:
    buttons = [Button(id="yes", label="是"), Button(id="no", label="否"), Button(id="x", label="不知道")]
    assert keyboard(buttons) == [[("是", "yes"), ("否", "no"), ("不知道", "x")]]
    long = [Button(id=str(n), label="很长的一个选项标签文字" * 2) for n in range(2)]
    assert keyboard(long) == [[(b.label, b.id)] for b in long]
    assert keyboard([]) is None
