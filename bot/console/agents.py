"""Creating agents from the command line: `lossline agent add` and the first admin."""

from __future__ import annotations

from bot.console.passwords import hash_password, new_password
from bot.console.store import Agent, open_console_store
from bot.settings import Settings
from bot.store.factory import open_backend

ADMIN = "admin"


async def add_agent(settings: Settings, name: str, password: str) -> bool:
    """Create the agent on the configured backend; False if the name is taken."""
    backend = await open_backend(settings)
    try:
        store = await open_console_store(backend)
        return await store.add_agent(Agent(name=name, password_hash=hash_password(password)))
    finally:
        await backend.aclose()


async def ensure_admin(settings: Settings) -> str | None:
    """With no agent at all, create "admin" and return its one-time password (else None).
    Two servers starting at once on one Redis: only the one whose write wins gets it."""
    backend = await open_backend(settings)
    try:
        store = await open_console_store(backend)
        if await store.agent_count():
            return None
        password = new_password()
        created = await store.add_agent(Agent(name=ADMIN, password_hash=hash_password(password)))
        return password if created else None
    finally:
        await backend.aclose()


def valid_name(name: str) -> bool:
    return 0 < len(name) <= 64 and name.replace("-", "").replace("_", "").replace(".", "").isalnum()
