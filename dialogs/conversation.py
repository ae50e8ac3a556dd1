"""One turn of a conversation: read the message, step the machine, say what comes next.

`start` opens a conversation and `step` takes the stored state and one turn and returns the
replies and the new state. No I/O here: the runtime loads and saves, the dialog only decides.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from dialogs.answers import Outcome, fmt_time, follow_up_in
from dialogs.commands import command_of
from dialogs.machine import EDITABLE, INITIAL, fire
from dialogs.messages import Button, Expects, Reply, StepResult, Turn
from dialogs.preview import preview_text
from dialogs.questions import QUESTIONS, Answer, hotline_line
from dialogs.readers import UNSURE, Option, read_choice
from dialogs.redaction import redact
from dialogs.review import edit_options, facts_text
from dialogs.scam import scam_signals
from dialogs.state import ConversationState
from dialogs.texts import normalise_locale, t

MAX_INPUT = 4000  # characters of one message that are read; the rest is dropped
HUMAN_AFTER_MISSES = 3


# Crockford's base32: no I, L, O or U, so a code read aloud on the hotline is not misheard.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CASE_CODE = re.compile(r"^LL(?:-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def new_case_code() -> str:
    """LL-XXXX-XXXX-XXXX: 60 random bits. A code resumes a case in another chat (a Telegram
    deep link), so it must not be guessable; grouped by four so it can be read out."""
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"LL-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def start(channel: str, locale: str | None, now: datetime, case_code: str | None = None) -> StepResult:
    conv = ConversationState(
        state=INITIAL,
        locale=normalise_locale(locale),
        channel=channel,
        started_at=now.isoformat(),
        case_code=case_code or new_case_code(),
    )
    return _result(conv, [question(conv)])


def step(state: dict[str, Any], turn: Turn) -> StepResult:
    conv = ConversationState.taken_from(state)
    replies: list[Reply] = []
    events: list[str] = []
    text = turn.text[:MAX_INPUT] if turn.text is not None else None
    choice = turn.choice[:64] if turn.choice else None
    said: str | None = None
    if text is not None:
        text = _screen(conv, text, replies, events)
        said = text
    elif choice:
        said = _label_of(conv, choice)

    command = command_of(text, choice)
    handoff = False
    if command:
        events.append(f"command:{command}")
        handoff = _command(conv, command, replies, turn.sent_at)
    elif conv.state == "handed_off":
        notes = conv.aside.setdefault("after_handoff", [])
        if said:
            notes.append(said[:500])
            del notes[:-20]
        replies.append(Reply(text=t(conv.locale, "after_handoff")))
    else:
        handoff = _answer(conv, Answer(text, choice, turn.sent_at), replies, events)
    if handoff:
        events.append("handoff")
    return _result(conv, replies, handoff=handoff, said=said, events=events)


def _screen(conv: ConversationState, text: str, replies: list[Reply], events: list[str]) -> str:
    """Redact secrets before anything else sees the text; warn of scams before anything else."""
    redacted = redact(text)
    if redacted.kinds:
        events.append("redacted")
        if "redaction" not in conv.warned:
            conv.warned.append("redaction")
            replies.append(Reply(text=t(conv.locale, "redaction_warning")))
    signals = scam_signals(redacted.text)
    if signals:
        events.append("scam_signal")
        seen = set(conv.aside.get("scam_signals") or [])
        conv.aside["scam_signals"] = sorted(seen | set(signals))
        key = "scam_reminder" if "scam" in conv.warned else "scam_warning"
        if "scam" not in conv.warned:
            conv.warned.append("scam")
        replies.append(Reply(text=t(conv.locale, key)))
    return redacted.text


def _command(conv: ConversationState, command: str, replies: list[Reply], now: datetime) -> bool:
    locale = conv.locale
    if command == "human":
        if conv.state == "handed_off":
            replies.append(Reply(text=t(locale, "after_handoff")))
            return False
        return _hand_off(conv, replies, "requested")
    if command == "restart":
        fresh = ConversationState(
            state=INITIAL,
            locale=locale,
            channel=conv.channel,
            started_at=now.isoformat(),
            case_code=conv.case_code,
            warned=conv.warned,
        )
        conv.__dict__.update(fresh.__dict__)
        replies.append(question(conv, prefix=t(locale, "restarted")))
        return False
    if command == "back":
        if conv.state == "handed_off":
            replies.append(Reply(text=t(locale, "after_handoff")))
            return False
        moved = conv.go_back()
        replies.append(question(conv, prefix=t(locale, "back_done" if moved else "back_none")))
        return False
    summary = facts_text(conv, now)
    head = t(locale, "summary_head", summary=summary) if summary else t(locale, "summary_empty")
    replies.append(question(conv, prefix=head) if conv.state != "handed_off" else Reply(text=head))
    return False


def resume(state: dict[str, Any], now: datetime) -> StepResult:
    """An agent handed the conversation back: the bot picks up where the hand-off left it."""
    conv = ConversationState.taken_from(state)
    if conv.state != "handed_off":
        return _result(conv, [])
    # The hand-off saved where the victim was (like /back), so nothing asked is asked twice.
    if not conv.go_back():
        fire(conv, "restart")
    conv.handed_off = False
    conv.handoff_reason = None
    return _result(conv, [question(conv, prefix=t(conv.locale, "resumed"))], events=["resumed"])


def _hand_off(conv: ConversationState, replies: list[Reply], reason: str) -> bool:
    conv.remember()
    fire(conv, "human")
    conv.handed_off = True
    conv.handoff_reason = reason
    replies.append(question(conv))
    return True


def _answer(conv: ConversationState, answer: Answer, replies: list[Reply], events: list[str]) -> bool:
    state = conv.state
    if state in ("review", "preview"):
        return _review_choice(conv, answer, replies)
    if state == "review_pick":
        target, _, index = (_edit_pick(conv, answer) or "").partition(":")
        if target in EDITABLE:
            conv.remember()
            if index.isdigit():
                conv.tx_index = int(index)
            fire(conv, "pick", picked=target)
            replies.append(question(conv))
        else:
            _miss(conv, Outcome(miss="miss_choice", miss_values={"example": "保险金额"}), replies)
        return False

    q = QUESTIONS[state]
    out = q.read(conv, answer)
    if out.confirm:
        conv.pending = {"alternatives": [c.isoformat() for c in out.confirm]}
        labels = [fmt_time(c, answer.now, conv.locale) for c in out.confirm]
        buttons = [Button(id=f"alt:{i}", label=label) for i, label in enumerate(labels)]
        replies.append(
            Reply(
                text=t(conv.locale, "confirm_time"),
                buttons=buttons,
                expects=Expects(slot=q.slot_for(conv), kind="choice"),
            )
        )
        return False
    follow_up = out.clock_for or out.day_for
    if follow_up is not None:
        # Not a miss: the day (or month) told is kept, and its time (or day) is the question now.
        conv.pending = follow_up.pending()
        replies.append(question(conv))
        return False
    if not out.ok:
        _miss(conv, out, replies)
        return False

    conv.pending = None
    conv.remember()
    q.apply(conv, out.value)
    _note_assumed(conv, q.slot_for(conv), out.assumed)
    conv.misses = 0
    fire(conv, "answered")
    conv.pending = out.next_pending
    if conv.state == "review":
        conv.editing = False
    notes = [out.echo] if out.echo else []
    notes += _consequences(conv, state, out.value)
    while conv.state in QUESTIONS and (skip := QUESTIONS[conv.state].skip) and skip(conv):
        fire(conv, "answered")
    events.append(f"answered:{state}")
    replies.append(question(conv, prefix="\n".join(notes) or None))
    return False


def _note_assumed(conv: ConversationState, slot: str, assumed: bool) -> None:
    """Keep for the agent the facts the victim did not know and the bot assumed (see
    summary.TO_VERIFY_LABELS); a fact told later is no longer assumed."""
    listed = conv.aside.get("to_verify") or []
    if assumed or slot in listed:
        conv.aside["to_verify"] = [*(f for f in listed if f != slot), *([slot] if assumed else [])]


def _consequences(conv: ConversationState, state: str, value: Any) -> list[str]:
    """What must be said at once because of an answer: stopping the loss comes first."""
    locale = conv.locale
    if state == "triage_leaving" and value is True:
        return [t(locale, "urgent_leaving", hotline_line=hotline_line(conv))]
    if state == "triage_leaving" and value == UNSURE:
        return [t(locale, "urgent_leaving_unsure", hotline_line=hotline_line(conv))]
    if state == "safety_frozen" and value == UNSURE:
        return [t(locale, "frozen_unsure")]
    if state == "safety_freeze_now" and value is False:
        return [t(locale, "not_frozen_continue")]
    if state == "safety_police" and value is False:
        return [t(locale, "police_advice")]
    if state == "policy_product" and value == "unknown":
        return [t(locale, "product_unknown_ack")]
    return []


# 冻结时间不对, 第1笔金额写错了: a wish to change something, and maybe what (see _edit_pick).
_EDIT_WORDS = re.compile(r"^改$|不对|有误|错了|写错|要改|改一下|改成|修改")
_NO_EDIT = re.compile(r"(?:不用|不需要|无需|没有|没)要?(?:改|修改)")


def _edit_pick(conv: ConversationState, answer: Answer) -> str | None:
    """Which fact the victim wants to change: a button, or its name typed (冻结时间)."""
    if answer.choice:
        return answer.choice
    options = [Option(id=b.id, label=b.label) for b in edit_options(conv)]
    return read_choice(answer.text or "", options)


def _review_choice(conv: ConversationState, answer: Answer, replies: list[Reply]) -> bool:
    text = (answer.text or "").strip()
    wants_edit = answer.choice == "edit" or bool(_EDIT_WORDS.search(text) and not _NO_EDIT.search(text))
    if conv.state == "review":
        agrees = answer.choice == "confirm" or text in (
            "确认",
            "确认无误",
            "对",
            "是",
            "没问题",
            "都对",
        )
        trigger = "confirm" if agrees else "edit" if wants_edit else None
    else:
        agrees = answer.choice == "submit" or text in ("确认", "提交", "转交", "好", "好的", "是")
        if agrees:
            return _hand_off(conv, replies, "submitted")
        trigger = "edit" if wants_edit else None
    if trigger is None:
        _miss(
            conv,
            Outcome(miss="miss_choice", miss_values={"example": t(conv.locale, "btn_confirm")}),
            replies,
        )
        return False
    conv.misses = 0
    fire(conv, trigger)
    if trigger == "edit" and answer.choice is None:
        named = _edit_pick(conv, answer)
        if named is not None:  # 冻结时间不对: straight to that question, as its button would
            return _answer(conv, Answer(None, named, answer.now), replies, [])
    replies.append(question(conv))
    return False


def _miss(conv: ConversationState, out: Outcome, replies: list[Reply]) -> None:
    conv.misses += 1
    reply = question(conv, prefix=t(conv.locale, out.miss or "miss_text", **out.miss_values))
    if conv.misses >= HUMAN_AFTER_MISSES:
        reply.text += "\n" + t(conv.locale, "offer_human")
        reply.buttons.append(Button(id="cmd:human", label=t(conv.locale, "btn_human")))
    replies.append(reply)


def _closing_buttons(conv: ConversationState) -> list[Button]:
    """The buttons of the states after the questions (review, edit, preview, handed off)."""
    locale = conv.locale
    if conv.state == "review":
        return [
            Button(id="confirm", label=t(locale, "btn_confirm")),
            Button(id="edit", label=t(locale, "btn_edit")),
        ]
    if conv.state == "review_pick":
        return edit_options(conv)
    if conv.state == "preview":
        return [
            Button(id="submit", label=t(locale, "btn_submit")),
            Button(id="edit", label=t(locale, "btn_edit")),
        ]
    return []


def question(conv: ConversationState, prefix: str | None = None) -> Reply:
    """The reply that asks for what the current state needs."""
    locale = conv.locale
    state = conv.state
    expects: Expects | None
    if state in QUESTIONS:
        q = QUESTIONS[state]
        text, buttons = q.ask(conv)
        if q.kind == "datetime" and (asked := follow_up_in(conv.pending)) is not None:
            text = asked.question(locale)  # a day (a month) was told: its time (its day) is asked
        expects = Expects(slot=q.slot_for(conv), kind=q.kind)
    else:
        buttons = _closing_buttons(conv)
        if state == "review":
            text = t(locale, "review", summary=facts_text(conv, None))
            expects = Expects(slot="review", kind="choice")
        elif state == "review_pick":
            text, expects = t(locale, "ask_edit_pick"), Expects(slot="review", kind="choice")
        elif state == "preview":
            text = preview_text(conv) + "\n\n" + t(locale, "preview_ask")
            expects = Expects(slot="handoff", kind="choice")
        else:  # handed_off
            text, expects = t(locale, "handed_off", code=conv.case_code), None
    if prefix:
        text = f"{prefix}\n{text}"
    return Reply(text=text, buttons=buttons, expects=expects)


def _label_of(conv: ConversationState, choice: str) -> str:
    """What a pressed button said, for the transcript (without composing the whole reply:
    at the preview that would adjudicate the case once more)."""
    buttons = QUESTIONS[conv.state].ask(conv)[1] if conv.state in QUESTIONS else _closing_buttons(conv)
    return next((b.label for b in buttons if b.id == choice), choice)


def _result(
    conv: ConversationState,
    replies: list[Reply],
    handoff: bool = False,
    said: str | None = None,
    events: list[str] | None = None,
) -> StepResult:
    conv.compact_history()
    return StepResult(
        replies=replies,
        state=conv.model_dump(mode="json", exclude_defaults=True),
        state_name=conv.state,
        handoff=handoff,
        said=said,
        events=events or [],
    )
