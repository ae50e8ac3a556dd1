"""The bundled hotline data: strictly validated, and the right line for each account."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from dialogs.hotlines import (
    DATA_FILE,
    anti_fraud_hotline,
    hotline_for,
    institution_named,
    load_catalog,
    police_hotline,
)
from rules.vocabulary import Account


@pytest.mark.parametrize(
    ("institution", "account", "number"),
    [
        ("中信银行", Account.debit_card, "95558"),
        ("中信银行", Account.credit_card, "400-889-5558"),
        ("中信银行", Account.supplementary_card, "400-889-5558"),
        ("中信", None, "95558"),
        ("招商银行", Account.credit_card, "95555"),  # no separate line listed: the general one
        ("招行", None, "95555"),
        ("工商银行", None, "95588"),
        ("建设银行", None, "95533"),
        ("农业银行", None, "95599"),
        ("中国银行", None, "95566"),
        ("交通银行", None, "95559"),
        ("邮储银行", None, "95580"),
        ("浦发银行", None, "95528"),
        ("民生银行", None, "95568"),
        ("光大银行", None, "95595"),
        ("兴业银行", None, "95561"),
        ("平安银行", None, "95511"),
        ("广发银行", None, "95508"),
        ("华夏银行", None, "95577"),
        ("支付宝", Account.third_party_payment, "95188"),
        ("花呗", None, "95188"),
        ("微信支付", None, "95017"),
        ("微信", None, "95017"),
        ("京东", None, "950618"),
        ("我的招行信用卡", Account.credit_card, "95555"),  # text naming one institution
    ],
)
def test_hotline_for(institution: str, account: Account | None, number: str) -> None:
    line = hotline_for(institution, account)
    assert line is not None
    assert line.number == number
    assert line.dial == number.replace("-", "")
    assert institution_named(line.institution) is not None  # a canonical name


@pytest.mark.parametrize("institution", [None, "", "某某银行", "网商银行", "支付宝和招行"])
def test_unknown_means_card_back(institution: str | None) -> None:
    assert hotline_for(institution, Account.debit_card) is None


def test_emergency_numbers() -> None:
    assert police_hotline().number == "110"
    assert anti_fraud_hotline().number == "96110"
    assert police_hotline().line == "emergency"


def test_credit_card_line_is_labelled() -> None:
    line = hotline_for("中信银行", Account.credit_card)
    assert line is not None and line.line == "credit_card" and "信用卡" in line.note


def test_bundled_file_is_valid_and_complete() -> None:
    data = load_catalog(DATA_FILE)
    names = {i.name for i in data.institutions}
    for required in ("中信银行", "招商银行", "工商银行", "支付宝", "微信支付", "京东"):
        assert required in names
    for inst in data.institutions:
        for line in inst.hotlines:
            assert line.note


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hotlines.yaml"
    path.write_text(text, encoding="utf-8")
    return path


EMERGENCY = """
emergency:
  - {id: police, name: 报警, number: "110", note: x}
  - {id: anti_fraud, name: 反诈, number: "96110", note: x}
"""


@pytest.mark.parametrize(
    "body",
    [
        # an unknown key
        'institutions:\n  - {name: 甲银行, aliases: [], hotlines: [], phone: "1"}\n',
        # a malformed number
        "institutions:\n  - name: 甲银行\n    hotlines:\n"
        '      - {number: "95-5", line: general, note: x}\n',
        # an unknown line
        "institutions:\n  - name: 甲银行\n    hotlines:\n"
        '      - {number: "95555", line: vip, note: x}\n',
        # one alias, two institutions
        "institutions:\n  - {name: 甲银行, aliases: [甲]}\n  - {name: 乙银行, aliases: [甲]}\n",
        # two general lines
        "institutions:\n  - name: 甲银行\n    hotlines:\n"
        '      - {number: "95555", line: general, note: x}\n'
        '      - {number: "95556", line: general, note: x}\n',
    ],
)
def test_strict_validation(tmp_path: Path, body: str) -> None:
    with pytest.raises(ValidationError):
        load_catalog(_write(tmp_path, body + EMERGENCY))


def test_emergency_must_be_complete(tmp_path: Path) -> None:
    body = 'institutions: []\nemergency:\n  - {id: police, name: 报警, number: "110", note: x}\n'
    with pytest.raises(ValidationError):
        load_catalog(_write(tmp_path, body))
