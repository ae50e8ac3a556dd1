"""Building cases for the rules tests: a valid 华安 D款 case with every field overridable."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from rules import adjudicate
from rules.case import Case
from rules.decision import Decision, Line

# The repo is /work/main and shared/ its sibling; CI clones the repo with shared/ beside it.
SHARED = Path(__file__).resolve().parents[3] / "shared"
ALL_ACCOUNTS = [
    "passbook",
    "debit_card",
    "credit_card",
    "supplementary_card",
    "online_banking",
    "third_party_payment",
]
WORDING_DOCUMENTS = [
    "claim_form",
    "policy",
    "premium_invoice",
    "transaction_records",
    "id_document",
    "loss_report_proof",
    "police_report",
]
FROZEN = "2023-10-08T21:40:00+08:00"


def policy(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "product": "huaan-account-loss-d",
        "purchased_on": "2023-03-01",
        "wording_version": None,
        "period_start": "2023-03-01T00:00:00+08:00",
        "period_end": "2024-02-29T23:59:59+08:00",
        "window_hours": 72,
        "sum_insured": 50000,
        "deductible": 0,
        "deductible_rate": 0,
        "paid_before": 0,
        "covered_accounts": ALL_ACCOUNTS,
        "premium": {"mode": "single", "paid": True},
        "other_insurance_sum_insured": 0,
        "exclusions_explained": None,
        "cancelled_at": None,
    }
    return base | changes


def incident(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "cause": "account_hacked",
        "discovered_at": None,
        "frozen_at": FROZEN,
        "police_report": {"filed": True, "at": "2023-10-09T09:00:00+08:00"},
        "insurer_notified_at": "2023-10-09T10:00:00+08:00",
        "gross_negligence": False,
        "violated_account_rules": False,
    }
    return base | changes


def tx(id: str = "t1", **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id,
        "at": "2023-10-08T20:00:00+08:00",
        "amount": Decimal("1000"),
        "account": "debit_card",
        "institution": None,
        "kind": "transfer",
        "compensated": 0,
        "recovered": 0,
        "cause": None,
        "frozen_at": None,
        "account_owner_verified": True,
        "authenticated_with": None,
    }
    return base | changes


def case(
    *txs: dict[str, Any],
    policy_changes: dict[str, Any] | None = None,
    incident_changes: dict[str, Any] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "policy": policy(**(policy_changes or {})),
        "incident": incident(**(incident_changes or {})),
        "transactions": list(txs) or [tx()],
        "documents": WORDING_DOCUMENTS,
        "claim_submitted_at": None,
    }
    return base | changes


def decide(data: dict[str, Any], products_dir: Path | None = None) -> Decision:
    return adjudicate(Case.model_validate(data), products_dir)


def line(decision: Decision, tx_id: str = "t1") -> Line:
    return next(x for x in decision.lines if x.transaction == tx_id)


def shared_case(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (SHARED / "cases" / name).read_text(encoding="utf-8"), parse_float=Decimal
    )
    return data
