"""Pushing live events down a WebSocket until the client goes away (widget and console)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from bot.events import Event, Subscription

IDLE_S = 15.0  # a ping after this long without events keeps proxies from closing the socket


async def forward_events(
    websocket: WebSocket, sub: Subscription, send: Callable[[Event | None], Awaitable[bool]]
) -> None:
    """Hand each event (None after IDLE_S of quiet) to `send` until it returns False or the
    client leaves. Waiting on the client's side too means a closed browser is noticed at
    once, not at the next ping, so its subscription does not linger.

    One task per socket reads from the client and wakes this one when it leaves; this one
    waits on the subscription alone. (Racing a new `get` task against the reader on every
    event held two more tasks per open socket, which every full garbage collection walks.)"""
    receiver = asyncio.create_task(_drain(websocket, sub))
    try:
        while True:
            event = await sub.get(timeout=IDLE_S)
            if receiver.done() or not await send(event):
                break
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await receiver


async def _drain(websocket: WebSocket, sub: Subscription) -> None:
    """Read (and ignore) what the client sends, to notice when it goes away."""
    try:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                await websocket.receive_text()
    finally:
        sub.wake()
