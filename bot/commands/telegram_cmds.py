"""`lossline telegram`: the Telegram bot by polling, or set its webhook for `lossline serve`."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING

import typer

from bot.telegram.settings import Library

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.settings import Settings
    from bot.store.factory import Backend


def telegram(
    lib: Library = typer.Option("aiogram", "--lib", help="aiogram or ptb (python-telegram-bot)."),
    webhook: str | None = typer.Option(
        None,
        "--webhook",
        help=(
            "Public https base URL of `lossline serve`: set the webhook to "
            "<URL>/telegram/webhook/<secret> and exit. Serve with the same token (and "
            "LOSSLINE_TELEGRAM_LIB) to receive the updates."
        ),
    ),
) -> None:
    """Run the Telegram bot (token from LOSSLINE_TELEGRAM_TOKEN, Bot API from
    LOSSLINE_TELEGRAM_API_BASE) on the configured store."""
    from bot.logs import configure
    from bot.settings import Settings

    settings = Settings()
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        typer.echo("lossline telegram: LOSSLINE_TELEGRAM_TOKEN is not set", err=True)
        raise typer.Exit(2)
    configure()
    if webhook is not None:
        url = asyncio.run(_set_webhook(settings, lib, webhook))
        typer.echo(f"lossline telegram: webhook set to {url.rsplit('/', 1)[0]}/… ({lib})")
        return
    typer.echo(f"lossline telegram: polling with {lib} at {settings.telegram_api_base}")
    asyncio.run(_poll(settings, lib))


async def _set_webhook(settings: Settings, lib: Library, public_url: str) -> str:
    from bot.store.factory import open_backend
    from bot.telegram.service import TelegramService

    backend = await open_backend(settings)
    service = TelegramService.build(lib, settings, _engine(backend))
    try:
        await service.adapter.open()
        await service.core.set_commands()
        return await service.set_webhook(public_url)
    finally:
        await service.adapter.close()
        await backend.aclose()


async def _poll(settings: Settings, lib: Library) -> None:
    from bot.store.factory import open_backend
    from bot.telegram.service import TelegramService
    from bot.telegram.settings import TelegramSettings

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    backend = await open_backend(settings)
    service = TelegramService.build(lib, settings, _engine(backend))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await service.start(polling=True, poll_timeout_s=TelegramSettings().poll_timeout_s)
        await service.core.set_commands()
        running = asyncio.create_task(service.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([running, stopping], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if running.done():
            running.result()  # polling died: raise why
    finally:
        await service.stop()
        await backend.aclose()


def _engine(backend: Backend) -> Engine:
    from bot.engine import Engine

    return Engine(backend.store, backend.queue, backend.events)


def register(app: typer.Typer) -> None:
    app.command("telegram")(telegram)
