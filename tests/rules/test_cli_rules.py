"""`lossline adjudicate` and `lossline schema`, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rules_builders import case, shared_case, tx

REPO = Path(__file__).resolve().parents[2]


def lossline(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "case.json"
    path.write_text(
        data if isinstance(data, str) else json.dumps(data, default=str, ensure_ascii=False)
    )
    return str(path)


def test_adjudicate_prints_the_decision_as_json_with_numbers(tmp_path: Path) -> None:
    data = shared_case("p1-hacked-alipay-covered.json")["case"]
    result = lossline("adjudicate", write(tmp_path, data))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout, parse_float=Decimal)
    assert decision["totals"]["payable"] == Decimal("4604.34")
    assert decision["lines"][0]["claimed"] == Decimal("3404.34")
    assert decision["wording"]["version"] == "2022"


def test_adjudicate_reads_stdin() -> None:
    text = json.dumps(shared_case("p2-phishing-link-excluded.json")["case"], default=str)
    result = lossline("adjudicate", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["lines"][0]["status"] == "excluded"


def test_adjudicate_joint_claims_prints_claims_in_order(tmp_path: Path) -> None:
    data = shared_case("p4-joint-claims-prorata.json")["case"]
    result = lossline("adjudicate", write(tmp_path, data))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout, parse_float=Decimal)
    assert [c["totals"]["payable"] for c in out["claims"]] == [
        Decimal("8571.43"),
        Decimal("6428.57"),
    ]


def test_explain_on_p3_reads_clearly(tmp_path: Path) -> None:
    result = lossline(
        "adjudicate", "--explain", write(tmp_path, shared_case("p3-kidnapping-window.json")["case"])
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for header in ("交易", "金额", "结果", "条款", "理由"):
        assert header in text
    rows = {row.split()[0]: row for row in text.splitlines() if row[:2] in ("t1", "t2", "t3", "t4")}
    assert "不赔" in rows["t1"] and "第六条(七)" in rows["t1"]
    assert "可赔" in rows["t2"] and "第四条(三)" in rows["t2"]
    assert "需人工审核" in rows["t4"] and "第六条(四)" in rows["t4"]
    assert "应赔 6,094.80 元" in text
    assert "保险费发票（第二十条(一)）" in text
    assert "第十五条" in text and "暂定结果" in text


def _bad(**changes: Any) -> dict[str, Any]:
    data = case()
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("{not json", "(JSON): 不是合法的 JSON"),
        ("[1, 2]", "(案件): 应为 JSON 对象"),
        (_bad(policy__sum_insured=...), "policy.sum_insured: 缺少此字段"),
        (_bad(policy__sum_insured=-5), "policy.sum_insured: 不能为负数"),
        (_bad(transactions__0__amount=-1), "transactions[0].amount: 不能为负数"),
        (_bad(transactions__0__at="yesterday"), "transactions[0].at: 时间格式不对"),
        (_bad(policy__product="no-such-product"), "policy.product: 不认识的产品 'no-such-product'"),
        (_bad(incident__cause="aliens"), "incident.cause: 不认识的取值 'aliens'"),
        (_bad(policy__premium={"mode": "weekly"}), "policy.premium: mode 应为"),
        (_bad(transactions__0__colour="red"), "transactions[0].colour: 不认识的字段"),
        (
            _bad(policy__purchased_on="2021-01-01"),
            "policy.purchased_on: huaan-account-loss-d 在 2021-01-01 没有生效的条款版本",
        ),
    ],
    ids=[
        "not-json",
        "not-object",
        "missing",
        "negative",
        "negative-amount",
        "bad-time",
        "unknown-product",
        "unknown-cause",
        "bad-premium",
        "unknown-field",
        "no-wording",
    ],
)
def test_bad_input_exits_2_naming_the_field(tmp_path: Path, data: Any, expected: str) -> None:
    result = lossline("adjudicate", write(tmp_path, data))
    assert result.returncode == 2
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_every_problem_gets_its_own_line(tmp_path: Path) -> None:
    data = _bad(policy__sum_insured=-5, transactions__0__kind="teleport")
    result = lossline("adjudicate", write(tmp_path, data))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0] == "policy.sum_insured: 不能为负数"
    assert lines[1].startswith("transactions[0].kind: 不认识的取值 'teleport'")


def test_joint_claim_problems_name_the_claim(tmp_path: Path) -> None:
    data = shared_case("p4-joint-claims-prorata.json")["case"]
    data["claims"][1]["transactions"][0]["amount"] = -3
    result = lossline("adjudicate", write(tmp_path, data))
    assert result.returncode == 2
    assert "claims[1].transactions[0].amount: 不能为负数" in result.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = lossline("adjudicate", str(tmp_path / "nope.json"))
    assert result.returncode == 2 and "nope.json: 无法读取" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["case", "claims", "decision", "product"])
def test_schema_prints_a_json_schema(name: str) -> None:
    result = lossline("schema", name)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["type"] == "object" and schema["properties"]


def test_decision_schema_has_amounts_as_numbers() -> None:
    schema = json.loads(lossline("schema", "decision").stdout)
    assert schema["$defs"]["Totals"]["properties"]["payable"]["type"] == "number"
    case_schema = json.loads(lossline("schema", "case").stdout)
    assert {"policy", "incident", "transactions"} <= set(case_schema["required"])


def test_a_trace_step_cites_its_clauses_as_an_array(tmp_path: Path) -> None:
    """The steps hold the wording's tuples (no list copied per step): JSON still has arrays,
    and the schema says so."""
    schema = json.loads(lossline("schema", "decision").stdout)
    clauses = schema["$defs"]["TraceStep"]["properties"]["clauses"]
    assert (clauses["type"], clauses["items"]) == ("array", {"type": "string"})
    out = json.loads(lossline("adjudicate", write(tmp_path, case(tx("t1")))).stdout)
    cited = [step["clauses"] for step in out["trace"]]
    assert all(isinstance(c, list) for c in cited) and any(cited)


def test_the_command_module_does_not_load_the_rules() -> None:
    code = (
        "import sys, bot.commands.rules_cmds; "
        "print(any(m.startswith('rules.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "False", out.stderr


def test_adjudicate_with_an_extra_transaction_line_by_line(tmp_path: Path) -> None:
    data = case(tx("t1"), tx("fee", kind="fee"))
    out = json.loads(lossline("adjudicate", write(tmp_path, data)).stdout)
    assert [x["status"] for x in out["lines"]] == ["covered", "excluded"]


def test_cross_field_problems_are_said_in_chinese(tmp_path: Path) -> None:
    backwards = case(policy_changes={"period_end": "2020-01-01T00:00:00+08:00"})
    result = lossline("adjudicate", write(tmp_path, backwards))
    assert (result.returncode, result.stderr) == (
        2, "policy.period_end: 保险期间的结束时间早于开始时间\n"
    )
    twice = case(tx("t1"), tx("t1"))
    result = lossline("adjudicate", write(tmp_path, twice))
    assert (result.returncode, result.stderr) == (2, "transactions: 交易编号 't1' 出现了两次\n")


def test_an_absurd_amount_is_refused_not_a_traceback(tmp_path: Path) -> None:
    data = case(tx(amount=Decimal("1e30")), policy_changes={"sum_insured": Decimal("1e40")})
    result = lossline("adjudicate", write(tmp_path, data))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "policy.sum_insured: 金额过大（上限 1,000,000,000,000,000 元）",
        "transactions[0].amount: 金额过大（上限 1,000,000,000,000,000 元）",
    ]
