"""OpenSSH Ed25519 keys: generate, load, print, fingerprint, and the Ed25519 -> X25519 map.

Private keys are in the OpenSSH format (`-----BEGIN OPENSSH PRIVATE KEY-----`, as `ssh-keygen`
writes them), passphrase-protected with aes256-ctr and bcrypt-pbkdf through `cryptography`.
Public keys are `authorized_keys` lines: `ssh-ed25519 AAAA... comment`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vault.crypto import _wire

__all__ = [
    "KeyFormatError",
    "SshKeyError",
    "WrongPassphraseError",
    "fingerprint",
    "generate",
    "load_private",
    "load_public",
    "needs_passphrase",
    "public_blob",
    "public_from_blob",
    "public_line",
    "testonly_set_kdf_rounds",
    "x25519_public",
    "x25519_secret",
]

KEY_TYPE = "ssh-ed25519"
_PEM_BEGIN = b"-----BEGIN OPENSSH PRIVATE KEY-----"
_PEM_END = b"-----END OPENSSH PRIVATE KEY-----"
_MAGIC = b"openssh-key-v1\0"
_KDF_ROUNDS = 16  # ssh-keygen's default
_P = 2**255 - 19  # the field prime of Curve25519 / Ed25519

_kdf_rounds = _KDF_ROUNDS


class SshKeyError(Exception):
    """Base class of the key errors."""


class WrongPassphraseError(SshKeyError):
    """The private key is encrypted and the passphrase is missing or wrong."""


class KeyFormatError(SshKeyError):
    """The data is not an OpenSSH Ed25519 key (unparseable, or another key type)."""


def testonly_set_kdf_rounds(rounds: int | None) -> None:
    """TESTS ONLY: use `rounds` bcrypt-pbkdf rounds for new keys (None restores the default 16)."""
    global _kdf_rounds
    _kdf_rounds = rounds or _KDF_ROUNDS


def generate(comment: str, passphrase: bytes | None) -> tuple[bytes, str]:
    """Create a new Ed25519 key.

    Args:
        comment: the comment of the public key line (for example an e-mail address).
        passphrase: protects the private key; None or empty leaves it unencrypted.

    Returns:
        The OpenSSH private key file contents and the public key line.
    """
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
    if passphrase:
        builder = serialization.PrivateFormat.OpenSSH.encryption_builder()
        encryption = builder.kdf_rounds(_kdf_rounds).build(passphrase)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
    )
    return pem, public_line(key, comment)


def _container(data: bytes) -> tuple[bool, bytes]:
    """Parse the unencrypted outer layer: (is encrypted, first public key blob)."""
    text = data.strip()
    if not text.startswith(_PEM_BEGIN) or not text.endswith(_PEM_END):
        raise KeyFormatError("not an OpenSSH private key (expected 'BEGIN OPENSSH PRIVATE KEY')")
    try:
        raw = base64.b64decode(b"".join(text[len(_PEM_BEGIN) : -len(_PEM_END)].split()))
        reader = _wire.Reader(raw)
        if reader.raw(len(_MAGIC)) != _MAGIC:
            raise KeyFormatError("not an OpenSSH private key (bad magic)")
        cipher = reader.string()
        reader.string()  # kdf name
        reader.string()  # kdf options
        if reader.uint32() != 1:
            raise KeyFormatError("the key file must hold exactly one key")
        blob = reader.string()
        key_type = _wire.Reader(blob).string()
    except (binascii.Error, _wire.WireError) as exc:
        raise KeyFormatError(f"damaged OpenSSH private key: {exc}") from None
    if key_type != KEY_TYPE.encode():
        raise KeyFormatError(f"not an Ed25519 key but {key_type.decode(errors='replace')!r}")
    return cipher != b"none", blob


def needs_passphrase(data: bytes) -> bool:
    """Whether the OpenSSH private key `data` is encrypted.

    Raises:
        KeyFormatError: `data` is not an OpenSSH Ed25519 private key.
    """
    return _container(data)[0]


def load_private(data: bytes, passphrase: bytes | None) -> Ed25519PrivateKey:
    """Load an OpenSSH Ed25519 private key, decrypting it with `passphrase` if it is encrypted.

    A passphrase given for an unencrypted key is ignored.

    Raises:
        WrongPassphraseError: the key is encrypted and the passphrase is missing or wrong.
        KeyFormatError: not an OpenSSH Ed25519 private key, or damaged.
    """
    encrypted, blob = _container(data)
    if encrypted and not passphrase:
        raise WrongPassphraseError("this private key is protected: a passphrase is needed")
    try:
        key = serialization.load_ssh_private_key(data, passphrase if encrypted else None)
    except UnsupportedAlgorithm as exc:
        raise KeyFormatError(f"unsupported key encryption: {exc}") from None
    except ValueError as exc:
        if encrypted:  # the decrypted check bytes differ: as for ssh-keygen, a wrong passphrase
            raise WrongPassphraseError("wrong passphrase for this private key") from None
        raise KeyFormatError(f"damaged OpenSSH private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey) or public_blob(key.public_key()) != blob:
        raise KeyFormatError("the private key does not match its public key")
    return key


def public_blob(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The SSH wire encoding of the public key (what fingerprints and signatures use)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _wire.string(KEY_TYPE.encode()) + _wire.string(raw)


def public_from_blob(blob: bytes) -> Ed25519PublicKey:
    """Parse the SSH wire encoding of an Ed25519 public key.

    Raises:
        KeyFormatError: not an Ed25519 public key blob.
    """
    try:
        reader = _wire.Reader(blob)
        key_type, raw = reader.string(), reader.string()
        reader.end()
    except _wire.WireError as exc:
        raise KeyFormatError(f"damaged public key: {exc}") from None
    if key_type != KEY_TYPE.encode() or len(raw) != 32:
        raise KeyFormatError(f"not an Ed25519 public key but {key_type.decode(errors='replace')!r}")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_line(key: Ed25519PrivateKey | Ed25519PublicKey, comment: str = "") -> str:
    """The `ssh-ed25519 AAAA... comment` line of a key (without a trailing newline)."""
    line = f"{KEY_TYPE} {base64.b64encode(public_blob(key)).decode()}"
    return f"{line} {comment}" if comment else line


def load_public(line: str) -> Ed25519PublicKey:
    """Parse an `ssh-ed25519 AAAA... [comment]` public key line.

    Raises:
        KeyFormatError: not an Ed25519 public key line.
    """
    fields = line.strip().split(maxsplit=2)
    if len(fields) < 2 or fields[0] != KEY_TYPE:
        raise KeyFormatError(f"not an ssh-ed25519 public key line: {line[:40]!r}")
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except binascii.Error:
        raise KeyFormatError("the public key is not valid base64") from None
    return public_from_blob(blob)


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The `SHA256:...` fingerprint, as `ssh-keygen -l` prints it."""
    digest = hashlib.sha256(public_blob(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def x25519_public(key: Ed25519PublicKey) -> bytes:
    """The X25519 (Montgomery u) form of an Ed25519 public key: u = (1 + y) / (1 - y)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow(1 - y, _P - 2, _P) % _P
    return u.to_bytes(32, "little")


def x25519_secret(key: Ed25519PrivateKey) -> bytes:
    """The X25519 scalar of an Ed25519 private key: the first half of SHA-512(seed)."""
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return hashlib.sha512(seed).digest()[:32]
