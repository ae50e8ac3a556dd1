"""Redaction on arrival: secrets a victim types are masked before the text is stored anywhere.

- `card_number`: 13–19 digits (runs of digits joined by single spaces or dashes allowed)
  passing the Luhn check, or any 13–19 digits right after 卡号 → "**** **** **** 1234"
  (the last four kept: the victim and the bank name cards by them).
- `id_number`: an 18-character 身份证号 with a valid birth date and check character, or 15/18
  characters after 身份证 → the first 6 and last 4 kept: "110101********1234".
- `cvv`: 3 digits right after CVV/CVN/CVC (码)/安全码/卡背面(背后)三位 → "***".
- `otp`: 4–8 digits right after (or right before) 验证码/校验码/动态码/短信码/code/OTP →
  "******".
- `password`: what follows 密码/支付密码/口令/PIN with 是/为/:/=/is (or straight after), when it
  looks like a password (printable ASCII with at least one letter or digit) → "******". Words
  (密码是我生日, 密码告诉了他) are kept: the narrative matters to the claim, the words are not
  the secret.
- `expiry`: MM/YY after 有效期 → "**/**".

Never masked: amounts, dates, times, hotlines (95588, 400-889-5558), phone numbers — none has
13–19 digits or stands after one of the words above. Masks contain no digits that could be
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


# A run of ASCII digits, groups joined by one space or dash, possibly ending in X (an ID).
_RUN = re.compile(r"(?<![0-9])[0-9]++(?:[ \-][0-9]++)*+(?:[Xx](?![0-9A-Za-z]))?")
_SEP = re.compile(r"([ \-])")
_CARD_WORD = re.compile(
    r"(?:卡号|卡号码|银行卡号|信用卡号|card ?(?:no\.?|number)?)[\s:：是为=]*$", re.I
)
_ID_WORD = re.compile(r"(?:身份证号?码?|证件号码?|身份号码?)[\s:：是为=]*$")
_TIMESTAMP = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{6}")

_GAP = (
    r"[\s:：=]{0,3}(?:是|为|就是|发的是|发来的是|收到的是|写的是|is\b|was\b)?"
    r"[\s:：=“”\"'「」（(【\[]{0,3}"
)
_CVV = re.compile(
    r"(?:(?:cvv|cvn|cvc)2?码?|安全码|(?:卡片?背[面后]?|背面)(?:的)?(?:三位|3位)?(?:数字?|码)?)"
    + _GAP
    + r"(?P<secret>[0-9]{3})(?![0-9])",
    re.I,
)
_OTP_WORDS = r"(?:短信验证码|验证码|校验码|动态码|动态密码|短信码|确认码|授权码|code|otp)"
_OTP = re.compile(_OTP_WORDS + _GAP + r"(?P<secret>[0-9]{4,8})(?![0-9])", re.I)
_OTP_BEFORE = re.compile(
    r"(?<![0-9])(?P<secret>[0-9]{4,8})(?![0-9])\s{0,2}(?:这个|这串|就是|是)?" + _OTP_WORDS, re.I
)
_PASSWORD = re.compile(
    r"(?:支付密码|交易密码|取款密码|登录密码|查询密码|密码|口令|pin码?|password|passcode|pwd)"
    r"(?:\s*(?:是|为|:|：|=|is\b|was\b)\s*|\s{0,2})"
    r"(?P<secret>(?=[!-~]*[0-9A-Za-z])[!-~]{4,}+)",
    re.I,
)
_EXPIRY = re.compile(
    r"(?:有效期|有效日期|expiry|exp)(?:至|到)?[\s:：是为]*"
    r"(?P<secret>(?:0[1-9]|1[0-2])\s*/\s*[0-9]{2}(?:[0-9]{2})?)(?![0-9])",
    re.I,
)
_DATEISH = re.compile(r"[0-9]{2,4}[\-/.][0-9]{1,2}(?:[\-/.][0-9]{1,2})?|[0-9]{1,2}:[0-9]{2}")


_MAX_GROUPS = 6  # 4-4-4-4-3 is the longest grouping a card number is written in


def _card_mask(digits: str) -> str:
    return CARD_MASK_PREFIX + digits[-4:]


def _id_mask(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _mask_run(m: re.Match[str], kinds: set[str]) -> str:
    run = m.group(0)
    before = m.string[max(0, m.start() - 12) : m.start()]
    tail = run[-1] if run[-1] in "Xx" else ""
    body = run[: len(run) - len(tail)]
    compact = _SEP.sub("", body) + tail
    if len(compact) in (15, 18) and (id_number_ok(compact) or _ID_WORD.search(before)):
        kinds.add("id_number")
        return _id_mask(compact)
    digits = compact[: len(compact) - len(tail)]
    if 13 <= len(digits) <= 19 and _CARD_WORD.search(before):
        kinds.add("card_number")
        return _card_mask(digits) + tail
    parts = _SEP.split(body)  # numbers at even indexes, separators between them
    numbers = parts[0::2]
    out: list[str] = []
    i = 0
    # Left to right, the longest stretch of whole groups that is a card number: a run may
    # hold other numbers too ("5 6222 0212 3456 7890").
    while i < len(numbers):
        found = None
        total = 0
        for j in range(i, min(i + _MAX_GROUPS, len(numbers))):
            if j > i and (len(numbers[i]) < 3 or len(numbers[j]) < 3):
                break  # cards are written in groups of 3 digits or more
            total += len(numbers[j])
            if total > 19:
                break
            if total >= 13:
                candidate = "".join(numbers[i : j + 1])
                if luhn_ok(candidate) and not _TIMESTAMP.fullmatch(candidate):
                    found = (j, candidate)
        if found is None:
            out.append(numbers[i])
            if i + 1 < len(numbers):
                out.append(parts[2 * i + 1])
            i += 1
            continue
        j, candidate = found
        kinds.add("card_number")
        out.append(_card_mask(candidate))
        if j + 1 < len(numbers):
            out.append(parts[2 * j + 1])
        i = j + 1
    return "".join(out) + tail


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
    # Long numbers first, so that no shorter pattern takes a piece of a card number.
    out = _RUN.sub(lambda m: _mask_run(m, kinds), out)
    out = _secret(_CVV, "cvv", "***", out, kinds)
    out = _secret(_OTP, "otp", SECRET_MASK, out, kinds)
    out = _secret(_EXPIRY, "expiry", "**/**", out, kinds)
    out = _secret(_PASSWORD, "password", SECRET_MASK, out, kinds)
    out = _secret(_OTP_BEFORE, "otp", SECRET_MASK, out, kinds)
    return Redacted(out, frozenset(kinds))
