"""A running Telegram channel: one adapter (aiogram or PTB) over the core, the agent-message
forwarder, and polling or webhook updates."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from collections.abc import Coroutine
from typing import Any

import structlog

from bot.engine import Engine
from bot.settings import Settings
from bot.telegram.core import TAKEN, TelegramCore, mark_taken
from bot.telegram.links import ChatLinks, key_value_for
from bot.telegram.port import Adapter
from bot.telegram.settings import WEBHOOK_PATH, Library

log = structlog.get_logger(__name__)

DRAIN_S = 10.0  # how long stopping waits for updates still being processed
TAKEN_WAIT_S = 30.0  # how long an update may take to be handled before it is confirmed anyway
POLL_BACKOFF_MAX_S = 30.0  # the longest wait between two failed polls


def webhook_secret(token: str) -> str:
    """The webhook's secret (in its path and in X-Telegram-Bot-Api-Secret-Token), derived
    from the bot token so that `lossline telegram --webhook` and `lossline serve` agree
    without another setting. Telegram allows [A-Za-z0-9_-], 1–256 characters."""
    return hmac.new(token.encode(), b"lossline telegram webhook", hashlib.sha256).hexdigest()[:48]


def make_adapter(lib: Library, token: str, api_base: str) -> Adapter:
    if lib == "aiogram":
        from bot.telegram.aiogram_adapter import AiogramAdapter

        return AiogramAdapter(token, api_base)
    from bot.telegram.ptb_adapter import PtbAdapter

    return PtbAdapter(token, api_base)


class TelegramService:
    def __init__(self, adapter: Adapter, core: TelegramCore, secret: str) -> None:
        self.adapter = adapter
        self.core = core
        self.secret = secret
        self._tasks: list[asyncio.Task[None]] = []
        self._feeding: set[asyncio.Task[None]] = set()

    @classmethod
    def build(cls, lib: Library, settings: Settings, engine: Engine) -> TelegramService:
        token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
        if not token:
            raise ValueError("LOSSLINE_TELEGRAM_TOKEN is not set")
        adapter = make_adapter(lib, token, settings.telegram_api_base)
        links = ChatLinks(key_value_for(engine.store), settings.retention_seconds)
        core = TelegramCore(engine, links, adapter.api, settings.evidence_dir, settings.evidence_max_bytes)
        adapter.attach(core)
        return cls(adapter, core, webhook_secret(token))

    async def start(self, polling: bool, poll_timeout_s: int = 25) -> None:
        """Forward agent messages from now on; with `polling`, also fetch updates."""
        try:
            await self.adapter.open()
        except Exception:
            if polling:
                raise
            # Behind `lossline serve`: the API must start even when Telegram cannot be
            # reached; the adapter opens again with the first webhook update.
            log.exception("telegram.open_failed")
        ready = asyncio.Event()
        forwarder = asyncio.create_task(self.core.forward_agent_messages(ready), name="tg-agents")
        self._tasks.append(forwarder)
        waiter = asyncio.create_task(ready.wait())
        await asyncio.wait([forwarder, waiter], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if forwarder.done():
            forwarder.result()  # raises what stopped it
        if polling:
            poller = asyncio.create_task(self._poll(poll_timeout_s), name="tg-polling")
            self._tasks.append(poller)

    async def _poll(self, timeout_s: int) -> None:
        """Long-poll getUpdates until cancelled, each update handled as a task of its own. A
        batch is confirmed (by asking for what follows it) only once each of its updates is
        taken (see core.TAKEN), so a worker killed meanwhile gets them again. The libraries'
        own polling confirmed a batch as soon as its tasks were started."""
        await self.adapter.delete_webhook()
        offset: int | None = None
        failures = 0
        while True:
            try:
                batch = await self.adapter.fetch(offset, timeout_s)
            except Exception:
                failures += 1
                log.exception("telegram.poll_failed", attempt=failures)
                await asyncio.sleep(min(POLL_BACKOFF_MAX_S, 0.5 * 2**failures))
                continue
            failures = 0
            if not batch:
                continue
            taken = [self._later(self.adapter.process(update), update_id) for update_id, update in batch]
            await asyncio.wait(taken, timeout=TAKEN_WAIT_S)
            offset = batch[-1][0] + 1

    async def set_webhook(self, public_url: str) -> str:
        url = f"{public_url.rstrip('/')}{WEBHOOK_PATH}/{self.secret}"
        await self.adapter.set_webhook(url, self.secret)
        return url

    def feed_later(self, update: dict[str, Any]) -> asyncio.Future[None]:
        """Process a webhook update in the background. The future is done once the update is
        taken (see core.TAKEN)."""
        return self._later(self.adapter.feed(update), update.get("update_id"))

    def _later(self, work: Coroutine[Any, Any, None], update_id: object) -> asyncio.Future[None]:
        taken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._handle(work, update_id, taken))
        self._feeding.add(task)
        task.add_done_callback(self._feeding.discard)
        return taken

    async def _handle(
        self, work: Coroutine[Any, Any, None], update_id: object, taken: asyncio.Future[None]
    ) -> None:
        TAKEN.set(taken)  # this task's own context: the core marks the update taken in it
        try:
            await work
        except Exception:
            log.exception("telegram.update_failed", update_id=update_id)
        finally:
            mark_taken()

    async def wait(self) -> None:
        """Until polling stops (it raises what stopped it)."""
        await asyncio.gather(*self._tasks)

    async def stop(self) -> None:
        """Finish the updates in hand, polling meanwhile so that it confirms them (the next
        start is not offered them again, and would answer them again: see core), then stop
        forwarding, close, and stop polling."""
        if self._feeding:
            await asyncio.wait(list(self._feeding), timeout=DRAIN_S)
        forwarder, pollers = self._tasks[:1], self._tasks[1:]
        await _cancel(forwarder)
        await self.adapter.close()
        await _cancel(pollers)
        self._tasks.clear()


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
