"""Every C2SP/CCTV age test vector gives its expected outcome (testkit_test.go's approach).

Vectors that need a post-quantum (ML-KEM hybrid) identity are skipped: we do not implement that
recipient type. Every other vector must pass.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from vault.crypto import age

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / "age" / "testdata"
VECTOR_FILES = (
    sorted(p for p in VECTORS.glob("*") if not p.name.endswith(".md")) if VECTORS.is_dir() else []
)


@dataclass
class Vector:
    expect: str
    payload_sha256: str | None = None
    identities: list[str] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    armored: bool = False
    compressed: bool = False
    body: bytes = b""


def load_vector(path: Path) -> Vector:
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n\n")
    vector = Vector(expect="")
    for line in head.decode().splitlines():
        key, _, value = line.partition(": ")
        if key == "expect":
            vector.expect = value
        elif key == "payload":
            vector.payload_sha256 = value
        elif key == "identity":
            vector.identities.append(value)
        elif key == "passphrase":
            vector.passphrases.append(value)
        elif key == "armored":
            vector.armored = value == "yes"
        elif key == "compressed":
            assert value == "zlib"
            vector.compressed = True
        else:
            assert key in {"file key", "comment"}, f"unknown key {key!r}"
    vector.body = zlib.decompress(body) if vector.compressed else body
    return vector


def identities_for(vector: Vector) -> list[age.Identity]:
    """The vector's identities we support; an unrelated one when the vector names none."""
    if not vector.identities and not vector.passphrases:
        return [age.X25519Identity.generate()]
    result: list[age.Identity] = [
        age.X25519Identity.parse(s)
        for s in vector.identities
        if not s.startswith("AGE-SECRET-KEY-PQ-")
    ]
    # ScryptIdentity defaults to age's limit (22), which the vectors rely on.
    result += [age.ScryptIdentity(p.encode()) for p in vector.passphrases]
    return result


def test_vectors_present() -> None:
    if not VECTORS.is_dir():
        pytest.skip(f"age test vectors not found at {VECTORS}")
    assert len(VECTOR_FILES) >= 140


EXPECTED_ERRORS: dict[str, type[age.AgeError]] = {
    "header failure": age.HeaderError,
    "HMAC failure": age.HeaderMacError,
    "no match": age.NoIdentityMatchError,
    "payload failure": age.PayloadError,
    "armor failure": age.ArmorError,
}


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: p.name)
def test_vector(path: Path) -> None:
    vector = load_vector(path)
    identities = identities_for(vector)
    if not identities:
        pytest.skip("needs a post-quantum hybrid (ML-KEM-768 + X25519) identity: not implemented")
    released: list[bytes] = []
    error: age.AgeError | None = None
    try:
        for chunk in age.iter_decrypt(vector.body, identities, armor=vector.armored):
            released.append(chunk)
    except age.AgeError as exc:
        error = exc

    if vector.expect == "success":
        assert error is None, f"expected success, got {error!r}"
    else:
        expected = EXPECTED_ERRORS[vector.expect]
        assert isinstance(error, expected), f"expected {expected.__name__}, got {error!r}"
        if expected is age.HeaderError:
            assert not isinstance(error, age.HeaderMacError)
    if vector.payload_sha256 is not None:
        assert hashlib.sha256(b"".join(released)).hexdigest() == vector.payload_sha256
    else:
        assert released == []


@pytest.mark.parametrize(
    "path",
    [p for p in VECTOR_FILES if load_vector(p).expect == "success"],
    ids=lambda p: p.name,
)
def test_success_vectors_round_trip_through_our_encoders(path: Path) -> None:
    """Decoded headers and armor re-encode to the same bytes (the encodings are canonical)."""
    vector = load_vector(path)
    identities = identities_for(vector)
    if not identities:
        pytest.skip("needs a post-quantum hybrid identity: not implemented")
    binary = age._dearmor(vector.body) if vector.armored else vector.body
    header = age._parse_header(binary)
    encoded = age._INTRO + b"".join(map(age._encode_stanza, header.stanzas)) + b"---"
    assert encoded == header.signed
    canonical_armor = vector.body.startswith(b"-----") and vector.body.endswith(b"-----\n")
    if canonical_armor and b"\r" not in vector.body:
        assert age._armor(binary) == vector.body
