"""Each public case (but the joint claim) told as a conversation reaches the case's decision."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from dialogs.script import replay
from dialogs.summary import case_json, decision_json
from rules import adjudicate
from rules.case import Case
from rules.types import SHANGHAI
from tests.dialogs.conftest import SCRIPTS, SHARED

CASES = [
    "p1-hacked-alipay-covered",
    "p2-phishing-link-excluded",
    "p3-kidnapping-window",
    "p5-citic-police-needed",
]


@pytest.mark.parametrize("name", CASES)
def test_script_reaches_the_same_decision(name: str) -> None:
    lines = (SCRIPTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    result, transcript = replay(lines, datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI))
    assert result.state_name == "handed_off", transcript[-6:]
    assert result.handoff

    shared = json.loads((SHARED / "cases" / f"{name}.json").read_text(), parse_float=Decimal)
    expected = adjudicate(Case.model_validate(shared["case"])).model_dump(mode="json")
    got = decision_json(result.state)
    assert got is not None, case_json(result.state)
    for key in ("wording", "lines", "totals", "missing_documents", "provisional"):
        assert got[key] == expected[key], key

    expect = shared["expect"]
    lines_by_tx = {line["transaction"]: line for line in got["lines"]}
    for tx, want in expect["lines"].items():
        assert lines_by_tx[tx]["status"] == want["status"]
        assert Decimal(str(lines_by_tx[tx]["eligible"])) == Decimal(str(want["eligible"]))
    assert Decimal(str(got["totals"]["payable"])) == Decimal(str(expect["payable"]))


@pytest.mark.parametrize("name", CASES)
def test_scripted_case_has_the_facts_of_the_shared_case(name: str) -> None:
    lines = (SCRIPTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    result, _ = replay(lines, datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI))
    got = Case.model_validate(case_json(result.state))
    shared = json.loads((SHARED / "cases" / f"{name}.json").read_text(), parse_float=Decimal)
    want = Case.model_validate(shared["case"])
    assert got.policy.model_dump(exclude={"covered_accounts"}) == want.policy.model_dump(
        exclude={"covered_accounts"}
    )
    assert set(got.policy.covered_accounts) == set(want.policy.covered_accounts)
    assert got.incident.cause == want.incident.cause
    assert got.incident.frozen_at == want.incident.frozen_at
    assert got.incident.discovered_at == want.incident.discovered_at
    assert got.incident.police_report.filed == want.incident.police_report.filed
    assert set(got.documents) == set(want.documents)
    pairs = zip(got.transactions, want.transactions, strict=True)
    for g, w in pairs:
        assert (g.id, g.at, g.amount, g.account, g.kind) == (
            w.id,
            w.at,
            w.amount,
            w.account,
            w.kind,
        )
