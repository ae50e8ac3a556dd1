"""Redaction on arrival: secrets masked, everything else untouched, idempotent."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dialogs.redaction import id_number_ok, luhn_ok, redact

CARD = "6222021234567894"  # Luhn-valid
VISA = "4111111111111111"


def luhn_complete(body: str) -> str:
    """`body` with the check digit that makes it Luhn-valid."""
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


def test_luhn_and_id_checks() -> None:
    assert luhn_ok(CARD) and luhn_ok(VISA)
    assert not luhn_ok("6222021234567895")
    assert id_number_ok("11010519491231002X")
    assert not id_number_ok("110105194912310021")
    assert not id_number_ok("110105194913310029")  # no 13th month


@pytest.mark.parametrize(
    ("text", "expected", "kinds"),
    [
        ("我的卡号是6222021234567894", "我的卡号是**** **** **** 7894", {"card_number"}),
        ("卡号 6222 0212 3456 7894", "卡号 **** **** **** 7894", {"card_number"}),
        ("6222-0212-3456-7894", "**** **** **** 7894", {"card_number"}),
        ("4111111111111111被刷了", "**** **** **** 1111被刷了", {"card_number"}),
        ("622202 1234567894", "**** **** **** 7894", {"card_number"}),
        # after 卡号 even a mistyped number (no Luhn) is masked
        ("卡号6222021234567895", "卡号**** **** **** 7895", {"card_number"}),
        ("身份证号11010519491231002X", "身份证号110105********002X", {"id_number"}),
        ("11010519491231002X", "110105********002X", {"id_number"}),
        ("身份证 110105194912310021", "身份证 110105********0021", {"id_number"}),
        ("CVV是123", "CVV是***", {"cvv"}),
        ("cvn2: 456", "cvn2: ***", {"cvv"}),
        ("背面三位 456", "背面三位 ***", {"cvv"}),
        ("安全码789", "安全码***", {"cvv"}),
        ("验证码是884512", "验证码是******", {"otp"}),
        ("短信验证码：6688", "短信验证码：******", {"otp"}),
        ("动态码 12345678", "动态码 ******", {"otp"}),
        ("code 884512", "code ******", {"otp"}),
        ("123456是验证码", "******是验证码", {"otp"}),
        ("他让我念了884512这个验证码", "他让我念了******这个验证码", {"otp"}),
        ("动态密码 482913", "动态密码 ******", {"otp"}),
        ("密码123456", "密码******", {"password"}),
        ("支付密码：Abc@1234", "支付密码：******", {"password"}),
        ("登录密码是 qwerty12", "登录密码是 ******", {"password"}),
        ("取款密码=8888", "取款密码=******", {"password"}),
        ("PIN 9090", "PIN ******", {"password"}),
        ("有效期12/25", "有效期**/**", {"expiry"}),
        (
            "卡号6222021234567894，有效期12/25，背面123",
            "卡号**** **** **** 7894，有效期**/**，背面***",
            {"card_number", "expiry", "cvv"},
        ),
        (
            "卡号6222021234567894 密码123456 验证码884512",
            "卡号**** **** **** 7894 密码****** 验证码******",
            {"card_number", "password", "otp"},
        ),
        ("６２２２０２１２３４５６７８９４", "**** **** **** 7894", {"card_number"}),  # full width
        ("6222\u200b0212\u200b3456\u200b7894", "**** **** **** 7894", {"card_number"}),
    ],
)
def test_masks(text: str, expected: str, kinds: set[str]) -> None:
    out = redact(text)
    assert out.text == expected
    assert out.kinds == kinds
    assert out.changed


@pytest.mark.parametrize(
    "text",
    [
        "被转走了5200元",
        "一共12,000.50元",
        "2023-10-08 21:40被转走3404.34",
        "2023年10月8日21:40",
        "打95588挂失",
        "中信信用卡400-889-5558",
        "拨打 400 889 5558",
        "手机号13800138000",
        "卡号尾号1234",
        "尾号7894的卡",
        "报110，再打96110",
        "验证码我没给别人，转走了5200",
        "密码是我生日",
        "密码告诉了他",  # the story matters to the claim; the words are not the secret
        "登录密码忘了",
        "密码 6 位",
        "改了密码 2023-10-08",
        "订单号20231008214000",
        "流水号 123456789012345678901234",
        "我想报警",
        "",
        "**** **** **** 7894",
    ],
)
def test_leaves_the_rest(text: str) -> None:
    out = redact(text)
    assert out.text == text
    assert not out.kinds


def test_keeps_two_cards_apart() -> None:
    out = redact(f"{CARD}和{VISA}")
    assert out.text == "**** **** **** 7894和**** **** **** 1111"


@pytest.mark.parametrize(
    "text",
    [
        "卡号6222021234567894 密码Abc123 验证码884512 CVV 123",
        "身份证11010519491231002X",
        "密码是 **** 然后 1234",
        "6222021234567894 验证码",
        "验证码 6222 0212 3456 7894",
    ],
)
def test_idempotent_examples(text: str) -> None:
    once = redact(text)
    assert redact(once.text).text == once.text


# Text around an embedded secret must not glue digits onto it (then it is another number).
def _not_digit_edge(s: str) -> bool:
    return not s or not re.match(r"[0-9０-９Xx]", s[0])


SURROUNDING = st.text(max_size=60)


@settings(max_examples=300, deadline=None)
@given(
    body=st.from_regex(r"[3-6][0-9]{14}", fullmatch=True),
    before=SURROUNDING,
    after=SURROUNDING,
    style=st.sampled_from(["plain", "spaces", "dashes", "two_spaces", "spaced_dashes", "dots", "wrapped"]),
)
def test_a_card_number_never_survives(body: str, before: str, after: str, style: str) -> None:
    card = luhn_complete(body)
    assume(_not_digit_edge(before[::-1]) and _not_digit_edge(after))
    written = {
        "plain": card,
        "spaces": " ".join(card[i : i + 4] for i in range(0, 16, 4)),
        "dashes": "-".join(card[i : i + 4] for i in range(0, 16, 4)),
        "two_spaces": "  ".join(card[i : i + 4] for i in range(0, 16, 4)),
        "spaced_dashes": " - ".join(card[i : i + 4] for i in range(0, 16, 4)),
        "dots": ".".join(card[i : i + 4] for i in range(0, 16, 4)),
        "wrapped": f"{card[:4]} {card[4:8]}\n{card[8:12]} {card[12:]}",
    }[style]
    out = redact(before + written + after)
    assert card not in out.text
    assert written not in out.text
    assert card[:12] not in re.sub(r"[\s\-.]", "", out.text)
    assert "card_number" in out.kinds or "id_number" in out.kinds


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.one_of(
            st.sampled_from(list("0123456789 -Xx卡号密码验证码CVV安全码身份证有效期/:是")),
            st.characters(),
        ),
        max_size=200,
    )
)
def test_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once.text).text == once.text


@settings(max_examples=200, deadline=None)
@given(code=st.from_regex(r"[0-9]{4,8}", fullmatch=True), before=SURROUNDING)
def test_a_code_never_survives(code: str, before: str) -> None:
    assume(_not_digit_edge(before[::-1]))
    out = redact(f"{before}验证码是{code}，")
    assert f"验证码是{code}" not in out.text
    assert "otp" in out.kinds
