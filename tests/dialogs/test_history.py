"""/back's history: snapshots shrink to what each answer changed, and undo exactly as whole
snapshots did — answer after answer, back to the first question."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from dialogs.conversation import resume, start, step
from dialogs.messages import StepResult, Turn
from dialogs.script import parse_script
from dialogs.state import ConversationState, copy_data
from rules.types import SHANGHAI

SCRIPT = Path(__file__).parent / "scripts" / "p1-hacked-alipay-covered.txt"
LINES = list(parse_script(SCRIPT.read_text(encoding="utf-8").splitlines(), datetime.now(SHANGHAI)))
BEFORE_HANDOFF = LINES[:-1]


def _run(lines: list[Any]) -> StepResult:
    result = start("web", "zh-CN", lines[0].sent_at)
    for line in lines:
        result = step(result.state, Turn(text=line.text, choice=line.choice, sent_at=line.sent_at))
    return result


def _backs(result: StepResult, times: int) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    seen = []
    for _ in range(times):
        result = step(result.state, Turn(text="/back", sent_at=LINES[-1].sent_at))
        state = ConversationState.model_validate(result.state)
        seen.append((state.state, state.facts, state.aside))
    return seen


def test_snapshots_hold_only_what_each_answer_changed() -> None:
    state = ConversationState.model_validate(_run(BEFORE_HANDOFF).state)
    assert state.history and all(snap.compact for snap in state.history)
    whole = len(json.dumps(state.facts, ensure_ascii=False))
    for snap in state.history:
        assert len(json.dumps(snap.facts, ensure_ascii=False)) < whole
    # Twelve whole copies of the case made this ~13 KB by the end of the script.
    assert len(json.dumps(_run(BEFORE_HANDOFF).state, ensure_ascii=False)) < 6000


def test_back_undoes_as_whole_snapshots_did(monkeypatch: pytest.MonkeyPatch) -> None:
    compact = _backs(_run(BEFORE_HANDOFF), 14)
    monkeypatch.setattr(ConversationState, "compact_history", lambda self: None)
    whole = _run(BEFORE_HANDOFF)
    assert not any(snap["compact"] for snap in whole.state["history"] if "compact" in snap)
    assert compact == _backs(whole, 14)
    # And the undo really went somewhere: the facts shrank answer by answer.
    assert len({json.dumps(facts, sort_keys=True) for _, facts, _ in compact}) >= 10


def test_a_state_stored_with_whole_snapshots_still_goes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(ConversationState, "compact_history", lambda self: None)
        stored = _run(BEFORE_HANDOFF[:8])  # as a state saved before compaction existed
        expected = _backs(stored, 3)
    assert _backs(stored, 3) == expected


def test_a_snapshot_keeps_nested_facts_as_they_were() -> None:
    state = ConversationState.model_validate(_run(BEFORE_HANDOFF[:20]).state)
    before = json.dumps([state.facts, state.aside, state.pending], sort_keys=True)
    state.remember()
    state.facts.setdefault("policy", {})["sum_insured"] = "1"
    state.facts.setdefault("transactions", [{}])[0]["amount"] = "2"
    state.aside.setdefault("notes", []).append("3")
    snap = state.history[-1]
    assert json.dumps([snap.facts, snap.aside, snap.pending], sort_keys=True) == before


def test_copy_data_copies_what_json_cannot_hold_too() -> None:
    original: dict[str, Any] = {"a": [{"b": {1, 2}}], "c": (1, [2]), "d": None, "e": 1.5}
    copied = copy_data(original)
    assert copied == original
    copied["a"][0]["b"].add(3)
    copied["c"][1].append(3)
    assert original == {"a": [{"b": {1, 2}}], "c": (1, [2]), "d": None, "e": 1.5}


def _unchanged_by(state: dict[str, Any], turn: Turn) -> StepResult:
    given = json.dumps(state, sort_keys=True)
    result = step(state, turn)
    assert json.dumps(state, sort_keys=True) == given, turn
    return result


@pytest.mark.parametrize("snapshots", ["compact", "whole"])
def test_back_and_the_answer_after_it_leave_their_input_as_it_was(
    snapshots: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step shares the snapshots of the state it is given (it does not copy them): what
    /back restores from one must still be a copy, or the next answer edits the caller's."""
    if snapshots == "whole":  # as states stored before compaction existed
        monkeypatch.setattr(ConversationState, "compact_history", lambda self: None)
    result = start("web", "zh-CN", LINES[0].sent_at)
    for line, following in itertools.pairwise(LINES[:-1]):
        result = step(result.state, Turn(text=line.text, choice=line.choice, sent_at=line.sent_at))
        back = _unchanged_by(result.state, Turn(text="/back", sent_at=line.sent_at))
        again = Turn(text=line.text, choice=line.choice, sent_at=line.sent_at)
        _unchanged_by(_unchanged_by(back.state, again).state, following)


def test_resuming_after_a_hand_back_leaves_its_input_as_it_was() -> None:
    handed_off = _run(LINES)
    assert handed_off.state_name == "handed_off"
    given = json.dumps(handed_off.state, sort_keys=True)
    resumed = resume(handed_off.state, LINES[-1].sent_at)
    assert json.dumps(handed_off.state, sort_keys=True) == given
    assert resumed.state_name != "handed_off"
    _unchanged_by(resumed.state, Turn(text=LINES[-2].text, sent_at=LINES[-2].sent_at))


@pytest.mark.parametrize("snapshots", ["compact", "whole"])
def test_what_go_back_restores_is_not_the_callers(snapshots: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """taken_from shares the given state's snapshots; go_back must copy what it restores,
    so that whatever a step does after it never reaches the caller's state."""
    if snapshots == "whole":
        monkeypatch.setattr(ConversationState, "compact_history", lambda self: None)
    state = _run(BEFORE_HANDOFF[:20]).state
    given = json.dumps(state, sort_keys=True)
    conv = ConversationState.taken_from(state)
    while conv.go_back():
        for node in (conv.facts, conv.aside, conv.pending or {}):
            for value in node.values():
                if isinstance(value, dict):
                    value["edited"] = True
                elif isinstance(value, list):
                    value.append("edited")
    assert json.dumps(state, sort_keys=True) == given
