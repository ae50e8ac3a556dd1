"""`lossline adjudicate` and `lossline schema`: the rules from the command line.

The rules and pydantic are imported inside the commands, so that `lossline --help` and the other
commands start without loading them.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import typer


class SchemaName(StrEnum):
    case = "case"
    claims = "claims"
    decision = "decision"
    product = "product"


def register(app: typer.Typer) -> None:
    app.command("adjudicate")(adjudicate_cmd)
    app.command("schema")(schema_cmd)


def adjudicate_cmd(
    file: Annotated[str, typer.Argument(help="案件 JSON 文件；- 表示从标准输入读取")],
    explain: Annotated[bool, typer.Option("--explain", help="输出中文说明表，而不是 JSON")] = False,
    products: Annotated[
        Path | None, typer.Option("--products", help="产品条款目录（默认用内置的）")
    ] = None,
) -> None:
    """判定一个案件：逐笔给出结果和依据的条款。{"claims": [...]} 为多人合并申请。"""
    from rules import CaseError, ProductError, adjudicate, adjudicate_joint, read_case_json
    from rules.case import Case

    try:
        text = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        _fail([(file, f"无法读取：{exc.strerror}")])
    try:
        case = read_case_json(text)
        decision = (
            adjudicate(case, products)
            if isinstance(case, Case)
            else adjudicate_joint(case, products)
        )
    except CaseError as exc:
        _fail(exc.problems)
    except ProductError as exc:
        typer.echo(f"产品条款文件有误：{exc}", err=True)
        raise typer.Exit(1) from None
    if explain:
        from rules.explain import explain as render

        typer.echo(render(decision))
    else:
        typer.echo(decision.model_dump_json(indent=2))


def _fail(problems: list[tuple[str, str]]) -> typer.Exit:
    for field, message in problems:
        typer.echo(f"{field}: {message}", err=True)
    raise typer.Exit(2)


def schema_cmd(
    name: Annotated[SchemaName, typer.Argument(help="case、claims、decision 或 product")],
) -> None:
    """打印 JSON Schema：案件、多人合并申请、判定结果或产品条款文件。"""
    import json

    from pydantic import BaseModel

    from rules.case import Case, JointClaims
    from rules.decision import Decision
    from rules.product import ProductFile

    models: dict[SchemaName, type[BaseModel]] = {
        SchemaName.case: Case,
        SchemaName.claims: JointClaims,
        SchemaName.decision: Decision,
        SchemaName.product: ProductFile,
    }
    # A decision is output: its schema is what readers receive (amounts as numbers).
    mode: Literal["validation", "serialization"] = (
        "serialization" if name is SchemaName.decision else "validation"
    )
    schema = models[name].model_json_schema(mode=mode)
    typer.echo(json.dumps(schema, ensure_ascii=False, indent=2))
