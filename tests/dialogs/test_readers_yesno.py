"""Yes and no in ordinary Chinese answers, with the 没有/有 trap."""

from __future__ import annotations

import pytest

from dialogs.readers.yesno import (
    UNSURE,
    read_answer,
    read_bool,
    read_frozen,
    read_reported,
    read_still_going_on,
)


@pytest.mark.parametrize(
    "text",
    [
        "是", "是的", "是啊", "对", "对的", "有", "有的", "好的", "好", "嗯", "嗯嗯", "已经",
        "冻结了", "挂失了", "报了", "已经冻结了", "我已经报警了", "报案了", "没错", "没问题",
        "可以", "确定", "打过了", "冻结好了", "好的，已经冻结了", "Yes", "ok", "OK的", "👍", "✅",
        "已挂失", "对，刚冻结", "是的是的", "有，已经报了",
    ],
)  # fmt: skip
def test_yes(text: str) -> None:
    assert read_bool(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "没有", "没", "不是", "不", "还没", "还没有", "否", "未", "没报", "还没冻结", "没有冻结",
        "没有报警", "未挂失", "不对", "不用了", "嗯，还没", "好，还没冻", "还是没有", "是没有",
        "并没有", "no", "NO", "nope", "❌", "👎", "一个都没有", "暂时没有", "还没来得及",
    ],
)  # fmt: skip
def test_no(text: str) -> None:
    assert read_bool(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "不知道", "不清楚", "不是很清楚", "不确定", "忘了", "记不清了", "有没有", "是不是啊",
        "已经冻结了，但是支付宝还没", "有的有，有的没有", "", "   ", "随便", "😀", "？？",
        "我想转人工", "12345",
    ],
)  # fmt: skip
def test_unknown(text: str) -> None:
    assert read_bool(text) is None


def test_substring_trap() -> None:
    # 没有 holds 有, 不对 holds 对, 不是 holds 是: the longer word always wins.
    assert read_bool("没有") is False
    assert read_bool("不对") is False
    assert read_bool("不是") is False
    assert read_bool("有") is True


@pytest.mark.parametrize(
    "text",
    [
        "不知道", "我也不清楚", "不确定", "忘了", "不知道啊怎么办",
        "don't know", "I don’t know", "Not sure", "no idea",
    ],
)
def test_don_t_know_is_told_apart_from_not_understood(text: str) -> None:
    assert read_answer(text) == UNSURE
    assert read_bool(text) is None


@pytest.mark.parametrize("text", ["", "啊？", "😭", "12345"])
def test_what_says_nothing_is_not_understood(text: str) -> None:
    assert read_answer(text) is None


@pytest.mark.parametrize(
    ("text", "going_on"),
    [
        ("还在扣钱！！", True), ("刚才又扣了一笔", True), ("好像还在扣", True), ("一直在转", True),
        ("还没停", True), ("停不下来", True), ("是", True), ("嗯", True),
        ("停了", False), ("已经停了", False), ("没再扣了", False), ("应该没有了", False),
        ("已经冻结了，不会再扣了", False), ("没有", False), ("现在没有了", False),
        ("不知道", UNSURE), ("不清楚还在不在扣", UNSURE), ("啊？", None),
    ],
)  # fmt: skip
def test_is_it_still_going_on_is_answered_with_what_is_going_on(text: str, going_on: object) -> None:
    assert read_still_going_on(text) == going_on


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        ("报警了，但是没给回执", True), ("已经报了，明天去拿回执", True), ("打了110", True),
        ("警察来过了", True), ("报了", True), ("是的", True), ("昨天下午三点报的警", True),
        ("刚报完警", True), ("今天早上报的案", True),
        ("准备去报案", False), ("正在去派出所", False), ("明天去", False), ("还没报，明天去", False),
        ("没报", False), ("不知道", UNSURE), ("啊？", None),
    ],
)  # fmt: skip
def test_have_you_reported_is_answered_with_what_was_done(text: str, reported: object) -> None:
    assert read_reported(text) == reported


@pytest.mark.parametrize(
    ("text", "frozen"),
    [
        ("支付宝冻结了，银行卡还没", False), ("冻结了一张，另一张还没", False), ("正在打电话", False),
        ("打不通", False), ("还没", False), ("银行说已经冻结了", True), ("冻结了", True),
        ("昨晚九点半冻结的", True), ("21:40挂失的", True), ("还没冻结的", False),
        ("冻结的话钱能回来吗", None), ("不知道", UNSURE),
    ],
)  # fmt: skip
def test_is_it_frozen_reads_a_freeze_under_way_or_partial_as_not_yet(text: str, frozen: object) -> None:
    assert read_frozen(text) == frozen
