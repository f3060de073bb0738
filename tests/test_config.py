from __future__ import annotations

import base64
from pathlib import Path

import pytest

from integration_hub.cli import new_key_entry
from integration_hub.config import load_settings, parse_keys
from integration_hub.errors import ConfigurationError

GOOD_KEY = new_key_entry()


def _load(tmp_path: Path, **overrides: object) -> object:
    return load_settings(_env_file=None, var_dir=tmp_path, **overrides)


class TestEncryptionKeys:
    def test_first_key_is_active(self) -> None:
        """Several keys may be configured; the first one encrypts."""
        second = new_key_entry()

        keys = parse_keys(f"{GOOD_KEY}, {second}", source="test")

        assert [k.key_id for k in keys] == [
            GOOD_KEY.split(":")[0],
            second.split(":")[0],
        ]

    def test_keys_file_is_read_when_variable_unset(self, tmp_path: Path) -> None:
        """Without HUB_ENCRYPTION_KEYS, the keys come from var/encryption.keys."""
        (tmp_path / "encryption.keys").write_text(GOOD_KEY + "\n")

        settings = load_settings(_env_file=None, var_dir=tmp_path)

        assert settings.keys[0].key_id == GOOD_KEY.split(":")[0]

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("", "holds no encryption key"),
            ("nocolon", "must be 'id:base64url'"),
            ("k1:%%%%", "not valid base64url"),
            ("k1:" + base64.urlsafe_b64encode(b"short").decode(), "must be 32 bytes"),
            (f"{GOOD_KEY},{GOOD_KEY}", "repeats a key id"),
        ],
    )
    def test_malformed_keys_are_refused(
        self, tmp_path: Path, value: str, message: str
    ) -> None:
        """A malformed key is a configuration error naming what is wrong."""
        with pytest.raises(ConfigurationError, match=message):
            _load(tmp_path, encryption_keys=value)

    def test_missing_key_is_refused(self, tmp_path: Path) -> None:
        """No key anywhere: the error says how to make one."""
        with pytest.raises(ConfigurationError, match="keys generate"):
            _load(tmp_path)

    def test_key_never_shows_in_repr(self) -> None:
        """A key object prints its id, never its bytes."""
        key = parse_keys(GOOD_KEY, source="test")[0]

        assert GOOD_KEY.split(":")[1] not in repr(key)


class TestDatabaseUrl:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
            ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
            ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ],
    )
    def test_scheme_gets_its_async_driver(self, url: str, expected: str) -> None:
        """Plain URLs are given the async driver for their engine."""
        settings = load_settings(
            _env_file=None, database_url=url, encryption_keys=GOOD_KEY
        )

        assert settings.async_database_url == expected

    @pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
    def test_unknown_scheme_is_refused(self, tmp_path: Path, url: str) -> None:
        """Only SQLite and PostgreSQL are supported."""
        with pytest.raises(ConfigurationError, match="HUB_DATABASE_URL"):
            _load(tmp_path, database_url=url, encryption_keys=GOOD_KEY)

    def test_invalid_value_names_the_variable(self, tmp_path: Path) -> None:
        """A value of the wrong type is reported with its variable name."""
        with pytest.raises(ConfigurationError, match="HUB_LOG_FORMAT"):
            _load(tmp_path, log_format="xml", encryption_keys=GOOD_KEY)
