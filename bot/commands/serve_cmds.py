"""`lossline serve`: the API (and the pages) on uvicorn, on the embedded SQLite by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.settings import Settings


def serve(
    host: str | None = typer.Option(None, "--host", help="Default: LOSSLINE_HOST or 127.0.0.1."),
    port: int | None = typer.Option(None, "--port", help="Default: LOSSLINE_PORT or 8000."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Processes (Redis only). Default: LOSSLINE_WORKERS or 1."
    ),
) -> None:
    """Start lossline (SQLite under LOSSLINE_DATA_DIR unless LOSSLINE_REDIS_URL is set)."""
    import uvicorn

    from bot.logs import configure
    from bot.settings import Settings

    settings = Settings()
    workers = workers or settings.workers
    if workers > 1 and not settings.redis_url:
        typer.echo(
            "lossline: --workers/LOSSLINE_WORKERS above 1 needs LOSSLINE_REDIS_URL: with the "
            "embedded SQLite, live replies reach only the process that made them.",
            err=True,
        )
        raise typer.Exit(2)
    configure()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = f"Redis {settings.redis_url}" if settings.redis_url else f"SQLite in {settings.data_dir}"
    host, port = host or settings.host, port or settings.port
    typer.echo(
        f"lossline: serving on http://{host}:{port} ({store}"
        + (f", {workers} processes)" if workers > 1 else ")")
    )
    _first_admin(settings)
    # Each worker process (or this one) builds its own app and backend from the environment.
    uvicorn.run(
        f"{__name__}:worker_app",
        factory=True,
        workers=workers,
        log_config=None,
        # bot.access_log writes one JSON line a request instead, without the query strings
        # and secret paths uvicorn's plain-text lines carried (tokens, the webhook secret).
        access_log=False,
        proxy_headers=True,
        # A widget's events are a few hundred bytes; compressing them kept a zlib context of
        # ~40 KB per open socket (browsers always offer permessage-deflate), more than the
        # rest of an open conversation together, for next to no bytes saved.
        ws_per_message_deflate=False,
        host=host,
        port=port,
    )


def worker_app() -> FastAPI:
    """The app one serving process runs: logs set up, garbage collector tuned."""
    from bot.app import create_app
    from bot.logs import configure

    configure()
    app = create_app()
    _tune_gc()
    return app


# Young objects collected per 10,000 allocations, not 700. Every widget's open WebSocket is
# a few hundred long-lived objects; with the default, objects of requests in flight are
# promoted so fast that full collections over all of them (100-500 ms at 1,000 open
# conversations, every request stalled meanwhile) come every few seconds under load.
# bench/load.py at 1,000 conversations: the slowest turn went from 280-520 ms to 90-130 ms.
GC_THRESHOLDS = (10_000, 10, 10)


def _tune_gc() -> None:
    """Fewer collections of the old generations; what start-up made (modules, the app, its
    schemas) is frozen out of them altogether."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _first_admin(settings: Settings) -> None:
    """No agent yet: create "admin" and print its password, this once (it is stored hashed)."""
    import asyncio

    from bot.console.agents import ADMIN, ensure_admin

    password = asyncio.run(ensure_admin(settings))
    if password is not None:
        typer.echo(
            f"lossline: first start, console agent created: {ADMIN} / {password}\n"
            "lossline: this password is shown once; add agents with `lossline agent add NAME`"
        )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
