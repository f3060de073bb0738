from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from integration_hub.cli import new_key_entry
from integration_hub.config import parse_keys
from integration_hub.connections import vault as vault_module
from integration_hub.connections.vault import (
    SecretOwner,
    TokenVault,
    VaultError,
    key_id_of,
)

USER = uuid.uuid4()
RECORD = uuid.uuid4()
OWNER = SecretOwner(USER, "google", RECORD, "refresh_token")


def make_vault(*entries: str) -> TokenVault:
    return TokenVault(parse_keys(",".join(entries), source="test"))


class TestSealing:
    def test_round_trip(self) -> None:
        """What is sealed opens again for the same owner."""
        vault = make_vault(new_key_entry())

        assert vault.open(vault.seal("1//refresh", OWNER), OWNER) == "1//refresh"

    def test_ciphertext_hides_the_plaintext_and_varies(self) -> None:
        """Sealing twice gives different ciphertexts (random nonce), no plaintext."""
        vault = make_vault(new_key_entry())

        first, second = (
            vault.seal("secret-value", OWNER),
            vault.seal("secret-value", OWNER),
        )

        assert first != second
        assert b"secret-value" not in first

    @pytest.mark.parametrize(
        "other",
        [
            SecretOwner(uuid.uuid4(), "google", RECORD, "refresh_token"),
            SecretOwner(USER, "microsoft", RECORD, "refresh_token"),
            SecretOwner(USER, "google", uuid.uuid4(), "refresh_token"),
            SecretOwner(USER, "google", RECORD, "access_token"),
        ],
    )
    def test_ciphertext_moved_to_another_owner_fails(self, other: SecretOwner) -> None:
        """Associated data binds a secret to its user, provider, record and field."""
        vault = make_vault(new_key_entry())
        sealed = vault.seal("secret", OWNER)

        with pytest.raises(VaultError, match="moved from another record"):
            vault.open(sealed, other)

    def test_tampered_ciphertext_fails(self) -> None:
        """Any flipped bit makes the secret unreadable."""
        vault = make_vault(new_key_entry())
        sealed = bytearray(vault.seal("secret", OWNER))
        sealed[-1] ^= 1

        with pytest.raises(VaultError):
            vault.open(bytes(sealed), OWNER)

    def test_older_keys_still_open_and_the_first_seals(self) -> None:
        """After rotation old ciphertexts open; new ones use the first key."""
        old, new = new_key_entry(), new_key_entry()
        sealed_old = make_vault(old).seal("secret", OWNER)
        rotated = make_vault(new, old)

        assert rotated.open(sealed_old, OWNER) == "secret"
        assert rotated.needs_reseal(sealed_old)
        assert key_id_of(rotated.seal("secret", OWNER)) == new.split(":")[0]

    def test_unknown_key_is_a_clear_error(self) -> None:
        """A ciphertext from a key that is not configured says so."""
        sealed = make_vault(new_key_entry()).seal("secret", OWNER)

        with pytest.raises(VaultError, match="unknown key"):
            make_vault(new_key_entry()).open(sealed, OWNER)

    def test_garbage_is_refused(self) -> None:
        """Bytes that are not a sealed secret are refused, not crashed on."""
        with pytest.raises(VaultError):
            make_vault(new_key_entry()).open(b"\x07plain", OWNER)


def test_vault_follows_a_rewritten_keys_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A running vault starts sealing with a key added to its keys file."""
    monkeypatch.setattr(vault_module, "RELOAD_INTERVAL", 0.0)
    old, new = new_key_entry(), new_key_entry()
    keys_file = tmp_path / "encryption.keys"
    keys_file.write_text(old + "\n")
    vault = TokenVault(parse_keys(old, source="test"), keys_file=keys_file)
    sealed_old = vault.seal("secret", OWNER)

    keys_file.write_text(f"{new}\n{old}\n")
    os.utime(keys_file, (1, 1))

    assert key_id_of(vault.seal("secret", OWNER)) == new.split(":")[0]
    assert vault.open(sealed_old, OWNER) == "secret"
