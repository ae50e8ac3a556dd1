"""A wording version compiled for deciding: the product file's clauses turned into lookup tables.

Compiling once at load keeps adjudication to dictionary look-ups, and is where contradictions in
the data surface: two clauses deciding the same cause, a cause no clause decides, a product
without the clauses every decision needs. Each is an error naming the clauses involved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from rules.errors import ProductError
from rules.product import Clause, DeadlineRule, Defaults, Flag, ProductFile, Term
from rules.vocabulary import Account, Cause, Document, Kind, Status

K = TypeVar("K")
Clauses = tuple[str, ...]
Outcome = tuple[Status, Clauses]
"""What a clause decides for a line, and the clauses to cite for it."""


@dataclass(frozen=True, slots=True)
class RequiredDocument:
    document: Document
    clause: str
    when_claimed_over: Decimal | None


@dataclass(frozen=True, slots=True)
class Wording:
    product: str
    version: str
    kind: str
    insurer: str
    registration: str | None
    effective_from: date | None
    title: str
    source: str
    defaults: Defaults
    texts: dict[str, str]
    # Step 1
    insured_accounts: frozenset[Account]
    account_clauses: Clauses
    owner_clauses: Clauses
    # Step 2
    period_clauses: Clauses
    cancellation_clauses: Clauses
    premium_clauses: Clauses
    premium_suspended_from_day: int | None
    # Step 3
    window_clauses: Clauses
    fixed_window_hours: int | None
    before_window_clauses: Clauses
    after_freeze_clauses: Clauses
    # Steps 4 and 5
    kinds: dict[Kind, Outcome]
    causes: dict[tuple[Cause, Account], Outcome]
    flags: dict[Flag, Outcome]
    authenticated: dict[str, Outcome]
    unexplained_clauses: Clauses
    # Step 6 and after
    mitigation_clauses: Clauses
    late_claim_days: int | None
    late_claim_after: timedelta | None
    late_claim_clauses: Clauses
    # Amounts
    compensated_clauses: Clauses
    recovered_clauses: Clauses
    deductible_clauses: Clauses
    share_clauses: Clauses
    cap_clauses: Clauses
    joint_clauses: Clauses
    # Documents, reminders, deadlines
    required: tuple[RequiredDocument, ...]
    recommended: tuple[tuple[Document, str], ...]
    documents_at_once_clauses: Clauses
    reminder_clauses: Clauses
    deadlines: tuple[tuple[DeadlineRule, str, timedelta], ...]
    """Each rule with its clause and its length (a timedelta is costly to build per case)."""
    definitions: dict[Cause | Term, Clauses]

    @property
    def required_documents(self) -> list[Document]:
        return [r.document for r in self.required]


def compile_wording(spec: ProductFile, where: str) -> Wording:
    clauses = spec.clauses

    def having(test: str) -> Clauses:
        return tuple(c.id for c in clauses if getattr(c.effect, test))

    def one_value(name: str) -> tuple[Clauses, Clause | None]:
        found = [c for c in clauses if getattr(c.effect, name) is not None]
        if len(found) > 1:
            raise ProductError(f"{where}: {name} 由多条条款给出：{', '.join(c.id for c in found)}")
        return tuple(c.id for c in found), (found[0] if found else None)

    definitions: dict[Cause | Term, list[str]] = {}
    for c in clauses:
        for term in c.effect.defines:
            definitions.setdefault(term, []).append(c.id)
    defined = {term: tuple(ids) for term, ids in definitions.items()}

    premium_ids, premium = one_value("premium")
    late_ids, late = one_value("late_claim")
    window_ids = having("window")
    fixed_hours = {c.effect.window.hours for c in clauses if c.effect.window is not None}
    if len(fixed_hours) > 1:
        raise ProductError(f"{where}: 保障时段的小时数互相矛盾：{', '.join(window_ids)}")

    wording = Wording(
        product=spec.id,
        version=spec.version,
        kind=spec.kind,
        insurer=spec.insurer,
        registration=spec.registration,
        effective_from=spec.effective_from,
        title=spec.title,
        source=spec.source,
        defaults=spec.defaults,
        texts={c.id: c.text for c in clauses},
        insured_accounts=frozenset(a for c in clauses for a in c.effect.insured_accounts),
        account_clauses=having("insured_accounts"),
        owner_clauses=having("owner_unverified"),
        period_clauses=having("period"),
        cancellation_clauses=having("cancellation"),
        premium_clauses=premium_ids + defined.get("premium_due_date", ()),
        premium_suspended_from_day=premium.effect.premium.suspended_from_day
        if premium is not None and premium.effect.premium is not None
        else None,
        window_clauses=window_ids,
        fixed_window_hours=next(iter(fixed_hours)) if fixed_hours else None,
        before_window_clauses=having("before_window"),
        after_freeze_clauses=having("after_freeze"),
        kinds=_kind_table(clauses, where),
        causes=_cause_table(clauses, defined, where),
        flags=_flag_table(clauses, where),
        authenticated=_table(
            (
                (method, Status.needs_review, c.id)
                for c in clauses
                for method in c.effect.reviews_authenticated
            ),
            where,
            "授权方式",
        ),
        unexplained_clauses=having("voids_unexplained_exclusions"),
        mitigation_clauses=having("mitigation"),
        late_claim_days=late.effect.late_claim.days
        if late is not None and late.effect.late_claim is not None
        else None,
        late_claim_after=timedelta(days=late.effect.late_claim.days)
        if late is not None and late.effect.late_claim is not None
        else None,
        late_claim_clauses=late_ids,
        compensated_clauses=having("deducts_compensated"),
        recovered_clauses=having("deducts_recovered"),
        deductible_clauses=having("deductible"),
        share_clauses=having("other_insurance_share"),
        cap_clauses=having("caps_at_sum_insured"),
        joint_clauses=having("joint_pro_rata"),
        required=tuple(
            RequiredDocument(d, c.id, c.effect.required_when_claimed_over)
            for c in clauses
            for d in c.effect.requires
        ),
        recommended=tuple((d, c.id) for c in clauses for d in c.effect.recommends),
        documents_at_once_clauses=having("documents_at_once"),
        reminder_clauses=having("reminds_to_report"),
        deadlines=tuple(
            (rule, c.id, timedelta(days=rule.days)) for c in clauses for rule in c.effect.deadlines
        ),
        definitions=defined,
    )
    _check_complete(wording, where)
    return wording


def _table(entries: Iterable[tuple[K, Status, str]], where: str, what: str) -> dict[K, Outcome]:
    """One outcome per key; a key decided by two clauses is a contradiction in the data."""
    table: dict[K, Outcome] = {}
    for key, status, clause in entries:
        if key in table:
            raise ProductError(
                f"{where}: {what} {key} 同时由 {table[key][1][0]} 和 {clause} 决定，互相冲突"
            )
        table[key] = (status, (clause,))
    return table


def _kind_table(clauses: list[Clause], where: str) -> dict[Kind, Outcome]:
    return _table(
        (
            (kind, status, c.id)
            for c in clauses
            for status, kinds in (
                (Status.excluded, c.effect.excludes_kinds),
                (Status.needs_review, c.effect.reviews_kinds),
                (Status.covered, c.effect.covers_kinds),
            )
            for kind in kinds
        ),
        where,
        "交易类型",
    )


def _flag_table(clauses: list[Clause], where: str) -> dict[Flag, Outcome]:
    return _table(
        (
            (flag, status, c.id)
            for c in clauses
            for status, flags in (
                (Status.excluded, c.effect.excludes_flags),
                (Status.needs_review, c.effect.reviews_flags),
            )
            for flag in flags
        ),
        where,
        "情形",
    )


def _cause_table(
    clauses: list[Clause], defined: dict[Cause | Term, Clauses], where: str
) -> dict[tuple[Cause, Account], Outcome]:
    """Every cause on every account: exactly one general clause decides a cause, and a covering
    clause narrowed to some accounts (第四条(四), 附属卡) replaces it on those accounts."""
    general = _table(
        (
            (cause, status, c.id)
            for c in clauses
            for status, causes in (
                (Status.covered, [] if c.effect.on_accounts else c.effect.covers),
                (Status.excluded, c.effect.excludes),
                (Status.needs_review, c.effect.reviews),
            )
            for cause in causes
        ),
        where,
        "原因",
    )
    missing = [cause.value for cause in Cause if cause not in general]
    if missing:
        raise ProductError(f"{where}: 没有条款决定这些原因：{', '.join(missing)}")
    narrow = _table(
        (
            ((cause, account), Status.covered, c.id)
            for c in clauses
            if c.effect.on_accounts
            for cause in c.effect.covers
            for account in c.effect.on_accounts
        ),
        where,
        "原因/账户",
    )
    table: dict[tuple[Cause, Account], Outcome] = {}
    for cause in Cause:
        for account in Account:
            status, cited = narrow.get((cause, account)) or general[cause]
            # The 释义 that defines the cause is part of why the line was decided so.
            table[cause, account] = (status, cited + defined.get(cause, ()))
    return table


def _check_complete(w: Wording, where: str) -> None:
    """The clauses every decision cites must exist: a product without them cannot decide."""
    needed = {
        "insured_accounts": w.account_clauses,
        "period": w.period_clauses,
        "window": w.window_clauses,
        "before_window": w.before_window_clauses,
        "after_freeze": w.after_freeze_clauses,
    }
    absent = [name for name, ids in needed.items() if not ids]
    if absent:
        raise ProductError(f"{where}: 缺少这些作用的条款：{', '.join(absent)}")
    names = {rule.id for rule, _, _ in w.deadlines}
    for rule, clause, _ in w.deadlines:
        if rule.after is not None and rule.after not in names:
            raise ProductError(
                f"{where}: {clause} 的期限 {rule.id} 引用了不存在的期限 {rule.after}"
            )
