"""Live events: what happens in conversations, pushed to whoever watches right now.

A subscriber watches one conversation (the widget's WebSocket) or all of them (the console
list). Events are fire-and-forget: nobody listening, nothing kept; the store is the record.
With SQLite they fan out inside the process; with Redis over pub/sub, through one shared
PubSub connection per process that subscribes a conversation's channel only while someone
here watches it.

    async with events.subscribe(conversation_id) as sub:
        async for event in sub:
            ...

A subscriber that may have lost events gets a `missed` event (with the conversation's id
when it watches one): Redis cut the pub/sub connection (the reader reconnects and
subscribes again, and what was published meanwhile reached nobody), or the subscriber fell
QUEUE_SIZE events behind. Whoever shows something live reads it afresh then.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from bot.jsontext import dumps

Event = dict[str, Any]
QUEUE_SIZE = 1000  # per subscriber; one this far behind loses what it has not read (MISSED)
MISSED = "missed"
_WAKE: Event = {}  # put by Subscription.wake; compared by identity

log = structlog.get_logger(__name__)


class Subscription:
    """Events for one conversation (or all when conversation_id is None), as they come."""

    def __init__(self, events: Events, conversation_id: str | None) -> None:
        self.events = events
        self.conversation_id = conversation_id
        self.queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)

    async def __aenter__(self) -> Subscription:
        try:
            await self.events._add(self)
        except BaseException:
            await self.events._remove(self)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.events._remove(self)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        return await self.queue.get()

    async def get(self, timeout: float) -> Event | None:
        """The next event, or None when none comes within `timeout` seconds (or `wake`
        was called). asyncio.timeout, not wait_for: in 3.11 wait_for runs the wait as a task
        of its own, and a thousand open WebSockets each waiting make the garbage collector's
        full passes longer."""
        try:
            async with asyncio.timeout(timeout):
                event = await self.queue.get()
        except TimeoutError:
            return None
        return None if event is _WAKE else event

    def wake(self) -> None:
        """Make a pending `get` return None now (its watcher went away, say)."""
        self._put(_WAKE)

    def _put(self, event: Event) -> None:
        if self.queue.full():  # too far behind to catch up event by event: it reads afresh
            log.warning("events.subscriber_behind", conversation_id=self.conversation_id)
            woken = False
            while not self.queue.empty():
                woken = self.queue.get_nowait() is _WAKE or woken
            if woken:
                self.queue.put_nowait(_WAKE)
            if event.get("type") != MISSED:
                self.queue.put_nowait(self._missed())
        self.queue.put_nowait(event)

    def missed(self) -> None:
        """Tell this subscriber that events may have been lost (see MISSED)."""
        self._put(self._missed())

    def _missed(self) -> Event:
        if self.conversation_id is None:
            return {"type": MISSED}
        return {"type": MISSED, "conversation_id": self.conversation_id}


class Events(ABC):
    def __init__(self) -> None:
        self._by_conversation: dict[str, set[Subscription]] = {}
        self._everything: set[Subscription] = set()

    def subscribe(self, conversation_id: str | None = None) -> Subscription:
        """Use as `async with`: events of one conversation, or of all of them."""
        return Subscription(self, conversation_id)

    @abstractmethod
    async def publish(self, conversation_id: str, event: Event) -> None:
        """Send `event` (JSON-able) to every subscriber of this conversation and of all."""

    async def publish_all(self, conversation_id: str, events: list[Event]) -> None:
        """Send several events of one conversation, in order."""
        for event in events:
            await self.publish(conversation_id, event)

    def wire(self, conversation_id: str, events: list[Event]) -> tuple[str, str] | None:
        """Several events of one conversation as one pub/sub message (channel, data), for a
        store to send as part of a commit; None when these events do not travel by pub/sub."""
        return None

    async def aclose(self) -> None:
        return None

    async def _add(self, sub: Subscription) -> None:
        if sub.conversation_id is None:
            self._everything.add(sub)
        else:
            self._by_conversation.setdefault(sub.conversation_id, set()).add(sub)

    async def _remove(self, sub: Subscription) -> None:
        if sub.conversation_id is None:
            self._everything.discard(sub)
            return
        subs = self._by_conversation.get(sub.conversation_id, set())
        subs.discard(sub)
        if not subs:
            self._by_conversation.pop(sub.conversation_id, None)

    def _deliver(self, event: Event, to_conversation: bool = True, to_all: bool = True) -> None:
        if to_conversation:
            for sub in self._by_conversation.get(event["conversation_id"], ()):
                sub._put(event)
        if to_all:
            for sub in self._everything:
                sub._put(event)


def _stamp(conversation_id: str, event: Event) -> Event:
    return {**event, "conversation_id": conversation_id}


class LocalEvents(Events):
    """In-process fan-out, for the embedded store (one process)."""

    async def publish(self, conversation_id: str, event: Event) -> None:
        self._deliver(_stamp(conversation_id, event))


class RedisEvents(Events):
    """Redis pub/sub: PUBLISH on `<prefix>:ev:<id>`; one PubSub connection per process that
    SUBSCRIBEs a conversation's channel while it has local subscribers and PSUBSCRIBEs
    `<prefix>:ev:*` while someone watches everything."""

    def __init__(self, client: Redis, prefix: str = "ll") -> None:
        super().__init__()
        self.client = client
        self.prefix = prefix
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        # Channel or pattern → set when Redis confirms the subscription.
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._lock = asyncio.Lock()

    @property
    def _pattern(self) -> str:
        return f"{self.prefix}:ev:*"

    def _channel(self, conversation_id: str) -> str:
        return f"{self.prefix}:ev:{conversation_id}"

    async def publish(self, conversation_id: str, event: Event) -> None:
        data = dumps(_stamp(conversation_id, event))
        await self.client.publish(self._channel(conversation_id), data)

    async def publish_all(self, conversation_id: str, events: list[Event]) -> None:
        if events:
            await self.client.publish(*self.wire(conversation_id, events))

    def wire(self, conversation_id: str, events: list[Event]) -> tuple[str, str]:
        """A turn's events (two or three) as one message, a JSON list: one PUBLISH, and one
        message for every process that listens to parse, not three."""
        batch = [_stamp(conversation_id, event) for event in events]
        return self._channel(conversation_id), dumps(batch)

    async def _add(self, sub: Subscription) -> None:
        await super()._add(sub)
        name = self._pattern if sub.conversation_id is None else self._channel(sub.conversation_id)
        async with self._lock:
            pending = self._confirmed.get(name)
            if pending is None:
                pending = self._confirmed[name] = asyncio.get_running_loop().create_future()
                pubsub = self._connection()
                if sub.conversation_id is None:
                    await pubsub.psubscribe(name)
                else:
                    await pubsub.subscribe(name)
                self._start_reader()
        # Wait for Redis to confirm, so that anything published from now on reaches us.
        await asyncio.wait_for(asyncio.shield(pending), 5)

    async def _remove(self, sub: Subscription) -> None:
        await super()._remove(sub)
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None:
                return
            if sub.conversation_id is None:
                if not self._everything and self._pattern in self._confirmed:
                    del self._confirmed[self._pattern]
                    await pubsub.punsubscribe(self._pattern)
            elif sub.conversation_id not in self._by_conversation:
                channel = self._channel(sub.conversation_id)
                if channel in self._confirmed:
                    del self._confirmed[channel]
                    await pubsub.unsubscribe(channel)

    def _connection(self) -> PubSub:
        if self._pubsub is None:
            self._pubsub = self.client.pubsub()
        return self._pubsub

    def _start_reader(self) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="lossline-events")

    async def _read(self) -> None:
        pubsub = self._connection()
        while True:
            try:
                message = await pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a dropped connection: redis-py reconnects and
                log.warning("events.read_failed", error=repr(error))  # resubscribes
                await asyncio.sleep(0.5)
                continue
            if message is not None:
                self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind in ("subscribe", "psubscribe"):
            name = message["channel"]
            pending = self._confirmed.get(name)
            if pending is None:
                return
            if not pending.done():
                pending.set_result(None)
                return
            # Confirmed before: redis-py subscribed again after the connection was cut, and
            # what was published meanwhile reached nobody here.
            if kind == "psubscribe":
                watchers = self._everything
            else:
                watchers = self._by_conversation.get(name.removeprefix(f"{self.prefix}:ev:"), set())
            for sub in watchers:
                sub.missed()
        elif kind in ("message", "pmessage"):
            data = json.loads(message["data"])
            # A pattern message is for the "all" subscribers, a channel message for the
            # conversation's own: each arrives once even when both are subscribed.
            for event in data if isinstance(data, list) else [data]:
                self._deliver(event, to_conversation=kind == "message", to_all=kind == "pmessage")

    async def aclose(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._pubsub is not None:
            await self._pubsub.aclose()
