"""The engine on each backend, with the real dialog."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.store.factory import Backend


@pytest.fixture
def engine(backend: Backend) -> Engine:
    return Engine(backend.store, backend.queue, backend.events)
