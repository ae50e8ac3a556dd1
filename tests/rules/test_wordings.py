"""Each clause effect of the two insurance wordings: 华安 D款 (004) and the family wording (002).

The expected clause for each cause is written out here from case-format.md's table, not read
from the product files, so a wrong file fails these tests.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rules_builders import case, decide, line, tx

from rules.vocabulary import Cause, Status

HUAAN = "huaan-account-loss-d"
FAMILY = "family-account-loss"
WORDINGS = [HUAAN, FAMILY]
C, X, R = Status.covered, Status.excluded, Status.needs_review

CAUSES: dict[Cause, tuple[Status, str]] = {
    Cause.card_stolen_or_lost: (C, "第四条(一)"),
    Cause.card_skimmed: (C, "第四条(一)"),
    Cause.account_hacked: (C, "第四条(一)"),
    Cause.malware: (C, "第四条(一)"),
    Cause.atm_or_counter_theft: (C, "第四条(二)"),
    Cause.coerced_on_site: (C, "第四条(三)"),
    Cause.coerced_remote: (X, "第五条(四)"),
    Cause.phishing_link: (X, "第五条(十一)"),
    Cause.scam_transfer: (X, "第五条(三)"),
    Cause.voluntary_disclosure: (X, "第五条(四)"),
    Cause.account_lent: (X, "第五条(三)"),
    Cause.family_member: (X, "第五条(五)"),
    Cause.domestic_worker: (X, "第五条(五)"),
    Cause.co_resident: (X, "第五条(五)"),
    Cause.administrative_or_judicial: (X, "第五条(二)"),
    Cause.system_error: (X, "第五条(九)"),
    Cause.card_in_transit: (X, "第五条(十)"),
    Cause.war_or_unrest: (X, "第五条(七)"),
    Cause.natural_disaster: (X, "第五条(八)"),
    Cause.unknown: (R, "第四条"),
}

# 002 numbers its definitions differently: 胁迫 is 释义3 there, 释义2 in 004.
DURESS = {HUAAN: "释义2", FAMILY: "释义3"}


def product(name: str, **policy: Any) -> dict[str, Any]:
    return {"product": name} | policy


def test_the_table_names_every_cause() -> None:
    assert set(CAUSES) == set(Cause)


@pytest.mark.parametrize("name", WORDINGS)
@pytest.mark.parametrize("cause", list(Cause))
def test_cause(name: str, cause: Cause) -> None:
    status, clause = CAUSES[cause]
    got = line(decide(case(tx(cause=cause.value), policy_changes=product(name))))
    assert got.status is status, got.reason
    assert got.clauses[0] == clause
    assert got.eligible == (Decimal(1000) if status is C else 0)


@pytest.mark.parametrize("name", WORDINGS)
def test_duress_cites_its_definition(name: str) -> None:
    on_site = line(decide(case(tx(cause="coerced_on_site"), policy_changes=product(name))))
    remote = line(decide(case(tx(cause="coerced_remote"), policy_changes=product(name))))
    assert DURESS[name] in on_site.clauses and DURESS[name] in remote.clauses


@pytest.mark.parametrize("name", WORDINGS)
def test_coerced_on_a_supplementary_card_is_item_four(name: str) -> None:
    data = case(
        tx(cause="coerced_on_site", account="supplementary_card"), policy_changes=product(name)
    )
    assert line(decide(data)).clauses[0] == "第四条(四)"


@pytest.mark.parametrize("name", WORDINGS)
def test_a_transaction_cause_replaces_the_incident_cause(name: str) -> None:
    data = case(
        tx("t1"),
        tx("t2", cause="phishing_link"),
        policy_changes=product(name),
        incident_changes={"cause": "account_hacked"},
    )
    decision = decide(data)
    assert (line(decision, "t1").status, line(decision, "t2").status) == (C, X)


# Step 1: accounts


@pytest.mark.parametrize("name", WORDINGS)
def test_account_not_on_the_schedule_is_excluded_by_article_3(name: str) -> None:
    data = case(
        tx(account="online_banking"), policy_changes=product(name, covered_accounts=["debit_card"])
    )
    got = line(decide(data))
    assert (got.status, got.clauses) == (X, ["第三条"])


@pytest.mark.parametrize("name", WORDINGS)
def test_unverified_third_party_account_is_excluded(name: str) -> None:
    data = case(
        tx(account="third_party_payment", account_owner_verified=False),
        policy_changes=product(name),
    )
    got = line(decide(data))
    assert (got.status, got.clauses) == (X, ["第六条(五)"])
    verified_card = case(
        tx(account="debit_card", account_owner_verified=False), policy_changes=product(name)
    )
    assert line(decide(verified_card)).status is C


# Step 2: the policy in force


@pytest.mark.parametrize("name", WORDINGS)
@pytest.mark.parametrize(
    ("at", "status"),
    [
        ("2023-02-28T23:59:59+08:00", X),
        ("2023-03-01T00:00:00+08:00", C),
        ("2024-02-29T23:59:59+08:00", C),
        ("2024-03-01T00:00:00+08:00", X),
    ],
)
def test_period_both_ends_inclusive(name: str, at: str, status: Status) -> None:
    data = case(tx(at=at), policy_changes=product(name), incident_changes={"frozen_at": None})
    data["transactions"][0]["frozen_at"] = at[:11] + "23:59:59.999+08:00" if status is C else None
    got = line(decide(data))
    if status is X:
        assert (got.status, got.clauses) == (X, ["第四条", "第十条"])
    else:
        assert got.status is C


@pytest.mark.parametrize("name", WORDINGS)
def test_at_or_after_cancellation_is_excluded(name: str) -> None:
    data = case(
        tx("t1", at="2023-10-08T20:00:00+08:00"),
        tx("t2", at="2023-10-08T19:59:59+08:00"),
        policy_changes=product(name, cancelled_at="2023-10-08T20:00:00+08:00"),
    )
    decision = decide(data)
    assert (line(decision, "t1").status, line(decision, "t1").clauses) == (X, ["第二十九条"])
    assert line(decision, "t2").status is C


@pytest.mark.parametrize("name", WORDINGS)
def test_single_premium_unpaid_means_nothing_in_force(name: str) -> None:
    data = case(policy_changes=product(name, premium={"mode": "single", "paid": False}))
    got = line(decide(data))
    assert (got.status, got.clauses[0]) == (X, "第十八条")


@pytest.mark.parametrize("name", WORDINGS)
def test_monthly_first_installment_unpaid(name: str) -> None:
    data = case(policy_changes=product(name, premium={"mode": "monthly", "first_paid": False}))
    assert line(decide(data)).status is X


@pytest.mark.parametrize("name", WORDINGS)
@pytest.mark.parametrize(
    ("at", "reinstated_on", "status"),
    [
        ("2023-07-01T23:59:59+08:00", None, C),  # day 30 after the due date: still in force
        ("2023-07-02T00:00:00+08:00", None, X),  # 00:00 of D + 31 days: suspended
        ("2023-07-20T12:00:00+08:00", "2023-07-21", X),
        ("2023-07-21T00:00:00+08:00", "2023-07-21", C),  # reinstated from 00:00
    ],
)
def test_monthly_unpaid_installment_suspends_cover(
    name: str, at: str, reinstated_on: str | None, status: Status
) -> None:
    premium = {
        "mode": "monthly",
        "first_paid": True,
        "unpaid_due_date": "2023-06-01",
        "reinstated_on": reinstated_on,
    }
    data = case(
        tx(at=at, frozen_at=at[:11] + "23:59:59.999+08:00"),
        policy_changes=product(name, premium=premium),
    )
    got = line(decide(data))
    assert got.status is status, got.reason
    if status is X:
        assert got.clauses[0] == "第十八条"


# Step 3: the window


def test_huaan_window_boundaries() -> None:
    frozen = "2023-10-08T21:40:00+08:00"
    data = case(
        tx("edge", at="2023-10-05T21:40:00+08:00"),  # exactly F − 72 h: inside
        tx("early", at="2023-10-05T21:39:59+08:00"),
        tx("at_freeze", at=frozen),
        tx("after", at="2023-10-08T22:00:00+08:00"),
    )
    decision = decide(data)
    assert line(decision, "edge").status is C
    assert (line(decision, "early").status, line(decision, "early").clauses) == (X, ["第六条(七)"])
    assert line(decision, "at_freeze").clauses == ["第六条(八)"]
    assert line(decision, "after").clauses == ["第六条(八)"]


def test_family_window_cites_article_4_alone() -> None:
    data = case(
        tx("early", at="2023-10-01T00:00:00+08:00"),
        tx("after", at="2023-10-09T00:00:00+08:00"),
        policy_changes=product(FAMILY),
    )
    decision = decide(data)
    for tx_id in ("early", "after"):
        got = line(decision, tx_id)
        assert (got.status, got.clauses) == (X, ["第四条"])


@pytest.mark.parametrize("name", WORDINGS)
def test_window_hours_come_from_the_schedule(name: str) -> None:
    data = case(tx(at="2023-10-07T21:00:00+08:00"), policy_changes=product(name, window_hours=24))
    assert line(decide(data)).status is X
    data = case(tx(at="2023-10-07T22:00:00+08:00"), policy_changes=product(name, window_hours=24))
    assert line(decide(data)).status is C


@pytest.mark.parametrize("name", WORDINGS)
def test_no_freeze_yet_goes_to_review_citing_article_4(name: str) -> None:
    data = case(policy_changes=product(name), incident_changes={"frozen_at": None})
    got = line(decide(data))
    assert got.status is R
    assert got.clauses[0] == "第四条"


@pytest.mark.parametrize("name", WORDINGS)
def test_a_transaction_freeze_replaces_the_incident_freeze(name: str) -> None:
    data = case(
        tx(at="2023-10-09T10:00:00+08:00", frozen_at="2023-10-09T11:00:00+08:00"),
        policy_changes=product(name),
    )
    assert line(decide(data)).status is C


# Step 4: kinds


KINDS = {
    "fee": (X, "第六条(一)"),
    "interest": (X, "第六条(一)"),
    "auto_debit": (X, "第六条(三)"),
    "other_feature": (X, "第六条(四)"),
    "nav_change": (X, "第六条(六)"),
    "loan": (R, "第六条(四)"),
    "payment": (C, "第四条(一)"),
    "transfer": (C, "第四条(一)"),
    "cash_withdrawal": (C, "第四条(一)"),
    "credit_purchase": (C, "第四条(一)"),
    "gift_card": (C, "第四条(一)"),
}


@pytest.mark.parametrize("name", WORDINGS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_kind(name: str, kind: str) -> None:
    status, clause = KINDS[kind]
    got = line(decide(case(tx(kind=kind), policy_changes=product(name))))
    assert (got.status, got.clauses[0]) == (status, clause)


# Step 5: conduct, and exclusions never explained at sale


@pytest.mark.parametrize("name", WORDINGS)
def test_gross_negligence_and_account_rules(name: str) -> None:
    negligent = case(policy_changes=product(name), incident_changes={"gross_negligence": True})
    rules = case(policy_changes=product(name), incident_changes={"violated_account_rules": True})
    assert line(decide(negligent)).clauses == ["第五条(一)"]
    assert line(decide(rules)).clauses == ["第五条(六)"]
    assert line(decide(negligent)).status is line(decide(rules)).status is X


@pytest.mark.parametrize("name", WORDINGS)
def test_unexplained_exclusion_goes_to_review_citing_article_12(name: str) -> None:
    data = case(tx(cause="phishing_link"), policy_changes=product(name, exclusions_explained=False))
    got = line(decide(data))
    assert got.status is R
    assert got.clauses == ["第十二条", "第五条(十一)"]
    # Only 第五条 exclusions: a fee stays excluded by 第六条.
    fee = case(tx(kind="fee"), policy_changes=product(name, exclusions_explained=False))
    assert line(decide(fee)).status is X
    # Explained or unknown: the exclusion stands.
    for explained in (True, None):
        data = case(
            tx(cause="phishing_link"), policy_changes=product(name, exclusions_explained=explained)
        )
        assert line(decide(data)).status is X


@pytest.mark.parametrize("name", WORDINGS)
def test_authentication_does_not_matter_for_wordings(name: str) -> None:
    data = case(tx(authenticated_with="password"), policy_changes=product(name))
    assert line(decide(data)).status is C


# Step 6: the duty to mitigate


@pytest.mark.parametrize("name", WORDINGS)
def test_loss_after_discovery_before_freeze_goes_to_review(name: str) -> None:
    data = case(
        tx("before", at="2023-10-08T20:00:00+08:00"),
        tx("between", at="2023-10-08T21:35:00+08:00"),
        tx("same_moment", at="2023-10-08T21:30:00+08:00"),
        policy_changes=product(name),
        incident_changes={"discovered_at": "2023-10-08T21:30:00+08:00"},
    )
    decision = decide(data)
    assert line(decision, "before").status is C
    assert line(decision, "same_moment").status is C
    got = line(decision, "between")
    assert (got.status, got.clauses) == (R, ["第十九条(一)"])
    assert decision.provisional


# Amounts


@pytest.mark.parametrize("name", WORDINGS)
def test_compensated_and_recovered_are_subtracted_and_cited(name: str) -> None:
    data = case(
        tx(amount=Decimal("1000"), compensated=Decimal("300.50"), recovered=Decimal("100")),
        policy_changes=product(name),
    )
    got = line(decide(data))
    assert got.eligible == Decimal("599.50")
    assert got.clauses == ["第四条(一)", "第六条(二)", "第二十四条"]
    over = case(tx(amount=Decimal("100"), compensated=Decimal("300")), policy_changes=product(name))
    assert line(decide(over)).eligible == 0


def test_deduction_takes_the_larger_of_amount_and_rate() -> None:
    by_amount = decide(
        case(
            tx(amount=Decimal("1000")),
            policy_changes={"deductible": 200, "deductible_rate": Decimal("0.1")},
        )
    )
    by_rate = decide(
        case(
            tx(amount=Decimal("5000")),
            policy_changes={"deductible": 200, "deductible_rate": Decimal("0.1")},
        )
    )
    assert (by_amount.totals.deduction, by_amount.totals.payable) == (200, 800)
    assert (by_rate.totals.deduction, by_rate.totals.payable) == (500, 4500)
    small = decide(case(tx(amount=Decimal("150")), policy_changes={"deductible": 200}))
    assert (small.totals.deduction, small.totals.payable) == (150, 0)


def test_family_deductible_cites_its_own_item() -> None:
    decision = decide(case(policy_changes=product(FAMILY, deductible=100)))
    step = next(s for s in decision.trace if s.check == "totals")
    assert step.clauses == ("第六条(七)", "第九条")


def test_other_insurance_share_is_exact_and_rounded_once() -> None:
    data = case(
        tx(amount=Decimal("1000")),
        policy_changes={"sum_insured": 10000, "other_insurance_sum_insured": 20000},
    )
    totals = decide(data).totals
    assert totals.payable == Decimal("333.33")
    assert abs(totals.share - Decimal(1) / Decimal(3)) < Decimal("1e-20")
    half_cent = case(
        tx(amount=Decimal("0.03")),
        policy_changes={"sum_insured": 10, "other_insurance_sum_insured": 10},
    )
    assert decide(half_cent).totals.payable == Decimal("0.02")  # 0.015 rounds half up


def test_cap_is_sum_insured_minus_paid_before() -> None:
    data = case(
        tx(amount=Decimal("9000")), policy_changes={"sum_insured": 10000, "paid_before": 4000}
    )
    decision = decide(data)
    assert decision.totals.payable == 6000
    assert "第七条" in next(s for s in decision.trace if s.check == "totals").clauses
    spent = case(policy_changes={"sum_insured": 10000, "paid_before": 12000})
    assert decide(spent).totals.payable == 0


# Documents, deadlines, notes


def test_missing_documents_all_at_once_with_their_items() -> None:
    decision = decide(case(documents=["claim_form", "transaction_records"]))
    got = [(m.id.value, m.clause) for m in decision.missing_documents]
    assert got == [
        ("policy", "第二十条(一)"),
        ("premium_invoice", "第二十条(一)"),
        ("id_document", "第二十条(三)"),
        ("loss_report_proof", "第二十条(四)"),
        ("police_report", "第二十条(五)"),
    ]
    assert all(m.label for m in decision.missing_documents)
    assert decision.provisional
    assert line(decision).status is C  # a missing document never changes a line


def test_deadlines_dated_from_the_claim() -> None:
    decision = decide(case(claim_submitted_at="2023-10-10T09:00:00+08:00"))
    due = {d.id: (d.clause, d.due.isoformat() if d.due else None) for d in decision.deadlines}
    assert due == {
        "insurer_decision": ("第十五条", "2023-11-09T09:00:00+08:00"),
        "refusal_notice": ("第十五条", "2023-11-12T09:00:00+08:00"),
        "payment": ("第十五条", None),
        "advance_payment": ("第十六条", "2023-12-09T09:00:00+08:00"),
    }


def test_deadlines_without_a_claim_date_are_listed_undated() -> None:
    decision = decide(case())
    assert [d.id for d in decision.deadlines] == [
        "insurer_decision",
        "refusal_notice",
        "payment",
        "advance_payment",
    ]
    assert all(d.due is None and d.label for d in decision.deadlines)


def test_advance_payment_waits_for_complete_documents() -> None:
    decision = decide(case(documents=[], claim_submitted_at="2023-10-10T09:00:00+08:00"))
    due = {d.id: d.due for d in decision.deadlines}
    assert due["insurer_decision"] is not None and due["advance_payment"] is None


def test_notes_remind_to_report_and_notify() -> None:
    quiet = decide(
        case(incident_changes={"police_report": {"filed": False}, "insurer_notified_at": None})
    )
    assert any("报案" in n and "第十九条(二)" in n for n in quiet.notes)
    assert any("通知华安" in n for n in quiet.notes)
    done = decide(case())
    assert not any("报案" in n for n in done.notes)


def test_notes_say_what_a_person_will_review() -> None:
    decision = decide(case(tx(kind="loan")))
    assert any("t1" in n and "工作人员" in n for n in decision.notes)


def test_trace_records_each_check_in_spec_order() -> None:
    decision = decide(case())
    checks = [s.check for s in decision.trace if s.transaction == "t1"]
    assert checks == ["account", "policy_time", "window", "kind", "cause", "mitigation", "covered"]
    stopped = decide(case(tx(kind="fee")))
    assert [s.check for s in stopped.trace if s.transaction == "t1"][-1] == "kind"
