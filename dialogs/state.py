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
    state: str
    facts: dict[str, Any]
    aside: dict[str, Any] = Field(default_factory=dict)
    tx_index: int
    pending: dict[str, Any] | None = None


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

    def remember(self) -> None:
        """Save where we are, so that /back can return here."""
        self.history.append(
            Snapshot(
                state=self.state,
                facts=copy.deepcopy(self.facts),
                aside=copy.deepcopy(self.aside),
                tx_index=self.tx_index,
                pending=copy.deepcopy(self.pending),
            )
        )
        del self.history[:-HISTORY_DEPTH]

    def go_back(self) -> bool:
        if not self.history:
            return False
        snap = self.history.pop()
        self.state, self.facts, self.aside = snap.state, snap.facts, snap.aside
        self.tx_index = snap.tx_index
        self.pending, self.misses, self.editing = snap.pending, 0, False
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
