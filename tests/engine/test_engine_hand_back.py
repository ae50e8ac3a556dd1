"""When an agent hands a conversation back, the bot answers again from where it stopped."""

from __future__ import annotations

from datetime import datetime

from bot.engine import Engine
from dialogs.messages import Turn
from rules.types import SHANGHAI

NOW = datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)


async def test_hand_back_resumes_the_dialog(engine: Engine) -> None:
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    for text in ("支付宝被盗了", "没有", "转人工"):
        outcome = await engine.handle(record.id, Turn(text=text, sent_at=NOW))
    assert outcome.state_name == "handed_off"
    await engine.take_over(record.id, "alice")
    silent = await engine.handle(record.id, Turn(text="还在吗", sent_at=NOW))
    assert silent.to_agent and not silent.replies
    back = await engine.hand_back(record.id, "alice")
    assert back.owner == "bot" and back.state_name == "safety_frozen"
    answered = await engine.handle(record.id, Turn(text="冻结了", sent_at=NOW))
    assert answered.state_name == "safety_frozen_at" and answered.replies
    transcript = await engine.store.transcript(record.id)
    assert any("继续为您服务" in e.text for e in transcript if e.role == "bot")
