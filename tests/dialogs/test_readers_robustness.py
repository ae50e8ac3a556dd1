"""Every reader, on anything at all: never raises, stays fast on 100 KB, bounded input."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.classify import (
    cause_candidates,
    classify_account,
    classify_cause,
    classify_kind,
    find_institution,
)
from dialogs.hotlines import hotline_for
from dialogs.readers import (
    MAX_CHARS,
    account_options,
    kind_options,
    read_amount,
    read_bool,
    read_choice,
    read_date,
    read_datetime,
    read_documents,
    read_money,
    read_number,
)
from dialogs.redaction import redact
from dialogs.scam import scam_signals
from rules.types import SHANGHAI

NOW = datetime(2023, 10, 9, 8, 30, tzinfo=SHANGHAI)
ACCOUNTS = account_options()
KINDS = kind_options()

READERS: dict[str, Callable[[str], Any]] = {
    "money": read_money,
    "amount": read_amount,
    "number": read_number,
    "datetime": lambda s: read_datetime(s, NOW),
    "date": lambda s: read_date(s, NOW),
    "bool": read_bool,
    "choice_account": lambda s: read_choice(s, ACCOUNTS),
    "choice_kind": lambda s: read_choice(s, KINDS),
    "documents": read_documents,
    "redact": redact,
    "scam": scam_signals,
    "cause": classify_cause,
    "causes": cause_candidates,
    "account": classify_account,
    "kind": classify_kind,
    "institution": find_institution,
    "hotline": lambda s: hotline_for(s, None),
}

# Text that looks like what the readers look for: numerals, units, keywords, separators.
ALPHABET = (
    "零一二两三四五六七八九十百千万亿点号月日年元块毛分半刻前后昨今晚上下午凌晨周星期"
    "0123456789,.:-/ ¥￥wkX多来左右验证码密码卡号安全账户客服转账冻结了没有是不对"
    "支付宝招行信用卡绑架链接儿子保姆室友被骗刷单屏幕共享\n\t\x00\u200b😀🚨"
)
LOOKALIKE = st.text(alphabet=ALPHABET, max_size=300)


@pytest.mark.parametrize("name", sorted(READERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=300), LOOKALIKE))
def test_never_raises(name: str, text: str) -> None:
    READERS[name](text)


def _worst_cases(n: int = 100_000) -> dict[str, str]:
    rng = random.Random(7)
    return {
        "random": "".join(rng.choice(ALPHABET) for _ in range(n)),
        "digits": "1" * n,
        "spaced_digits": "1 " * (n // 2),
        "dashed_digits": "12-" * (n // 3),
        "cn_numerals": "五" * n,
        "units": "万千" * (n // 2),
        "keywords": "验证码密码卡号" * (n // 7),
        "password_then_ascii": "密码" + "a" * n,
        "repeated_keyword_ascii": "密码 a1" * (n // 5),
        "emoji": "😀" * n,
        "controls": "\x00\x01\x1b" * (n // 3),
        "tail_secret": "很长的故事。" * (n // 6) + "卡号6222021234567894",
    }


WORST = _worst_cases()


QUARTER = _worst_cases(25_000)


def _seconds(reader: Callable[[str], Any], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        reader(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("name", sorted(READERS))
def test_at_most_linear_on_100k(name: str) -> None:
    """No pattern backtracks: four times the text takes at most about four times as long
    (a ratio in one process, not a time budget: linear is four, quadratic sixteen; the
    bound of ten leaves room for a loaded machine)."""
    reader = READERS[name]
    for label, text in WORST.items():
        small, large = _seconds(reader, QUARTER[label]), _seconds(reader, text)
        # Under a few ms the figures are noise, whatever the ratio.
        assert large < 0.005 or large < 10 * small, (
            f"{name} on {label}: {small * 1000:.1f} ms for 25k, {large * 1000:.1f} ms for 100k"
        )


def test_readers_only_look_at_the_first_max_chars() -> None:
    filler = "嗯" * MAX_CHARS
    assert read_money("5200元") is not None
    assert read_money(filler + "5200元") is None
    assert read_bool(filler[:-1] + "x") is True  # the 嗯 inside the bound still counts
    assert read_datetime(filler + "昨晚九点", NOW).value is None
    # Redaction is not bounded: a secret at the very end is still masked.
    assert "6222021234567894" not in redact(WORST["tail_secret"]).text
