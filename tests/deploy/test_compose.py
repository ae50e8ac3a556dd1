"""docker-compose.yml is valid where a docker client with the compose plugin is present."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_runs_redis_with_aof_the_web_service_and_the_telegram_worker() -> None:
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    assert {"redis", "web", "telegram"} <= set(services)
    command = services["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    for name in ("web", "telegram"):
        assert services[name]["environment"]["LOSSLINE_REDIS_URL"].startswith("redis://redis:")


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="no docker client with compose here")
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
