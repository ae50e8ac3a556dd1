"""Chinese labels of the case's codes, for the console's case card and the case file."""

from __future__ import annotations

from rules.vocabulary import (
    ACCOUNT_LABELS,
    CAUSE_LABELS,
    DOCUMENT_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
)

LABELS: dict[str, dict[str, str]] = {
    "status": {k.value: v for k, v in STATUS_LABELS.items()},
    "cause": {k.value: v for k, v in CAUSE_LABELS.items()},
    "account": {k.value: v for k, v in ACCOUNT_LABELS.items()},
    "kind": {k.value: v for k, v in KIND_LABELS.items()},
    "document": {k.value: v for k, v in DOCUMENT_LABELS.items()},
}

# The facts shown on the case card, in order: path into the case → label.
FACTS: tuple[tuple[str, str], ...] = (
    ("policy.product", "产品"),
    ("policy.purchased_on", "投保日"),
    ("policy.period_start", "保险期间起"),
    ("policy.period_end", "保险期间止"),
    ("policy.window_hours", "挂失前可赔小时数"),
    ("policy.sum_insured", "保险金额"),
    ("policy.deductible", "免赔额"),
    ("incident.cause", "原因"),
    ("incident.narrative", "经过"),
    ("incident.discovered_at", "发现时间"),
    ("incident.frozen_at", "挂失/冻结时间"),
    ("incident.police_report.at", "报案时间"),
    ("incident.money_leaving", "资金仍在流出"),
)


def label(kind: str, code: str | None) -> str:
    if code is None:
        return ""
    return LABELS.get(kind, {}).get(code, code)
