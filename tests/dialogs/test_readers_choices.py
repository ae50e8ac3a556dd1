"""Picking an option by id, label, synonym or position; the synonym tables as data."""

from __future__ import annotations

import pytest

from dialogs.readers.choices import Option, read_choice
from dialogs.readers.synonyms import (
    ACCOUNT_SYNONYMS,
    DOCUMENT_SYNONYMS,
    KIND_OUTRANKS,
    KIND_SYNONYMS,
    account_options,
    document_options,
    kind_options,
)
from rules.vocabulary import ACCOUNT_LABELS, KIND_LABELS, Account, Document, Kind

ACCOUNTS = account_options()
KINDS = kind_options()


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("支付宝", Account.third_party_payment),
        ("余额宝", Account.third_party_payment),
        ("花呗", Account.third_party_payment),
        ("微信", Account.third_party_payment),
        ("财付通", Account.third_party_payment),
        ("微信零钱被转走了", Account.third_party_payment),
        ("储蓄卡", Account.debit_card),
        ("借记卡", Account.debit_card),
        ("是储蓄卡", Account.debit_card),
        ("信用卡", Account.credit_card),
        ("副卡", Account.supplementary_card),
        ("附属卡", Account.supplementary_card),
        ("信用卡附属卡", Account.supplementary_card),  # 信用卡 inside the longer word
        ("网银", Account.online_banking),
        ("手机银行", Account.online_banking),
        ("存折", Account.passbook),
        ("其他", Account.other),
        ("debit_card", Account.debit_card),
        ("借记卡（储蓄卡）", Account.debit_card),  # the label itself
        ("不是信用卡，是储蓄卡", Account.debit_card),  # negated word does not count
        ("1", Account.passbook),
        ("第一个", Account.passbook),
        ("第3个", Account.credit_card),
        ("选2", Account.debit_card),
        ("  信用卡 ", Account.credit_card),
    ],
)
def test_accounts(text: str, account: Account) -> None:
    assert read_choice(text, ACCOUNTS) == account.value


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("转账", Kind.transfer),
        ("转走", Kind.transfer),
        ("被转走了5200", Kind.transfer),
        ("支付宝转账", Kind.transfer),  # 支付 inside 支付宝 is no payment
        ("消费", Kind.payment),
        ("支付", Kind.payment),
        ("买了", Kind.payment),
        ("用支付宝买了东西", Kind.payment),
        ("取现", Kind.cash_withdrawal),
        ("取钱", Kind.cash_withdrawal),
        ("花呗", Kind.credit_purchase),
        ("白条", Kind.credit_purchase),
        ("用花呗买了个手机", Kind.credit_purchase),  # outranks payment
        ("网商贷", Kind.loan),
        ("借呗", Kind.loan),
        ("金条", Kind.loan),
        ("贷款", Kind.loan),
        ("E卡", Kind.gift_card),
        ("礼品卡", Kind.gift_card),
        ("买了京东E卡", Kind.gift_card),
        ("代扣", Kind.auto_debit),
        ("手续费", Kind.fee),
        ("利息", Kind.interest),
    ],
)
def test_kinds(text: str, kind: Kind) -> None:
    assert read_choice(text, KINDS) == kind.value


@pytest.mark.parametrize(
    "text",
    ["支付宝绑的储蓄卡", "我的招行卡", "99", "第20个", "", "不知道", "😀", "刷单"],
)
def test_no_choice(text: str) -> None:
    options = KINDS if text == "刷单" else ACCOUNTS
    assert read_choice(text, options) is None


def test_empty_options() -> None:
    assert read_choice("1", []) is None


def test_plain_options_from_the_dialog() -> None:
    options = [
        Option("huaan", "华安个人账户资金损失保险(D款)", ("华安", "D款")),
        Option("citic", "中信银行短信宝", ("短信宝",)),
        Option("unknown", "不知道"),
    ]
    assert read_choice("华安的", options) == "huaan"
    assert read_choice("短信宝", options) == "citic"
    assert read_choice("不知道", options) == "unknown"
    assert read_choice("2", options) == "citic"
    assert read_choice("CITIC", options) == "citic"  # ids are case-insensitive


def test_tables_are_keyed_by_the_enums() -> None:
    assert set(ACCOUNT_SYNONYMS) == set(Account)
    assert set(KIND_SYNONYMS) <= set(Kind)
    assert set(DOCUMENT_SYNONYMS) == set(Document)
    assert set(KIND_OUTRANKS) <= set(Kind)
    assert [o.id for o in ACCOUNTS] == [a.value for a in Account]
    assert [o.label for o in ACCOUNTS] == [ACCOUNT_LABELS[a] for a in Account]
    assert [o.label for o in KINDS] == [KIND_LABELS[k] for k in Kind]
    assert len(document_options()) == len(Document)


def test_no_synonym_names_two_accounts() -> None:
    seen: dict[str, Account] = {}
    for account, words in ACCOUNT_SYNONYMS.items():
        for word in words:
            assert seen.setdefault(word, account) == account, word
