"""Runtime configuration, read from `LOSSLINE_*` environment variables (or a `.env` file)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOSSLINE_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(
        default=Path("./data"),
        description="Where the embedded SQLite database and uploaded evidence are kept.",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis:// URL of a shared Redis (AOF on). Unset: the embedded SQLite store.",
    )
    redis_max_connections: int = Field(
        default=64,
        ge=2,
        le=10_000,
        description=(
            "Connections in this process's Redis pool. When all are busy a command waits for "
            "one (redis_pool_timeout_s) instead of failing with 'Too many connections'."
        ),
    )
    redis_pool_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="How long a command waits for a free pooled Redis connection.",
    )
    redis_health_check_s: int = Field(
        default=30,
        ge=0,
        description="Seconds a pooled Redis connection may sit idle before it is PINGed on reuse.",
    )
    retention_days: float = Field(
        default=30.0,
        gt=0,
        description=(
            "Idle conversations without an open hand-off are deleted this many days after "
            "their last turn. Handed-off cases are kept until an agent closes them."
        ),
    )
    message_ids_kept: int = Field(
        default=20,
        ge=1,
        description=(
            "Client message ids (and Telegram update ids) remembered per conversation, "
            "with the reply each got, so a redelivered message is applied once and answered "
            "the same."
        ),
    )
    message_ids_ttl_s: int = Field(
        default=86_400,
        ge=1,
        description=(
            "How long after a conversation's last turn its message ids are remembered. "
            "Retries come within minutes; forgetting them keeps idle conversations small."
        ),
    )
    handoff_block_ms: int = Field(
        default=2000,
        ge=0,
        le=2000,
        description="Longest a console's read of the hand-off queue blocks (milliseconds).",
    )
    handoff_redeliver_ms: int = Field(
        default=60_000,
        ge=1,
        description=(
            "A hand-off delivered to a console that neither claimed it nor came back within "
            "this many milliseconds is delivered to another console."
        ),
    )
    telegram_token: SecretStr | None = Field(
        default=None,
        description="Bot token from @BotFather. Unset: no Telegram worker.",
    )
    telegram_api_base: str = Field(
        default="https://api.telegram.org",
        description="Base URL of the Telegram Bot API (a local Bot API server or a test double).",
    )
    public_url: str | None = Field(
        default=None,
        description="The public https URL of this service, for Telegram webhooks and links.",
    )

    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest JSON request body the API accepts; larger ones get 413.",
    )
    evidence_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest evidence upload (image or PDF); larger ones get 413.",
    )
    rate_per_conversation: float = Field(
        default=60.0,
        gt=0,
        description="Messages a minute one conversation may send (bursts of 20); more get 429.",
    )
    rate_per_address: float = Field(
        default=600.0,
        gt=0,
        description="API requests a minute from one client address (bursts of 100); more get 429.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description=(
            "Processes `lossline serve` runs, each on the same port. More than one needs "
            "LOSSLINE_REDIS_URL (live events cross processes only through Redis); one per core."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `lossline serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `lossline serve` listens on.")

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def retention_seconds(self) -> int:
        return max(1, round(self.retention_days * 86_400))
