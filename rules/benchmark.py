"""How long one adjudication takes: a 10-line case, timed many times, median per call.

bench/adjudicate.py prints it; `lossline bench` calls `run()`.
"""

from __future__ import annotations

import statistics
import timeit
from dataclasses import dataclass
from typing import Any

from rules.adjudicate import adjudicate
from rules.case import Case
from rules.catalog import get_catalog


def ten_line_case() -> dict[str, Any]:
    """A 华安 D款 case whose ten lines take every path: covered, each kind of exclusion, review."""
    kinds = [
        ("payment", "third_party_payment", "2023-10-08T20:55:00+08:00", None),
        ("transfer", "debit_card", "2023-10-08T19:00:00+08:00", None),
        ("credit_purchase", "third_party_payment", "2023-10-07T23:10:00+08:00", None),
        ("cash_withdrawal", "debit_card", "2023-10-07T10:00:00+08:00", None),
        ("transfer", "online_banking", "2023-10-06T10:00:00+08:00", None),
        ("transfer", "debit_card", "2023-10-01T10:00:00+08:00", None),  # outside the window
        ("fee", "debit_card", "2023-10-08T20:00:00+08:00", None),
        ("loan", "third_party_payment", "2023-10-08T18:00:00+08:00", None),
        ("payment", "third_party_payment", "2023-10-08T17:00:00+08:00", "phishing_link"),
        ("payment", "credit_card", "2023-10-08T22:00:00+08:00", None),  # after the freeze
    ]
    return {
        "policy": {
            "product": "huaan-account-loss-d",
            "purchased_on": "2023-03-01",
            "period_start": "2023-03-01T00:00:00+08:00",
            "period_end": "2024-02-29T23:59:59+08:00",
            "window_hours": 72,
            "sum_insured": 50000,
            "covered_accounts": [
                "debit_card",
                "credit_card",
                "online_banking",
                "third_party_payment",
            ],
        },
        "incident": {
            "cause": "account_hacked",
            "discovered_at": "2023-10-08T21:30:00+08:00",
            "frozen_at": "2023-10-08T21:40:00+08:00",
            "police_report": {"filed": True, "at": "2023-10-09T09:00:00+08:00"},
        },
        "transactions": [
            {
                "id": f"t{i}",
                "at": at,
                "amount": f"{1000 + 37 * i}.{i:02d}",
                "account": account,
                "kind": kind,
                "cause": cause,
                "compensated": "100" if i == 1 else "0",
            }
            for i, (kind, account, at, cause) in enumerate(kinds)
        ],
        "documents": ["claim_form", "policy", "transaction_records", "id_document"],
        "claim_submitted_at": "2023-10-10T09:00:00+08:00",
    }


@dataclass(frozen=True)
class BenchResult:
    adjudicate_us: float
    validate_us: float
    """Case.model_validate of the same case: a yardstick measured in the same process."""

    @property
    def ratio(self) -> float:
        return self.adjudicate_us / self.validate_us


def run(repeats: int = 200, number: int = 50) -> BenchResult:
    data = ten_line_case()
    case = Case.model_validate(data)
    get_catalog()  # loading the products is start-up, not adjudication
    adjudicate(case)
    # The two are timed in alternation, so that load from other processes falls on both alike.
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(repeats):
        ours.append(timeit.timeit(lambda: adjudicate(case), number=number) / number)
        theirs.append(timeit.timeit(lambda: Case.model_validate(data), number=number) / number)
    return BenchResult(
        adjudicate_us=statistics.median(ours) * 1e6,
        validate_us=statistics.median(theirs) * 1e6,
    )
