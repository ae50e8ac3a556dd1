"""Secrets as victims type them that redaction used to let through (found writing the
secrets-at-rest fault test, tests/faults/test_secrets_at_rest.py): 'CVV码', '卡背后的三位数',
and English, the other locale the bot speaks, with 'is' between the word and the secret."""

from __future__ import annotations

import pytest

from dialogs.redaction import redact


@pytest.mark.parametrize(
    ("text", "expected", "kinds"),
    [
        ("CVV码739", "CVV码***", {"cvv"}),
        ("cvv码是 739", "cvv码是 ***", {"cvv"}),
        ("CVN2码：739", "CVN2码：***", {"cvv"}),
        ("卡背后的三位数是284", "卡背后的三位数是***", {"cvv"}),
        ("卡片背后三位数字 284", "卡片背后三位数字 ***", {"cvv"}),
        ("my cvv is 739", "my cvv is ***", {"cvv"}),
        ("The CVC was 739.", "The CVC was ***.", {"cvv"}),
        ("the code is 667120", "the code is ******", {"otp"}),
        ("My OTP was 4821", "My OTP was ******", {"otp"}),
        ("my password is Wang#1988", "my password is ******", {"password"}),
        ("PIN is 8264", "PIN is ******", {"password"}),
    ],
)
def test_masks(text: str, expected: str, kinds: set[str]) -> None:
    out = redact(text)
    assert out.text == expected
    assert out.kinds == kinds
    assert redact(out.text).text == out.text


@pytest.mark.parametrize(
    "text",
    [
        "背后有人指使，转走了5200",
        "卡背后写着客服电话95588",
        "the code is wrong",
        "my password is my birthday",
        "the cvv is on the back",
        "this is 5200 yuan",
    ],
)
def test_leaves_the_rest(text: str) -> None:
    out = redact(text)
    assert out.text == text
    assert not out.kinds
