"""Yes and no in ordinary Chinese answers, with the 没有/有 trap."""

from __future__ import annotations

import pytest

from dialogs.readers.yesno import read_bool


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
