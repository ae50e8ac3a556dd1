"""Chinese numerals: the plain, elliptic, financial and digit-by-digit forms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dialogs.readers.numbers import arabicize, parse_int, parse_number, read_number


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("五万两千", 52000),
        ("三千四百零四", 3404),
        ("五千二", 5200),
        ("五万二", 52000),
        ("一百二", 120),
        ("一百零二", 102),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("九十九", 99),
        ("两千五百", 2500),
        ("十五万三", 153000),
        ("二十五万", 250000),
        ("一千二百万", 12_000_000),
        ("一亿五千万", 150_000_000),
        ("五万零二百", 50200),
        ("一千零五十", 1050),
        ("二〇二三", 2023),
        ("两", 2),
        ("壹万贰仟", 12000),
        ("叁仟肆佰零肆", 3404),
        ("3万2", 32000),
        ("5千2", 5200),
        ("1万2千", 12000),
        ("2千5", 2500),
    ],
)
def test_parse_number(numeral: str, value: int) -> None:
    assert parse_number(numeral) == value


def test_decimal_with_unit() -> None:
    assert parse_number("3.7万") == Decimal("37000")
    assert parse_number("1.5亿") == Decimal("150000000")


@pytest.mark.parametrize(
    "word", ["万", "千万", "万一", "百", "百千", "二二十", "千百", "", "abc", "万万"]
)
def test_not_numerals(word: str) -> None:
    assert parse_number(word) is None


def test_parse_int_refuses_fractions() -> None:
    assert parse_int("十五") == 15
    assert parse_int("1.5") is None


def test_arabicize_for_times() -> None:
    assert arabicize("十月八号晚上九点四十五分") == "10月8号晚上9点45分"
    assert arabicize("二〇二三年") == "2023年"
    assert arabicize("九点零五") == "9点05"
    # 两三个 is "two or three": left alone, never 23.
    assert arabicize("两三个小时前") == "两三个小时前"
    assert arabicize("万一") == "万一"


@pytest.mark.parametrize(
    ("text", "value"),
    [("72小时", 72), ("三天", 3), ("1,000", 1000), ("五万", 50000), ("48", 48), ("第2个", 2)],
)
def test_read_number(text: str, value: int) -> None:
    assert read_number(text) == value


@pytest.mark.parametrize("text", ["3和4", "万一", "abc", "", "千万别"])
def test_read_number_none(text: str) -> None:
    assert read_number(text) is None
