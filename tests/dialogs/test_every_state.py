"""Every state of the map, fed anything a person or a broken client can send.

No exception, and no fact already gathered is lost: only the fact being asked may change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.commands import command_of
from dialogs.conversation import start, step
from dialogs.machine import STATES
from dialogs.messages import Turn
from dialogs.script import parse_script
from dialogs.state import ConversationState
from rules.types import SHANGHAI
from tests.dialogs.conftest import SCRIPTS

NOW = datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)


def _states() -> dict[str, dict[str, Any]]:
    """One stored state per state name, taken from the scripted conversations."""
    seen: dict[str, dict[str, Any]] = {}
    for script in sorted(SCRIPTS.glob("*.txt")):
        result = start("web", "zh-CN", NOW)
        seen.setdefault(result.state_name, result.state)
        for line in parse_script(script.read_text(encoding="utf-8").splitlines(), NOW):
            result = step(
                result.state, Turn(text=line.text, choice=line.choice, sent_at=line.sent_at)
            )
            seen.setdefault(result.state_name, result.state)
    return seen


STORED = _states()


def test_the_scripts_visit_every_state() -> None:
    assert set(STORED) == set(STATES)


def _leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out.update(_leaves(value, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(node, list) and node and isinstance(node[0], dict):
        out = {}
        for i, value in enumerate(node):
            out.update(_leaves(value, f"{prefix}[{i}]"))
        return out
    return {prefix: node}


# What a valid answer in each state may rewrite besides its own slot.
_ALSO_CHANGES = {
    "safety_frozen": ("incident.frozen_at",),
    "safety_freeze_now": ("incident.frozen_at",),
    "safety_police": ("incident.police_report",),
    "policy_product": ("policy.product", "policy.window_hours", "policy.covered_accounts"),
    "policy_purchased_on": ("policy.purchased_on", "policy.period_"),
    "policy_period": ("policy.period_",),
    "policy_premium": ("policy.premium",),
    "policy_premium_unpaid": ("policy.premium",),
    "policy_premium_due": ("policy.premium",),
}


def _may_change(state: dict[str, Any]) -> tuple[str, ...]:
    conv = ConversationState.model_validate(state)
    name = conv.state
    if name.startswith("tx_"):
        return (f"transactions[{conv.tx_index}]",)
    from dialogs.questions import QUESTIONS

    own = (QUESTIONS[name].slot_for(conv),) if name in QUESTIONS else ()
    return own + _ALSO_CHANGES.get(name, ())


messages = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(
        [
            "😭😭😭",
            "\x00\x1b[31m",
            "\u202e反转",
            "￥",
            "9999999999999999999元",
            "明天晚上八点",
            "-500",
            "0",
            "<script>alert(1)</script>",
            "\r\n\t",
        ]
    ),
    st.integers(min_value=1, max_value=100_000).map(lambda n: "钱" * n),
)


@pytest.mark.parametrize("name", sorted(STORED))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=messages, press=st.one_of(st.none(), st.text(max_size=80)))
def test_anything_sent_in_any_state_loses_no_fact(name: str, text: str, press: str | None) -> None:
    state = STORED[name]
    if command_of(text, press):
        return  # /restart and /back change facts on purpose; tested on their own
    before = _leaves(state.get("facts", {}))
    result = step(state, Turn(text=None if press is not None else text, choice=press, sent_at=NOW))
    after = _leaves(result.state.get("facts", {}))
    allowed = _may_change(state)
    for path, value in before.items():
        if path.startswith(allowed):
            continue
        assert after.get(path) == value, path
    assert result.replies, "every turn gets an answer"


def test_a_hundred_kilobytes_in_every_state() -> None:
    huge = ("我的卡被盗了 6222021234567894 " * 4000)[:100_000]
    for state in STORED.values():
        result = step(state, Turn(text=huge, sent_at=NOW))
        assert result.replies
        assert "6222021234567894" not in repr(result.state)
