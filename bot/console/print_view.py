"""The printable case file: the hand-off summary rendered whole on the server, every value
escaped, the cited clauses' texts printed in full (paper has no hover)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.console.html import e
from bot.console.labels import FACTS, label
from dialogs.summary import risk_labels
from rules.types import SHANGHAI


def when(value: Any) -> str:
    """An ISO date-time in Beijing time ("2023-10-08 21:40"), a whole amount without ".0";
    anything else as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(SHANGHAI)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _get(case: dict[str, Any], path: str) -> Any:
    node: Any = case
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _fact(path: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if path == "incident.cause":
        return label("cause", value)
    return when(value)


def case_file(summary: dict[str, Any], clauses: dict[str, str]) -> str:
    case = summary.get("case") or {}
    risk = summary.get("risk") or {}
    out = [
        '<article class="case-file">',
        '<p class="no-print"><button type="button" id="print">打印</button>'
        f' <a href="/console/c/{e(summary["conversation"]["id"])}">返回会话</a></p>',
        f"<h1>案件 {e(summary.get('case_code', ''))}</h1>",
        f"<p>渠道：{e(summary.get('channel', ''))} · 状态：{e(summary.get('state', ''))}"
        f" · 转人工原因：{e(summary.get('handoff_reason') or '—')}</p>",
    ]
    flags = risk_labels(risk)
    if flags:
        out.append(f'<p class="risk"><strong>风险：</strong>{e("；".join(flags))}</p>')
    if summary.get("to_verify"):
        out.append("<h2>待核实</h2><ul>")
        out += [f"<li>{e(v)}</li>" for v in summary["to_verify"]]
        out.append("</ul>")
    out.append("<h2>事实</h2><dl>")
    for path, name in FACTS:
        value = _get(case, path)
        if value is not None:
            out.append(f"<dt>{e(name)}</dt><dd>{e(_fact(path, value))}</dd>")
    out.append("</dl>")
    out += _transactions(case)
    out.append("<h2>时间线</h2><ol>")
    out += [f"<li>{e(when(t['at']))} {e(t['event'])}</li>" for t in summary.get("timeline", [])]
    out.append("</ol>")
    out += _decision(summary.get("decision"), summary.get("problems") or [])
    out.append("<h2>清单</h2><ul>")
    for item in summary.get("checklist", []):
        mark = "☑" if item["done"] else "☐"
        out.append(f"<li>{mark} {e(item['item'])}</li>")
    out.append("</ul>")
    if clauses:
        out.append("<h2>引用条款</h2><dl class='clauses'>")
        out += [f"<dt>{e(cid)}</dt><dd>{e(text)}</dd>" for cid, text in clauses.items()]
        out.append("</dl>")
    out.append("<h2>对话记录</h2><ol class='print-transcript'>")
    for entry in summary.get("transcript", []):
        out.append(
            f"<li><span class='role'>{e(entry['role'])}</span> "
            f"<time>{e(when(entry['at']))}</time><br>{e(entry['text'])}</li>"
        )
    out.append("</ol></article>")
    return "\n".join(out)


def _transactions(case: dict[str, Any]) -> list[str]:
    rows = case.get("transactions") or []
    if not rows:
        return []
    out = [
        "<h2>交易</h2><table><thead><tr><th>交易</th><th>时间</th><th>金额</th><th>账户</th>"
        "<th>类型</th><th>机构</th></tr></thead><tbody>"
    ]
    for tx in rows:
        out.append(
            f"<tr><td>{e(tx.get('id', ''))}</td><td>{e(when(tx.get('at') or ''))}</td>"
            f"<td>{e(when(tx.get('amount', '')))}</td><td>{e(label('account', tx.get('account')))}</td>"
            f"<td>{e(label('kind', tx.get('kind')))}</td><td>{e(tx.get('institution') or '')}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def _decision(decision: dict[str, Any] | None, problems: list[str]) -> list[str]:
    if not decision:
        return ["<h2>初步决定</h2>", f"<p>暂无：{e('；'.join(problems))}</p>"]
    wording = decision["wording"]
    out = [
        f"<h2>初步决定（{e(wording['title'])} {e(wording['version'])}）</h2>",
        "<table><thead><tr><th>交易</th><th>结果</th><th>申请</th><th>可赔</th><th>条款</th>"
        "<th>理由</th></tr></thead><tbody>",
    ]
    for line in decision["lines"]:
        out.append(
            f"<tr><td>{e(line['transaction'])}</td><td>{e(label('status', line['status']))}</td>"
            f"<td>{e(line['claimed'])}</td><td>{e(line['eligible'])}</td>"
            f"<td>{e('、'.join(line['clauses']))}</td><td>{e(line['reason'])}</td></tr>"
        )
    totals = decision["totals"]
    out.append("</tbody></table>")
    out.append(
        f"<p>申请 {e(totals['claimed'])} 元，可赔 {e(totals['eligible'])} 元，"
        f"免赔 {e(totals['deduction'])} 元，<strong>应付 {e(totals['payable'])} 元</strong>"
        + ("（初步）" if decision.get("provisional") else "")
        + "</p>"
    )
    if decision.get("missing_documents"):
        out.append("<h2>缺少材料</h2><ul>")
        out += [f"<li>{e(m['label'])}（{e(m['clause'])}）</li>" for m in decision["missing_documents"]]
        out.append("</ul>")
    if decision.get("deadlines"):
        out.append("<h2>时限</h2><ul>")
        out += [
            f"<li>{e(d['label'])}（{e(d['clause'])}）：{e(when(d.get('due') or '提交索赔后起算'))}</li>"
            for d in decision["deadlines"]
        ]
        out.append("</ul>")
    if decision.get("notes"):
        out.append("<h2>说明</h2><ul>")
        out += [f"<li>{e(n)}</li>" for n in decision["notes"]]
        out.append("</ul>")
    return out
