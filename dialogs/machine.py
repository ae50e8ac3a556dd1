"""The map of the conversation: every state and every transition, declared once.

One `transitions.Machine` serves every conversation (model=None): a turn wraps that
conversation's plain state in a `Talk` and fires a trigger on it through the machine, so no
model is ever added to the machine and nothing is kept between turns.
"""

from __future__ import annotations

import itertools
from typing import Any

from transitions import Machine

from dialogs.state import ConversationState

TRIAGE = ["triage_what", "triage_leaving"]
SAFETY = [
    "safety_frozen",
    "safety_freeze_now",
    "safety_frozen_at",
    "safety_police",
    "safety_police_at",
]
POLICY = [
    "policy_product",
    "policy_purchased_on",
    "policy_period",
    "policy_period_start",
    "policy_period_end",
    "policy_window",
    "policy_sum_insured",
    "policy_deductible",
    "policy_accounts",
    "policy_premium",
    "policy_premium_unpaid",
    "policy_premium_due",
]
INCIDENT = ["incident_cause", "incident_discovered_at"]
TRANSACTIONS = ["tx_amount", "tx_at", "tx_account", "tx_kind", "tx_institution", "tx_more"]
CLOSING = ["documents", "review", "review_pick", "preview", "handed_off"]
STATES = TRIAGE + SAFETY + POLICY + INCIDENT + TRANSACTIONS + CLOSING
INITIAL = "triage_what"

# Questions that only follow another answer (a freeze time after "yes, frozen").
FOLLOW_UPS = [
    "safety_frozen_at",
    "safety_police_at",
    "policy_period_end",
    "policy_premium_unpaid",
    "policy_premium_due",
]

# Facts the review step can send the victim back to, each by the state that asks it.
EDITABLE = [
    "safety_frozen",
    "safety_police",
    "policy_product",
    "policy_purchased_on",
    "policy_period",
    "policy_window",
    "policy_sum_insured",
    "policy_deductible",
    "policy_accounts",
    "policy_premium",
    "incident_cause",
    "incident_discovered_at",
    "tx_amount",
    "tx_at",
    "tx_account",
    "tx_kind",
    "tx_institution",
    "documents",
]


def _chain(*states: str) -> list[dict[str, Any]]:
    return [{"trigger": "answered", "source": a, "dest": b} for a, b in itertools.pairwise(states)]


def _fork(source: str, condition: str, yes: str, no: str) -> list[dict[str, Any]]:
    """After answering `source`: to `yes` when `condition` holds, else to `no`."""
    return [
        {"trigger": "answered", "source": source, "dest": yes, "conditions": condition},
        {"trigger": "answered", "source": source, "dest": no},
    ]


TRANSITIONS: list[dict[str, Any]] = [
    # While correcting one fact from the review, an answer goes straight back to the review,
    # unless it opened a follow-up question (a custom period, a monthly premium, a freeze time).
    {
        "trigger": "answered",
        "source": [*EDITABLE, *FOLLOW_UPS],
        "dest": "review",
        "conditions": "editing",
        "unless": "needs_followup",
    },
    *_chain("triage_what", "triage_leaving", "safety_frozen"),
    # A yes to "frozen?" or "reported?" asks its time next, unless it said it (昨晚九点半冻结的).
    {
        "trigger": "answered",
        "source": "safety_frozen",
        "dest": "safety_frozen_at",
        "conditions": "needs_followup",
    },
    *_fork("safety_frozen", "is_frozen", "safety_police", "safety_freeze_now"),
    *_fork("safety_freeze_now", "needs_followup", "safety_frozen_at", "safety_police"),
    *_chain("safety_frozen_at", "safety_police"),
    *_fork("safety_police", "needs_followup", "safety_police_at", "policy_product"),
    *_chain("safety_police_at", "policy_product"),
    *_fork("policy_product", "product_unknown", "incident_cause", "policy_purchased_on"),
    *_chain("policy_purchased_on", "policy_period"),
    *_fork("policy_period", "needs_followup", "policy_period_start", "policy_window"),
    *_chain(
        "policy_period_start",
        "policy_period_end",
        "policy_window",
        "policy_sum_insured",
        "policy_deductible",
        "policy_accounts",
        "policy_premium",
    ),
    *_fork("policy_premium", "premium_monthly", "policy_premium_unpaid", "incident_cause"),
    *_fork("policy_premium_unpaid", "premium_overdue", "policy_premium_due", "incident_cause"),
    *_chain("policy_premium_due", "incident_cause"),
    *_chain("incident_cause", "incident_discovered_at", *TRANSACTIONS),
    {
        "trigger": "answered",
        "source": "tx_more",
        "dest": "tx_amount",
        "conditions": "more_transactions",
        "after": "next_transaction",
    },
    {"trigger": "answered", "source": "tx_more", "dest": "documents"},
    {
        "trigger": "answered",
        "source": "documents",
        "dest": "review",
        "conditions": "documents_done",
    },
    {"trigger": "confirm", "source": "review", "dest": "preview"},
    {"trigger": "edit", "source": ["review", "preview"], "dest": "review_pick"},
    *[
        {
            "trigger": "pick",
            "source": "review_pick",
            "dest": target,
            "conditions": "picked",
            "before": "start_editing",
        }
        for target in EDITABLE
    ],
    {"trigger": "submit", "source": "preview", "dest": "handed_off"},
    {"trigger": "human", "source": "*", "dest": "handed_off"},
    {"trigger": "restart", "source": "*", "dest": INITIAL},
]


class Talk:
    """One conversation during one turn, as the machine sees it. Conditions read the facts."""

    def __init__(self, conv: ConversationState, picked: str | None = None) -> None:
        self.conv = conv
        self.state = conv.state
        self._picked = picked

    def _fact(self, *path: str) -> Any:
        node: Any = self.conv.facts
        for key in path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    def editing(self, event: Any = None) -> bool:
        return self.conv.editing

    def needs_followup(self, event: Any = None) -> bool:
        state = self.state
        if state in ("safety_frozen", "safety_freeze_now"):
            return self.is_frozen() and not self._fact("incident", "frozen_at")
        if state == "safety_police":
            return self.police_filed() and not self._fact("incident", "police_report", "at")
        if state == "policy_period":
            return not self.period_default() and not self._fact("policy", "period_end")
        if state == "policy_premium":
            return self.premium_monthly()
        if state == "policy_premium_unpaid":
            return self.premium_overdue()
        return False

    def is_frozen(self, event: Any = None) -> bool:
        return bool(self.conv.pending and self.conv.pending.get("frozen")) or bool(
            self._fact("incident", "frozen_at")
        )

    def police_filed(self, event: Any = None) -> bool:
        return bool(self._fact("incident", "police_report", "filed"))

    def product_unknown(self, event: Any = None) -> bool:
        return not self._fact("policy", "product")

    def period_default(self, event: Any = None) -> bool:
        return bool(self.conv.aside.get("period_default"))

    def premium_monthly(self, event: Any = None) -> bool:
        premium = self._fact("policy", "premium") or {}
        return premium.get("mode") == "monthly"

    def premium_overdue(self, event: Any = None) -> bool:
        return bool(self.conv.aside.get("premium_overdue"))

    def more_transactions(self, event: Any = None) -> bool:
        return bool(self.conv.pending and self.conv.pending.get("more"))

    def next_transaction(self, event: Any = None) -> None:
        self.conv.tx_index = len(self.conv.facts.get("transactions") or [])

    def documents_done(self, event: Any = None) -> bool:
        return bool(self.conv.pending and self.conv.pending.get("documents_done"))

    def picked(self, event: Any) -> bool:
        return bool(event.transition.dest == self._picked)

    def start_editing(self, event: Any = None) -> None:
        self.conv.editing = True


MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=TRANSITIONS,
    initial=INITIAL,
    auto_transitions=False,
    send_event=True,
    ignore_invalid_triggers=True,
)


def fire(conv: ConversationState, trigger: str, picked: str | None = None) -> bool:
    """Fire `trigger` on this conversation; the new state is written back into `conv`."""
    talk = Talk(conv, picked)
    moved = bool(MACHINE.events[trigger].trigger(talk))
    conv.state = talk.state
    return moved
