"""The bots a team would hand-write instead of lossline, for the same claim: one state per
question, each answer kept as typed, one reply per turn, no rules, no redaction, no summary.

- `AiogramFsmBot`: aiogram 3, a StatesGroup and one handler per state, FSM on RedisStorage.
- `PtbConversationBot`: python-telegram-bot 22, a persistent ConversationHandler with
  PicklePersistence.
- `PtbDurableBot`: the same ConversationHandler for a team that must lose no answer when the
  process dies, as lossline loses none: its states and answers in SQLite (`SqlitePersistence`,
  WAL and synchronous=NORMAL like lossline's store), written after every update.
All talk to the Bot API through `telegram_loopback`, as lossline's adapters do in the bench.
"""

from __future__ import annotations

import json
import sqlite3
import warnings
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import Message, Update
from redis.asyncio import Redis
from telegram import Update as PtbUpdate
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BasePersistence,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PersistenceInput,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

from bench.telegram_loopback import LoopbackAiogramSession, LoopbackPtbRequest, Responder

TOKEN = "123456:bench"

# What the hand-written bot asks, in the order of the p1 script's answers: the slot it keeps
# the answer under, and the next question.
STEPS: list[tuple[str, str]] = [
    ("narrative", "请先冻结账户。您冻结了吗？"),
    ("scam_call", "有没有人让您转账或提供验证码？"),
    ("frozen", "什么时候冻结的？"),
    ("frozen_at", "报警了吗？"),
    ("police", "什么时候报的警？"),
    ("police_at", "您买的是哪款保险？"),
    ("product", "什么时候投保的？"),
    ("purchased_on", "保险期间包含出事那天吗？"),
    ("in_period", "保单写的是冻结前多少小时内？"),
    ("window_hours", "保险金额是多少？"),
    ("sum_insured", "有免赔额吗？"),
    ("deductible", "保的是哪些账户？"),
    ("accounts", "保费怎么交的？"),
    ("premium", "以上保单信息对吗？"),
    ("policy_ok", "什么时候发现被盗的？"),
    ("discovered_at", "第一笔交易金额是多少？"),
    ("tx1_amount", "第一笔交易什么时候？"),
    ("tx1_at", "从哪个账户？"),
    ("tx1_account", "什么类型的交易？"),
    ("tx1_kind", "转到哪里？"),
    ("tx1_to", "还有别的交易吗？"),
    ("more", "第二笔交易金额是多少？"),
    ("tx2_amount", "第二笔交易什么时候？"),
    ("tx2_at", "从哪个账户？"),
    ("tx2_account", "什么类型的交易？"),
    ("tx2_kind", "转到哪里？"),
    ("tx2_to", "还有别的交易吗？"),
    ("more2", "您手上有哪些材料？"),
    ("documents", "请核对以上信息，无误请回复确认。"),
    ("confirmed", "回复“转交”把案件交给人工。"),
    ("handoff", "已转交人工，请留意回复。"),
]


def summary_of(data: dict[str, Any]) -> str:
    return "\n".join(f"{slot}: {data.get(slot, '')}" for slot, _ in STEPS)


# -- aiogram 3 -------------------------------------------------------------------------

Claim: type[StatesGroup] = type(
    "Claim", (StatesGroup,), {slot: State() for slot, _ in STEPS[1:]}
)
_CLAIM_STATES: list[State] = [getattr(Claim, slot) for slot, _ in STEPS[1:]]


def _aiogram_step(index: int) -> Callable[[Message, FSMContext], Awaitable[None]]:
    slot, question = STEPS[index]

    async def handle(message: Message, state: FSMContext) -> None:
        await state.update_data({slot: message.text})
        if index + 1 < len(STEPS):
            await state.set_state(_CLAIM_STATES[index])
            await message.answer(question)
        else:
            await message.answer(question + "\n" + summary_of(await state.get_data()))
            await state.clear()

    return handle


class AiogramFsmBot:
    def __init__(self, redis_url: str, responder: Responder) -> None:
        self.redis = Redis.from_url(redis_url)
        self.bot = Bot(token=TOKEN, session=LoopbackAiogramSession(responder))
        self.dispatcher = Dispatcher(storage=RedisStorage(self.redis, state_ttl=30 * 86400))
        router = Router(name="claim")
        router.message.register(_aiogram_step(0), StateFilter(None), F.text)
        for index, state in enumerate(_CLAIM_STATES, start=1):
            router.message.register(_aiogram_step(index), StateFilter(state), F.text)
        self.dispatcher.include_router(router)

    async def feed(self, update: dict[str, Any]) -> None:
        parsed = Update.model_validate(update, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, parsed)

    async def close(self) -> None:
        await self.dispatcher.storage.close()
        await self.bot.session.close()


# -- python-telegram-bot 22 ------------------------------------------------------------

PtbApplication = Application[Any, Any, Any, Any, Any, Any]


def _ptb_step(index: int) -> Callable[[PtbUpdate, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, int]]:
    slot, question = STEPS[index]

    async def handle(update: PtbUpdate, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and context.user_data is not None
        context.user_data[slot] = update.message.text
        if index + 1 < len(STEPS):
            await update.message.reply_text(question)
            return index + 1
        await update.message.reply_text(question + "\n" + summary_of(context.user_data))
        context.user_data.clear()
        return ConversationHandler.END

    return handle


async def _cancel(update: PtbUpdate, context: ContextTypes.DEFAULT_TYPE) -> int:
    return ConversationHandler.END


def _ptb_conversation() -> ConversationHandler[Any]:
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():  # per_message=False with MessageHandlers: as intended
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[MessageHandler(text, _ptb_step(0))],
            states={i: [MessageHandler(text, _ptb_step(i))] for i in range(1, len(STEPS))},
            fallbacks=[CommandHandler("cancel", _cancel)],
            name="claim",
            persistent=True,
        )


class PtbConversationBot:
    def __init__(
        self, directory: Path, responder: Responder, persistence: BasePersistence[Any, Any, Any] | None = None
    ) -> None:
        request = LoopbackPtbRequest(responder)
        self.application: PtbApplication = (
            ApplicationBuilder()
            .token(TOKEN)
            .request(request)
            .get_updates_request(LoopbackPtbRequest(responder))
            .persistence(persistence or PicklePersistence(filepath=directory / "ptb-claims.pickle"))
            .build()
        )
        self.application.add_handler(_ptb_conversation())

    async def open(self) -> None:
        await self.application.initialize()  # getMe, and loads what persistence holds
        await self.application.start()  # the job that writes persistence every minute

    async def feed(self, update: dict[str, Any]) -> None:
        await self.application.process_update(PtbUpdate.de_json(update, self.application.bot))

    async def close(self) -> None:
        await self.application.stop()
        await self.application.shutdown()  # writes persistence a last time


class SqlitePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Conversation states and user data in a SQLite file, one row each, written as PTB hands
    them over (autocommit: each write is durable on its own). Chat, bot and callback data are
    not kept: the claim bot uses none."""

    def __init__(self, path: Path) -> None:
        super().__init__(PersistenceInput(bot_data=False, chat_data=False, callback_data=False))
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, data TEXT)")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS conversations"
            " (name TEXT, key TEXT, state TEXT, PRIMARY KEY (name, key))"
        )

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        return {uid: json.loads(data) for uid, data in self.conn.execute("SELECT id, data FROM users")}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        self.conn.execute("INSERT OR REPLACE INTO users VALUES (?, ?)", (user_id, json.dumps(data)))

    async def drop_user_data(self, user_id: int) -> None:
        self.conn.execute("DELETE FROM users WHERE id = ?", (user_id,))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def get_conversations(self, name: str) -> MutableMapping[tuple[int | str, ...], object]:
        rows = self.conn.execute("SELECT key, state FROM conversations WHERE name = ?", (name,))
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    async def update_conversation(
        self, name: str, key: tuple[int | str, ...], new_state: object | None
    ) -> None:
        where = (name, json.dumps(key))
        if new_state is None:
            self.conn.execute("DELETE FROM conversations WHERE name = ? AND key = ?", where)
        else:
            state = json.dumps(new_state)
            self.conn.execute("INSERT OR REPLACE INTO conversations VALUES (?, ?, ?)", (*where, state))

    # Not kept (see PersistenceInput above).
    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def flush(self) -> None:
        self.conn.close()


class PtbDurableBot(PtbConversationBot):
    """The ConversationHandler bot, its state written to SQLite after every update."""

    def __init__(self, directory: Path, responder: Responder) -> None:
        super().__init__(directory, responder, SqlitePersistence(directory / "ptb-claims.sqlite3"))

    async def feed(self, update: dict[str, Any]) -> None:
        await super().feed(update)
        await self.application.update_persistence()  # kept before the next update is taken
