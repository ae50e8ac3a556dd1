"""The console's views of a conversation agree with the dialog's own summary and replies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.console.views import risk, row, whisper
from bot.store.base import ConversationRecord
from dialogs.conversation import start, step
from dialogs.messages import Turn
from dialogs.script import parse_script
from dialogs.summary import build_summary, markdown
from rules.types import SHANGHAI

SCRIPTS = Path(__file__).parents[1] / "dialogs" / "scripts"


def record(state: dict[str, object], name: str, flags: list[str] | None = None) -> ConversationRecord:
    at = datetime.now(UTC)
    return ConversationRecord(
        id="c",
        token_hash="x",
        channel="web",
        locale="zh-CN",
        state=state,
        state_name=name,
        created_at=at,
        updated_at=at,
        risk_flags=flags or [],
    )


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.txt")))
def test_after_every_turn_the_flags_match_the_summary_and_the_whisper_the_last_question(
    script: str,
) -> None:
    now = datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)
    result = start("web", "zh-CN", now)
    turns = 0
    for line in parse_script((SCRIPTS / script).read_text(encoding="utf-8").splitlines(), now):
        result = step(result.state, Turn(text=line.text, choice=line.choice, sent_at=line.sent_at))
        turns += 1
        shown = record(result.state, result.state_name)
        summary = build_summary(result.state, [])["risk"]
        flags = set(risk(shown))
        assert ("money_leaving" in flags) == summary["money_leaving"]
        assert ("money_leaving_unsure" in flags) == summary["money_leaving_unsure"]
        assert ("not_frozen" in flags) == summary["not_frozen"]
        assert ("scam_signal" in flags) == bool(summary["scam_signals"])
        asked = whisper(shown)
        last = result.replies[-1]
        if last.expects is not None:  # the bot's last reply is the question still open
            assert asked["expects"] == last.expects.model_dump(mode="json")
            assert asked["text"] in last.text
    assert turns >= 5


def test_the_engine_s_flags_are_listed_too() -> None:
    now = datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)
    fresh = start("web", "zh-CN", now)
    assert risk(record(fresh.state, fresh.state_name, ["redacted", "scam_signal"])) == [
        "not_frozen",
        "scam_signal",
        "redacted",
    ]


def test_a_victim_unsure_whether_money_still_leaves_is_flagged_for_the_agent() -> None:
    now = datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)
    result = start("web", "zh-CN", now)
    for text in ("我的支付宝被盗了", "不知道"):
        result = step(result.state, Turn(text=text, sent_at=now))
    assert risk(record(result.state, result.state_name)) == ["money_leaving_unsure", "not_frozen"]
    summary = build_summary(result.state, [])
    assert row(record(result.state, result.state_name))["risk"][0]["label"] == "可能仍在流出（受害人不确定）"
    assert "可能仍在流出（受害人不确定）" in markdown(summary, None)
