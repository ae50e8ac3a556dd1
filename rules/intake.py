"""Reading a case from outside (a file, stdin, an HTTP body) into the contract's models.

Every problem becomes one (field path, Chinese message) pair of a CaseError, with the path
written as in the case file (`transactions[0].amount`), so that a person can fix the file.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from rules.case import Case, JointClaims
from rules.errors import CaseError

_PREMIUM_MODES = ("single", "monthly")


def read_case_json(text: str | bytes) -> Case | JointClaims:
    """Parse JSON numbers straight into Decimal (never through float), then validate."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        where = f"第{exc.lineno}行第{exc.colno}列"
        raise CaseError([("(JSON)", f"不是合法的 JSON：{where}，{exc.msg}")]) from None
    except UnicodeDecodeError:
        raise CaseError([("(JSON)", "不是 UTF-8 编码的文本")]) from None
    return parse_case(data)


def parse_case(data: Any) -> Case | JointClaims:
    """A case, or {"claims": [case, …]} for several insured persons claiming together.

    A worked example ({"case": …, "expect": …}, as in shared/cases/) is read as its case, so
    the examples can be adjudicated as they are; errors then name their path under "case".
    """
    if not isinstance(data, dict):
        raise CaseError([("(案件)", "应为 JSON 对象（{…}）")])
    if set(data) <= {"case", "expect"} and isinstance(data.get("case"), dict):
        try:
            return parse_case(data["case"])
        except CaseError as exc:
            raise CaseError([(f"case.{path}", message) for path, message in exc.problems]) from None
    model: type[Case] | type[JointClaims] = JointClaims if "claims" in data else Case
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise CaseError([_problem(e) for e in exc.errors()]) from None


def field_path(loc: tuple[int | str, ...]) -> str:
    """('transactions', 0, 'amount') → transactions[0].amount."""
    path = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif i > 0 and loc[i - 1] == "premium" and part in _PREMIUM_MODES:
            continue  # pydantic names the chosen member of the premium union; the file does not
        else:
            path += f".{part}" if path else part
    return path or "(案件)"  # a problem with the document as a whole


def _problem(error: Any) -> tuple[str, str]:
    path, message = field_path(tuple(error["loc"])), _message(error)
    # The contract's own cross-field checks speak English; say them as the rest is said.
    duplicate = _DUPLICATE_ID.fullmatch(message)
    if duplicate:
        return "transactions", f"交易编号 {duplicate[1]} 出现了两次"
    if message == "period_end is before period_start":
        return f"{path}.period_end", "保险期间的结束时间早于开始时间"
    return path, message


_DUPLICATE_ID = re.compile(r"transaction id (.+) appears twice")


def _message(error: Any) -> str:
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "缺少此字段"
    if kind == "extra_forbidden":
        return "不认识的字段（拼错了，或放错了位置）"
    if kind in ("greater_than", "greater_than_equal"):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and value < 0:
            return "不能为负数"
        return f"必须大于 {ctx['gt']}" if kind == "greater_than" else f"不能小于 {ctx['ge']}"
    if kind in ("less_than", "less_than_equal"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind in ("enum", "literal_error"):
        return f"不认识的取值 {value!r}（可选：{ctx.get('expected', '')}）"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "mode 应为 single（一次交清）或 monthly（按月交）"
    if kind.startswith("datetime"):
        return "时间格式不对，应为 ISO 8601，例如 2023-10-08T21:40:00+08:00"
    if kind.startswith("date"):
        return "日期格式不对，应为 2023-03-01 这样的格式"
    if kind == "finite_number":
        return "应为有限的数字"
    if kind.startswith(("decimal", "int", "float")):
        return "应为数字"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    if kind == "string_type":
        return "应为文本"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_too_long":
        return f"太长（最多 {ctx.get('max_length')} 个字符）"
    if kind == "list_type":
        return "应为列表（[…]）"
    if kind == "too_short":
        return "至少需要一项"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "应为对象（{…}）"
    message: str = error["msg"]
    return message.removeprefix("Value error, ")
