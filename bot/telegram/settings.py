"""Telegram-only settings (`LOSSLINE_TELEGRAM_*`); the token and the API base are in
bot.settings.Settings with everything else."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Library = Literal["aiogram", "ptb"]
# Where `lossline serve` takes webhook updates: WEBHOOK_PATH/<secret>. Here, with no import
# of the libraries, because the access log must know it too (it masks the secret).
WEBHOOK_PATH = "/telegram/webhook"


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOSSLINE_TELEGRAM_", env_file=".env", extra="ignore", frozen=True
    )

    lib: Library = Field(
        default="aiogram",
        description="The library that handles webhook updates in `lossline serve`.",
    )
    poll_timeout_s: int = Field(
        default=25, ge=0, le=50, description="Long-poll wait of each getUpdates when polling."
    )
