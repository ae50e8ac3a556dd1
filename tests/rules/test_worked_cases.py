"""Every worked case of shared/cases/, with the outcome worked out by hand from the clauses."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from rules_builders import SHARED, shared_case

from rules import adjudicate, adjudicate_joint, read_case_json
from rules.case import Case, JointClaims

CASES = sorted(p.name for p in (SHARED / "cases").glob("*.json"))


def test_the_shared_cases_are_there() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize("name", CASES)
def test_worked_case(name: str) -> None:
    data = shared_case(name)
    expect: dict[str, Any] = data["expect"]
    case = read_case_json(json.dumps(data["case"], default=str))
    if isinstance(case, JointClaims):
        joint = adjudicate_joint(case)
        assert [d.totals.payable for d in joint.claims] == [
            Decimal(str(x)) for x in expect["claims_payable"]
        ]
        return
    assert isinstance(case, Case)
    decision = adjudicate(case)
    lines = {line.transaction: line for line in decision.lines}
    for tx_id, want in expect.get("lines", {}).items():
        got = lines[tx_id]
        assert got.status.value == want["status"], (tx_id, got.reason)
        assert got.eligible == Decimal(str(want["eligible"])), tx_id
        for prefix in want["clauses_include"]:
            assert any(c.startswith(prefix) for c in got.clauses), (tx_id, got.clauses)
    assert decision.totals.payable == Decimal(str(expect["payable"]))
    missing = {m.id.value for m in decision.missing_documents}
    assert set(expect.get("missing_documents_include", [])) <= missing
    if "provisional" in expect:
        assert decision.provisional is expect["provisional"]
