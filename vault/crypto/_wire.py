"""The SSH wire encoding (RFC 4251 §5): uint32 lengths and length-prefixed strings."""

from __future__ import annotations

import struct


class WireError(ValueError):
    """The bytes do not follow the SSH wire encoding."""


def string(data: bytes) -> bytes:
    """Encode `data` as an SSH `string` (uint32 length, then the bytes)."""
    return struct.pack(">I", len(data)) + data


class Reader:
    """Reads SSH wire fields from a byte string, front to back."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def raw(self, size: int) -> bytes:
        """Read exactly `size` bytes."""
        if self._pos + size > len(self._data):
            raise WireError("unexpected end of data")
        chunk = self._data[self._pos : self._pos + size]
        self._pos += size
        return chunk

    def uint32(self) -> int:
        """Read a big-endian uint32."""
        value: int = struct.unpack(">I", self.raw(4))[0]
        return value

    def string(self) -> bytes:
        """Read an SSH `string`."""
        return self.raw(self.uint32())

    def end(self) -> None:
        """Require that every byte has been read."""
        if self._pos != len(self._data):
            raise WireError("unexpected trailing data")
