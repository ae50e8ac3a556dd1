"""What the console shows of a conversation, as JSON for its pages' scripts."""

from __future__ import annotations

from typing import Any

from bot.api import case_view
from bot.console.labels import FACTS, LABELS
from bot.engine import Engine
from bot.store.base import ConversationRecord
from dialogs.conversation import question
from dialogs.state import ConversationState
from dialogs.summary import RISK_LABELS as SUMMARY_RISK_LABELS
from dialogs.summary import assessed, build_summary, sections
from dialogs.summary import risk as summary_risk
from rules import clause_text

RISK_LABELS = {
    **SUMMARY_RISK_LABELS,
    "scam_signal": "诈骗迹象",
    "redacted": "发过敏感信息",
}


def risk(record: ConversationRecord) -> list[str]:
    """The risk flags of the list: the summary's risk (build_summary's, computed from the
    state alone so a long list stays cheap) and the engine's record.risk_flags."""
    found = summary_risk(ConversationState.model_validate(record.state))
    flags = [key for key in SUMMARY_RISK_LABELS if found[key]]
    if found["scam_signals"] or "scam_signal" in record.risk_flags:
        flags.append("scam_signal")
    flags += [f for f in record.risk_flags if f not in flags and f != "scam_signal"]
    return flags


def row(record: ConversationRecord) -> dict[str, Any]:
    """One line of the live list."""
    return {
        "id": record.id,
        "case_code": record.state.get("case_code", ""),
        "channel": record.channel,
        "locale": record.locale,
        "state": record.state_name,
        "owner": record.owner,
        "handoff": record.handoff,
        "claimable": record.handoff == "queued" and record.handoff_entry is not None,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "risk": [{"id": flag, "label": RISK_LABELS.get(flag, flag)} for flag in risk(record)],
    }


def whisper(record: ConversationRecord) -> dict[str, Any]:
    """The bot's next question: what it asks now, its buttons and the fact it expects."""
    reply = question(ConversationState.model_validate(record.state))
    return reply.model_dump(mode="json")


def clauses(decision: dict[str, Any] | None) -> dict[str, str]:
    """The text of every clause the decision cites, for the case card's hover."""
    if not decision:
        return {}
    ids: set[str] = set()
    for line in decision.get("lines", []):
        ids.update(line.get("clauses", []))
    for item in (*decision.get("missing_documents", []), *decision.get("deadlines", [])):
        ids.add(item["clause"])
    texts = {}
    for clause in sorted(ids):
        try:
            texts[clause] = clause_text(decision["product"], decision["wording"]["version"], clause)
        except KeyError:
            continue
    return texts


async def detail(engine: Engine, record: ConversationRecord) -> dict[str, Any]:
    """One conversation live: its case view (the same the widget reads), the summary's
    timeline, checklist and risk, the whisper and the cited clauses' texts."""
    found = assessed(record.state)
    view = await case_view(engine, record, found)
    summary = sections(found)
    return {
        "conversation": row(record),
        **view,
        "summary": {
            key: summary[key]
            for key in (
                "timeline",
                "checklist",
                "risk",
                "to_verify",
                "problems",
                "handoff_reason",
                "notes_after_handoff",
            )
        },
        "whisper": whisper(record),
        "clauses": clauses(view["decision"]),
        "labels": LABELS,
        "facts_shown": [list(pair) for pair in FACTS],
    }


async def export(engine: Engine, record: ConversationRecord) -> dict[str, Any]:
    """The whole hand-off summary (case, decision, timeline, checklist, transcript, Markdown)."""
    summary = build_summary(record.state, await engine.store.transcript(record.id))
    return {"conversation": row(record), **summary}
