"""The facts gathered so far, as the victim reads them back, and the list of what can be changed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from dialogs import products
from dialogs.answers import fmt_money, fmt_time
from dialogs.machine import EDITABLE
from dialogs.messages import Button
from dialogs.state import ConversationState
from dialogs.texts import t
from rules.types import SHANGHAI
from rules.vocabulary import (
    ACCOUNT_LABELS,
    CAUSE_LABELS,
    DOCUMENT_LABELS,
    KIND_LABELS,
    Account,
    Cause,
    Document,
    Kind,
)


def _time(value: str | None, now: datetime | None, locale: str) -> str | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return fmt_time(moment, now or datetime.now(SHANGHAI), locale)


def _money(value: Any) -> str | None:
    return None if value is None else fmt_money(Decimal(str(value))) + " 元"


def transaction_text(locale: str, n: int, tx: dict[str, Any], now: datetime | None) -> str:
    unknown = t(locale, "v_unknown")
    return t(
        locale,
        "v_tx",
        n=n,
        at=_time(tx.get("at"), now, locale) or unknown,
        amount=fmt_money(Decimal(str(tx["amount"]))) if tx.get("amount") else unknown,
        account=ACCOUNT_LABELS[Account(tx["account"])] if tx.get("account") else unknown,
        kind=KIND_LABELS[Kind(tx["kind"])] if tx.get("kind") else unknown,
        institution=f"，{tx['institution']}" if tx.get("institution") else "",
    )


def facts_text(conv: ConversationState, now: datetime | None) -> str:
    """One line per known fact, in the order they were asked."""
    locale = conv.locale
    facts = conv.facts
    policy: dict[str, Any] = facts.get("policy") or {}
    incident: dict[str, Any] = facts.get("incident") or {}
    lines: list[tuple[str, str | None]] = []
    if incident.get("narrative"):
        lines.append(("经过" if locale == "zh-CN" else "What happened", incident["narrative"][:200]))
    if "frozen_at" in incident or conv.state not in ("triage_what", "triage_leaving"):
        frozen = _time(incident.get("frozen_at"), now, locale) or t(locale, "v_not_frozen")
        lines.append(("f_frozen_at", frozen))
    report = incident.get("police_report") or {}
    if "filed" in report:
        filed = t(locale, "v_police_yes" if report["filed"] else "v_police_no")
        at = _time(report.get("at"), now, locale)
        lines.append(("f_police", f"{filed}（{at}）" if at else filed))
    product = policy.get("product")
    if product:
        lines.append(("f_product", products.info(product).title))
    lines.append(("f_purchased_on", policy.get("purchased_on")))
    if policy.get("period_start") and policy.get("period_end"):
        lines.append(("f_period", f"{policy['period_start'][:10]} 至 {policy['period_end'][:10]}"))
    if policy.get("window_hours"):
        lines.append(("f_window", t(locale, "v_hours", hours=policy["window_hours"])))
    lines.append(("f_sum_insured", _money(policy.get("sum_insured"))))
    deductible = _money(policy.get("deductible"))
    if deductible is not None and Decimal(policy.get("deductible_rate") or 0):
        deductible += t(locale, "v_deductible_rate", rate=fmt_money(Decimal(policy["deductible_rate"]) * 100))
    if deductible is not None and "policy.deductible" in (conv.aside.get("to_verify") or []):
        deductible += t(locale, "v_to_verify")
    lines.append(("f_deductible", deductible))
    if policy.get("covered_accounts"):
        lines.append(
            (
                "f_accounts",
                "、".join(ACCOUNT_LABELS[Account(a)] for a in policy["covered_accounts"]),
            )
        )
    premium = policy.get("premium")
    if premium:
        key = (
            "premium_monthly"
            if premium.get("mode") == "monthly"
            else "premium_single_paid"
            if premium.get("paid", True)
            else "premium_unpaid"
        )
        lines.append(("f_premium", t(locale, key)))
    if incident.get("cause"):
        lines.append(("f_cause", CAUSE_LABELS[Cause(incident["cause"])]))
    discovered = _time(incident.get("discovered_at"), now, locale)
    if discovered is None and "incident.discovered_at" in (conv.aside.get("to_verify") or []):
        discovered = t(locale, "v_not_remembered")
    lines.append(("f_discovered_at", discovered))
    out = [f"{t(locale, key) if key.startswith('f_') else key}：{value}" for key, value in lines if value]
    txs = facts.get("transactions") or []
    if txs:
        out.append(t(locale, "f_transactions") + "：")
        out += ["  " + transaction_text(locale, i + 1, tx, now) for i, tx in enumerate(txs)]
    docs = facts.get("documents")
    if docs is not None and conv.state in ("review", "review_pick", "preview", "handed_off"):
        listed = "、".join(DOCUMENT_LABELS[Document(d)] for d in docs) or t(locale, "v_none")
        out.append(f"{t(locale, 'f_documents')}：{listed}")
    return "\n".join(out)


# The label of each editable fact (dialogs/machine.py's EDITABLE says which, in which order);
# a transaction's facts are offered per transaction below.
_FIELD_LABELS = {
    "safety_frozen": "f_frozen_at",
    "safety_police": "f_police",
    "policy_product": "f_product",
    "policy_purchased_on": "f_purchased_on",
    "policy_period": "f_period",
    "policy_window": "f_window",
    "policy_sum_insured": "f_sum_insured",
    "policy_deductible": "f_deductible",
    "policy_accounts": "f_accounts",
    "policy_premium": "f_premium",
    "incident_cause": "f_cause",
    "incident_discovered_at": "f_discovered_at",
    "documents": "f_documents",
}
_TX_FIELDS = {
    "tx_amount": "金额",
    "tx_at": "时间",
    "tx_account": "账户",
    "tx_kind": "类型",
    "tx_institution": "机构",
}


def edit_options(conv: ConversationState) -> list[Button]:
    locale = conv.locale
    has_product = bool((conv.facts.get("policy") or {}).get("product"))
    buttons = [
        Button(id=state, label=t(locale, _FIELD_LABELS[state]))
        for state in EDITABLE
        if state in _FIELD_LABELS
        and (has_product or not state.startswith("policy_") or state == "policy_product")
    ]
    for i, _tx in enumerate(conv.facts.get("transactions") or []):
        buttons += [
            Button(id=f"{state}:{i}", label=f"第{i + 1}笔{label}") for state, label in _TX_FIELDS.items()
        ]
    return buttons
