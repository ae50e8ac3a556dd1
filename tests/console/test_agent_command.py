"""`lossline agent add` and the first-start admin of `lossline serve`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.console.agents import ADMIN, ensure_admin
from bot.console.passwords import verify_password
from bot.console.store import open_console_store
from bot.settings import Settings
from bot.store.factory import open_backend

pytestmark = pytest.mark.timeout(60)


def stored_hash(settings: Settings, name: str) -> str | None:
    async def read() -> str | None:
        backend = await open_backend(settings)
        try:
            agent = await (await open_console_store(backend)).agent(name)
            return agent.password_hash if agent else None
        finally:
            await backend.aclose()

    return asyncio.run(read())


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LOSSLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LOSSLINE_REDIS_URL", raising=False)
    return Settings(data_dir=tmp_path / "data")


def test_agent_add_prompts_twice_and_keeps_only_an_argon2_hash(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["agent", "add", "小李"], input="s3cret-passw0rd\ns3cret-passw0rd\n")
    assert result.exit_code == 0, result.output
    assert "已创建坐席 小李" in result.output
    assert "s3cret-passw0rd" not in result.output
    kept = stored_hash(settings, "小李")
    assert kept is not None and kept.startswith("$argon2id$")
    assert verify_password(kept, "s3cret-passw0rd")
    assert not verify_password(kept, "s3cret-passw0rD")


def test_agent_add_refuses_a_taken_name_a_weak_password_and_a_bad_name(settings: Settings) -> None:
    runner = CliRunner()
    ok = "long enough password"
    assert runner.invoke(app, ["agent", "add", "bob"], input=f"{ok}\n{ok}\n").exit_code == 0
    taken = runner.invoke(app, ["agent", "add", "bob"], input=f"{ok}\n{ok}\n")
    assert taken.exit_code == 1 and "已存在" in taken.output
    weak = runner.invoke(app, ["agent", "add", "carol"], input="short\nshort\n")
    assert weak.exit_code == 2 and "太弱" in weak.output
    bad = runner.invoke(app, ["agent", "add", "agent:x"], input=f"{ok}\n{ok}\n")
    assert bad.exit_code == 2
    mismatch = runner.invoke(app, ["agent", "add", "dave"], input=f"{ok}\nother one!!\n{ok}\n{ok}\n")
    assert mismatch.exit_code == 0 and "do not match" in mismatch.output  # asked again
    assert stored_hash(settings, "carol") is None


def test_the_first_admin_is_made_once(settings: Settings) -> None:
    password = asyncio.run(ensure_admin(settings))
    assert password is not None and len(password) >= 20
    assert asyncio.run(ensure_admin(settings)) is None
    kept = stored_hash(settings, ADMIN)
    assert kept is not None and verify_password(kept, password)


def test_no_admin_is_made_when_agents_exist(settings: Settings) -> None:
    ok = "long enough password"
    CliRunner().invoke(app, ["agent", "add", "erin"], input=f"{ok}\n{ok}\n")
    assert asyncio.run(ensure_admin(settings)) is None
    assert stored_hash(settings, ADMIN) is None


def test_serve_refuses_several_workers_on_the_embedded_store(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "LOSSLINE_REDIS_URL" in result.output
    assert not (settings.data_dir / "lossline.sqlite3").exists()  # refused before anything
