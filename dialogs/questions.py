"""What each state asks, how it reads the answer, and where the answer goes in the case.

One entry per asking state of dialogs/machine.py. `ask` builds the question, `read` turns the
victim's answer into an Outcome (dialogs/answers.py), `apply` writes the value into the facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dialogs import answers, products
from dialogs.answers import Outcome
from dialogs.classify import classify_account, classify_cause, find_institution
from dialogs.hotlines import hotline_for
from dialogs.messages import Button, SlotKind
from dialogs.readers import (
    ACCOUNT_SYNONYMS,
    KIND_SYNONYMS,
    UNSURE,
    Option,
    account_options,
    read_answer,
    read_documents,
    read_frozen,
    read_period_default,
    read_reported,
    read_still_going_on,
)
from dialogs.readers.choices import matches
from dialogs.state import ConversationState, get_fact, set_fact
from dialogs.texts import t
from rules.types import SHANGHAI
from rules.vocabulary import (
    ACCOUNT_LABELS,
    CAUSE_LABELS,
    DOCUMENT_LABELS,
    KIND_LABELS,
    Account,
    Cause,
    Document,
    Kind,
)


@dataclass(frozen=True)
class Answer:
    text: str | None
    choice: str | None
    now: datetime


@dataclass(frozen=True)
class Question:
    state: str
    slot: str  # a path into the case; "{i}" is the transaction being asked about
    kind: SlotKind
    ask: Callable[[ConversationState], tuple[str, list[Button]]]
    read: Callable[[ConversationState, Answer], Outcome]
    apply: Callable[[ConversationState, Any], None]
    skip: Callable[[ConversationState], bool] | None = None

    def slot_for(self, conv: ConversationState) -> str:
        return self.slot.replace("{i}", str(conv.tx_index))


def _yes_no_buttons(conv: ConversationState, yes: str = "btn_yes", no: str = "btn_no") -> list[Button]:
    return [Button(id="yes", label=t(conv.locale, yes)), Button(id="no", label=t(conv.locale, no))]


def _plain(
    key: str, buttons: Callable[[ConversationState], list[Button]] | None = None
) -> Callable[[ConversationState], tuple[str, list[Button]]]:
    def ask(conv: ConversationState) -> tuple[str, list[Button]]:
        return t(conv.locale, key, n=conv.tx_index + 1), (buttons(conv) if buttons else [])

    return ask


def _read_bool(conv: ConversationState, a: Answer) -> Outcome:
    return answers.yes_no(conv.locale, a.text, a.choice)


def _read_leaving(conv: ConversationState, a: Answer) -> Outcome:
    return answers.yes_no(conv.locale, a.text, a.choice, unsure=True, read=read_still_going_on)


def _read_frozen(conv: ConversationState, a: Answer) -> Outcome:
    unsure = conv.state == "safety_frozen"  # its 不知道 button; after the steps, 已冻结 or not
    frozen = answers.yes_no(conv.locale, a.text, a.choice, unsure=unsure, read=read_frozen)
    return answers.timed_yes(conv.locale, frozen, a.text, a.now)


def _read_reported(conv: ConversationState, a: Answer) -> Outcome:
    reported = answers.yes_no(conv.locale, a.text, a.choice, read=read_reported)
    return answers.timed_yes(conv.locale, reported, a.text, a.now)


def _unknown_option(conv: ConversationState) -> Option:
    """不知道, for a question a frightened victim may not know the answer to: a button, and
    the words that say it."""
    return Option(
        id=answers.UNKNOWN_BUTTON,
        label=t(conv.locale, "btn_unknown"),
        synonyms=("不知道", "不清楚", "不确定", "不记得", "忘了"),
    )


def _not_known(a: Answer) -> bool:
    """不知道, 不记得了, or its button."""
    return a.choice == answers.UNKNOWN_BUTTON or read_answer(a.text or "") == UNSURE


def _unknown_button(conv: ConversationState) -> list[Button]:
    return answers.buttons([_unknown_option(conv)])


def _yes_no_unsure_buttons(conv: ConversationState) -> list[Button]:
    return [*_yes_no_buttons(conv), *_unknown_button(conv)]


def _read_moment(conv: ConversationState, a: Answer) -> Outcome:
    pending = conv.pending or {}
    alternatives = [datetime.fromisoformat(x) for x in pending.get("alternatives") or []] or None
    asked = answers.DayPart.asked_in(pending)
    return answers.moment(conv.locale, a.text, a.choice, a.now, alternatives, asked)


def _read_money(conv: ConversationState, a: Answer) -> Outcome:
    return answers.money(conv.locale, a.text)


# 一共八千多，分了三笔: a total over several transactions, not the amount of this one.
_TOTAL_OF_SEVERAL = re.compile(r"(一共|总共|合计|加起来|共计).*([2-9两二三四五六七八九十几多]|\d{2,})笔")


def _read_tx_amount(conv: ConversationState, a: Answer) -> Outcome:
    """One transaction's amount; a total of several is asked again, one at a time (taken as
    the first, it would be counted again with the others)."""
    if _TOTAL_OF_SEVERAL.search(a.text or ""):
        return Outcome(miss="miss_tx_total")
    out = _read_money(conv, a)
    if out.miss and _not_known(a):  # where to look, not "not understood"
        return Outcome(miss="miss_tx_amount_unsure")
    return out


def _read_day(
    conv: ConversationState, a: Answer, allow_future: bool = False, after: date | None = None
) -> Outcome:
    """A date of the policy, to the day (see answers.day)."""
    asked = answers.MonthPart.asked_in(conv.pending)
    return answers.day(
        conv.locale, a.text, a.now, allow_future=allow_future, exact=True, asked=asked, after=after
    )


def _set(path: str, convert: Callable[[Any], Any] = lambda v: v) -> Callable[[ConversationState, Any], None]:
    def apply(conv: ConversationState, value: Any) -> None:
        set_fact(conv.facts, path.replace("{i}", str(conv.tx_index)), convert(value))

    return apply


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _money_str(value: Decimal) -> str:
    return str(value)


# --- triage ------------------------------------------------------------------------------------


def _read_narrative(conv: ConversationState, a: Answer) -> Outcome:
    text = (a.text or "").strip()
    if len(text) < 2 or not any(ch.isalnum() for ch in text):
        return Outcome(miss="miss_text")
    return Outcome(value=text[:2000])


def _apply_narrative(conv: ConversationState, text: str) -> None:
    set_fact(conv.facts, "incident.narrative", text)
    institution = find_institution(text)
    account = classify_account(text)
    cause = classify_cause(text)
    conv.aside.update(
        institution=institution,
        account=account.value if account else None,
        cause_candidate=cause.value if cause else None,
    )


def hotline_line(conv: ConversationState) -> str:
    account = conv.aside.get("account")
    line = hotline_for(conv.aside.get("institution"), Account(account) if account else None)
    if line is None:
        return t(conv.locale, "hotline_unknown")
    return t(conv.locale, "hotline_known", institution=line.institution, number=line.number)


def _apply_leaving(conv: ConversationState, leaving: bool | str) -> None:
    # Not knowing is not a fact of the case: it is kept aside, for the agent to look at first.
    if leaving == UNSURE:
        conv.facts.get("incident", {}).pop("money_leaving", None)
        conv.aside["money_leaving_unsure"] = True
        return
    set_fact(conv.facts, "incident.money_leaving", leaving)
    conv.aside.pop("money_leaving_unsure", None)


# --- safety ------------------------------------------------------------------------------------


def _apply_frozen(conv: ConversationState, frozen: bool | str | datetime) -> None:
    # The time comes next, unless it was said with the yes; until then "frozen" is only the
    # victim's word. Not sure it is frozen is taken as not frozen: the steps to freeze come next.
    # A plain yes drops a time told before: from the review, 冻结时间不对 comes here, and
    # its yes must ask the time again.
    conv.facts.get("incident", {}).pop("frozen_at", None)
    if isinstance(frozen, datetime):
        set_fact(conv.facts, "incident.frozen_at", _iso(frozen))
    conv.pending = {"frozen": frozen is True or isinstance(frozen, datetime)}


def _ask_freeze_now(conv: ConversationState) -> tuple[str, list[Button]]:
    text = t(conv.locale, "freeze_steps", hotline_line=hotline_line(conv))
    text += "\n\n" + t(conv.locale, "ask_frozen_after_steps")
    return text, _yes_no_buttons(conv, "btn_frozen", "btn_continue_unfrozen")


def _apply_police(conv: ConversationState, filed: bool | datetime) -> None:
    set_fact(conv.facts, "incident.police_report.filed", bool(filed))
    conv.facts["incident"]["police_report"].pop("at", None)  # a plain yes asks it (again)
    if isinstance(filed, datetime):  # said with its time: 昨天下午三点报的警
        set_fact(conv.facts, "incident.police_report.at", _iso(filed))


# --- policy ------------------------------------------------------------------------------------


def _product_options(conv: ConversationState) -> list[Option]:
    return [*products.options(), _unknown_option(conv)]


def _read_product(conv: ConversationState, a: Answer) -> Outcome:
    return answers.pick(conv.locale, a.text, a.choice, _product_options(conv))


def _apply_product(conv: ConversationState, product: str) -> None:
    policy = conv.facts.setdefault("policy", {})
    if product == "unknown":
        policy.pop("product", None)
        return
    policy["product"] = product
    info = products.info(product)
    policy.setdefault("covered_accounts", [a.value for a in info.default_covered_accounts])
    if info.fixed_window_hours:
        policy["window_hours"] = info.fixed_window_hours


def _apply_purchased_on(conv: ConversationState, value: date) -> None:
    set_fact(conv.facts, "policy.purchased_on", value.isoformat())
    if conv.aside.get("period_default"):
        _default_period(conv)


def _start_of(day: date) -> str:
    return datetime.combine(day, time(0, 0), SHANGHAI).isoformat()


def _end_of(day: date) -> str:
    return datetime.combine(day, time(23, 59, 59), SHANGHAI).isoformat()


def _default_period(conv: ConversationState) -> None:
    # 第十条: one year unless agreed otherwise — from the purchase day to the day before its
    # anniversary (2023-03-01 → 2024-02-29 23:59:59).
    bought = date.fromisoformat(conv.facts["policy"]["purchased_on"])
    try:
        anniversary = bought.replace(year=bought.year + 1)
    except ValueError:  # bought on 29 February
        anniversary = date(bought.year + 1, 3, 1)
    set_fact(conv.facts, "policy.period_start", _start_of(bought))
    set_fact(conv.facts, "policy.period_end", _end_of(anniversary - timedelta(days=1)))


def _apply_period_default(conv: ConversationState, default: bool | tuple[date, date]) -> None:
    if isinstance(default, tuple):  # the policy's own line: both days told
        conv.aside["period_default"] = False
        set_fact(conv.facts, "policy.period_start", _start_of(default[0]))
        set_fact(conv.facts, "policy.period_end", _end_of(default[1]))
        return
    conv.aside["period_default"] = default
    if default and get_fact(conv.facts, "policy.purchased_on"):
        _default_period(conv)
    elif not default:
        conv.facts.get("policy", {}).pop("period_end", None)


# 2025年3月16日零时起至2026年3月15日二十四时止: the 保险期间 line, copied or read out.
_PERIOD_RANGE = re.compile(r"至|到(?!期)|~|～|—")


def _read_period(conv: ConversationState, a: Answer) -> Outcome:
    """是/不是; or the two days of the policy's 保险期间 line, which answer the question
    whatever yes or no words are around them (写的是… held a 是)."""
    parts = _PERIOD_RANGE.split(a.text or "")
    if len(parts) == 2:
        start = _read_period_start(conv, replace(a, text=parts[0]))
        if start.ok:
            end = answers.day(
                conv.locale, parts[1], a.now, allow_future=True, exact=True, after=start.value
            )
            if end.ok and end.value >= start.value:
                told = (start.value, end.value)
                start_on, end_on = (answers.fmt_date(d, conv.locale) for d in told)
                return Outcome(value=told, echo=t(conv.locale, "echo_period", start=start_on, end=end_on))
    return answers.yes_no(conv.locale, a.text, a.choice, read=read_period_default)


def _read_period_end(conv: ConversationState, a: Answer) -> Outcome:
    # 2024年2月 taken as its 1st would end the cover 28 days early: the day is asked.
    start = get_fact(conv.facts, "policy.period_start")
    begun = datetime.fromisoformat(start).date() if start else None
    out = _read_day(conv, a, allow_future=True, after=begun)
    if out.ok and start and _end_of(out.value) < start:
        return Outcome(miss="miss_date")
    return out


def _read_period_start(conv: ConversationState, a: Answer) -> Outcome:
    bought = get_fact(conv.facts, "policy.purchased_on")
    return _read_day(conv, a, allow_future=True, after=date.fromisoformat(bought) if bought else None)


def _window_options(conv: ConversationState) -> list[Button]:
    return [
        Button(id="72", label="72小时"),
        Button(id="48", label="48小时"),
        Button(id="default", label=t(conv.locale, "btn_window_default")),
    ]


def _read_window(conv: ConversationState, a: Answer) -> Outcome:
    raw = a.choice if a.choice in ("48", "72") else (a.text or "")
    if "天" in raw and "小时" not in raw:
        days = answers.number(raw)
        hours = days * 24 if days else 0
    else:
        hours = answers.number(raw) or 0
    # 不记得了, 忘了 as well as the button: a number said with a doubt (72吧，不确定) is kept.
    if a.choice == "default" or (not hours and (_not_known(a) or "默认" in raw)):
        product = get_fact(conv.facts, "policy.product")
        hours = products.info(product).default_window_hours if product else 72
        echo = t(conv.locale, "echo_window_default", hours=hours)
        return Outcome(value=hours, echo=echo, assumed=True)
    if not 0 < hours <= 24 * 366:
        return Outcome(miss="miss_number")
    return Outcome(
        value=hours,
        echo=t(conv.locale, "echo_choice", label=t(conv.locale, "v_hours", hours=hours)),
    )


def _window_fixed(conv: ConversationState) -> bool:
    product = get_fact(conv.facts, "policy.product")
    return bool(product and products.info(product).fixed_window_hours)


# 免赔率: 10%, 百分之十, 一成 (policies give a deductible as an amount, a rate, or both).
_RATE = re.compile(
    r"(?P<pct>[0-9]+(?:\.[0-9]+)?)\s*[%％]|百分之\s*(?P<cn>[0-9零〇一二两三四五六七八九十点.]+)"
    r"|(?P<tenths>[一二两三四五1-5])\s*成"
)


def _read_deductible(conv: ConversationState, a: Answer) -> Outcome:
    """The deductible as (amount, rate): 500, 百分之十, 500元或10%取高. Not knowing it is
    an answer: none is assumed, said so, and left for the agent to check."""
    text = (a.text or "").strip()
    if a.choice == "none" or text in ("没有", "无", "没", "0", "没有免赔", "无免赔"):
        return Outcome(
            value=(Decimal(0), Decimal(0)),
            echo=t(conv.locale, "echo_choice", label=t(conv.locale, "btn_no_deductible")),
        )
    rate = Decimal(0)
    if found := _RATE.search(text):
        number = answers.number(found.group("pct") or found.group("cn") or found.group("tenths"))
        percent = Decimal(str(number or 0)) * (10 if found.group("tenths") else 1)
        if not 0 < percent < 100:
            return Outcome(miss="miss_rate")
        rate = percent / 100
        text = text[: found.start()] + text[found.end() :]
    amount = answers.money(conv.locale, text)
    if amount.ok:
        value = (amount.value, rate)
    elif rate:
        value = (Decimal(0), rate)
    elif _not_known(a):
        none = (Decimal(0), Decimal(0))
        return Outcome(value=none, echo=t(conv.locale, "echo_deductible_unsure"), assumed=True)
    else:
        return amount
    if not rate:
        return Outcome(value=value, echo=amount.echo)
    shown = {"amount": answers.fmt_money(value[0]), "rate": answers.fmt_money(rate * 100)}
    key = "echo_deductible" if value[0] else "echo_deductible_rate"
    return Outcome(value=value, echo=t(conv.locale, key, **shown))


def _apply_deductible(conv: ConversationState, value: tuple[Decimal, Decimal]) -> None:
    amount, rate = value
    set_fact(conv.facts, "policy.deductible", str(amount))
    set_fact(conv.facts, "policy.deductible_rate", str(rate))


def _accounts_buttons(conv: ConversationState) -> list[Button]:
    return [Button(id="all", label=t(conv.locale, "btn_all_accounts"))] + [
        Button(id=a.value, label=ACCOUNT_LABELS[a]) for a in Account if a is not Account.other
    ]


# 除了存折都保, 存折以外都保: every account but those named.
_EXCEPT = re.compile(r"除了|除去|除|以外|之外")


def _read_accounts(conv: ConversationState, a: Answer) -> Outcome:
    """The accounts covered. Not knowing them takes the product's usual ones, said so, and
    left for the agent to check."""
    locale = conv.locale
    text = (a.text or "").strip()
    product = get_fact(conv.facts, "policy.product")
    every = (
        [x.value for x in products.info(product).default_covered_accounts]
        if product
        else [x.value for x in Account if x is not Account.other]
    )
    assumed = False
    if a.choice == "all" or text in ("全部", "全部账户", "都保", "所有"):
        chosen = every
    elif a.choice and a.choice in Account.__members__:
        chosen = [a.choice]
    else:
        options = account_options()
        excepted = _EXCEPT.search(text) is not None  # 除了 would read as a negation below
        chosen = [options[i].id for i in matches(_EXCEPT.sub("，", text), options)]
        if chosen and excepted:
            chosen = [x for x in every if x not in chosen]
        elif not chosen and _not_known(a):
            chosen, assumed = every, True
    if not chosen:
        return Outcome(miss="miss_choice", miss_values={"example": "借记卡和支付宝"})
    labels = "、".join(ACCOUNT_LABELS[Account(x)] for x in chosen)
    echo = t(locale, "echo_accounts_assumed" if assumed else "echo_choice", label=labels)
    return Outcome(value=chosen, echo=echo, assumed=assumed)


def _premium_options(conv: ConversationState) -> list[Option]:
    return [
        Option(
            id="single_paid",
            label=t(conv.locale, "btn_single_paid"),
            synonyms=("一次", "一次性", "交清", "付清", "全交了", "年交", "年缴", "趸交", "交了"),
        ),
        Option(
            id="monthly",
            label=t(conv.locale, "btn_monthly"),
            synonyms=("按月", "月交", "月缴", "月付", "每月", "每个月", "分期"),
        ),
        Option(id="unpaid", label=t(conv.locale, "btn_unpaid"), synonyms=("没交", "未交", "还没")),
        _unknown_option(conv),
    ]


def _read_premium(conv: ConversationState, a: Answer) -> Outcome:
    out = answers.pick(conv.locale, a.text, a.choice, _premium_options(conv))
    if out.value == answers.UNKNOWN_BUTTON:  # most such policies are paid when bought
        return Outcome(value="single_paid", echo=t(conv.locale, "echo_premium_assumed"), assumed=True)
    return out


def _apply_premium(conv: ConversationState, mode: str) -> None:
    premium: dict[str, Any] = {
        "single_paid": {"mode": "single", "paid": True},
        "monthly": {"mode": "monthly", "first_paid": True},
        "unpaid": {"mode": "single", "paid": False},
    }[mode]
    set_fact(conv.facts, "policy.premium", premium)


def _apply_overdue(conv: ConversationState, overdue: bool) -> None:
    conv.aside["premium_overdue"] = overdue
    if not overdue:
        conv.facts["policy"]["premium"].pop("unpaid_due_date", None)


# --- incident ----------------------------------------------------------------------------------

CAUSE_ORDER = [
    Cause.account_hacked,
    Cause.card_stolen_or_lost,
    Cause.card_skimmed,
    Cause.coerced_on_site,
    Cause.phishing_link,
    Cause.scam_transfer,
    Cause.voluntary_disclosure,
    Cause.malware,
    Cause.atm_or_counter_theft,
    Cause.family_member,
    Cause.coerced_remote,
    Cause.account_lent,
    Cause.domestic_worker,
    Cause.co_resident,
    Cause.administrative_or_judicial,
    Cause.system_error,
    Cause.card_in_transit,
    Cause.war_or_unrest,
    Cause.natural_disaster,
    Cause.unknown,
]


def _cause_options(conv: ConversationState) -> list[Option]:
    """The causes, the suggested one first. A label counts only whole: its parts include 盗刷,
    转走 and 冻结, which nearly every victim says (a description is classify_cause's)."""
    candidate = conv.aside.get("cause_candidate")
    order = sorted(CAUSE_ORDER, key=lambda c: c.value != candidate)
    return [
        Option(id=c.value, label=CAUSE_LABELS[c], whole_label=True, synonyms=_CAUSE_SYNONYMS.get(c, ()))
        for c in order
    ]


# 不知道 is the answer of many victims: it picks 还不清楚 unless the words describe a cause.
_CAUSE_SYNONYMS = {Cause.unknown: ("不知道", "不清楚", "不确定", "搞不清", "不晓得", "不明白")}


def _ask_cause(conv: ConversationState) -> tuple[str, list[Button]]:
    candidate = conv.aside.get("cause_candidate")
    buttons = answers.buttons(_cause_options(conv))
    if candidate:
        return t(conv.locale, "ask_cause_candidate", label=CAUSE_LABELS[Cause(candidate)]), buttons
    return t(conv.locale, "ask_cause"), buttons


def _read_cause(conv: ConversationState, a: Answer) -> Outcome:
    """A button or a label; else what the victim describes; else, to "是不是「盗号」？", a
    yes. The description comes before the yes: 有人冒充客服让我点了链接 holds 有, and 手机丢了
    a done-yes, and each says a cause of its own."""
    out = answers.pick(conv.locale, a.text, a.choice, _cause_options(conv))
    if a.choice or (out.ok and out.value != Cause.unknown.value):
        return out
    candidate = conv.aside.get("cause_candidate")
    described = classify_cause(a.text or "")
    if described is None and candidate and answers.yes_no(conv.locale, a.text, None).value is True:
        described = Cause(candidate)
    if described is None:
        return out
    return Outcome(value=described.value, echo=t(conv.locale, "echo_choice", label=CAUSE_LABELS[described]))


def _read_tx_at(conv: ConversationState, a: Answer) -> Outcome:
    out = _read_moment(conv, a)
    if out.miss == "miss_datetime" and _not_known(a):  # where to look
        return Outcome(miss="miss_tx_at_unsure")
    return out


def _read_tx_account(conv: ConversationState, a: Answer) -> Outcome:
    out = answers.pick(conv.locale, a.text, a.choice, _account_options(conv))
    if out.miss and "卡" in (a.text or ""):  # 招行的卡: which kind decides cover
        return Outcome(miss="miss_which_card")
    return out


def _read_discovered(conv: ConversationState, a: Answer) -> Outcome:
    """When the theft was found; not remembered is an answer (case-format: null, unknown)."""
    out = _read_moment(conv, a)
    if out.miss and _not_known(a):
        return Outcome(value=None, echo=t(conv.locale, "echo_discovered_unknown"), assumed=True)
    return out


# --- transactions ------------------------------------------------------------------------------


def _apply_amount(conv: ConversationState, amount: Decimal) -> None:
    txs = conv.facts.setdefault("transactions", [])
    while len(txs) <= conv.tx_index:
        txs.append({"id": f"t{len(txs) + 1}"})
    txs[conv.tx_index]["amount"] = str(amount)


def _account_options(conv: ConversationState) -> list[Option]:
    hint = conv.aside.get("account")
    order = sorted(Account, key=lambda a: a.value != hint)
    return [
        Option(id=a.value, label=ACCOUNT_LABELS[a], synonyms=tuple(ACCOUNT_SYNONYMS.get(a, ())))
        for a in order
    ]


KIND_ORDER = [
    Kind.transfer,
    Kind.payment,
    Kind.cash_withdrawal,
    Kind.credit_purchase,
    Kind.loan,
    Kind.gift_card,
    Kind.auto_debit,
    Kind.fee,
    Kind.interest,
    Kind.nav_change,
    Kind.other_feature,
]


def _kind_options(conv: ConversationState) -> list[Option]:
    return [
        Option(id=k.value, label=KIND_LABELS[k], synonyms=tuple(KIND_SYNONYMS.get(k, ()))) for k in KIND_ORDER
    ]


def _institution_buttons(conv: ConversationState) -> list[Button]:
    known = conv.aside.get("institution")
    skip = Button(id="skip", label=t(conv.locale, "btn_skip"))
    return [Button(id="known", label=known), skip] if known else [skip]


def _read_institution(conv: ConversationState, a: Answer) -> Outcome:
    if a.choice == "skip" or (a.text or "").strip() in ("跳过", "不清楚", "不知道"):
        return Outcome(value=None, echo=None)
    if a.choice == "known" and conv.aside.get("institution"):
        name: str | None = conv.aside["institution"]
    else:
        text = (a.text or "").strip()
        name = find_institution(text) or (text[:40] if text else None)
    if not name:
        return Outcome(miss="miss_choice", miss_values={"example": "招商银行"})
    return Outcome(value=name, echo=t(conv.locale, "echo_choice", label=name))


def _apply_more(conv: ConversationState, more: bool) -> None:
    conv.pending = {"more": more}


# --- documents ---------------------------------------------------------------------------------


def offered_documents(conv: ConversationState) -> list[Document]:
    product = get_fact(conv.facts, "policy.product")
    return products.documents(product) if product else list(Document)


def _remaining(conv: ConversationState) -> list[Document]:
    have = set(conv.facts.get("documents") or [])
    return [d for d in offered_documents(conv) if d.value not in have]


def _ask_documents(conv: ConversationState) -> tuple[str, list[Button]]:
    remaining = _remaining(conv)
    listed = "、".join(DOCUMENT_LABELS[d] for d in remaining) or t(conv.locale, "v_none")
    buttons = [Button(id=d.value, label=DOCUMENT_LABELS[d]) for d in remaining]
    buttons += [
        Button(id="all", label=t(conv.locale, "btn_docs_all")),
        Button(id="done", label=t(conv.locale, "btn_docs_done")),
    ]
    return t(conv.locale, "ask_documents", remaining=listed), buttons


def _read_documents(conv: ConversationState, a: Answer) -> Outcome:
    """The documents in hand. Nothing, or not knowing what is needed, ends the question: the
    hand-off lists what is missing, and the agent asks for it."""
    have: list[str] = list(conv.facts.get("documents") or [])
    text = (a.text or "").strip()
    done = False
    if a.choice == "done" or text in ("就这些", "没有了", "没了", "完成", "好了"):
        done = True
    elif a.choice == "all" or text in ("都有", "都有了", "全都有", "全部都有"):
        have += [d.value for d in offered_documents(conv)]
        done = True
    elif a.choice and a.choice in Document.__members__:
        have.append(a.choice)
    else:
        found = read_documents(text)  # [] for 什么都没有: none in hand is an answer too
        if found is None and not _not_known(a):
            return Outcome(miss="miss_documents")
        have += [d.value for d in found or []]
        done = True
    unique = list(dict.fromkeys(have))
    labels = "、".join(DOCUMENT_LABELS[Document(d)] for d in unique) or t(conv.locale, "v_none")
    return Outcome(value={"have": unique, "done": done}, echo=t(conv.locale, "documents_ack", have=labels))


def _apply_documents(conv: ConversationState, value: dict[str, Any]) -> None:
    conv.facts["documents"] = value["have"]
    conv.pending = {"documents_done": value["done"]}


# --- the table ---------------------------------------------------------------------------------


QUESTIONS: dict[str, Question] = {
    q.state: q
    for q in [
        Question(
            "triage_what",
            "incident.narrative",
            "text",
            _plain("ask_what"),
            _read_narrative,
            _apply_narrative,
        ),
        Question(
            "triage_leaving",
            "incident.money_leaving",
            "bool",
            _plain("ask_leaving", _yes_no_unsure_buttons),
            _read_leaving,
            _apply_leaving,
        ),
        Question(
            "safety_frozen",
            "incident.frozen_at",
            "bool",
            _plain("ask_frozen", _yes_no_unsure_buttons),
            _read_frozen,
            _apply_frozen,
        ),
        Question(
            "safety_freeze_now",
            "incident.frozen_at",
            "bool",
            _ask_freeze_now,
            _read_frozen,
            _apply_frozen,
        ),
        Question(
            "safety_frozen_at",
            "incident.frozen_at",
            "datetime",
            _plain("ask_frozen_at"),
            _read_moment,
            _set("incident.frozen_at", _iso),
        ),
        Question(
            "safety_police",
            "incident.police_report.filed",
            "bool",
            _plain("ask_police", _yes_no_buttons),
            _read_reported,
            _apply_police,
        ),
        Question(
            "safety_police_at",
            "incident.police_report.at",
            "datetime",
            _plain("ask_police_at"),
            _read_moment,
            _set("incident.police_report.at", _iso),
        ),
        Question(
            "policy_product",
            "policy.product",
            "choice",
            lambda c: (t(c.locale, "ask_product"), answers.buttons(_product_options(c))),
            _read_product,
            _apply_product,
        ),
        Question(
            "policy_purchased_on",
            "policy.purchased_on",
            "datetime",
            _plain("ask_purchased_on"),
            _read_day,
            _apply_purchased_on,
        ),
        Question(
            "policy_period",
            "policy.period_start",
            "bool",
            _plain(
                "ask_period_default",
                lambda c: _yes_no_buttons(c, "btn_period_default", "btn_period_custom"),
            ),
            _read_period,
            _apply_period_default,
        ),
        Question(
            "policy_period_start",
            "policy.period_start",
            "datetime",
            _plain("ask_period_start"),
            _read_period_start,
            _set("policy.period_start", _start_of),
        ),
        Question(
            "policy_period_end",
            "policy.period_end",
            "datetime",
            _plain("ask_period_end"),
            _read_period_end,
            _set("policy.period_end", _end_of),
        ),
        Question(
            "policy_window",
            "policy.window_hours",
            "number",
            _plain("ask_window", _window_options),
            _read_window,
            _set("policy.window_hours"),
            skip=_window_fixed,
        ),
        Question(
            "policy_sum_insured",
            "policy.sum_insured",
            "money",
            _plain("ask_sum_insured"),
            _read_money,
            _set("policy.sum_insured", _money_str),
        ),
        Question(
            "policy_deductible",
            "policy.deductible",
            "money",
            _plain(
                "ask_deductible",
                lambda c: [Button(id="none", label=t(c.locale, "btn_no_deductible")), *_unknown_button(c)],
            ),
            _read_deductible,
            _apply_deductible,
        ),
        Question(
            "policy_accounts",
            "policy.covered_accounts",
            "choice",
            _plain("ask_accounts", _accounts_buttons),
            _read_accounts,
            _set("policy.covered_accounts"),
        ),
        Question(
            "policy_premium",
            "policy.premium",
            "choice",
            lambda c: (t(c.locale, "ask_premium"), answers.buttons(_premium_options(c))),
            _read_premium,
            _apply_premium,
        ),
        Question(
            "policy_premium_unpaid",
            "policy.premium.unpaid_due_date",
            "bool",
            _plain("ask_premium_unpaid", _yes_no_buttons),
            _read_bool,
            _apply_overdue,
        ),
        Question(
            "policy_premium_due",
            "policy.premium.unpaid_due_date",
            "datetime",
            _plain("ask_premium_due"),
            _read_day,
            _set("policy.premium.unpaid_due_date", lambda d: d.isoformat()),
        ),
        Question(
            "incident_cause",
            "incident.cause",
            "choice",
            _ask_cause,
            _read_cause,
            _set("incident.cause"),
        ),
        Question(
            "incident_discovered_at",
            "incident.discovered_at",
            "datetime",
            _plain("ask_discovered_at", _unknown_button),
            _read_discovered,
            _set("incident.discovered_at", _iso),
        ),
        Question(
            "tx_amount",
            "transactions[{i}].amount",
            "money",
            _plain("ask_tx_amount"),
            _read_tx_amount,
            _apply_amount,
        ),
        Question(
            "tx_at",
            "transactions[{i}].at",
            "datetime",
            _plain("ask_tx_at"),
            _read_tx_at,
            _set("transactions[{i}].at", _iso),
        ),
        Question(
            "tx_account",
            "transactions[{i}].account",
            "choice",
            lambda c: (
                t(c.locale, "ask_tx_account", n=c.tx_index + 1),
                answers.buttons(_account_options(c)),
            ),
            _read_tx_account,
            _set("transactions[{i}].account"),
        ),
        Question(
            "tx_kind",
            "transactions[{i}].kind",
            "choice",
            lambda c: (
                t(c.locale, "ask_tx_kind", n=c.tx_index + 1),
                answers.buttons(_kind_options(c)),
            ),
            lambda c, a: answers.pick(c.locale, a.text, a.choice, _kind_options(c)),
            _set("transactions[{i}].kind"),
        ),
        Question(
            "tx_institution",
            "transactions[{i}].institution",
            "text",
            _plain("ask_tx_institution", _institution_buttons),
            _read_institution,
            _set("transactions[{i}].institution"),
        ),
        Question(
            "tx_more",
            "transactions",
            "bool",
            _plain("ask_tx_more", _yes_no_buttons),
            _read_bool,
            _apply_more,
        ),
        Question("documents", "documents", "documents", _ask_documents, _read_documents, _apply_documents),
    ]
}
