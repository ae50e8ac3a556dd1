"""A case in, a decision out: every line through the checks, then totals, documents, deadlines,
notes and the trace. This module only sequences; each rule lives in checks, totals, followup."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from rules.case import Case, JointClaims, Transaction
from rules.catalog import get_catalog, select_wording
from rules.checks import STEPS, CaseFacts, Finding, case_facts, check_late_claim, line_facts
from rules.construct import constructor
from rules.decision import Decision, JointDecision, Line, Totals, TraceStep
from rules.decision import Wording as WordingRef
from rules.errors import CaseError
from rules.followup import deadlines, missing_documents
from rules.notes import write_notes
from rules.totals import ZERO, Amounts, split_remaining
from rules.types import round_cents
from rules.vocabulary import Status
from rules.wording import Wording

_decision = constructor(Decision)
_wording_ref = constructor(WordingRef)
_line = constructor(Line)
_totals_model = constructor(Totals)
_joint = constructor(JointDecision)
# A trace step's result is "<outcome>: <reason>".
_RESULT = {
    None: "pass: ",
    Status.covered: "covered: ",
    Status.excluded: "excluded: ",
    Status.needs_review: "needs_review: ",
}


def adjudicate(case: Case, products_dir: Path | None = None) -> Decision:
    """Decide a case under the wording in force on the day its policy was bought."""
    wording = select_wording(case.policy, get_catalog(products_dir))
    return decide(case, wording)


def decide(case: Case, wording: Wording) -> Decision:
    _within_reason(case)
    cf = case_facts(case, wording)
    trace = [_step("wording", None, _wording_inputs(case, wording), wording.version, ())]
    lines = [_decide_line(cf, tx, trace) for tx in case.transactions]

    claimed = sum((tx.amount for tx in case.transactions), ZERO)
    eligible = sum((line.eligible for line in lines), ZERO)
    amounts = Amounts(wording, case.policy, claimed, eligible)
    totals = _totals(amounts)
    trace.append(
        _step("totals", None, _amount_inputs(amounts), f"{totals.payable}", amounts.clauses)
    )

    missing = missing_documents(case, wording, claimed)
    if missing:
        trace.append(
            _step(
                "documents",
                None,
                {"documents": case.documents},
                "missing",
                tuple(m.clause for m in missing),
            )
        )
    provisional = bool(missing) or any(line.status is Status.needs_review for line in lines)
    return _decision(
        {
            "product": wording.product,
            "wording": _wording_ref(
                {
                    "version": wording.version,
                    "effective_from": wording.effective_from,
                    "title": wording.title,
                    "source": wording.source,
                },
            ),
            "lines": lines,
            "totals": totals,
            "missing_documents": missing,
            "deadlines": deadlines(case, wording, documents_complete=not missing),
            "provisional": provisional,
            "notes": write_notes(case, wording, lines, totals.payable, missing),
            "trace": trace,
        },
    )


def _decide_line(cf: CaseFacts, tx: Transaction, trace: list[TraceStep]) -> Line:
    lf = line_facts(cf, tx)
    tx_id = tx.id
    # Steps 1–7: the first check with a status decides; step 7 (covered) always has one.
    # (The step is built here rather than by _traced: this loop makes most of a case's steps.)
    for check in STEPS:
        name, status, clauses, reason, inputs = check(cf, lf)
        trace.append(TraceStep(name, tx_id, inputs, _RESULT[status] + reason, clauses))
        if status is not None:
            break

    late = check_late_claim(cf, lf) if cf.wording.late_claim_days else None
    if late is not None:
        trace.append(_traced(tx_id, late))
        if late[1] is not None:
            status, clauses = Status.needs_review, clauses + late[2]
            reason = f"{late[3]}；{reason}"

    eligible = ZERO
    if status is Status.covered:
        eligible, used = _eligible(cf, tx)
        if used:
            clauses += used
            trace.append(_step("amount", tx.id, _line_amounts(tx), f"{eligible}", used))
    return _line(
        {
            "transaction": tx.id,
            "status": status,
            "claimed": tx.amount,
            "eligible": eligible,
            "clauses": list(clauses),
            "reason": reason,
        },
    )


# Amounts are exact Decimals rounded to the cent in a 28-digit context: past this, rounding a
# claimed total or a payable would overflow the context. No real loss comes near it. (Other
# amounts only ever shrink these two, so they need no bound.)
MAX_AMOUNT = Decimal(10) ** 15


def _within_reason(case: Case) -> None:
    too_large = [
        (f"transactions[{i}].amount", tx.amount)
        for i, tx in enumerate(case.transactions)
        if tx.amount > MAX_AMOUNT
    ]
    if case.policy.sum_insured > MAX_AMOUNT:
        too_large.insert(0, ("policy.sum_insured", case.policy.sum_insured))
    if too_large:
        raise CaseError([(field, f"金额过大（上限 {MAX_AMOUNT:,} 元）") for field, _ in too_large])


def _eligible(cf: CaseFacts, tx: Transaction) -> tuple[Decimal, tuple[str, ...]]:
    """A covered line's amount, less what a bank or platform already bore (第六条(二)) and what
    was recovered from the responsible party (第二十四条)."""
    if not tx.compensated and not tx.recovered:
        return tx.amount, ()
    used: tuple[str, ...] = ()
    if tx.compensated:
        used += cf.wording.compensated_clauses
    if tx.recovered:
        used += cf.wording.recovered_clauses
    return max(ZERO, tx.amount - tx.compensated - tx.recovered), used


def _totals(amounts: Amounts) -> Totals:
    return _totals_model(
        {
            "claimed": round_cents(amounts.claimed),
            "eligible": round_cents(amounts.eligible),
            "deduction": round_cents(amounts.deduction),
            "share": amounts.share_decimal(),
            "payable": amounts.payable,
        },
    )


def adjudicate_joint(claims: JointClaims, products_dir: Path | None = None) -> JointDecision:
    """Several insured persons of one shared policy claiming together (第七条(三) of 002): each
    claim decided alone, then cut pro rata when together they exceed what is left insured."""
    catalog = get_catalog(products_dir)
    first = claims.claims[0].policy
    problems = [
        (f"claims[{i}].policy.{name}", "与第一份申请的保单不一致：合并申请必须是同一张保单")
        for i, case in enumerate(claims.claims[1:], start=1)
        for name in _SHARED_POLICY_FIELDS
        if getattr(case.policy, name) != getattr(first, name)
    ]
    if problems:
        raise CaseError(problems)
    try:
        wording = select_wording(first, catalog)
    except CaseError as exc:
        raise exc.with_prefix("claims[0].") from None
    if len(claims.claims) > 1 and not wording.joint_clauses:
        raise CaseError(
            [("claims", f"{wording.product} 没有多名被保险人共享保险金额的约定，不能合并申请")]
        )
    decisions = [decide(case, wording) for case in claims.claims]
    remaining = max(ZERO, first.sum_insured - first.paid_before)
    own = [d.totals.payable for d in decisions]
    paid = split_remaining(own, remaining)
    if paid != own:
        cited = wording.joint_clauses
        for case, decision, mine, share in zip(claims.claims, decisions, own, paid, strict=True):
            decision.totals.payable = share
            decision.trace.append(
                _step("joint", None, {"own": own, "remaining": remaining}, f"{share}", cited)
            )
            # The notes speak of the amount actually paid.
            decision.notes = write_notes(
                case, wording, decision.lines, share, decision.missing_documents
            )
            decision.notes.append(
                f"几位被保险人共用一个保险金额，这次一起申请的应赔金额合计超过了剩余保额"
                f"{remaining:,.2f}元，按{'、'.join(cited)}按比例分配：单独计算应赔{mine:,.2f}元，"
                f"实际可赔{share:,.2f}元。"
            )
    return _joint({"claims": decisions})


_SHARED_POLICY_FIELDS = ("product", "purchased_on", "wording_version", "sum_insured", "paid_before")


def _step(
    check: str, tx: str | None, inputs: dict[str, Any], result: str, clauses: tuple[str, ...]
) -> TraceStep:
    return TraceStep(check, tx, inputs, result, clauses)


def _traced(tx_id: str, finding: Finding) -> TraceStep:
    check, status, clauses, reason, inputs = finding
    return TraceStep(check, tx_id, inputs, _RESULT[status] + reason, clauses)


def _wording_inputs(case: Case, wording: Wording) -> dict[str, Any]:
    return {
        "product": wording.product,
        "purchased_on": case.policy.purchased_on,
        "wording_version": case.policy.wording_version,
        "effective_from": wording.effective_from,
    }


def _amount_inputs(amounts: Amounts) -> dict[str, Any]:
    return {
        "eligible": amounts.eligible,
        "deduction": amounts.deduction,
        "share": str(amounts.share or 1),
        "remaining": amounts.remaining,
    }


def _line_amounts(tx: Transaction) -> dict[str, Any]:
    return {"amount": tx.amount, "compensated": tx.compensated, "recovered": tx.recovered}
