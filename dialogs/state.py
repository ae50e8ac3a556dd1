"""One conversation's state as plain data: loaded for a turn, returned after it, stored as JSON.

`facts` is the case being gathered, in the shape of case-format.md, with JSON-able values
(amounts as decimal strings so they stay exact, times as ISO strings). Unknown facts are absent.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from pydantic import BaseModel, Field

HISTORY_DEPTH = 12  # how many answers /back can undo


class Snapshot(BaseModel):
    """Where the conversation was before an answer. Taken whole; once the step is over,
    `compact_history` keeps of `facts` and `aside` only the top-level keys the step changed
    (with their values before it) and lists in `*_gone` those it added: the whole case a
    dozen times over made every stored state, and so every turn, several times larger."""

    state: str
    facts: dict[str, Any]
    aside: dict[str, Any] = Field(default_factory=dict)
    tx_index: int
    pending: dict[str, Any] | None = None
    compact: bool = False  # False: facts and aside are whole (as states stored before were)
    facts_gone: list[str] = Field(default_factory=list)
    aside_gone: list[str] = Field(default_factory=list)


_IMMUTABLE = (str, int, float, bool, type(None))


def copy_data(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars): what copy.deepcopy gives, at a
    fifth of its cost; anything else still goes through deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: copy_data(item) for key, item in value.items()}
    if kind is list:
        return [copy_data(item) for item in value]
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


def _before(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What undoing old → new takes: old's values of the keys that changed, and new's keys."""
    changed = {key: value for key, value in old.items() if key not in new or new[key] != value}
    return changed, [key for key in new if key not in old]


def _undo(current: dict[str, Any], before: dict[str, Any], gone: list[str]) -> dict[str, Any]:
    restored = {key: value for key, value in current.items() if key not in gone}
    restored.update(before)
    return restored


class ConversationState(BaseModel):
    state: str
    locale: str = "zh-CN"
    channel: str = "web"
    facts: dict[str, Any] = Field(default_factory=dict)
    # What the dialog learnt that is not a fact of the case (the narrative, "money still
    # leaving", "period is the default year"...): shown to the agent, never adjudicated.
    aside: dict[str, Any] = Field(default_factory=dict)
    tx_index: int = 0
    misses: int = 0
    editing: bool = False
    # A reading that needs the victim's confirmation before it becomes a fact.
    pending: dict[str, Any] | None = None
    history: list[Snapshot] = Field(default_factory=list)
    warned: list[str] = Field(default_factory=list)
    handed_off: bool = False
    started_at: str | None = None
    handoff_reason: str | None = None
    case_code: str = ""

    @classmethod
    def taken_from(cls, state: dict[str, Any]) -> ConversationState:
        """The state a step works on: a copy, since validation shares nested dicts and lists
        with `state` and the step changes them in place; the caller's state (a record kept
        for the next turn, which a failed commit must leave as it was) stays untouched.
        Snapshots are not copied (three quarters of the cost): a step only reads them, and
        `go_back` copies what it takes out of one."""
        return cls.model_validate(
            {key: value if key == "history" else copy_data(value) for key, value in state.items()}
        )

    def remember(self) -> None:
        """Save where we are, so that /back can return here."""
        self.history.append(
            Snapshot(
                state=self.state,
                facts=copy_data(self.facts),
                aside=copy_data(self.aside),
                tx_index=self.tx_index,
                pending=copy_data(self.pending),
            )
        )
        del self.history[:-HISTORY_DEPTH]

    def compact_history(self) -> None:
        """Shrink the snapshots taken during this step to what the step changed. Each is
        compared with the next one taken (whole still), the last with where we are now."""
        after_facts, after_aside = self.facts, self.aside
        for snap in reversed(self.history):
            if snap.compact:
                break
            whole_facts, whole_aside = snap.facts, snap.aside
            snap.facts, snap.facts_gone = _before(whole_facts, after_facts)
            snap.aside, snap.aside_gone = _before(whole_aside, after_aside)
            snap.compact = True
            after_facts, after_aside = whole_facts, whole_aside

    def go_back(self) -> bool:
        if not self.history:
            return False
        snap = self.history.pop()
        # Copies: the snapshot's values may be the caller's (see taken_from).
        if snap.compact:
            self.facts = _undo(self.facts, copy_data(snap.facts), snap.facts_gone)
            self.aside = _undo(self.aside, copy_data(snap.aside), snap.aside_gone)
        else:
            self.facts, self.aside = copy_data(snap.facts), copy_data(snap.aside)
        self.state = snap.state
        self.tx_index = snap.tx_index
        self.pending, self.misses, self.editing = copy_data(snap.pending), 0, False
        return True


# --- paths into the facts: "policy.sum_insured", "transactions[1].at" -----------------------


def _split(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.split("."):
        if "[" in piece:
            name, _, rest = piece.partition("[")
            parts.append(name)
            parts.append(int(rest.rstrip("]")))
        else:
            parts.append(piece)
    return parts


def get_fact(facts: dict[str, Any], path: str) -> Any:
    node: Any = facts
    for part in _split(path):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return None
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
    return node


def set_fact(facts: dict[str, Any], path: str, value: Any) -> None:
    parts = _split(path)
    node: Any = facts
    for part, nxt in itertools.pairwise(parts):
        if isinstance(part, int):
            while len(node) <= part:
                node.append({})
            node = node[part]
        else:
            if part not in node:
                node[part] = [] if isinstance(nxt, int) else {}
            node = node[part]
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append({})
        node[last] = value
    else:
        node[last] = value
