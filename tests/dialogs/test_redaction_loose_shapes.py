"""Secrets typed loosely, which redaction used to let through: card groups joined by two spaces,
' - ', dots, dashes or a line break; a code after a comma or a dash ('验证码，527194'); a bare
CVV and expiry after a card number ('6222…0128 739 09/27'); a password after '是：' or '都是'.
And the look-alikes that must stay readable: amounts, dates, times, hotlines, a mobile number
next to a hotline, one amount a line, an amount after 验证码."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.redaction import luhn_ok, redact

CARD19 = "6222021234567890128"  # Luhn-valid, 19 digits
MASK19 = "**** **** **** 0128"
FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def test_the_cards_here_are_luhn_valid() -> None:
    assert luhn_ok(CARD19) and luhn_ok("4111111111111111")
    # the look-alikes below that must stay are Luhn-valid when joined: a real test
    assert luhn_ok("1381234567895588") and luhn_ok("9555813812345672")
    assert luhn_ok("5200398012008806")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("卡号6222  0212  3456  7890  128", "卡号" + MASK19),
        ("6222 - 0212 - 3456 - 7890 - 128", MASK19),
        ("6222.0212.3456.7890.128", MASK19),
        ("6222—0212—3456—7890—128被刷了", MASK19 + "被刷了"),
        ("6222\u3000\u30000212\u3000\u30003456\u3000\u30007890\u3000\u3000128", MASK19),
        ("６２２２．０２１２．３４５６．７８９０．１２８", MASK19),  # full-width digits and dots
        ("６２２２ － ０２１２ － ３４５６ － ７８９０ － １２８", MASK19),
        ("卡号6222 0212\n3456 7890 128", "卡号" + MASK19),  # wrapped over two lines
        ("6222 0212 3456\r\n7890 128", MASK19),
        ("卡号6222021234567894 123", "卡号**** **** **** 7894 123"),  # "123" not in the last four
    ],
)
def test_loosely_grouped_card_numbers(text: str, expected: str) -> None:
    out = redact(text)
    assert out.text == expected
    assert out.kinds == {"card_number"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("验证码，527194", "验证码，******"),
        ("验证码:527194", "验证码:******"),
        ("验证码是：527194。", "验证码是：******。"),
        ("code, 527194", "code, ******"),
        ("收到的动态码——527194", "收到的动态码——******"),
        ("收到验证码——527194——赶紧转账", "收到验证码——******——赶紧转账"),
        ("验证码、527194", "验证码、******"),
        ("两次的验证码都是527194", "两次的验证码都是******"),
    ],
)
def test_codes_after_punctuation(text: str, expected: str) -> None:
    out = redact(text)
    assert out.text == expected
    assert out.kinds == {"otp"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{CARD19} 739 09/27", f"{MASK19} *** **/**"),
        (f"{CARD19} 09/27 739", f"{MASK19} **/** ***"),
        ("6222 0212 3456 7890 128，739，09/27", f"{MASK19}，***，**/**"),
        (f"{CARD19}\n739\n9/27", f"{MASK19}\n***\n**/**"),
        ("4111111111111111 123 12/25", "**** **** **** 1111 *** **/**"),
        # after 卡号 even a mistyped number: its CVV must not become its last four
        ("卡号6222021234567895 739 09/27", "卡号**** **** **** 7895 *** **/**"),
    ],
)
def test_a_bare_cvv_and_expiry_after_a_card(text: str, expected: str) -> None:
    out = redact(text)
    assert out.text == expected
    assert out.kinds == {"card_number", "cvv", "expiry"}
    assert redact(out.text).text == out.text


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("密码是：123456", "密码是：******", "password"),
        ("支付密码是: Abc@1234", "支付密码是: ******", "password"),
        ("密码是:123456", "密码是:******", "password"),  # the colon stays, not in the mask
        ("密码就是123456", "密码就是******", "password"),
        ("查询密码和交易密码都是123456", "查询密码和交易密码都是******", "password"),
        ("密码是“123456”", "密码是“******”", "password"),
        ("密码改成 Qw123456 了", "密码改成 ****** 了", "password"),
        ("背面后三位739", "背面后三位***", "cvv"),
        ("有效期 9/27", "有效期 **/**", "expiry"),
    ],
)
def test_other_victim_shapes(text: str, expected: str, kind: str) -> None:
    out = redact(text)
    assert out.text == expected
    assert out.kinds == {kind}


@pytest.mark.parametrize(
    "text",
    [
        "5200元",
        "3,980.00",
        "23:15",
        "2023-10-08",
        "2023年10月8日",
        "95558",
        "转走了123456元",
        "LL-ABC123",
        "13812345678",
        "尾号1234",
        "我手机13812345678 95588也打了",  # Luhn-valid joined: a phone is never a card's group
        "打了95558 13812345672",
        "5200\n3980\n1200\n8806",  # one amount a line, Luhn-valid joined: a list
        "13812345678\n13912345678",
        "验证码：2023年10月8日收到的",
        "验证码：2023-10-08收到的",
        "他骗走了验证码，5200元就没了",
        "验证码，21:40收到",
        "code, 1234.56",
        "改了密码，5200元被转走了",
        "卡背面，400-889-5558",
        "拨打 400 - 889 - 5558",
        "2023.10.08 21:40 被转走 3,980.00 元",
        "转账 5200.00 3980.00 1200.00",
        "IP 192.168.100.200",
        "尾号0128的卡 739 元",
    ],
)
def test_leaves_the_rest(text: str) -> None:
    out = redact(text)
    assert out.text == text
    assert not out.kinds


JOINS = ["  ", " - ", ".", "—", "\u3000\u3000", "-", " "]


@settings(max_examples=200, deadline=None)
@given(
    body=st.from_regex(r"62[0-9]{16}", fullmatch=True),
    join=st.sampled_from(JOINS),
    full_width=st.booleans(),
    cvv=st.from_regex(r"[0-9]{3}", fullmatch=True),
    month=st.integers(1, 12),
    year=st.integers(20, 40),
)
def test_a_card_and_its_cvv_never_survive(
    body: str, join: str, full_width: bool, cvv: str, month: int, year: int
) -> None:
    card = next(body + d for d in "0123456789" if luhn_ok(body + d))
    written = join.join(card[i : i + 4] for i in range(0, 19, 4))
    text = f"{written} {cvv} {month:02d}/{year}"
    out = redact(text.translate(FULL) if full_width else text)
    assert out.text == f"**** **** **** {card[-4:]} *** **/**"
