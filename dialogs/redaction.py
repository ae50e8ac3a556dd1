"""Redaction on arrival: secrets a victim types are masked before the text is stored anywhere.

- `card_number`: 13–19 digits passing the Luhn check, or any 13–19 digits right after 卡号 →
  "**** **** **** 1234" (the last four kept: the victim and the bank name cards by them).
  Groups may be joined by up to three spaces, a dash or dot (spaced or not), or a line break
  ("6222  0212", "6222 - 0212", "6222.0212"); never a mobile number's 11 digits, nor numbers
  one a line (a list).
- `id_number`: an 18-character 身份证号 with a valid birth date and check character, or 15/18
  characters after 身份证 → the first 6 and last 4 kept: "110101********1234".
- `cvv`: 3 digits right after CVV/CVN/CVC (码)/安全码/卡背面(背后)(后)三位 → "***"; or, with
  no word, 3 digits between a card number and an MM/YY expiry ("6222…0128 739 09/27"), the
  expiry masked too.
- `otp`: 4–8 digits right after (or right before) 验证码/校验码/动态码/短信码/code/OTP, after a
  comma or dash too ("验证码，527194") → "******"; not when they go on as an amount, a date
  or a time ("验证码：2023年…", "验证码，5200元").
- `password`: what follows 密码/支付密码/口令/PIN with 是/为/就是/都是/改成/:/=/is (or straight
  after; quotes allowed), when it looks like a password (printable ASCII with at least one
  letter or digit) → "******". Words (密码是我生日, 密码告诉了他) are kept: the narrative matters
  to the claim, the words are not the secret. Not after a comma: "改了密码，5200元被转走".
- `expiry`: (M)M/YY after 有效期 → "**/**".

Never masked: amounts, dates, times, hotlines (95588, 400-889-5558), phone numbers — none has
13–19 digits or stands after one of the words above (a mobile number next to a hotline is
two numbers, not a card). Masks contain no digits that could be
read again, so redact(redact(x)) == redact(x). The whole text is scanned (no length bound:
a secret at the end of a long paste is still a secret); every pattern is linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dialogs.readers._text import fold_digits

CARD_MASK_PREFIX = "**** **** **** "
SECRET_MASK = "******"


@dataclass(frozen=True, slots=True)
class Redacted:
    text: str
    kinds: frozenset[str]

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_ok(value: str) -> bool:
    """An 18-character 公民身份号码 with a real birth date and a correct check character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True)) % 11]
    return value[17].upper() == check


# How digit groups are joined: a dash or dot (spaces around it allowed: "6222 - 0212"), or up
# to three spaces or a line break ("6222  0212", "6222 0212\n3456"). Bounded, so linear.
_JOIN = r"(?:\s{0,2}[\-.．—–]{1,2}\s{0,2}|\s{1,3})"
# A run of ASCII digits in groups, possibly ending in X (an ID).
_RUN = re.compile(r"(?<![0-9])[0-9]++(?:" + _JOIN + r"[0-9]++)*+(?:[Xx](?![0-9A-Za-z]))?")
_SEP = re.compile(r"([^0-9]+)")  # within a run: what stands between its groups
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_CARD_WORD = re.compile(
    r"(?:卡号|卡号码|银行卡号|信用卡号|card ?(?:no\.?|number)?)[\s:：是为=]*$", re.I
)
_ID_WORD = re.compile(r"(?:身份证号?码?|证件号码?|身份号码?)[\s:：是为=]*$")
_TIMESTAMP = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{6}")

_SAID = r"(?:是|为|就是|也是|都是|发的是|发来的是|收到的是|写的是|改成了?|改为|设成了?|设为|is\b|was\b)?"
_OPEN = r"[\s:：=“”\"'「」（(【\[]{0,3}"
_GAP = r"[\s:：=]{0,3}" + _SAID + _OPEN
# A code or CVV may also follow a comma or a dash ("验证码，527194", "动态码——527194"); a
# password may not: "改了密码，5200元被转走" is a story and an amount.
_CODE_GAP = r"[\s:：=,，、;；—–\-]{0,4}" + _SAID + _OPEN
# Digits going on as an amount, a date or a time are not a code: "验证码：2023年…", "…，5200元".
_NOT_MORE = r"(?![0-9]|[.,:/\-][0-9]|\s{0,2}[元块万年月日号点时分秒])"
_CVV = re.compile(
    r"(?:(?:cvv|cvn|cvc)2?码?|安全码|(?:卡片?背[面后]?|背面)(?:的)?(?:后?三位|后?3位)?(?:数字?|码)?)"
    + _CODE_GAP
    + r"(?P<secret>[0-9]{3})"
    + _NOT_MORE,
    re.I,
)
_OTP_WORDS = r"(?:短信验证码|验证码|校验码|动态码|动态密码|短信码|确认码|授权码|code|otp)"
_OTP = re.compile(_OTP_WORDS + _CODE_GAP + r"(?P<secret>[0-9]{4,8})" + _NOT_MORE, re.I)
_OTP_BEFORE = re.compile(
    r"(?<![0-9])(?P<secret>[0-9]{4,8})(?![0-9])\s{0,2}(?:这个|这串|就是|是)?" + _OTP_WORDS, re.I
)
_PASSWORD = re.compile(
    r"(?:支付密码|交易密码|取款密码|登录密码|查询密码|密码|口令|pin码?|password|passcode|pwd)"
    + _GAP
    + r"(?P<secret>(?=[!-~]*[0-9A-Za-z])[!-~]{4,}+)",
    re.I,
)
_MMYY = r"(?:0?[1-9]|1[0-2])\s{0,2}/\s{0,2}[0-9]{2}(?:[0-9]{2})?(?![0-9])"
_EXPIRY = re.compile(
    r"(?:有效期|有效日期|expiry|exp)(?:至|到)?[\s:：是为]*"
    r"(?P<secret>" + _MMYY + ")",
    re.I,
)
# After a card number, 3 digits and an expiry with no word (either order) are its CVV and
# expiry: "6222…0128 739 09/27". The card's digits are checked in _cvv_after_card.
_NEAR = r"[\s,，、;；]{1,3}"
_CVV3 = r"[0-9]{3}(?![0-9])"
_MASKS = {"cvv": "***", "cvv2": "***", "exp": "**/**", "exp2": "**/**"}
_CARD_CVV = re.compile(
    rf"(?<![0-9])(?P<card>[0-9]{{3,}}+(?:{_JOIN}[0-9]{{3,}}+){{0,5}}){_NEAR}"
    rf"(?:(?P<cvv>{_CVV3}){_NEAR}(?P<exp>{_MMYY})|(?P<exp2>{_MMYY}){_NEAR}(?P<cvv2>{_CVV3}))"
)
_DATEISH = re.compile(r"[0-9]{2,4}[\-/.][0-9]{1,2}(?:[\-/.][0-9]{1,2})?|[0-9]{1,2}:[0-9]{2}")


_MAX_GROUPS = 6  # 4-4-4-4-3 is the longest grouping a card number is written in


def _card_mask(digits: str) -> str:
    return CARD_MASK_PREFIX + digits[-4:]


def _id_mask(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _card_at(
    numbers: list[str], seps: list[str], i: int, tail: str, before: str
) -> tuple[int, str, str] | None:
    """The longest stretch of whole groups from numbers[i] that is an ID or card number, as
    (its last group, kind, mask): one that passes its check (or an ID named before it), else
    one after 卡号. `tail` is an X after the last group; `before`, the text before numbers[i]."""
    checked = named = None
    digits = ""
    listed = True  # one number a line is a list (amounts, phones), not a card wrapped over lines
    for j in range(i, min(i + _MAX_GROUPS, len(numbers))):
        if j > i:
            if len(numbers[i]) < 3 or len(numbers[j]) < 3:
                break  # cards are written in groups of 3 digits or more
            if _MOBILE.fullmatch(numbers[i]) or _MOBILE.fullmatch(numbers[j]):
                break  # a mobile number next to another number is no card: "13812345678 95588"
            listed = listed and "\n" in seps[j - 1]
        digits += numbers[j]
        if len(digits) > 19:
            break
        x = tail if j == len(numbers) - 1 else ""
        if len(digits + x) in (15, 18) and (id_number_ok(digits + x) or _ID_WORD.search(before)):
            checked = (j, "id_number", _id_mask(digits + x))
        elif len(digits) < 13:
            continue
        elif not (listed and j > i) and luhn_ok(digits) and not _TIMESTAMP.fullmatch(digits):
            checked = (j, "card_number", _card_mask(digits) + x)
        elif _CARD_WORD.search(before):
            named = (j, "card_number", _card_mask(digits) + x)
    return checked or named


def _mask_run(m: re.Match[str], kinds: set[str]) -> str:
    run = m.group(0)
    tail = run[-1] if run[-1] in "Xx" else ""
    parts = _SEP.split(run[: len(run) - len(tail)])
    numbers, seps = parts[0::2], parts[1::2]
    before = m.string[max(0, m.start() - 12) : m.start()]
    out: list[str] = []
    i = 0
    # Left to right, the longest stretch that is a card or ID number: a run may hold other
    # numbers too ("5 6222 0212 3456 7890", "卡号6222021234567894 123").
    while i < len(numbers):
        found = None
        if len(numbers[i]) > 2:  # a card or ID starts with a group of 3 digits or more
            found = _card_at(numbers, seps, i, tail, before if i == 0 else "")
        if found is None:
            found = (i, "", numbers[i] + (tail if i == len(numbers) - 1 else ""))
        j, kind, mask = found
        if kind:
            kinds.add(kind)
        out.append(mask)
        if j < len(seps):
            out.append(seps[j])
        i = j + 1
    return "".join(out)


def _cvv_after_card(m: re.Match[str], kinds: set[str]) -> str:
    parts = _SEP.split(m.group("card"))
    numbers, seps = parts[0::2], parts[1::2]
    before = m.string[max(0, m.start() - 12) : m.start()]
    # A card number must end right before the 3 digits (it may start after other numbers).
    if not any(
        (card := _card_at(numbers, seps, i, "", before if i == 0 else ""))
        and card[0] == len(numbers) - 1
        and card[1] == "card_number"
        for i in range(len(numbers))
    ):
        return m.group(0)
    kinds.update(("cvv", "expiry"))
    a, b = ("cvv", "exp") if m.group("cvv") is not None else ("exp2", "cvv2")
    s = m.string
    between = s[m.end(a) : m.start(b)]
    return s[m.start() : m.start(a)] + _MASKS[a] + between + _MASKS[b] + s[m.end(b) : m.end()]


def _secret(pattern: re.Pattern[str], kind: str, mask: str, text: str, kinds: set[str]) -> str:
    def one(m: re.Match[str]) -> str:
        secret = m.group("secret")
        if kind == "password" and (_DATEISH.fullmatch(secret) or "*" in secret):
            return m.group(0)
        kinds.add(kind)
        start, end = m.span("secret")
        return m.group(0)[: start - m.start()] + mask + m.group(0)[end - m.start() :]

    return pattern.sub(one, text)


def redact(text: str) -> Redacted:
    """`text` with every card number, ID number, CVV, code and password masked."""
    kinds: set[str] = set()
    out = fold_digits(text)
    # A bare CVV and expiry after a card number, while the card's digits can still be checked.
    out = _CARD_CVV.sub(lambda m: _cvv_after_card(m, kinds), out)
    # Long numbers first, so that no shorter pattern takes a piece of a card number.
    out = _RUN.sub(lambda m: _mask_run(m, kinds), out)
    out = _secret(_CVV, "cvv", "***", out, kinds)
    out = _secret(_OTP, "otp", SECRET_MASK, out, kinds)
    out = _secret(_EXPIRY, "expiry", "**/**", out, kinds)
    out = _secret(_PASSWORD, "password", SECRET_MASK, out, kinds)
    out = _secret(_OTP_BEFORE, "otp", SECRET_MASK, out, kinds)
    return Redacted(out, frozenset(kinds))
