"""A decision as a readable Chinese table, for `lossline adjudicate --explain` and the console."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from rules.decision import Decision, JointDecision
from rules.vocabulary import STATUS_LABELS


def explain(decision: Decision | JointDecision) -> str:
    if isinstance(decision, JointDecision):
        parts = [
            f"—— 第{i}份申请 ——\n{explain_one(d)}" for i, d in enumerate(decision.claims, start=1)
        ]
        return "\n\n".join(parts)
    return explain_one(decision)


def explain_one(d: Decision) -> str:
    w = d.wording
    since = f"{w.effective_from}起生效" if w.effective_from else "未注明生效日期"
    out = [f"{w.title}（版本 {w.version}，{since}；来源 {w.source}）", ""]
    rows = [["交易", "金额", "结果", "条款", "理由"]]
    rows += [
        [
            line.transaction,
            _yuan(line.claimed),
            STATUS_LABELS[line.status],
            "、".join(line.clauses) or "—",
            line.reason,
        ]
        for line in d.lines
    ]
    out += _table(rows, right=(1,))
    t = d.totals
    out += [
        "",
        f"合计：申请 {_yuan(t.claimed)} 元 · 符合条件 {_yuan(t.eligible)} 元 · "
        f"免赔 {_yuan(t.deduction)} 元 · 本保单分摊 {t.share * 100:.2f}% · "
        f"应赔 {_yuan(t.payable)} 元",
    ]
    if d.missing_documents:
        out += ["", "还缺的材料："]
        out += [f"  - {m.label}（{m.clause}）" for m in d.missing_documents]
    if d.deadlines:
        out += ["", "期限："]
        for dl in d.deadlines:
            due = f"{dl.due:%Y-%m-%d %H:%M} 前" if dl.due else "日期待定"
            out.append(f"  - {dl.label}（{dl.clause}）：{due}")
    if d.notes:
        out += ["", "提示："]
        out += [f"  - {note}" for note in d.notes]
    if d.provisional:
        out += ["", "※ 这是暂定结果：有交易需要人工审核，或材料还没齐。"]
    return "\n".join(out)


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]], right: tuple[int, ...] = ()) -> list[str]:
    # The last column (理由) is free text: left unpadded so long reasons do not widen the rest.
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row[:-1]):
            pad = " " * (widths[i] - _width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines
