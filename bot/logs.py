"""JSON logs through structlog. What victims typed never reaches them: the engine logs ids,
states and counts, and the dialog's redacted text only."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

from bot.access_log import HidePathSecrets


def configure(level: str = "INFO", stream: TextIO | None = None) -> None:
    """JSON lines to `stream` (stderr unless given: the benchmarks give /dev/null)."""
    stream = stream or sys.stderr
    logging.basicConfig(format="%(message)s", stream=stream, level=level)
    # The dialog's state machine says "Finished processing state … callbacks" at INFO, twice
    # a turn: a line and a write for nothing anyone reads.
    logging.getLogger("transitions").setLevel(logging.WARNING)
    # httpx (PTB's transport) logs each request's URL at INFO, and a Bot API URL holds the
    # bot's token (/bot<token>/sendMessage): whoever read the logs could run the bot.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # uvicorn's access log is off (`lossline serve`); its other logger still names sockets.
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, HidePathSecrets) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(HidePathSecrets())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=True,
    )
