"""The command line, run as a user runs it: a subprocess with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from integration_hub.cli import new_key_entry

EXECUTABLE = str(Path(sys.executable).parent / "integration-hub")


def run_cli(
    *args: str, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return subprocess.run(  # noqa: S603 -- our own executable, fixed arguments
        [EXECUTABLE, *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def hub_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "HUB_VAR_DIR": str(tmp_path / "var"),
        "HUB_DATABASE_URL": database_url,
        "HUB_ENCRYPTION_KEYS": new_key_entry(),
    }


class TestStartupRefusesBrokenConfiguration:
    @pytest.mark.parametrize(
        ("override", "expected"),
        [
            ({"HUB_ENCRYPTION_KEYS": "k1:tooshort"}, "HUB_ENCRYPTION_KEYS"),
            ({"HUB_ENCRYPTION_KEYS": ""}, "no encryption key"),
            ({"HUB_DATABASE_URL": "mysql://root@127.0.0.1/x"}, "unsupported scheme"),
            ({"HUB_REDIS_URL": "redis://127.0.0.1:1/0"}, "cannot reach Redis"),
            ({"HUB_LOG_LEVEL": "loud"}, "HUB_LOG_LEVEL"),
        ],
    )
    def test_serve_prints_one_line_and_exits_non_zero(
        self,
        tmp_path: Path,
        hub_env: dict[str, str],
        override: dict[str, str],
        expected: str,
    ) -> None:
        """A broken configuration stops 'serve' with one clear line, no traceback."""
        env = {**hub_env, **override}
        if override.get("HUB_ENCRYPTION_KEYS") == "":
            del env["HUB_ENCRYPTION_KEYS"]

        result = run_cli("serve", "--port", "1", env=env, cwd=tmp_path)

        assert result.returncode == 2
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    def test_serve_refuses_an_unmigrated_database(self, tmp_path: Path) -> None:
        """Serving a database without the schema says to run migrate."""
        env = {
            "HUB_VAR_DIR": str(tmp_path),
            "HUB_ENCRYPTION_KEYS": new_key_entry(),
        }

        result = run_cli("serve", "--port", "1", env=env, cwd=tmp_path)

        assert result.returncode == 2
        assert "integration-hub migrate" in result.stderr


class TestUsers:
    def test_create_prints_a_working_token_last(
        self, tmp_path: Path, hub_env: dict[str, str]
    ) -> None:
        """'users create' prints the new token as its last line of output."""
        created = run_cli(
            "users", "create", "erin", "--admin", env=hub_env, cwd=tmp_path
        )
        token = created.stdout.strip().splitlines()[-1]
        listed = run_cli("users", "list", env=hub_env, cwd=tmp_path)

        assert created.returncode == 0, created.stderr
        assert token.startswith("ihub_")
        assert "erin" in listed.stdout
        assert token[:12] in listed.stdout
        assert token not in listed.stdout

    def test_duplicate_name_is_refused(
        self, tmp_path: Path, hub_env: dict[str, str]
    ) -> None:
        """A second user of the same name is refused with one line."""
        run_cli("users", "create", "frank", env=hub_env, cwd=tmp_path)

        again = run_cli("users", "create", "frank", env=hub_env, cwd=tmp_path)

        assert again.returncode == 1
        assert "exists already" in again.stderr

    def test_revoke_by_prefix_and_by_user(
        self, tmp_path: Path, hub_env: dict[str, str]
    ) -> None:
        """Tokens can be revoked one at a time by prefix, or all for a user."""
        first = run_cli("users", "create", "gina", env=hub_env, cwd=tmp_path)
        token = first.stdout.strip().splitlines()[-1]
        run_cli("users", "token", "gina", env=hub_env, cwd=tmp_path)

        one = run_cli("users", "revoke", token[:12], env=hub_env, cwd=tmp_path)
        again = run_cli("users", "revoke", token[:12], env=hub_env, cwd=tmp_path)
        rest = run_cli("users", "revoke", "--user", "gina", env=hub_env, cwd=tmp_path)

        assert "revoked 1 token" in one.stderr
        assert again.returncode == 1
        assert "revoked 1 token" in rest.stderr


class TestKeys:
    def test_generate_writes_a_private_key_file_once(self, tmp_path: Path) -> None:
        """'keys generate' writes var/encryption.keys readable by its owner only."""
        env = {"HUB_VAR_DIR": str(tmp_path / "var")}

        first = run_cli("keys", "generate", env=env, cwd=tmp_path)
        again = run_cli("keys", "generate", env=env, cwd=tmp_path)
        quiet = run_cli("keys", "generate", "--if-missing", env=env, cwd=tmp_path)

        keys_file = tmp_path / "var" / "encryption.keys"
        assert first.returncode == 0
        assert keys_file.stat().st_mode & 0o777 == 0o600
        assert again.returncode == 1
        assert quiet.returncode == 0

    def test_rotate_adds_an_active_key_and_reencrypts(
        self, tmp_path: Path, database_url: str
    ) -> None:
        """'keys rotate' puts a new key first in the file and reseals secrets."""
        env = {"HUB_VAR_DIR": str(tmp_path / "var"), "HUB_DATABASE_URL": database_url}
        run_cli("keys", "generate", env=env, cwd=tmp_path)
        keys_file = tmp_path / "var" / "encryption.keys"
        before = keys_file.read_text().split()

        rotated = run_cli("keys", "rotate", env=env, cwd=tmp_path)

        after = keys_file.read_text().split()
        assert rotated.returncode == 0, rotated.stderr
        assert after[1:] == before
        assert "resealed" in rotated.stderr

    def test_rotate_with_keys_in_the_environment_explains_the_steps(
        self, tmp_path: Path, hub_env: dict[str, str]
    ) -> None:
        """Keys from HUB_ENCRYPTION_KEYS cannot be rewritten; the error says how."""
        result = run_cli("keys", "rotate", env=hub_env, cwd=tmp_path)

        assert result.returncode == 2
        assert "keys reencrypt" in result.stderr
