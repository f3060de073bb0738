"""OneDrive's QuickXorHash, computed incrementally.

The published algorithm XORs byte number ``k`` of the content into a 160-bit
circular register at bit offset ``11 * k mod 160``, then XORs the content length
(64-bit little-endian) into the register's last eight bytes. Because the offset
only depends on ``k mod 160``, bytes 160 apart land on the same bits: folding the
content into 160 per-residue XOR sums first lets CPython do the heavy lifting on
big integers instead of looping over every byte.
"""

from __future__ import annotations

import base64

_WIDTH_BITS = 160
_WIDTH_BYTES = _WIDTH_BITS // 8
_SHIFT = 11
_BLOCK_BITS = _WIDTH_BITS * 8  # one byte for each of the 160 residues
_BLOCK_MASK = (1 << _BLOCK_BITS) - 1
_REGISTER_MASK = (1 << _WIDTH_BITS) - 1


class QuickXorHash:
    """Feed with :meth:`update`, read with :meth:`digest` or :meth:`b64digest`."""

    def __init__(self) -> None:
        # Byte r (little-endian) holds the XOR of every content byte k with
        # k mod 160 == r.
        self._residues = 0
        self._length = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        folded = _fold(int.from_bytes(data, "little"), -(-len(data) // _WIDTH_BITS))
        self._residues ^= _rotate_block(folded, self._length % _WIDTH_BITS)
        self._length += len(data)

    def copy(self) -> QuickXorHash:
        clone = QuickXorHash()
        clone._residues = self._residues
        clone._length = self._length
        return clone

    def digest(self) -> bytes:
        register = 0
        residues = self._residues
        for residue in range(_WIDTH_BITS):
            byte = (residues >> (8 * residue)) & 0xFF
            if byte:
                register ^= _rotate_register(byte, (_SHIFT * residue) % _WIDTH_BITS)

        out = bytearray(register.to_bytes(_WIDTH_BYTES, "little"))
        for index, byte in enumerate(self._length.to_bytes(8, "little")):
            out[_WIDTH_BYTES - 8 + index] ^= byte
        return bytes(out)

    def b64digest(self) -> str:
        return base64.b64encode(self.digest()).decode("ascii")


def _fold(value: int, blocks: int) -> int:
    """XOR 160-byte blocks of ``value`` together, halving the count each round."""
    while blocks > 1:
        low_blocks = blocks // 2
        split = low_blocks * _BLOCK_BITS
        value = (value & ((1 << split) - 1)) ^ (value >> split)
        blocks -= low_blocks
    return value


def _rotate_block(block: int, byte_offset: int) -> int:
    """Move residue r of a chunk to residue (r + offset) mod 160 of the stream."""
    if byte_offset == 0:
        return block
    bits = 8 * byte_offset
    return ((block << bits) | (block >> (_BLOCK_BITS - bits))) & _BLOCK_MASK


def _rotate_register(value: int, bits: int) -> int:
    if bits == 0:
        return value
    return ((value << bits) | (value >> (_WIDTH_BITS - bits))) & _REGISTER_MASK
