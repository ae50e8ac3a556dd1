"""Each clause effect of the two guides: 中信 短信宝 (003) and 京东 account safety (001)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rules_builders import case, decide, line, tx

from rules.vocabulary import Cause, Status

C, X, R = Status.covered, Status.excluded, Status.needs_review
CITIC = "citic-sms-guard"
JD = "jd-account-safety"
CITIC_DOCUMENTS = [
    "claim_form",
    "loss_report_proof",
    "transaction_records",
    "id_document",
    "rights_transfer",
]


def citic(*txs: dict[str, Any], **changes: Any) -> dict[str, Any]:
    policy = {
        "product": CITIC,
        "window_hours": 48,
        "covered_accounts": ["credit_card", "supplementary_card"],
    }
    policy |= changes.pop("policy_changes", {})
    changes.setdefault("documents", [*CITIC_DOCUMENTS, "police_report"])
    return case(*(txs or (tx(account="credit_card"),)), policy_changes=policy, **changes)


def jd(*txs: dict[str, Any], **changes: Any) -> dict[str, Any]:
    policy = {"product": JD, "covered_accounts": ["third_party_payment", "credit_card"]}
    policy |= changes.pop("policy_changes", {})
    changes.setdefault("documents", ["transaction_records", "login_records"])
    return case(*(txs or (tx(account="third_party_payment"),)), policy_changes=policy, **changes)


# 中信 短信宝

CITIC_CAUSES: dict[Cause, tuple[Status, str]] = {
    Cause.card_stolen_or_lost: (C, "短信宝:48小时"),
    Cause.card_skimmed: (C, "短信宝:48小时"),
    Cause.account_hacked: (C, "短信宝:48小时"),
    Cause.malware: (C, "短信宝:48小时"),
    Cause.atm_or_counter_theft: (C, "短信宝:48小时"),
    Cause.card_in_transit: (C, "短信宝:48小时"),
    Cause.war_or_unrest: (C, "短信宝:48小时"),
    Cause.natural_disaster: (C, "短信宝:48小时"),
    Cause.coerced_on_site: (R, "短信宝:存在授权行为"),
    Cause.coerced_remote: (R, "短信宝:存在授权行为"),
    Cause.phishing_link: (R, "短信宝:钓鱼网站"),
    Cause.scam_transfer: (X, "短信宝:保障范围"),
    Cause.voluntary_disclosure: (X, "短信宝:密码泄露责任"),
    Cause.account_lent: (X, "短信宝:密码泄露责任"),
    Cause.family_member: (X, "短信宝:家庭成员使用"),
    Cause.domestic_worker: (R, "短信宝:家庭成员使用"),
    Cause.co_resident: (R, "短信宝:家庭成员使用"),
    Cause.administrative_or_judicial: (X, "短信宝:保障范围"),
    Cause.system_error: (X, "短信宝:保障范围"),
    Cause.unknown: (R, "短信宝:拒赔原则"),
}


def test_citic_table_names_every_cause() -> None:
    assert set(CITIC_CAUSES) == set(Cause)


@pytest.mark.parametrize("cause", list(Cause))
def test_citic_cause(cause: Cause) -> None:
    status, clause = CITIC_CAUSES[cause]
    got = line(decide(citic(tx(account="credit_card", cause=cause.value))))
    assert (got.status, got.clauses[0]) == (status, clause), got.reason


def test_citic_window_is_48_hours_whatever_the_schedule_says() -> None:
    data = citic(
        tx("inside", account="credit_card", at="2023-10-06T21:40:00+08:00"),
        tx("outside", account="credit_card", at="2023-10-06T21:39:00+08:00"),
        tx("after", account="credit_card", at="2023-10-08T21:40:00+08:00"),
        policy_changes={"window_hours": 72},
    )
    decision = decide(data)
    assert line(decision, "inside").status is C
    assert line(decision, "outside").clauses == ["短信宝:时间超限"]
    assert line(decision, "after").clauses == ["短信宝:卡片状态异常"]


@pytest.mark.parametrize(
    ("account", "status"),
    [("credit_card", C), ("supplementary_card", C), ("debit_card", X), ("third_party_payment", X)],
)
def test_citic_covers_main_and_supplementary_cards_only(account: str, status: Status) -> None:
    schedule = {
        "covered_accounts": [
            "credit_card",
            "supplementary_card",
            "debit_card",
            "third_party_payment",
        ]
    }
    got = line(decide(citic(tx(account=account), policy_changes=schedule)))
    assert got.status is status
    if status is X:
        assert got.clauses == ["短信宝:适用卡片"]


@pytest.mark.parametrize("method", ["password", "otp"])
def test_citic_authenticated_transaction_goes_to_review(method: str) -> None:
    got = line(decide(citic(tx(account="credit_card", authenticated_with=method))))
    assert (got.status, got.clauses) == (R, ["短信宝:存在授权行为"])


def test_citic_conduct() -> None:
    negligent = line(decide(citic(incident_changes={"gross_negligence": True})))
    illicit = line(decide(citic(incident_changes={"violated_account_rules": True})))
    assert (negligent.status, negligent.clauses) == (X, ["短信宝:拒赔原则"])
    assert (illicit.status, illicit.clauses) == (X, ["短信宝:参与违规交易"])


def test_citic_has_no_deductible_share_or_mitigation() -> None:
    data = citic(
        tx(account="credit_card", amount=Decimal("3000")),
        policy_changes={
            "deductible": 500,
            "deductible_rate": Decimal("0.2"),
            "other_insurance_sum_insured": 100000,
        },
        incident_changes={"discovered_at": "2023-10-08T19:00:00+08:00"},
    )
    decision = decide(data)
    assert line(decision).status is C
    assert (decision.totals.deduction, decision.totals.share) == (0, 1)
    assert decision.totals.payable == 3000


@pytest.mark.parametrize(("amount", "asked"), [("2000.00", False), ("2000.01", True)])
def test_citic_police_receipt_only_above_2000(amount: str, asked: bool) -> None:
    decision = decide(
        citic(tx(account="credit_card", amount=Decimal(amount)), documents=CITIC_DOCUMENTS)
    )
    missing = {m.id.value: m.clause for m in decision.missing_documents}
    assert ("police_report" in missing) is asked
    if asked:
        assert missing["police_report"] == "短信宝:公安报案回执"
    assert line(decision).status is C


def test_citic_required_documents() -> None:
    decision = decide(citic(documents=[]))
    assert [m.id.value for m in decision.missing_documents] == CITIC_DOCUMENTS


@pytest.mark.parametrize(
    ("submitted", "late"),
    [("2023-11-07T21:40:00+08:00", False), ("2023-11-07T21:41:00+08:00", True)],
)
def test_citic_claim_more_than_30_days_after_freeze_sends_every_line_to_review(
    submitted: str, late: bool
) -> None:
    data = citic(
        tx("ok", account="credit_card"),
        tx("early", account="credit_card", at="2023-10-01T00:00:00+08:00"),
        claim_submitted_at=submitted,
    )
    decision = decide(data)
    for tx_id in ("ok", "early"):
        got = line(decision, tx_id)
        assert (got.status is R) is late
        assert ("短信宝:超期申请" in got.clauses) is late
        assert got.eligible == (0 if late or tx_id == "early" else 1000)


def test_citic_filing_deadline_runs_from_the_freeze() -> None:
    decision = decide(citic())
    (deadline,) = decision.deadlines
    assert (deadline.id, deadline.clause) == ("claim_filing", "短信宝:超期申请")
    assert deadline.due is not None and deadline.due.isoformat() == "2023-11-07T21:40:00+08:00"


# 京东

JD_CAUSES: dict[Cause, tuple[Status, str]] = {
    Cause.account_hacked: (C, "京东:保障范围"),
    Cause.card_stolen_or_lost: (C, "京东:保障范围"),
    Cause.card_skimmed: (C, "京东:保障范围"),
    Cause.card_in_transit: (C, "京东:保障范围"),
    Cause.war_or_unrest: (C, "京东:保障范围"),
    Cause.natural_disaster: (C, "京东:保障范围"),
    Cause.voluntary_disclosure: (X, "京东:排除情形"),
    Cause.phishing_link: (X, "京东:排除情形"),
    Cause.malware: (X, "京东:排除情形"),
    Cause.scam_transfer: (X, "京东:赔付原则"),
    Cause.account_lent: (X, "京东:赔付原则"),
    Cause.coerced_remote: (X, "京东:赔付原则"),
    Cause.coerced_on_site: (R, "京东:赔付原则"),
    Cause.unknown: (R, "京东:赔付原则"),
    Cause.family_member: (R, "京东:排除情形"),
    Cause.domestic_worker: (R, "京东:排除情形"),
    Cause.co_resident: (R, "京东:排除情形"),
    Cause.atm_or_counter_theft: (X, "京东:非京东渠道"),
    Cause.administrative_or_judicial: (X, "京东:保障范围"),
    Cause.system_error: (X, "京东:保障范围"),
}


def test_jd_table_names_every_cause() -> None:
    assert set(JD_CAUSES) == set(Cause)


@pytest.mark.parametrize("cause", list(Cause))
def test_jd_cause(cause: Cause) -> None:
    status, clause = JD_CAUSES[cause]
    got = line(decide(jd(tx(account="third_party_payment", cause=cause.value))))
    assert (got.status, got.clauses[0]) == (status, clause), got.reason


@pytest.mark.parametrize(
    ("kind", "clause"),
    [
        ("credit_purchase", "京东:信贷额度"),
        ("loan", "京东:信贷额度"),
        ("gift_card", "京东:用户资产"),
    ],
)
def test_jd_covers_baitiao_jintiao_and_gift_cards(kind: str, clause: str) -> None:
    got = line(decide(jd(tx(account="third_party_payment", kind=kind))))
    assert got.status is C
    assert got.clauses == ["京东:保障范围", clause]


@pytest.mark.parametrize("kind", ["fee", "interest", "auto_debit", "nav_change", "other_feature"])
def test_jd_kinds_it_does_not_name_go_to_review(kind: str) -> None:
    got = line(decide(jd(tx(account="third_party_payment", kind=kind))))
    assert (got.status, got.clauses) == (R, ["京东:赔付原则"])


def test_jd_accounts() -> None:
    schedule = {"covered_accounts": ["third_party_payment", "credit_card", "passbook"]}
    assert line(decide(jd(tx(account="credit_card"), policy_changes=schedule))).status is C
    passbook = line(decide(jd(tx(account="passbook"), policy_changes=schedule)))
    assert (passbook.status, passbook.clauses) == (X, ["京东:账户资金"])


def test_jd_window_and_freeze() -> None:
    data = jd(
        tx("early", account="third_party_payment", at="2023-10-01T00:00:00+08:00"),
        tx("after", account="third_party_payment", at="2023-10-09T00:00:00+08:00"),
    )
    decision = decide(data)
    assert line(decision, "early").clauses == ["京东:赔付额度"]
    assert line(decision, "after").clauses == ["京东:冻结"]


def test_jd_documents_required_and_recommended() -> None:
    decision = decide(jd(documents=[]))
    assert [m.id.value for m in decision.missing_documents] == [
        "transaction_records",
        "login_records",
    ]
    assert any("报案回执" in n and "沟通记录" in n for n in decision.notes)
    complete = decide(jd())
    assert complete.missing_documents == []
    assert not complete.provisional
