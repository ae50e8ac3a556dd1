"""The money helpers: rounding once, and the pro-rata split of 第七条(三)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from rules_builders import case, shared_case

from rules import CaseError, adjudicate_joint
from rules.case import JointClaims
from rules.totals import round_half_up, split_remaining

D = Decimal


def test_round_half_up_on_exact_fractions() -> None:
    assert round_half_up(Fraction(1, 200)) == D("0.01")
    assert round_half_up(Fraction(1, 201)) == D("0.00")
    assert round_half_up(D("2.675")) == D("2.68")  # a float would give 2.67


def test_split_matches_the_worked_case() -> None:
    assert split_remaining([D(12000), D(9000)], D(15000)) == [D("8571.43"), D("6428.57")]


def test_split_leaves_alone_what_fits() -> None:
    assert split_remaining([D(100), D(200)], D(300)) == [D(100), D(200)]


def test_split_ties_go_to_the_earlier_claim() -> None:
    # Three equal claims over 100.00: 33.333… each, one cent left, to the first.
    assert split_remaining([D(50), D(50), D(50)], D(100)) == [D("33.34"), D("33.33"), D("33.33")]


def test_split_sums_exactly_to_what_is_left() -> None:
    own = [D("123.45"), D("678.90"), D("0.01"), D("999.99")]
    parts = split_remaining(own, D("777.77"))
    assert sum(parts) == D("777.77")


def test_joint_claims_must_share_one_policy() -> None:
    data = shared_case("p4-joint-claims-prorata.json")["case"]
    data["claims"][1]["policy"]["sum_insured"] = 30000
    with pytest.raises(CaseError) as err:
        adjudicate_joint(JointClaims.model_validate(data))
    assert err.value.problems[0][0] == "claims[1].policy.sum_insured"


def test_joint_claims_need_a_product_that_shares_its_sum_insured() -> None:
    one = case()
    with pytest.raises(CaseError, match="共享保险金额"):
        adjudicate_joint(JointClaims.model_validate({"claims": [one, one]}))


def test_joint_decision_explains_the_cut() -> None:
    data = shared_case("p4-joint-claims-prorata.json")["case"]
    joint = adjudicate_joint(JointClaims.model_validate(data))
    first = joint.claims[0]
    assert any("第七条(三)" in n and "8,571.43" in n for n in first.notes)
    assert not any("12,000.00元，最终" in n for n in first.notes)  # no stale estimate
    assert first.trace[-1].check == "joint"


def test_decisions_built_without_validation_are_valid_models() -> None:
    # The engine skips validation when building its output: the result must be exactly what
    # validating the same data would give, and behave like any model (copy, compare, dump).
    from rules_builders import decide, tx

    from rules.decision import Decision

    decision = decide(case(tx("t1"), tx("t2", kind="fee"), tx("t3", kind="loan")))
    again = Decision.model_validate(decision.model_dump())
    assert again == decision
    assert decision.model_copy(deep=True) == decision
    assert Decision.model_validate_json(decision.model_dump_json()).totals == decision.totals
