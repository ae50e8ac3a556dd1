"""Cause, account, kind and institution from the victim's story."""

from __future__ import annotations

import pytest

from dialogs.classify import (
    RULES,
    cause_candidates,
    classify_account,
    classify_cause,
    classify_kind,
    find_institution,
)
from dialogs.hotlines import find_institutions
from rules.vocabulary import Account, Cause, Kind

C = Cause


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("我被绑架了，他们逼我说出支付宝密码", C.coerced_on_site),
        ("晚上回家路上被抢劫，对方拿刀逼我转账", C.coerced_on_site),
        ("被人控制了12天，非法拘禁", C.coerced_on_site),
        ("他们逼我说密码", C.coerced_on_site),
        ("被绑架时被逼点了链接", C.coerced_on_site),  # 第五条(十一)'s exception
        ("有人在电话里威胁我，说不转钱就曝光我", C.coerced_remote),
        ("网上威胁我要发裸照", C.coerced_remote),
        ("微信上被敲诈勒索", C.coerced_remote),
        ("我点了短信里的链接，输入了卡号和密码", C.phishing_link),
        ("进了一个假网站登录了网银", C.phishing_link),
        ("钓鱼网站", C.phishing_link),
        ("客服让我转账到安全账户", C.scam_transfer),
        ("刷单被骗了三千", C.scam_transfer),
        ("投资被骗了", C.scam_transfer),
        ("他们骗我转账", C.scam_transfer),
        ("自称法院的人说我涉嫌洗钱让我转账", C.scam_transfer),
        ("被骗了", C.scam_transfer),
        ("我儿子偷偷用我手机充值游戏", C.family_member),
        ("老公拿了我的卡去刷了", C.family_member),
        ("我妈用了我的支付宝", C.family_member),
        ("家里的保姆偷偷用了我的卡", C.domestic_worker),
        ("合租的室友拿我手机转走了钱", C.co_resident),
        ("手机丢了，支付宝被转走了5000", C.card_stolen_or_lost),
        ("钱包被偷了，里面有信用卡", C.card_stolen_or_lost),
        ("卡丢了", C.card_stolen_or_lost),
        ("昨天在地铁上被偷了", C.card_stolen_or_lost),
        ("卡一直在我身上，却在外地被刷了", C.card_skimmed),
        ("银行说是伪卡交易", C.card_skimmed),
        ("卡被复制了", C.card_skimmed),
        ("支付宝被盗号了", C.account_hacked),
        ("账号在异地登录，不是我操作的", C.account_hacked),
        ("不是本人操作", C.account_hacked),
        ("手机中了木马", C.malware),
        ("手机被远程控制了", C.malware),
        ("有人在ATM把我卡里的钱取走了", C.atm_or_counter_theft),
        ("我把验证码告诉了客服", C.voluntary_disclosure),
        ("给了别人密码", C.voluntary_disclosure),
        ("有人打电话说是银行的，让我说了验证码", C.voluntary_disclosure),
        ("我念了验证码给他", C.voluntary_disclosure),
        ("把卡借给朋友用了", C.account_lent),
        ("被法院冻结扣划了", C.administrative_or_judicial),
        ("新卡邮寄途中丢了被人激活", C.card_in_transit),
        ("转错账了", C.system_error),
        ("我没点链接，也没告诉别人验证码，卡在身上", C.card_skimmed),
        ("不是我儿子用的，卡没丢", C.card_skimmed),
    ],
)
def test_causes(text: str, cause: Cause) -> None:
    assert classify_cause(text) == cause


@pytest.mark.parametrize(
    "text",
    [
        "我的卡被盗刷了",
        "被盗刷了，我儿子帮我冻结了卡",
        "验证码我没给别人",
        "银行说验证码不要告诉别人",  # a warning read, not a code told
        "他说了验证码不能给别人",
        "我没点链接",
        "钱被人偷偷转走了",
        "",
        "不知道怎么回事",
        "😀",
    ],
)
def test_no_cause(text: str) -> None:
    assert classify_cause(text) is None


def test_priority_order() -> None:
    order = [r.cause for r in RULES]
    # Physical coercion comes first; the covering causes are the fallbacks at the end.
    assert order[0] == C.coerced_on_site
    assert order.index(C.phishing_link) < order.index(C.account_hacked)
    assert order.index(C.family_member) < order.index(C.card_stolen_or_lost)
    assert order[-1] == C.account_hacked
    assert cause_candidates("被绑架时被逼点了链接") == [C.coerced_on_site, C.phishing_link]
    assert classify_cause("手机丢了，后来发现是儿子拿去用了") == C.family_member


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("我的支付宝被盗了", Account.third_party_payment),
        ("招行信用卡被刷了", Account.credit_card),
        ("微信零钱被转走", Account.third_party_payment),
        ("网银被盗", Account.online_banking),
        ("京东白条被刷了", Account.third_party_payment),
        ("储蓄卡里的钱被取走了", Account.debit_card),
        ("信用卡副卡被盗刷", Account.supplementary_card),
    ],
)
def test_accounts(text: str, account: Account) -> None:
    assert classify_account(text) == account


def test_account_unknown_or_several() -> None:
    assert classify_account("支付宝绑定的储蓄卡") is None
    assert classify_account("钱没了") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("被转走了5200", Kind.transfer),
        ("用花呗买了个手机", Kind.credit_purchase),
        ("网商贷被贷了一万二", Kind.loan),
        ("在ATM取现", Kind.cash_withdrawal),
        ("被刷了一笔消费", Kind.payment),
        ("买了京东E卡", Kind.gift_card),
        ("扣了手续费", Kind.fee),
    ],
)
def test_kinds(text: str, kind: Kind) -> None:
    assert classify_kind(text) == kind


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("招行信用卡被刷了", "招商银行"),
        ("招商银行", "招商银行"),
        ("支付宝被盗", "支付宝"),
        ("余额宝里的钱没了", "支付宝"),
        ("花呗被刷", "支付宝"),
        ("微信零钱被转走", "微信支付"),
        ("财付通", "微信支付"),
        ("京东白条", "京东"),
        ("金条被借了", "京东"),
        ("中信信用卡", "中信银行"),
        ("工行的卡", "工商银行"),
        ("中国工商银行", "工商银行"),
        ("建行", "建设银行"),
        ("农行", "农业银行"),
        ("中行", "中国银行"),
        ("交行", "交通银行"),
        ("邮储", "邮储银行"),
        ("浦发", "浦发银行"),
        ("民生信用卡", "民生银行"),
        ("光大银行", "光大银行"),
        ("兴业银行", "兴业银行"),
        ("平安银行", "平安银行"),
        ("广发卡", "广发银行"),
        ("华夏银行", "华夏银行"),
        ("网商贷", "网商银行"),
        ("不是招行是建行", "建设银行"),
    ],
)
def test_institutions(text: str, name: str) -> None:
    assert find_institution(text) == name


def test_institution_none_or_several() -> None:
    assert find_institution("平安保险") is None  # 平安 alone is not a bank
    assert find_institution("我的卡") is None
    assert find_institution("支付宝绑的招行卡") is None
    assert find_institutions("支付宝绑的招行卡") == ["支付宝", "招商银行"]
