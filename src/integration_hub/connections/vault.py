"""The token vault: AES-256-GCM for every secret the hub stores.

A sealed secret is ``version | key-id length | key id | nonce | ciphertext+tag``.
The key id lets any configured key open it, so keys rotate without downtime. The
associated data names the secret's owner and purpose (user, provider, connection,
field); a ciphertext copied into another row or field fails to open.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from integration_hub.config import EncryptionKey, Settings, parse_keys
from integration_hub.errors import HubError

FORMAT_VERSION = 1
NONCE_BYTES = 12
RELOAD_INTERVAL = 1.0  # seconds between looks at the keys file


class VaultError(HubError):
    code = "vault_error"


@dataclass(frozen=True)
class SecretOwner:
    """What a secret belongs to; becomes the AES-GCM associated data."""

    user_id: uuid.UUID
    provider: str
    record_id: uuid.UUID
    field: str

    def associated_data(self) -> bytes:
        return "|".join(
            (str(self.user_id), self.provider, str(self.record_id), self.field)
        ).encode()


class TokenVault:
    """Seals and opens secrets with the configured keys, the first one active.

    Given the keys file, the vault notices when ``keys rotate`` rewrites it and
    starts sealing with the new key, so running instances follow a rotation.
    """

    def __init__(
        self, keys: Sequence[EncryptionKey], *, keys_file: Path | None = None
    ) -> None:
        self._keys_file = keys_file
        self._checked_at = time.monotonic()
        self._stamp = _stamp(keys_file)
        self._use(keys)

    def _use(self, keys: Sequence[EncryptionKey]) -> None:
        if not keys:
            raise VaultError("the vault needs at least one key")
        self.active = keys[0]
        self._ciphers = {key.key_id: AESGCM(key.secret) for key in keys}

    def _follow_keys_file(self) -> None:
        if self._keys_file is None:
            return
        now = time.monotonic()
        if now - self._checked_at < RELOAD_INTERVAL:
            return
        self._checked_at = now
        stamp = _stamp(self._keys_file)
        if stamp != self._stamp:
            self._stamp = stamp
            self._use(
                parse_keys(self._keys_file.read_text(), source=str(self._keys_file))
            )

    def seal(self, plaintext: str, owner: SecretOwner) -> bytes:
        self._follow_keys_file()
        key_id = self.active.key_id.encode()
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = self._ciphers[self.active.key_id].encrypt(
            nonce, plaintext.encode(), owner.associated_data()
        )
        return bytes((FORMAT_VERSION, len(key_id))) + key_id + nonce + ciphertext

    def open(self, sealed: bytes, owner: SecretOwner) -> str:
        key_id, nonce, ciphertext = _split(sealed)
        if key_id not in self._ciphers:
            self._follow_keys_file()
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise VaultError(f"secret sealed with unknown key {key_id!r}")
        try:
            plaintext = cipher.decrypt(nonce, ciphertext, owner.associated_data())
        except InvalidTag:
            raise VaultError(
                "secret does not open: tampered with, or moved from another record"
            ) from None
        return plaintext.decode()

    def needs_reseal(self, sealed: bytes) -> bool:
        """Whether ``sealed`` was made with a key other than the active one."""
        self._follow_keys_file()
        return key_id_of(sealed) != self.active.key_id

    def reseal(self, sealed: bytes, owner: SecretOwner) -> bytes:
        return self.seal(self.open(sealed, owner), owner)


def _stamp(path: Path | None) -> tuple[float, int] | None:
    if path is None or not path.exists():
        return None
    stat = path.stat()
    return stat.st_mtime, stat.st_size


def key_id_of(sealed: bytes) -> str:
    return _split(sealed)[0]


def _split(sealed: bytes) -> tuple[str, bytes, bytes]:
    if len(sealed) < 2 or sealed[0] != FORMAT_VERSION:
        raise VaultError("not a sealed secret of a known format")
    id_end = 2 + sealed[1]
    nonce_end = id_end + NONCE_BYTES
    if len(sealed) <= nonce_end:
        raise VaultError("sealed secret is truncated")
    return (
        sealed[2:id_end].decode("ascii"),
        sealed[id_end:nonce_end],
        sealed[nonce_end:],
    )


def vault_for(settings: Settings) -> TokenVault:
    """The vault for these settings; it follows the keys file when keys come from it."""
    keys_file = None if settings.encryption_keys is not None else settings.keys_file
    return TokenVault(settings.keys, keys_file=keys_file)
