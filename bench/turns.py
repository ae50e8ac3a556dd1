"""Cost of a turn: the p1 script (31 turns, from the first message to the hand-off) through

- the lossline engine alone, on SQLite and on Redis (`engine-sqlite`, `engine-redis`);
- lossline as a Telegram bot, its aiogram and PTB adapters over the engine (`lossline-aiogram`
  on Redis, `lossline-ptb` on SQLite);
- the bots a team would hand-write (`aiogram-fsm` on RedisStorage on the same Redis,
  `ptb-conversation` with PicklePersistence), see `baselines`; and `ptb-durable`, the PTB bot
  as a team would write it to lose no answer when its process dies (SQLite after every update),
  for what durability costs it.

Every Telegram bot gets the same updates and talks to the same socket-less Bot API
(`telegram_loopback`). The runners go through their conversations in lockstep, turn by turn
(who goes first alternating), so that whatever else loads the machine falls on all of them
alike: on a shared virtual machine speed drifts within tens of milliseconds, about one
conversation, and conversation by conversation the per-round ratios spread from 0.65 to 1.5.
The ratio of two runners is the median of their per-round ratios of time per conversation.

The lossline bots' engines add up the time their turns spend inside the engine, so each of
their conversations splits into the engine's part and the rest: the Telegram library, our
adapter and core, the reply sent. `turn_ratio_vs_*_without_engine` is that rest ÷ the
hand-written bot's whole turn: the ratio lossline would have if its engine cost nothing.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from bench import P1_SCRIPT
from bench.baselines import AiogramFsmBot, PtbConversationBot, PtbDurableBot
from bench.stats import percentile
from bench.telegram_loopback import LoopbackAiogramSession, LoopbackPtbRequest, Responder, text_update
from bot.engine import Engine, TurnOutcome
from bot.settings import Settings
from bot.store.base import ConversationRecord
from bot.store.factory import Backend, open_backend
from bot.telegram.aiogram_adapter import AiogramAdapter
from bot.telegram.core import TelegramCore
from bot.telegram.links import ChatLinks, key_value_for
from bot.telegram.port import Adapter
from bot.telegram.ptb_adapter import PtbAdapter
from dialogs.messages import StepResult, Turn
from dialogs.script import ScriptLine, parse_script
from rules.types import SHANGHAI

HANDED_OFF = "handed_off"


def script() -> list[ScriptLine]:
    lines = P1_SCRIPT.read_text(encoding="utf-8").splitlines()
    parsed = list(parse_script(lines, datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)))
    assert all(line.text is not None for line in parsed), "the bench script is typed text only"
    return parsed


class TimedEngine(Engine):
    """The engine, adding up the seconds its starts and turns take."""

    seconds: float = 0.0

    async def start(self, *args: Any, **kwargs: Any) -> tuple[ConversationRecord, str, StepResult]:
        began = time.perf_counter()
        try:
            return await super().start(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - began

    async def handle(self, *args: Any, **kwargs: Any) -> TurnOutcome:
        began = time.perf_counter()
        try:
            return await super().handle(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - began


class Runner(Protocol):
    name: str

    def turns(self, n: int) -> AsyncIterator[float]:
        """Run the script as a new conversation, a turn each step; the seconds of each."""
        ...


async def whole(runner: Runner, n: int) -> list[float]:
    """One whole conversation of a runner; seconds per turn."""
    return [seconds async for seconds in runner.turns(n)]


@dataclass
class EngineRunner:
    """lossline's engine as the API drives it: start, then one handle() per message."""

    name: str
    engine: Engine
    lines: list[ScriptLine]

    async def turns(self, n: int) -> AsyncIterator[float]:
        record, _, _ = await self.engine.start("web", "zh-CN", self.lines[0].sent_at)
        outcome = None
        for index, line in enumerate(self.lines):
            turn = Turn(text=line.text, sent_at=line.sent_at)
            began = time.perf_counter()
            outcome = await self.engine.handle(record.id, turn, f"bench-{index}")
            yield time.perf_counter() - began
        assert outcome is not None and outcome.state_name == HANDED_OFF, outcome


@dataclass
class BotRunner:
    """A Telegram bot fed one update per message, as polling or a webhook would."""

    name: str
    feed: Callable[[dict[str, Any]], Awaitable[None]]
    responder: Responder
    lines: list[ScriptLine]
    first_chat: int
    check: Callable[[int], Awaitable[bool]] | None = None
    engine: TimedEngine | None = None  # a lossline bot's: its seconds go to engine_seconds
    engine_seconds: list[float] = field(default_factory=list)  # per conversation, warm-ups too
    _update_ids: int = 0

    async def turns(self, n: int) -> AsyncIterator[float]:
        chat_id = self.first_chat + n
        engine_before = self.engine.seconds if self.engine is not None else 0.0
        for line in self.lines:
            self._update_ids += 1
            assert line.text is not None
            update = text_update(self._update_ids, chat_id, line.text, int(line.sent_at.timestamp()))
            began = time.perf_counter()
            await self.feed(update)
            yield time.perf_counter() - began
        if self.engine is not None:
            self.engine_seconds.append(self.engine.seconds - engine_before)
        assert self.responder.sent.get(chat_id, 0) >= len(self.lines), f"{self.name}: replies missing"
        if self.check is not None:
            assert await self.check(chat_id), f"{self.name}: chat {chat_id} did not reach the hand-off"


@dataclass
class RunnerResult:
    name: str
    turn_seconds: list[float] = field(default_factory=list)
    conversation_seconds: list[float] = field(default_factory=list)

    @property
    def turns_per_s(self) -> float:
        return len(self.turn_seconds) / sum(self.turn_seconds)

    def as_dict(self) -> dict[str, float]:
        per_turn = [s * 1000 for s in self.turn_seconds]
        return {
            "turns": len(per_turn),
            "turns_per_s": round(self.turns_per_s, 1),
            "mean_ms": round(statistics.fmean(per_turn), 3),
            "p50_ms": round(percentile(per_turn, 50), 3),
            "p99_ms": round(percentile(per_turn, 99), 3),
        }


def ratio(ours: RunnerResult, theirs: RunnerResult, less: list[float] | None = None) -> float:
    """Median over rounds of (our time per turn ÷ theirs), rounds being interleaved; `less`:
    seconds to take off each of our conversations."""
    ours_seconds = ours.conversation_seconds
    less = less if less is not None else [0.0] * len(ours_seconds)
    return statistics.median(
        (a - e) / b for a, e, b in zip(ours_seconds, less, theirs.conversation_seconds, strict=True)
    )


def ratio_without_engine(ours: RunnerResult, bot: BotRunner, theirs: RunnerResult) -> float:
    """As `ratio`, our time less what our bot's engine took in the same conversation."""
    return ratio(ours, theirs, less=bot.engine_seconds[-len(ours.conversation_seconds) :])


async def interleave(runners: list[Runner], rounds: int, warmup: int = 2) -> dict[str, RunnerResult]:
    """Each round, one conversation of every runner, in lockstep: every runner's first turn,
    then every runner's second, and so on (the runners all play the same script)."""
    results = {runner.name: RunnerResult(runner.name) for runner in runners}
    for n in range(warmup + rounds):
        conversations = [(runner.name, runner.turns(n)) for runner in runners]
        seconds: dict[str, list[float]] = {runner.name: [] for runner in runners}
        for turn in itertools.count():
            # Alternate who goes first, so that none always follows another's garbage.
            order = conversations if (n + turn) % 2 == 0 else conversations[::-1]
            done = 0
            for name, turns in order:
                try:
                    seconds[name].append(await anext(turns))
                except StopAsyncIteration:
                    done += 1
            if done:
                assert done == len(runners), "the runners' scripts differ in length"
                break
        if n >= warmup:
            for name, taken in seconds.items():
                results[name].turn_seconds += taken
                results[name].conversation_seconds.append(sum(taken))
    return results


@dataclass
class TurnBench:
    """Everything the turn runners need, opened together and closed together."""

    directory: Path
    redis_url: str
    lines: list[ScriptLine] = field(default_factory=script)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def _backend(self, settings: Settings) -> Backend:
        backend = await open_backend(settings)
        self._closers.append(backend.aclose)
        return backend

    async def _engine(self, kind: str) -> tuple[TimedEngine, Settings]:
        settings = Settings(
            data_dir=self.directory / kind,
            redis_url=self.redis_url if kind == "redis" else None,
        )
        backend = await self._backend(settings)
        return TimedEngine(backend.store, backend.queue, backend.events), settings

    async def engine_runner(self, kind: str) -> EngineRunner:
        engine, _ = await self._engine(kind)
        return EngineRunner(f"engine-{kind}", engine, self.lines)

    async def lossline_bot(self, library: str, kind: str, first_chat: int) -> BotRunner:
        engine, settings = await self._engine(kind)
        responder = Responder()
        adapter: Adapter
        if library == "aiogram":
            adapter = AiogramAdapter("123456:bench", "", session=LoopbackAiogramSession(responder))
        else:
            adapter = PtbAdapter("123456:bench", "http://unused", request=LoopbackPtbRequest(responder))
        links = ChatLinks(key_value_for(engine.store), settings.retention_seconds)
        core = TelegramCore(engine, links, adapter.api, settings.evidence_dir, settings.evidence_max_bytes)
        adapter.attach(core)
        await adapter.open()
        self._closers.append(adapter.close)

        async def handed_off(chat_id: int) -> bool:
            record = await engine.store.find_by_external_key(f"tg:{chat_id}")
            return record is not None and record.state_name == HANDED_OFF

        name = f"lossline-{library}"
        return BotRunner(name, adapter.feed, responder, self.lines, first_chat, handed_off, engine)

    async def aiogram_fsm(self, first_chat: int) -> BotRunner:
        responder = Responder()
        bot = AiogramFsmBot(self.redis_url, responder)
        self._closers.append(bot.close)
        return BotRunner("aiogram-fsm", bot.feed, responder, self.lines, first_chat)

    async def ptb_bot(self, first_chat: int, durable: bool = False) -> BotRunner:
        """The hand-written PTB bot: pickled once a minute, or durable (SQLite every update)."""
        responder = Responder()
        bot = (PtbDurableBot if durable else PtbConversationBot)(self.directory, responder)
        await bot.open()
        self._closers.append(bot.close)
        name = "ptb-durable" if durable else "ptb-conversation"
        return BotRunner(name, bot.feed, responder, self.lines, first_chat)

    async def aclose(self) -> None:
        for close in reversed(self._closers):
            await close()
        self._closers.clear()


@dataclass(frozen=True)
class TurnResults:
    runners: dict[str, RunnerResult]
    ratio_vs_aiogram: float
    ratio_vs_ptb: float
    ratio_vs_ptb_durable: float
    engine_ratio_vs_aiogram: float
    engine_ratio_vs_ptb: float
    ratio_vs_aiogram_without_engine: float
    ratio_vs_ptb_without_engine: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "runners": {name: result.as_dict() for name, result in self.runners.items()},
            "turn_ratio_vs_aiogram": round(self.ratio_vs_aiogram, 3),
            "turn_ratio_vs_ptb": round(self.ratio_vs_ptb, 3),
            "turn_ratio_vs_ptb_durable": round(self.ratio_vs_ptb_durable, 3),
            "engine_turn_ratio_vs_aiogram": round(self.engine_ratio_vs_aiogram, 3),
            "engine_turn_ratio_vs_ptb": round(self.engine_ratio_vs_ptb, 3),
            "turn_ratio_vs_aiogram_without_engine": round(self.ratio_vs_aiogram_without_engine, 3),
            "turn_ratio_vs_ptb_without_engine": round(self.ratio_vs_ptb_without_engine, 3),
        }


async def run_turns(directory: Path, redis_url: str, rounds: int = 20, warmup: int = 2) -> TurnResults:
    bench = TurnBench(directory, redis_url)
    try:
        lossline_aiogram = await bench.lossline_bot("aiogram", "redis", first_chat=1_000_000)
        lossline_ptb = await bench.lossline_bot("ptb", "sqlite", first_chat=3_000_000)
        runners: list[Runner] = [
            await bench.engine_runner("sqlite"),
            await bench.engine_runner("redis"),
            lossline_aiogram,
            await bench.aiogram_fsm(first_chat=2_000_000),
            lossline_ptb,
            await bench.ptb_bot(first_chat=4_000_000),
            await bench.ptb_bot(first_chat=5_000_000, durable=True),
        ]
        results = await interleave(runners, rounds, warmup)
    finally:
        await bench.aclose()
    return TurnResults(
        runners=results,
        ratio_vs_aiogram=ratio(results["lossline-aiogram"], results["aiogram-fsm"]),
        ratio_vs_ptb=ratio(results["lossline-ptb"], results["ptb-conversation"]),
        ratio_vs_ptb_durable=ratio(results["lossline-ptb"], results["ptb-durable"]),
        engine_ratio_vs_aiogram=ratio(results["engine-redis"], results["aiogram-fsm"]),
        engine_ratio_vs_ptb=ratio(results["engine-sqlite"], results["ptb-conversation"]),
        ratio_vs_aiogram_without_engine=ratio_without_engine(
            results["lossline-aiogram"], lossline_aiogram, results["aiogram-fsm"]
        ),
        ratio_vs_ptb_without_engine=ratio_without_engine(
            results["lossline-ptb"], lossline_ptb, results["ptb-conversation"]
        ),
    )
