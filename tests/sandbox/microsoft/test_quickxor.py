"""QuickXorHash: published vectors, and agreement with a bit-by-bit reference."""

from __future__ import annotations

import base64
import random

import pytest

from integration_hub.sandbox.microsoft.quickxor import QuickXorHash

# Input and digest pairs, both base64, as published alongside other implementations.
VECTORS = [
    ("", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    ("Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA="),
    ("tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA="),
    ("0pZP", "0rDEEwAAAAAAAAAAAwAAAAAAAAA="),
    ("jRRDVA==", "jaDAEKgAAAAAAAAABAAAAAAAAAA="),
    ("eAV52qE=", "eChAHrQRCgAAAAAABQAAAAAAAAA="),
    ("luBZlaT6", "lgBHFipBCn0AAAAABgAAAAAAAAA="),
    ("qaApEj66lw==", "qQBFCiTgA11cAgAABwAAAAAAAAA="),
    ("/aNzzCFPS/A=", "/RjFHJgRgicsAR4ACAAAAAAAAAA="),
]


def reference(data: bytes) -> str:
    """The algorithm as specified: each byte XORed in at bit 11*k mod 160."""
    register = 0
    for index, byte in enumerate(data):
        shift = (11 * index) % 160
        rotated = (byte << shift) | (byte >> (160 - shift))
        register ^= rotated & ((1 << 160) - 1)
    out = bytearray(register.to_bytes(20, "little"))
    for index, byte in enumerate(len(data).to_bytes(8, "little")):
        out[12 + index] ^= byte
    return base64.b64encode(bytes(out)).decode()


@pytest.mark.parametrize(("data", "digest"), VECTORS)
def test_published_vectors(data: str, digest: str) -> None:
    """Short inputs hash to the published digests."""
    hasher = QuickXorHash()
    hasher.update(base64.b64decode(data))

    assert hasher.b64digest() == digest


@pytest.mark.parametrize("size", [1, 159, 160, 161, 1000, 65_537])
def test_matches_reference_whatever_the_chunking(size: int) -> None:
    """Any split of the input into chunks gives the reference digest."""
    rng = random.Random(size)  # noqa: S311 - reproducible test data, not secrets
    data = rng.randbytes(size)
    hasher = QuickXorHash()
    position = 0
    while position < size:
        step = rng.randint(1, 700)
        hasher.update(data[position : position + step])
        position += step

    assert hasher.b64digest() == reference(data)
