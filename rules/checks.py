"""The checks of one transaction, one small function per kind of check, in the order of
shared/spec/case-format.md ("How a line is decided").

Each check returns a Finding: a status when it decides the line (excluded or needs_review), None
when the line goes on to the next check, and always the clauses it used and what it looked at.
The clauses come from the wording's tables, so a product differs only by its data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from rules.case import Case, MonthlyPremium, Transaction
from rules.product import Flag
from rules.types import SHANGHAI
from rules.vocabulary import (
    ACCOUNT_LABELS,
    CAUSE_LABELS,
    KIND_LABELS,
    Account,
    Cause,
    Status,
)
from rules.wording import Clauses, Wording

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COVERED = Status.covered
EXCLUDED = Status.excluded
REVIEW = Status.needs_review


Finding = tuple[str, Status | None, Clauses, str, dict[str, Any]]
"""(check, status, clauses, reason, inputs). The status is excluded or needs_review when the
check decides the line, None when the line goes on to the next check. A plain tuple: a named
one costs a Python call, and there are several per line."""


@dataclass(slots=True)
class CaseFacts:
    """What every line of one case is judged against, worked out once per case.

    Times are compared as offsets from the Unix epoch (timedelta): pydantic gives every parsed
    time its own tzinfo object, and comparing aware datetimes across tzinfo objects costs ten
    times as much as comparing two timedeltas.
    """

    case: Case
    wording: Wording
    insured: frozenset[Account]
    """On the schedule and insurable under the wording."""
    window_hours: int
    window: timedelta
    period: tuple[timedelta, timedelta]
    cancelled: timedelta | None
    paid: bool
    suspended: tuple[timedelta, timedelta] | None
    """From when to when an unpaid monthly premium suspends the cover (end: timedelta.max if never)."""
    suspended_from: datetime | None
    discovered: timedelta | None
    frozen: timedelta | None
    """The incident's freeze; a transaction's own freeze replaces it."""


@dataclass(slots=True)  # not frozen: a frozen dataclass pays a setattr call per field
class LineFacts:
    """One transaction as the checks see it: its own cause and freeze replace the incident's."""

    tx: Transaction
    cause: Cause
    frozen_at: datetime | None
    at: timedelta
    frozen: timedelta | None


def case_facts(case: Case, wording: Wording) -> CaseFacts:
    policy, incident = case.policy, case.incident
    # 短信宝's window is 48 h whatever the schedule says; other products use the schedule's.
    hours = wording.fixed_window_hours or policy.window_hours
    premium = policy.premium
    paid = premium.first_paid if isinstance(premium, MonthlyPremium) else premium.paid
    suspended_from, suspended = _suspension(case, wording)
    return CaseFacts(
        case=case,
        wording=wording,
        insured=frozenset(policy.covered_accounts) & wording.insured_accounts,
        window_hours=hours,
        window=timedelta(0, hours * 3600),  # positional: the keyword form is twice as slow
        period=(policy.period_start - EPOCH, policy.period_end - EPOCH),
        cancelled=_ts(policy.cancelled_at) if wording.cancellation_clauses else None,
        paid=paid,
        suspended=suspended,
        suspended_from=suspended_from,
        discovered=_ts(incident.discovered_at) if wording.mitigation_clauses else None,
        frozen=_ts(incident.frozen_at),
    )


def line_facts(cf: CaseFacts, tx: Transaction) -> LineFacts:
    incident = cf.case.incident
    if tx.frozen_at is None:
        return LineFacts(tx, tx.cause or incident.cause, incident.frozen_at, tx.at - EPOCH, cf.frozen)
    return LineFacts(tx, tx.cause or incident.cause, tx.frozen_at, tx.at - EPOCH, tx.frozen_at - EPOCH)


def _ts(value: datetime | None) -> timedelta | None:
    return value - EPOCH if value is not None else None


def _suspension(case: Case, wording: Wording) -> tuple[datetime | None, tuple[timedelta, timedelta] | None]:
    """第十八条: an installment unpaid 30 days after its due date D suspends the cover from 00:00
    of D + 31 days until 00:00 of the day the premium was paid again."""
    premium = case.policy.premium
    days = wording.premium_suspended_from_day
    if not isinstance(premium, MonthlyPremium) or premium.unpaid_due_date is None or days is None:
        return None, None
    start = datetime.combine(premium.unpaid_due_date + timedelta(days=days), time(), SHANGHAI)
    back = premium.reinstated_on
    end = datetime.combine(back, time(), SHANGHAI) - EPOCH if back is not None else timedelta.max
    return start, (start - EPOCH, end)


Check = Callable[[CaseFacts, LineFacts], Finding]


# 1. Accounts


def check_account(cf: CaseFacts, lf: LineFacts) -> Finding:
    w, tx = cf.wording, lf.tx
    schedule = cf.case.policy.covered_accounts
    inputs: dict[str, Any] = {"account": tx.account, "covered_accounts": schedule}
    if tx.account not in cf.insured:
        reason = f"{ACCOUNT_LABELS[tx.account]}不在保单承保的账户范围内"
        return ("account", EXCLUDED, w.account_clauses, reason, inputs)
    if tx.account is Account.third_party_payment and w.owner_clauses:
        inputs["account_owner_verified"] = tx.account_owner_verified
        if not tx.account_owner_verified:
            reason = "无法证明这个第三方支付账户在本人名下"
            return ("account", EXCLUDED, w.owner_clauses, reason, inputs)
    return ("account", None, w.account_clauses, "账户在承保范围内", inputs)


# 2. Time of the transaction against the policy


def check_policy_time(cf: CaseFacts, lf: LineFacts) -> Finding:
    w, policy, at = cf.wording, cf.case.policy, lf.at
    inputs: dict[str, Any] = {
        "at": lf.tx.at,
        "period_start": policy.period_start,
        "period_end": policy.period_end,
    }
    start, end = cf.period
    if not start <= at <= end:
        span = f"{policy.period_start:%Y-%m-%d}至{policy.period_end:%Y-%m-%d}"
        reason = f"交易时间不在保险期间内（{span}）"
        return ("policy_time", EXCLUDED, w.period_clauses, reason, inputs)
    if cf.cancelled is not None:
        inputs["cancelled_at"] = policy.cancelled_at
        if at >= cf.cancelled:
            reason = "交易发生在退保申请送达之后，合同效力已终止"
            return ("policy_time", EXCLUDED, w.cancellation_clauses, reason, inputs)
    if w.premium_clauses:
        inputs["premium"], inputs["premium_paid"] = policy.premium.mode, cf.paid
        if not cf.paid:
            reason = "保险费未交（首期）或未交清，合同没有生效"
            return ("policy_time", EXCLUDED, w.premium_clauses, reason, inputs)
        if cf.suspended is not None and cf.suspended[0] <= at < cf.suspended[1]:
            reason = (
                f"当期保险费逾期未交，合同自{cf.suspended_from:%Y-%m-%d}零时起中止效力，交易发生在中止期间"
            )
            return ("policy_time", EXCLUDED, w.premium_clauses, reason, inputs)
    return ("policy_time", None, w.period_clauses, "交易发生在保险期间内，合同有效", inputs)


# 3. The window before the freeze


def check_window(cf: CaseFacts, lf: LineFacts) -> Finding:
    w, frozen = cf.wording, lf.frozen
    inputs = {"at": lf.tx.at, "frozen_at": lf.frozen_at, "window_hours": cf.window_hours}
    if frozen is None:
        reason = "还没有挂失或冻结：保障时段要从挂失/冻结那一刻往前算，现在还定不下来"
        clauses = w.window_clauses + w.definitions.get("freeze", ())
        return ("window", REVIEW, clauses, reason, inputs)
    if lf.at >= frozen:
        reason = "交易发生在挂失/冻结之后"
        return ("window", EXCLUDED, w.after_freeze_clauses, reason, inputs)
    if lf.at < frozen - cf.window:
        reason = f"交易发生在挂失/冻结前{cf.window_hours}小时之外"
        return ("window", EXCLUDED, w.before_window_clauses, reason, inputs)
    reason = f"交易发生在挂失/冻结前{cf.window_hours}小时内"
    return ("window", None, w.window_clauses, reason, inputs)


# 4. Kind of transaction


def check_kind(cf: CaseFacts, lf: LineFacts) -> Finding:
    tx = lf.tx
    found = cf.wording.kinds.get(tx.kind)
    inputs = {"kind": tx.kind}
    if found is None or found[0] is COVERED:
        return ("kind", None, found[1] if found else (), KIND_LABELS[tx.kind], inputs)
    status, clauses = found
    if status is EXCLUDED:
        reason = f"{KIND_LABELS[tx.kind]}不在赔偿范围内"
    else:
        reason = f"{KIND_LABELS[tx.kind]}是否属于赔偿范围，需要工作人员判断"
    return ("kind", status, clauses, reason, inputs)


# 5. Cause and conduct


def check_cause(cf: CaseFacts, lf: LineFacts) -> Finding:
    w, incident, tx, cause = cf.wording, cf.case.incident, lf.tx, lf.cause
    status, clauses = w.causes[cause, tx.account]
    inputs: dict[str, Any] = {
        "cause": cause,
        "account": tx.account,
        "gross_negligence": incident.gross_negligence,
        "violated_account_rules": incident.violated_account_rules,
        "authenticated_with": tx.authenticated_with,
        "exclusions_explained": cf.case.policy.exclusions_explained,
    }
    label = CAUSE_LABELS[cause]
    if status is EXCLUDED:
        return _exclusion(cf, clauses, f"原因是“{label}”，属于不赔的情形", inputs)
    if status is REVIEW:
        if cause is Cause.unknown:
            reason = "被盗的原因还不清楚，需要工作人员核实"
        else:
            reason = f"原因是“{label}”，条款没有写明是否赔，需要工作人员核实"
        return ("cause", REVIEW, clauses, reason, inputs)
    for flag, what in _FLAGS:
        decided = w.flags.get(flag) if getattr(incident, flag) else None
        if decided is not None:
            if decided[0] is EXCLUDED:
                return _exclusion(cf, decided[1], f"{what}，属于不赔的情形", inputs)
            return ("cause", REVIEW, decided[1], f"{what}，需要工作人员判断", inputs)
    if tx.authenticated_with is not None and tx.authenticated_with in w.authenticated:
        how = "正确密码" if tx.authenticated_with == "password" else "手机验证码"
        reason = f"交易时使用了{how}，银行可能视为本人授权，需要工作人员核实"
        return ("cause", REVIEW, w.authenticated[tx.authenticated_with][1], reason, inputs)
    return ("cause", None, clauses, f"{label}，属于保障的原因", inputs)


_FLAGS: tuple[tuple[Flag, str], ...] = (
    ("gross_negligence", "存在故意或重大过失"),
    ("violated_account_rules", "没有遵守账户使用规定"),
)


def _exclusion(cf: CaseFacts, clauses: Clauses, reason: str, inputs: dict[str, Any]) -> Finding:
    """An exclusion the insurer never pointed out and explained at sale may have no effect
    (第十二条; 保险法第十七条): then a person decides instead of the exclusion."""
    unexplained = cf.wording.unexplained_clauses
    if cf.case.policy.exclusions_explained is False and unexplained:
        reason += "；但投保时没有对这条免责条款作提示和明确说明，它可能不产生效力，需要工作人员判断"
        return ("cause", REVIEW, unexplained + clauses, reason, inputs)
    return ("cause", EXCLUDED, clauses, reason, inputs)


# 6. Duty to mitigate


def check_mitigation(cf: CaseFacts, lf: LineFacts) -> Finding:
    w, discovered, frozen = cf.wording, cf.discovered, lf.frozen
    inputs = {
        "discovered_at": cf.case.incident.discovered_at,
        "at": lf.tx.at,
        "frozen_at": lf.frozen_at,
    }
    if discovered is not None and frozen is not None:
        if discovered < lf.at < frozen:
            reason = "交易发生在发现被盗之后、挂失之前，需要工作人员核实这笔是否属于没能及时止损而扩大的损失"
            return ("mitigation", REVIEW, w.mitigation_clauses, reason, inputs)
    return ("mitigation", None, (), "不涉及发现后扩大的损失", inputs)


# 7. Covered


def covered(cf: CaseFacts, lf: LineFacts) -> Finding:
    """Every check passed: cite the clause that covers the cause, and the one naming the kind."""
    w, tx, cause = cf.wording, lf.tx, lf.cause
    clauses = w.causes[cause, tx.account][1]
    kind = w.kinds.get(tx.kind)
    if kind is not None:
        clauses += kind[1]
    what = f"{CAUSE_LABELS[cause]}，{KIND_LABELS[tx.kind]}"
    reason = f"{what}发生在挂失/冻结前{cf.window_hours}小时内"
    return ("covered", COVERED, clauses, reason, {"cause": cause, "kind": tx.kind})


STEPS: tuple[Check, ...] = (
    check_account,
    check_policy_time,
    check_window,
    check_kind,
    check_cause,
    check_mitigation,
    covered,
)
"""Steps 1–7 in spec order; the first that returns a status decides the line."""


# After the line: a claim filed too late goes to a person, whatever the line's own outcome.


def check_late_claim(cf: CaseFacts, lf: LineFacts) -> Finding | None:
    w, submitted, frozen = cf.wording, cf.case.claim_submitted_at, lf.frozen_at
    days, after = w.late_claim_days, w.late_claim_after
    if after is None or submitted is None or frozen is None:
        return None
    inputs = {"claim_submitted_at": submitted, "frozen_at": frozen, "days": days}
    if submitted - frozen > after:
        reason = f"挂失后超过{days}天才提交理赔申请（超期申请），需要工作人员判断"
        return ("late_claim", REVIEW, w.late_claim_clauses, reason, inputs)
    return ("late_claim", None, w.late_claim_clauses, f"挂失后{days}天内提交了申请", inputs)
