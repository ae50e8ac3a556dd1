"""Anti-scam signals: clear scam phrases fire, a victim's own safe actions do not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.readers._text import prepare
from dialogs.scam import _ANY, SCAM_SIGNAL_LABELS, SCAM_SIGNALS, scam_signals


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("对方让我把钱转到安全账户", "safe_account"),
        ("警察说要把钱转到安全帐户核查", "safe_account"),
        ("客服让我开屏幕共享", "screen_share"),
        ("他让我共享屏幕给他看", "screen_share"),
        ("让我下载腾讯会议开会议", "screen_share"),
        ("对方让我进zoom会议", "screen_share"),
        ("让我装了向日葵远程协助", "remote_control"),
        ("客服让我转账", "transfer_instructed"),
        ("客服说要转账才能解冻", "transfer_instructed"),
        ("有个自称京东客服的人让我把钱转给他", "transfer_instructed"),
        ("有人打电话问我要验证码", "code_requested"),
        ("对方要我报验证码", "code_requested"),
        ("我把验证码告诉了客服", "code_requested"),
        ("验证码发给他了", "code_requested"),
        ("说要注销校园贷账户不然影响征信", "cancel_loan"),
        ("客服说帮我注销京东金条", "cancel_loan"),
        ("刷单被骗了", "brushing"),
        ("做任务返佣金，先垫付了三千", "brushing"),
        ("自称公安局的说我涉嫌洗钱", "fake_authority"),
        ("警察说我被通缉了", "fake_authority"),
        ("冒充公检法让我配合调查", "fake_authority"),
        ("淘宝客服打电话说要给我退款", "refund_call"),
        ("有人打电话说快递丢了要给我理赔", "refund_call"),
        ("对方让我下载一个app", "app_download"),
        ("客服发来下载链接让我装", "app_download"),
    ],
)
def test_scam_phrases(text: str, signal: str) -> None:
    assert signal in scam_signals(text)


@pytest.mark.parametrize(
    "text",
    [
        "我想报警",
        "我已经报警了，警察让我去派出所做笔录",
        "验证码我没给别人",
        "我没有告诉任何人验证码",
        "客服没让我转账",
        "银行说不会让你转账",
        "我下载了银行app冻结了卡",
        "我想申请理赔",
        "我的卡被盗刷了",
        "昨晚九点四十支付宝被转走了五万两千",
        "手机丢了",
        "我打了95588挂失",
        "",
        "😀",
    ],
)
def test_no_false_alarm(text: str) -> None:
    assert scam_signals(text) == []


def test_ids_are_stable_and_ordered() -> None:
    ids = [s.id for s in SCAM_SIGNALS]
    assert ids == [
        "safe_account",
        "screen_share",
        "remote_control",
        "transfer_instructed",
        "code_requested",
        "cancel_loan",
        "brushing",
        "fake_authority",
        "refund_call",
        "app_download",
    ]
    assert set(SCAM_SIGNAL_LABELS) == set(ids)
    found = scam_signals("对方让我开屏幕共享，然后把钱转到安全账户")
    assert found == sorted(found, key=ids.index)
    assert len(found) == len(set(found))


# Pieces of the patterns and of ordinary answers, so that generated texts often hit a pattern.
PIECES = ["客服", "对方", "让我", "没让我", "转账", "安全账户", "验证码", "告诉", "屏幕共享", "下载",
          "会议", "注销", "刷单", "垫付", "退款", "来电", "不", "别", "5万", "昨晚", "，", " "]  # fmt: skip


@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
@settings(max_examples=500, deadline=None)
def test_the_one_search_before_the_patterns_finds_what_any_of_them_finds(text: str) -> None:
    """scam_signals tries the patterns one by one only when their union finds something."""
    prepared = prepare(text)
    assert (_ANY.search(prepared) is not None) == any(
        pattern.search(prepared) for signal in SCAM_SIGNALS for pattern in signal.patterns
    )
