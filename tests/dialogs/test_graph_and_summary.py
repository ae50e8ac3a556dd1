from __future__ import annotations

import copy
from collections import OrderedDict
from datetime import datetime
from pathlib import Path

import pytest

from dialogs import preview
from dialogs.graph import document
from dialogs.machine import STATES
from dialogs.messages import TranscriptEntry
from dialogs.script import replay
from dialogs.summary import build_summary, decision_json
from rules import adjudicate
from rules.case import Case
from rules.decision import Decision
from rules.types import SHANGHAI
from tests.dialogs.conftest import SCRIPTS

ROOT = Path(__file__).resolve().parents[2]


def test_docs_dialog_md_is_current() -> None:
    """`lossline graph` output is committed; regenerate it when the machine changes."""
    assert (ROOT / "docs" / "dialog.md").read_text(encoding="utf-8") == document()


def test_the_diagram_names_every_state() -> None:
    text = document()
    assert all(state in text for state in STATES)


def test_hand_off_summary_is_complete() -> None:
    lines = (SCRIPTS / "p3-kidnapping-window.txt").read_text(encoding="utf-8").splitlines()
    now = datetime(2023, 10, 9, 12, 0, tzinfo=SHANGHAI)
    result, transcript = replay(lines, now)
    entries = [
        TranscriptEntry(role="bot" if r == "bot" else "victim", text=x, at=now)
        for r, x in transcript
    ]
    summary = build_summary(result.state, entries)
    assert summary["decision"]["totals"]["payable"] == 6094.8
    assert summary["case"]["transactions"][0]["amount"] == 37010.1
    assert summary["timeline"][0]["event"].startswith("交易 t1")
    missing = [c["item"] for c in summary["checklist"] if not c["done"]]
    assert "保险费发票" in missing
    md = summary["markdown"]
    assert "第六条(七)" in md and "第四条(三)" in md and "6094.80" in md
    assert "被绑架" in md
    assert len(summary["transcript"]) == len(transcript)


def test_the_same_facts_are_judged_once_and_changed_facts_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = (SCRIPTS / "p3-kidnapping-window.txt").read_text(encoding="utf-8").splitlines()
    result, _ = replay(lines, datetime(2023, 10, 9, 12, 0, tzinfo=SHANGHAI))
    judged: list[object] = []

    def counted(case: Case) -> Decision:
        judged.append(case)
        return adjudicate(case)

    monkeypatch.setattr(preview, "adjudicate", counted)
    monkeypatch.setattr(preview, "_judged", OrderedDict())
    first = decision_json(result.state)
    assert build_summary(result.state, [])["decision"] == first  # the hand-off asks again
    assert len(judged) == 1

    state = copy.deepcopy(result.state)
    state["facts"]["transactions"][0]["amount"] = "1000.00"
    changed = decision_json(state)
    assert len(judged) == 2 and changed is not None and first is not None
    assert changed["totals"]["claimed"] != first["totals"]["claimed"]
    assert decision_json(result.state) == first and len(judged) == 2  # still kept
