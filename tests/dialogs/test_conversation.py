"""The conversation's behaviour: safety first, global commands, misses, redaction, scams."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from dialogs.conversation import start, step
from dialogs.messages import StepResult, Turn
from dialogs.state import get_fact
from tests.dialogs.test_history import LINES


def say(
    result: StepResult,
    text: str | None = None,
    choice: str | None = None,
    at: datetime | None = None,
) -> StepResult:
    sent = at or datetime.fromisoformat(result.state["started_at"])
    return step(result.state, Turn(text=text, choice=choice, sent_at=sent))


def walk(now: datetime, *answers: str) -> StepResult:
    result = start("web", "zh-CN", now)
    for answer in answers:
        result = say(result, answer, at=now)
    return result


def test_first_question_asks_what_happened(now: datetime) -> None:
    result = start("web", "zh-CN", now)
    assert result.state_name == "triage_what"
    assert result.replies[0].expects is not None
    assert result.replies[0].expects.kind == "text"


def test_money_still_leaving_gets_the_hotline_before_anything_else(now: datetime) -> None:
    result = walk(now, "我的招商银行卡被盗刷了", "是的，还在扣钱")
    text = result.replies[-1].text
    assert "95555" in text
    assert text.index("95555") < text.index("挂失/冻结了吗")


def test_not_frozen_gets_the_steps_and_the_issuer_hotline(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有", "还没有")
    assert result.state_name == "safety_freeze_now"
    text = result.replies[-1].text
    assert "95188" in text and "110" in text and "免密" in text and "截图" in text


def test_unknown_issuer_is_told_to_call_the_number_on_the_card(now: datetime) -> None:
    result = walk(now, "卡被盗刷了", "没有", "没有")
    assert "卡片背面" in result.replies[-1].text


def test_freeze_time_is_echoed_and_recorded(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有", "冻结了", "昨晚九点四十")
    assert get_fact(result.state["facts"], "incident.frozen_at") == "2023-10-08T21:40:00+08:00"
    assert "10月8日 21:40" in result.replies[-1].text
    assert result.state_name == "safety_police"


def test_back_undoes_the_last_answer(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有", "冻结了", "昨晚九点四十")
    result = say(result, "返回上一步")
    assert result.state_name == "safety_frozen_at"
    assert get_fact(result.state["facts"], "incident.frozen_at") is None
    result = say(result, "昨晚九点五十")
    assert get_fact(result.state["facts"], "incident.frozen_at") == "2023-10-08T21:50:00+08:00"


def test_back_at_the_first_question_says_so(now: datetime) -> None:
    result = say(start("web", "zh-CN", now), "/back")
    assert result.state_name == "triage_what"
    assert "第一步" in result.replies[0].text


def test_restart_clears_every_fact(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有", "冻结了", "昨晚九点四十")
    result = say(result, "/restart")
    assert result.state_name == "triage_what"
    assert not result.state.get("facts")


def test_human_hands_off_at_once_with_what_is_known(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有")
    result = say(result, "转人工")
    assert result.handoff and result.state_name == "handed_off"
    assert get_fact(result.state["facts"], "incident.money_leaving") is False
    assert result.state["case_code"] in result.replies[-1].text
    later = say(result, "我又想起来一笔")
    assert not later.handoff and later.state_name == "handed_off"
    assert "我又想起来一笔" in later.state["aside"]["after_handoff"]


def test_summary_shows_the_facts_and_asks_again(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有", "冻结了", "昨晚九点四十")
    result = say(result, "查看摘要")
    assert "10月8日 21:40" in result.replies[0].text
    assert result.state_name == "safety_police"
    assert result.replies[0].expects is not None
    assert result.replies[0].expects.slot == "incident.police_report.filed"


def test_an_unreadable_answer_changes_nothing_and_after_three_offers_a_human(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有", "冻结了")
    before = result.state["facts"]
    for attempt in range(3):
        result = say(result, "嗯……那个")
        assert result.state_name == "safety_frozen_at"
        assert result.state["facts"] == before
        assert result.replies[-1].expects is not None
        assert result.replies[-1].expects.slot == "incident.frozen_at"
        human = [b for b in result.replies[-1].buttons if b.id == "cmd:human"]
        assert bool(human) == (attempt == 2)
    assert "例如" in result.replies[-1].text
    result = say(result, choice="cmd:human")
    assert result.handoff


def test_a_full_card_number_is_masked_before_it_is_stored(now: datetime) -> None:
    result = walk(now, "我的卡 6222 0212 3456 7894 被盗刷了，验证码是 834921")
    blob = repr(result.state)
    assert "6222021234567894" not in blob.replace(" ", "")
    assert "834921" not in blob and "834921" not in (result.said or "")
    assert "不要把完整卡号" in result.replies[0].text
    again = say(result, "卡号 6222021234567894")
    assert all("不要把完整卡号" not in r.text for r in again.replies)  # warned once


def test_scam_words_interrupt_before_anything_else(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有")
    result = say(result, "客服让我把钱转到安全账户")
    assert "96110" in result.replies[0].text
    assert "scam_signal" in result.events
    assert result.state["aside"]["scam_signals"]


def test_ambiguous_time_is_confirmed_with_buttons(now: datetime) -> None:
    evening = now.replace(hour=22)
    result = walk(evening, "支付宝被盗了", "没有", "冻结了")
    result = say(result, "8点", at=evening)
    # At 22:00 both 08:00 and 20:00 have passed: the dialog must ask, not guess.
    assert result.state_name == "safety_frozen_at"
    assert get_fact(result.state["facts"], "incident.frozen_at") is None
    labels = [b.label for b in result.replies[-1].buttons]
    assert any("08:00" in x for x in labels) and any("20:00" in x for x in labels)
    result = say(result, choice="alt:1", at=evening)
    assert get_fact(result.state["facts"], "incident.frozen_at") == "2023-10-09T20:00:00+08:00"


def test_a_future_time_is_refused(now: datetime) -> None:
    result = walk(now, "支付宝被盗了", "没有", "冻结了")
    later = (now + timedelta(days=3)).strftime("%Y年%m月%d日%H点")
    result = say(result, later)
    assert result.state_name == "safety_frozen_at"
    assert get_fact(result.state["facts"], "incident.frozen_at") is None


def test_english_locale(now: datetime) -> None:
    result = start("web", "en", now)
    assert "What happened" in result.replies[0].text or "what happened" in result.replies[0].text


def test_states_are_plain_json(now: datetime) -> None:
    import json

    result = walk(now, "支付宝被盗了", "没有", "冻结了", "昨晚九点四十")
    state: dict[str, Any] = json.loads(json.dumps(result.state))
    assert state == result.state


def test_after_a_hand_back_the_bot_resumes_where_the_victim_was(now: datetime) -> None:
    from dialogs.conversation import resume

    result = walk(now, "支付宝被盗了", "没有", "冻结了")
    result = say(result, "转人工")
    assert result.state_name == "handed_off"
    back = resume(result.state, now)
    assert back.state_name == "safety_frozen_at"
    assert "继续为您服务" in back.replies[0].text
    assert back.replies[0].expects is not None
    assert back.replies[0].expects.slot == "incident.frozen_at"
    assert back.state["facts"] == result.state["facts"]
    assert not back.state.get("handed_off")


def test_times_are_echoed_in_beijing_time_whatever_the_message_clock(now: datetime) -> None:
    from datetime import UTC

    utc_now = now.astimezone(UTC)
    result = walk(utc_now, "支付宝被盗了", "没有", "冻结了", "昨晚九点四十")
    assert get_fact(result.state["facts"], "incident.frozen_at") == "2023-10-08T21:40:00+08:00"
    assert "10月8日 21:40" in result.replies[-1].text


def test_case_codes_are_unguessable_and_readable_aloud() -> None:
    from dialogs.conversation import CASE_CODE, new_case_code

    codes = {new_case_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(CASE_CODE.match(code) for code in codes)
    assert not any(set(code[3:]) & set("ILOU") for code in codes)


def test_a_step_leaves_the_state_it_was_given_as_it_was() -> None:
    """The dialog returns the new state; the one it was given may still be someone's record."""
    result = start("telegram", "zh-CN", LINES[0].sent_at)
    for line in LINES:
        given = json.dumps(result.state, sort_keys=True)
        after = step(result.state, Turn(text=line.text, choice=line.choice, sent_at=line.sent_at))
        assert json.dumps(result.state, sort_keys=True) == given, line.text
        result = after
    assert result.state_name == "handed_off"
