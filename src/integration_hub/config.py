"""Settings, read from ``HUB_``-prefixed environment variables and ``.env``.

Secrets are ``SecretStr`` so that they never print. :func:`load_settings` turns any
configuration problem into a :class:`ConfigurationError` with one readable line.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from integration_hub.errors import ConfigurationError

SQLITE_SCHEMES = ("sqlite", "sqlite+aiosqlite")
POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+asyncpg")
KEY_BYTES = 32


@dataclass(frozen=True)
class EncryptionKey:
    """One AES-256 key and the id written into every ciphertext it makes."""

    key_id: str
    secret: bytes

    def __repr__(self) -> str:
        return f"EncryptionKey(key_id={self.key_id!r}, secret=***)"


class Settings(BaseSettings):
    """Everything the hub can be told; see ``.env.example`` for each variable."""

    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_file=".env", extra="ignore", frozen=True
    )

    var_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    encryption_keys: SecretStr | None = None
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    sandbox_enabled: bool = True
    inbound_rate_limit_per_minute: int = Field(100, ge=1)
    # How often each process writes its metric rollups to the database.
    metrics_flush_seconds: float = Field(10.0, gt=0, le=300)

    # Where the sandbox answers when a provider has no credentials; by default the
    # hub's own address, which serves it under /sandbox.
    sandbox_url: str | None = None
    refresh_lead_seconds: int = Field(300, ge=0, le=3000)
    google_scopes: str = (
        "openid email https://www.googleapis.com/auth/spreadsheets "
        "https://www.googleapis.com/auth/drive.file"
    )
    microsoft_scopes: str = (
        "openid profile email offline_access User.Read Files.ReadWrite"
    )

    # Pacing: the hub spends at most this share of each published limit, so that
    # clock drift and in-flight requests never push it over.
    pacing_headroom: float = Field(0.95, gt=0.0, le=1.0)
    pacing_window_seconds: int = Field(60, ge=1, le=3600)
    # Counted windows are this much longer than the provider's, so a request
    # admitted late in one window but arriving in the next still fits.
    pacing_margin_seconds: int = Field(1, ge=0, le=60)
    sheets_reads_per_user: int = Field(60, ge=1)
    sheets_writes_per_user: int = Field(60, ge=1)
    sheets_reads_per_project: int = Field(300, ge=1)
    sheets_writes_per_project: int = Field(300, ge=1)
    graph_units_per_user: int = Field(600, ge=1)
    graph_units_per_app: int = Field(1250, ge=1)
    upstream_deadline_seconds: float = Field(120.0, gt=0.0)
    retry_initial_seconds: float = Field(1.0, gt=0.0)
    retry_max_seconds: float = Field(64.0, gt=0.0)
    cache_ttl_seconds: float = Field(60.0, ge=0.0)

    # Uploads: the largest file the hub accepts, and the chunk size of upload
    # sessions as a multiple of 320 KiB (Graph's unit; 32 gives 10 MiB chunks,
    # and Graph refuses a chunk of 60 MiB or more).
    upload_max_bytes: int = Field(250_000_000, ge=1)
    upload_chunk_multiple: int = Field(32, ge=1, le=180)

    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    microsoft_client_id: str | None = None
    microsoft_client_secret: SecretStr | None = None
    microsoft_tenant: str = "common"

    @field_validator("redis_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("public_url", "sandbox_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str | None) -> str | None:
        return None if value is None else value.rstrip("/")

    @field_validator(
        "google_client_id",
        "microsoft_client_id",
        "google_client_secret",
        "microsoft_client_secret",
        mode="before",
    )
    @classmethod
    def _blank_credential_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def sandbox_base(self) -> str:
        return self.sandbox_url or self.public_url

    @property
    def keys_file(self) -> Path:
        return self.var_dir / "encryption.keys"

    @cached_property
    def async_database_url(self) -> str:
        """The configured URL with the async driver that serves its scheme."""
        url = self.database_url or f"sqlite+aiosqlite:///{self.var_dir / 'hub.db'}"
        scheme, sep, rest = url.partition("://")
        if not sep:
            raise ConfigurationError(f"HUB_DATABASE_URL is not a URL: {url!r}")
        if scheme in SQLITE_SCHEMES:
            return f"sqlite+aiosqlite://{rest}"
        if scheme in POSTGRES_SCHEMES:
            return f"postgresql+asyncpg://{rest}"
        raise ConfigurationError(
            f"HUB_DATABASE_URL has an unsupported scheme {scheme!r}; "
            "use sqlite:// or postgresql://"
        )

    @property
    def is_sqlite(self) -> bool:
        return self.async_database_url.startswith("sqlite")

    @cached_property
    def keys(self) -> tuple[EncryptionKey, ...]:
        """Encryption keys, the active one first, from the variable or ``var/``."""
        if self.encryption_keys is not None:
            source, text = (
                "HUB_ENCRYPTION_KEYS",
                self.encryption_keys.get_secret_value(),
            )
        elif self.keys_file.exists():
            source, text = str(self.keys_file), self.keys_file.read_text()
        else:
            raise ConfigurationError(
                "no encryption key: set HUB_ENCRYPTION_KEYS or run "
                "'integration-hub keys generate'"
            )
        return parse_keys(text, source=source)


def parse_keys(text: str, *, source: str) -> tuple[EncryptionKey, ...]:
    """Parse ``id:base64url-key`` entries separated by commas or new lines."""
    entries = [e.strip() for e in text.replace("\n", ",").split(",") if e.strip()]
    if not entries:
        raise ConfigurationError(f"{source} holds no encryption key")

    keys = tuple(_parse_key(entry, source=source) for entry in entries)
    ids = [key.key_id for key in keys]
    if len(set(ids)) != len(ids):
        raise ConfigurationError(f"{source} repeats a key id")
    return keys


def _parse_key(entry: str, *, source: str) -> EncryptionKey:
    key_id, sep, encoded = entry.partition(":")
    if not sep or not key_id.isalnum() or len(key_id) > 16:
        raise ConfigurationError(
            f"{source}: each key must be 'id:base64url' with an id of up to 16 "
            "letters or digits"
        )
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        secret = base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(
            f"{source}: key {key_id!r} is not valid base64url"
        ) from None
    if len(secret) != KEY_BYTES:
        raise ConfigurationError(
            f"{source}: key {key_id!r} must be {KEY_BYTES} bytes, not {len(secret)}"
        )
    return EncryptionKey(key_id, secret)


def load_settings(**overrides: object) -> Settings:
    """Read and check the settings; every problem becomes one clear line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "HUB_" + "_".join(str(part) for part in error["loc"]).upper()
        raise ConfigurationError(f"{name}: {error['msg']}") from None

    settings.async_database_url  # noqa: B018 -- validates the scheme eagerly
    settings.keys  # noqa: B018 -- validates the keys eagerly
    return settings
