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
    once, not at the next ping, so its subscription does not linger."""
    receiver = asyncio.create_task(_drain(websocket))
    try:
        while True:
            getter = asyncio.create_task(sub.get(timeout=IDLE_S))
            await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if receiver.done():
                getter.cancel()
                break
            if not await send(getter.result()):
                break
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await receiver


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it goes away."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()
