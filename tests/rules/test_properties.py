"""Properties that hold for every case: the cap, excluded lines, order, joint claims."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rules_builders import ALL_ACCOUNTS, case, decide, policy, tx

from rules import adjudicate_joint
from rules.case import JointClaims
from rules.types import floor_cents
from rules.vocabulary import Cause, Kind, Status

FROZEN = datetime.fromisoformat("2023-10-08T21:40:00+08:00")
PRODUCTS = ["huaan-account-loss-d", "family-account-loss", "citic-sms-guard", "jd-account-safety"]

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2)
small_money = st.decimals(min_value=Decimal(0), max_value=Decimal(5000), places=2)


@st.composite
def transactions(draw: st.DrawFn, tx_id: str) -> dict[str, Any]:
    amount = draw(money)
    return tx(
        tx_id,
        at=(FROZEN + timedelta(minutes=draw(st.integers(-120 * 60, 6 * 60)))).isoformat(),
        amount=amount,
        account=draw(st.sampled_from(ALL_ACCOUNTS)),
        kind=draw(st.sampled_from(list(Kind))).value,
        cause=draw(st.one_of(st.none(), st.sampled_from(list(Cause)).map(lambda c: c.value))),
        compensated=draw(st.one_of(st.just(Decimal(0)), small_money)),
        recovered=draw(st.one_of(st.just(Decimal(0)), small_money)),
        authenticated_with=draw(st.sampled_from([None, "password", "otp"])),
        account_owner_verified=draw(st.booleans()),
    )


@st.composite
def cases(draw: st.DrawFn, product: str | None = None) -> dict[str, Any]:
    n = draw(st.integers(1, 6))
    txs = [draw(transactions(f"t{i}")) for i in range(n)]
    other = draw(st.one_of(st.just(Decimal(0)), money))
    return case(
        *txs,
        policy_changes={
            "product": product or draw(st.sampled_from(PRODUCTS)),
            "sum_insured": draw(money),
            "paid_before": draw(st.one_of(st.just(Decimal(0)), money)),
            "deductible": draw(st.one_of(st.just(Decimal(0)), small_money)),
            "deductible_rate": draw(st.decimals(min_value=0, max_value=1, places=2)),
            "other_insurance_sum_insured": other,
            "exclusions_explained": draw(st.sampled_from([None, True, False])),
        },
        incident_changes={
            "cause": draw(st.sampled_from(list(Cause))).value,
            "discovered_at": draw(st.sampled_from([None, "2023-10-08T12:00:00+08:00"])),
        },
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_payable_is_never_negative_nor_above_what_is_left(data: dict[str, Any]) -> None:
    decision = decide(data)
    p = data["policy"]
    remaining = max(Decimal(0), p["sum_insured"] - p["paid_before"])
    assert 0 <= decision.totals.payable <= remaining
    assert decision.totals.payable <= decision.totals.eligible


@settings(max_examples=200, deadline=None)
@given(cases())
def test_only_covered_lines_contribute(data: dict[str, Any]) -> None:
    decision = decide(data)
    for line in decision.lines:
        if line.status is not Status.covered:
            assert line.eligible == 0
        assert line.clauses, line
    assert decision.totals.eligible == sum((x.eligible for x in decision.lines), Decimal(0))


@settings(max_examples=200, deadline=None)
@given(cases(), transactions("extra"))
def test_adding_an_excluded_transaction_never_changes_payable(
    data: dict[str, Any], extra: dict[str, Any]
) -> None:
    before = decide(data).totals.payable
    with_extra = data | {"transactions": [*data["transactions"], extra]}
    decision = decide(with_extra)
    if next(x for x in decision.lines if x.transaction == "extra").status is Status.excluded:
        assert decision.totals.payable == before
    # One that is always excluded: before the policy period began.
    outside = extra | {"at": "2023-02-01T00:00:00+08:00", "frozen_at": "2023-02-01T01:00:00+08:00"}
    decision = decide(data | {"transactions": [*data["transactions"], outside]})
    assert decision.lines[-1].status is Status.excluded
    assert decision.totals.payable == before


@settings(max_examples=200, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_transaction_order_never_matters(data: dict[str, Any], rnd: random.Random) -> None:
    shuffled = list(data["transactions"])
    rnd.shuffle(shuffled)
    a, b = decide(data), decide(data | {"transactions": shuffled})
    assert a.totals == b.totals
    assert sorted(a.lines, key=lambda x: x.transaction) == sorted(
        b.lines, key=lambda x: x.transaction
    )
    assert a.missing_documents == b.missing_documents and a.provisional == b.provisional


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(transactions("t"), min_size=1, max_size=3), min_size=1, max_size=4),
    money,
    st.one_of(st.just(Decimal(0)), money),
)
def test_joint_payouts_never_exceed_what_is_left(
    claims: list[list[dict[str, Any]]], sum_insured: Decimal, paid_before: Decimal
) -> None:
    shared = policy(product="family-account-loss", sum_insured=sum_insured, paid_before=paid_before)
    docs = case()["documents"]
    raw = [
        {
            "policy": shared,
            "incident": case()["incident"],
            "transactions": [t | {"id": f"t{i}"} for i, t in enumerate(txs)],
            "documents": docs,
        }
        for txs in claims
    ]
    joint = adjudicate_joint(JointClaims.model_validate({"claims": raw}))
    alone = [decide(c).totals.payable for c in raw]
    paid = [d.totals.payable for d in joint.claims]
    remaining = floor_cents(max(Decimal(0), sum_insured - paid_before))
    assert sum(paid) <= remaining
    assert all(0 <= p <= own for p, own in zip(paid, alone, strict=True))
    if sum(alone) > remaining:
        assert sum(paid) == remaining
    else:
        assert paid == alone
