"""Amounts as victims type them, alone or inside a sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dialogs.readers.money import read_amount, read_money


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("5200", "5200"),
        ("5,200.50", "5200.50"),
        ("¥1200", "1200"),
        ("￥1,200元", "1200"),
        ("五千二", "5200"),
        ("五万两千元", "52000"),
        ("五万二", "52000"),
        ("3.7万", "37000"),
        ("一千二百块", "1200"),
        ("两千五百块钱", "2500"),
        ("1.2w", "12000"),
        ("2.5W", "25000"),
        ("5k", "5000"),
        ("3404.34元", "3404.34"),
        ("三千四百零四块三毛四", "3404.34"),
        ("3404元3角4分", "3404.34"),
        ("五块五", "5.50"),
        ("五毛", "0.50"),
        ("3角5分", "0.35"),
        ("12,000", "12000"),
        ("12,000,000", "12000000"),
        ("100,000.5元", "100000.50"),
        ("三点五万", "35000"),
        ("人民币5200元", "5200"),
        ("RMB 800", "800"),
        ("十块", "10"),
        ("２００００", "20000"),  # full-width digits
        ("被转走了五万两千", "52000"),
        ("昨天晚上十点被转走了五万两千", "52000"),
        ("九点四十被转走了3000", "3000"),
        ("尾号1234的卡被刷了5200", "5200"),
        ("2023-10-08 21:40 被转走5200", "5200"),
        ("2023年10月8日被转走5200", "5200"),
        ("被刷了3笔共计12000元", "12000"),
        ("打了95588挂失，被转走了5200元", "5200"),
        ("5200元，就是5200", "5200"),
        ("第3笔5200", "5200"),
        ("5200块3天前被转走的", "5200"),
        ("支付宝余额3404.34全被转走了", "3404.34"),
        ("网商贷被贷了一万两千", "12000"),
    ],
)
def test_exact_amounts(text: str, amount: str) -> None:
    reading = read_money(text)
    assert reading is not None, text
    assert reading.value == Decimal(amount)
    assert not reading.approximate
    assert reading.value == reading.value.quantize(Decimal("0.01"))  # at most two places


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("三千多", "3000"),
        ("3千左右", "3000"),
        ("两千来块", "2000"),
        ("大概5000", "5000"),
        ("5200块钱左右", "5200"),
        ("大概三千块左右", "3000"),
        ("一万多", "10000"),
        ("十多万", "100000"),
        ("三十多万", "300000"),
        ("五万出头", "50000"),
    ],
)
def test_approximate_amounts(text: str, amount: str) -> None:
    reading = read_money(text)
    assert reading is not None
    assert reading.value == Decimal(amount)
    assert reading.approximate


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("5200和3000", ("5200", "3000")),
        ("转了一笔5200一笔3000", ("5200", "3000")),
        ("被盗5200元，6000元", ("5200", "6000")),
    ],
)
def test_several_amounts_are_ambiguous(text: str, candidates: tuple[str, ...]) -> None:
    assert read_money(text) is None
    reading = read_amount(text)
    assert reading.ambiguous
    assert reading.value is None
    assert reading.candidates == tuple(Decimal(c) for c in candidates)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("-5200", "negative"),
        ("负5200元", "negative"),
        ("¥-300", "negative"),
        ("0", "zero"),
        ("零元", "zero"),
        ("20亿", "too_large"),
        ("5000000000", "too_large"),
        ("3.14159元", "too_precise"),
        ("500美元", "foreign_currency"),
        ("$300", "foreign_currency"),
    ],
)
def test_refused(text: str, problem: str) -> None:
    assert read_money(text) is None
    assert read_amount(text).problem == problem


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "不知道",
        "一共被刷了两笔",
        "10分钟前",
        "打了95588",
        "尾号1234的卡",
        "千万别转账",
        "万一还在转怎么办",
        "昨天晚上十点",
        "2023-10-08 21:40",
        "一下子就没了",
        "三点五",  # a time, not ¥3.5
        "九点四十",
        "😭😭😭",
    ],
)
def test_no_amount(text: str) -> None:
    assert read_money(text) is None


def test_same_amount_twice_is_one() -> None:
    reading = read_amount("5200，对，是5200元")
    assert reading.value == Decimal("5200")
    assert not reading.ambiguous


def test_strong_amount_wins_over_bare_number() -> None:
    # 3 is a bare number (a count here), 5200元 carries a money mark.
    assert read_money("3个小时前被刷了5200元") == read_money("5200元")
