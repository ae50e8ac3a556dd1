from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_helpers import PASSWORD
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.console.agents import add_agent
from bot.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Limits raised: a test sends a whole claim's answers at once.
    return Settings(data_dir=tmp_path / "data", rate_per_conversation=100_000, rate_per_address=100_000)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The whole app on SQLite, with agents alice and bob."""
    for name in ("alice", "bob"):
        assert asyncio.run(add_agent(settings, name, PASSWORD))
    with TestClient(create_app(settings)) as c:
        yield c
