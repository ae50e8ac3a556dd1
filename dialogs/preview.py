"""The case as the rules see it, built from the facts gathered so far, and its decision."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_json

from dialogs.answers import fmt_money, fmt_time
from dialogs.state import ConversationState, copy_data
from dialogs.texts import t
from rules import CaseError, adjudicate
from rules.case import Case
from rules.decision import Decision
from rules.vocabulary import DOCUMENT_LABELS, STATUS_LABELS

_FIELD_NAMES = {
    "policy.product": "保险产品未确定",
    "policy.purchased_on": "缺少投保日期",
    "policy.period_start": "缺少保险期间",
    "policy.period_end": "缺少保险期间",
    "policy.window_hours": "缺少保障时段",
    "policy.sum_insured": "缺少保险金额",
    "policy.covered_accounts": "缺少保障账户",
    "policy": "保单信息不完整",
    "transactions": "还没有登记被盗交易",
}


def draft(conv: ConversationState) -> dict[str, Any]:
    """The facts in the case's shape, with the defaults the wordings give for what was not asked."""
    facts = copy_data(conv.facts)
    policy = facts.setdefault("policy", {})
    policy.setdefault("premium", {"mode": "single", "paid": True})
    incident = facts.setdefault("incident", {})
    incident.setdefault("cause", "unknown")
    incident.setdefault("police_report", {"filed": False})
    complete = [
        tx
        for tx in facts.get("transactions") or []
        if all(tx.get(k) for k in ("amount", "at", "account", "kind"))
    ]
    facts["transactions"] = complete
    facts.setdefault("documents", [])
    return facts


def build_case(conv: ConversationState) -> tuple[Case | None, list[str]]:
    facts = draft(conv)
    if not facts["transactions"]:
        return None, [_FIELD_NAMES["transactions"]]
    try:
        return Case.model_validate(facts), []
    except ValidationError as err:
        problems = []
        for e in err.errors():
            path = ".".join(str(p) for p in e["loc"])
            problems.append(
                _FIELD_NAMES.get(path) or _FIELD_NAMES.get(path.split(".")[0]) or f"{path}：{e['msg']}"
            )
        return None, list(dict.fromkeys(problems))


@dataclass(frozen=True)
class Assessment:
    """What the facts so far add up to: the case (when complete enough), its decision, and
    what stands in the way of one. Worked out once per reader, never per field."""

    conv: ConversationState
    case: Case | None
    decision: Decision | None
    problems: list[str]


ASSESSMENTS_KEPT = 64  # facts whose case and decision are kept, most recent first
_judged: OrderedDict[bytes, tuple[Case | None, Decision | None, tuple[str, ...]]] = OrderedDict()


def assess(conv: ConversationState) -> Assessment:
    """Worked out once for the same facts: the preview, the confirmation after it and the
    hand-off's summary each ask, a turn apart, and a console page asks on every event. The
    rules read nothing but the facts (and the wordings), so their answer cannot go stale."""
    key = to_json(conv.facts)
    judged = _judged.get(key)
    if judged is None:
        judged = _judge(conv)
        _judged[key] = judged
        if len(_judged) > ASSESSMENTS_KEPT:
            _judged.popitem(last=False)
    else:
        _judged.move_to_end(key)
    case, decision, problems = judged
    return Assessment(conv, case, decision, list(problems))


def _judge(conv: ConversationState) -> tuple[Case | None, Decision | None, tuple[str, ...]]:
    case, problems = build_case(conv)
    decision = None
    if case is not None:
        try:
            decision = adjudicate(case)
        except CaseError as err:
            problems = [str(err)]
    return case, decision, tuple(problems)


def preview_text(conv: ConversationState, now: datetime | None = None) -> str:
    locale = conv.locale
    found = assess(conv)
    decision = found.decision
    if decision is None:
        return t(locale, "preview_unavailable", problems="；".join(found.problems))
    txs = {tx["id"]: tx for tx in conv.facts.get("transactions") or []}
    lines = [t(locale, "preview_head", wording=f"{decision.wording.title} {decision.wording.version}")]
    for line in decision.lines:
        at = txs.get(line.transaction, {}).get("at")
        lines.append(
            t(
                locale,
                "preview_line",
                at=_when(at, now, locale),
                amount=fmt_money(line.claimed),
                status=STATUS_LABELS[line.status],
                clauses="、".join(line.clauses) or "—",
                reason=line.reason,
            )
        )
    totals = decision.totals
    lines.append(
        t(
            locale,
            "preview_total",
            payable=fmt_money(totals.payable),
            claimed=fmt_money(totals.claimed),
        )
    )
    if decision.missing_documents:
        missing = "、".join(DOCUMENT_LABELS[m.id] for m in decision.missing_documents)
        lines.append(t(locale, "preview_missing", missing=missing))
    dated = [d for d in decision.deadlines if d.due]
    if dated:
        lines.append(t(locale, "preview_deadlines_head"))
        lines += [
            t(locale, "preview_deadline", label=d.label, due=f"{d.due:%Y-%m-%d}") for d in dated if d.due
        ]
    lines += decision.notes
    if decision.provisional:
        lines.append(t(locale, "preview_provisional"))
    return "\n".join(lines)


def _when(at: str | None, now: datetime | None, locale: str) -> str:
    if not at:
        return ""
    moment = datetime.fromisoformat(at)
    return fmt_time(moment, now or moment, locale)
