"""The notes of a decision: plain, kind Chinese for someone who has just been robbed.

Notes never change a line. They say what to do now (第十九条(二): 挂失、报案、通知), what is still
missing, and what a person will look at for each line the rules could not settle alone.
"""

from __future__ import annotations

from decimal import Decimal

from rules.case import Case
from rules.decision import Line, MissingDocument
from rules.vocabulary import DOCUMENT_LABELS, Status
from rules.wording import Wording


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}元"


def write_notes(
    case: Case,
    wording: Wording,
    lines: list[Line],
    payable: Decimal,
    missing: list[MissingDocument],
) -> list[str]:
    notes: list[str] = []
    incident = case.incident
    remind = "（" + "、".join(wording.reminder_clauses) + "）" if wording.reminder_clauses else ""
    if incident.frozen_at is None and any(tx.frozen_at is None for tx in case.transactions):
        notes.append(
            "请先立刻给银行或支付平台打电话挂失、冻结账户：保障时段是从挂失那一刻往前算的，"
            f"越早挂失，损失越少{remind}。"
        )
    if not incident.police_report.filed:
        notes.append(f"请尽快到派出所报案，并拿好报案回执，理赔时要用{remind}。")
    if incident.insurer_notified_at is None:
        notes.append(
            f"请尽快通知{wording.insurer}，把事情的经过、时间和损失写清楚交给他们{remind}。"
        )
    if missing:
        names = "、".join(m.label for m in missing)
        once = wording.documents_at_once_clauses
        cited = "（" + "、".join(once) + "）" if once else ""
        notes.append(
            f"还缺这些材料：{names}。可以一次补齐{cited}；"
            "缺材料不会改变上面每一笔的判断，只是结果要等材料齐了才算数。"
        )
    suggested = [(d, c) for d, c in wording.recommended if d not in case.documents]
    if suggested:
        names = "、".join(DOCUMENT_LABELS[d] for d, _ in suggested)
        notes.append(f"建议再准备：{names}，能让申请更有说服力（{suggested[0][1]}）。")
    reviewed = [line for line in lines if line.status is Status.needs_review]
    for line in reviewed:
        notes.append(
            f"交易 {line.transaction}（{_yuan(line.claimed)}）会由工作人员再看一遍：{line.reason}。"
            "这不等于拒赔。"
        )
    excluded = sum(1 for line in lines if line.status is Status.excluded)
    if excluded:
        notes.append(
            f"有{excluded}笔按条款不在赔偿范围内，每一笔的条款和理由都写在上面；"
            "如果觉得不对，可以请保险公司书面说明理由，也可以转人工。"
        )
    if payable > 0:
        notes.append(f"按现在的信息，预计可赔{_yuan(payable)}，最终以核定结果为准。")
    return notes
