from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from rules.types import SHANGHAI

SCRIPTS = Path(__file__).parent / "scripts"
SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture
def now() -> datetime:
    return datetime(2023, 10, 9, 10, 0, tzinfo=SHANGHAI)
