"""The hand-off: everything a claims handler needs so that they never have to ask again.

Case, decision, timeline, transcript and checklist, as structured data and as Markdown.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from dialogs.messages import TRANSCRIPT, TranscriptEntry
from dialogs.preview import Assessment, assess, draft
from dialogs.state import ConversationState
from rules.decision import Decision
from rules.vocabulary import CAUSE_LABELS, DOCUMENT_LABELS, STATUS_LABELS, Cause, Document

_NUMBER_FIELDS = (
    "sum_insured",
    "deductible",
    "deductible_rate",
    "paid_before",
    "other_insurance_sum_insured",
    "amount",
    "compensated",
    "recovered",
)


def _numbers(node: Any) -> Any:
    """Amounts are kept as exact strings in the state; the case format wants JSON numbers."""
    if isinstance(node, dict):
        return {
            k: (float(Decimal(v)) if k in _NUMBER_FIELDS and isinstance(v, str) else _numbers(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_numbers(x) for x in node]
    return node


def assessed(state: dict[str, Any]) -> Assessment:
    """A stored state's case and decision, worked out once for everything shown of it."""
    return assess(ConversationState.model_validate(state))


def case_of(found: Assessment) -> dict[str, Any]:
    """The case gathered so far in the shape of case-format.md (complete or not)."""
    if found.case is not None:
        return found.case.model_dump(mode="json")
    return dict(_numbers(draft(found.conv)))


def decision_of(found: Assessment) -> dict[str, Any] | None:
    return found.decision.model_dump(mode="json") if found.decision else None


def case_json(state: dict[str, Any]) -> dict[str, Any]:
    return case_of(assessed(state))


def decision_json(state: dict[str, Any]) -> dict[str, Any] | None:
    return decision_of(assessed(state))


# The flags of `risk`, as the summary, the case file and the console's list say them.
RISK_LABELS = {
    "money_leaving": "资金仍在流出",
    "money_leaving_unsure": "可能仍在流出（受害人不确定）",
    "not_frozen": "尚未冻结",
}


# Facts the victim did not know, taken at a default so the case could be decided: the
# agent checks them against the policy before paying.
# Keyed by the slot of the question that assumed it.
TO_VERIFY_LABELS = {
    "policy.window_hours": "挂失前可赔时间（受害人不清楚，暂按条款默认）",
    "policy.deductible": "免赔额（受害人不清楚，暂按无免赔）",
    "policy.covered_accounts": "保障账户（受害人不清楚，暂按该产品通常保障的账户）",
    "policy.premium": "保费缴纳（受害人不清楚，暂按投保时一次交清）",
    "incident.discovered_at": "发现被盗的时间（受害人不记得；未核对是否有发现后才发生的交易）",
}


def to_verify(conv: ConversationState) -> list[str]:
    return [TO_VERIFY_LABELS[f] for f in conv.aside.get("to_verify") or [] if f in TO_VERIFY_LABELS]


def risk(conv: ConversationState) -> dict[str, Any]:
    """What should make an agent look first: money still leaving (or the victim could not
    say), no freeze, scam signals."""
    incident = conv.facts.get("incident") or {}
    return {
        "money_leaving": bool(incident.get("money_leaving")),
        "money_leaving_unsure": bool(conv.aside.get("money_leaving_unsure")),
        "not_frozen": not incident.get("frozen_at"),
        "scam_signals": list(conv.aside.get("scam_signals") or []),
    }


def risk_labels(risk: dict[str, Any]) -> list[str]:
    """A summary's risk in words, scam signals named."""
    flags = [label for key, label in RISK_LABELS.items() if risk.get(key)]
    if risk.get("scam_signals"):
        flags.append("诈骗迹象：" + "、".join(risk["scam_signals"]))
    return flags


def timeline(facts: dict[str, Any]) -> list[dict[str, str]]:
    incident = facts.get("incident") or {}
    events: list[tuple[str, str]] = []
    for tx in facts.get("transactions") or []:
        if tx.get("at"):
            events.append((tx["at"], f"交易 {tx['id']}：{tx.get('amount', '?')} 元"))
    for key, label in (
        ("discovered_at", "发现被盗"),
        ("frozen_at", "挂失/冻结完成"),
        ("insurer_notified_at", "通知保险人"),
    ):
        if incident.get(key):
            events.append((incident[key], label))
    report = incident.get("police_report") or {}
    if report.get("at"):
        events.append((report["at"], "报案"))
    events.sort(key=lambda e: datetime.fromisoformat(e[0]))
    return [{"at": at, "event": what} for at, what in events]


def checklist(conv: ConversationState, decision: Decision | None) -> list[dict[str, Any]]:
    incident = conv.facts.get("incident") or {}
    items: list[dict[str, Any]] = [
        {"item": "挂失/冻结", "done": bool(incident.get("frozen_at"))},
        {"item": "报警", "done": bool((incident.get("police_report") or {}).get("filed"))},
        {"item": "通知保险公司/银行", "done": bool(incident.get("insurer_notified_at"))},
    ]
    have = set(conv.facts.get("documents") or [])
    missing = {m.id.value for m in decision.missing_documents} if decision else set()
    for doc in [*sorted(have), *sorted(missing - have)]:
        items.append({"item": DOCUMENT_LABELS[Document(doc)], "done": doc in have})
    return items


def sections(found: Assessment) -> dict[str, Any]:
    """The parts of the hand-off an agent reads beside the case: timeline, checklist, risk."""
    conv = found.conv
    return {
        "case_code": conv.case_code,
        "channel": conv.channel,
        "state": conv.state,
        "handoff_reason": conv.handoff_reason,
        "problems": found.problems,
        "timeline": timeline(conv.facts),
        "checklist": checklist(conv, found.decision),
        "risk": risk(conv),
        "to_verify": to_verify(conv),
        "notes_after_handoff": list(conv.aside.get("after_handoff") or []),
    }


def build_summary(state: dict[str, Any], transcript: list[TranscriptEntry]) -> dict[str, Any]:
    found = assessed(state)
    summary: dict[str, Any] = {
        **sections(found),
        "case": case_of(found),
        "decision": decision_of(found),
        "transcript": TRANSCRIPT.dump_python(transcript, mode="json"),
    }
    summary["markdown"] = markdown(summary, found.decision)
    return summary


def markdown(summary: dict[str, Any], decision: Decision | None) -> str:
    case = summary["case"]
    incident = case.get("incident") or {}
    policy = case.get("policy") or {}
    out = [f"# 案件 {summary['case_code']}", ""]
    flags = risk_labels(summary["risk"])
    if flags:
        out += ["**风险：** " + "；".join(flags), ""]
    if summary["to_verify"]:
        out += ["## 待核实", *[f"- {v}" for v in summary["to_verify"]], ""]
    out += ["## 经过", incident.get("narrative") or "（未描述）", ""]
    cause = incident.get("cause")
    out += [
        "## 事实",
        f"- 产品：{policy.get('product') or '未确定'}",
        f"- 投保日：{policy.get('purchased_on') or '未知'}",
        f"- 保险期间：{policy.get('period_start') or '?'} 至 {policy.get('period_end') or '?'}",
        f"- 原因：{CAUSE_LABELS[Cause(cause)] if cause else '未确定'}",
        f"- 发现：{incident.get('discovered_at') or '未知'}",
        f"- 冻结：{incident.get('frozen_at') or '未冻结'}",
        "",
    ]
    out += ["## 时间线", *[f"- {e['at']} {e['event']}" for e in summary["timeline"]], ""]
    if decision:
        out += [
            f"## 初步决定（{decision.wording.title} {decision.wording.version}）",
            "| 交易 | 申请 | 可赔 | 结果 | 条款 | 理由 |",
            "|---|---|---|---|---|---|",
        ]
        out += [
            f"| {ln.transaction} | {ln.claimed} | {ln.eligible} | {STATUS_LABELS[ln.status]} | "
            f"{'、'.join(ln.clauses)} | {ln.reason} |"
            for ln in decision.lines
        ]
        tot = decision.totals
        out += [
            "",
            f"申请 {tot.claimed} 元，可赔 {tot.eligible} 元，免赔 {tot.deduction} 元，"
            f"**应付 {tot.payable} 元**" + ("（初步）" if decision.provisional else ""),
            "",
        ]
        if decision.missing_documents:
            out += [
                "## 缺少材料",
                *[f"- {m.label}（{m.clause}）" for m in decision.missing_documents],
                "",
            ]
        if decision.deadlines:
            out += [
                "## 时限",
                *[f"- {d.label}（{d.clause}）：{d.due or '提交索赔后起算'}" for d in decision.deadlines],
                "",
            ]
        if decision.notes:
            out += ["## 说明", *[f"- {n}" for n in decision.notes], ""]
    else:
        out += ["## 初步决定", "暂无：" + "；".join(summary["problems"]), ""]
    out += [
        "## 清单",
        *[f"- [{'x' if c['done'] else ' '}] {c['item']}" for c in summary["checklist"]],
        "",
    ]
    if summary["notes_after_handoff"]:
        out += ["## 转人工后补充", *[f"- {n}" for n in summary["notes_after_handoff"]], ""]
    out += [
        "## 对话记录",
        *[f"- {e['at']} **{e['role']}**：{e['text']}" for e in summary["transcript"]],
    ]
    return "\n".join(out)
