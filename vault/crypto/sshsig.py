"""SSH signatures (OpenSSH PROTOCOL.sshsig) with Ed25519 keys: what `ssh-keygen -Y` and git use.

`sign` makes the armored `-----BEGIN SSH SIGNATURE-----` block over SHA-512 of the data;
`verify` checks one and returns the signing key, which the caller must still look up in its own
list of allowed signers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vault.crypto import _wire, sshkeys

__all__ = ["SignatureError", "sign", "verify"]

_MAGIC = b"SSHSIG"
_VERSION = 1
_BEGIN = b"-----BEGIN SSH SIGNATURE-----"
_END = b"-----END SSH SIGNATURE-----"
_COLUMNS = 70  # as ssh-keygen writes it
_HASHES = {"sha512": hashlib.sha512, "sha256": hashlib.sha256}


class SignatureError(Exception):
    """The signature is malformed, for another namespace, or does not verify."""


def _signed_data(namespace: str, hash_name: str, data: bytes) -> bytes:
    digest = _HASHES[hash_name](data).digest()
    return b"".join(
        [
            _MAGIC,
            _wire.string(namespace.encode()),
            _wire.string(b""),  # reserved
            _wire.string(hash_name.encode()),
            _wire.string(digest),
        ]
    )


def sign(data: bytes, key: Ed25519PrivateKey, namespace: str) -> bytes:
    """Sign `data` for `namespace` (for example "git"), returning the armored signature.

    Raises:
        ValueError: the namespace is empty.
    """
    if not namespace:
        raise ValueError("an SSH signature needs a namespace")
    signature = key.sign(_signed_data(namespace, "sha512", data))
    blob = b"".join(
        [
            _MAGIC,
            _VERSION.to_bytes(4, "big"),
            _wire.string(sshkeys.public_blob(key)),
            _wire.string(namespace.encode()),
            _wire.string(b""),
            _wire.string(b"sha512"),
            _wire.string(_wire.string(sshkeys.KEY_TYPE.encode()) + _wire.string(signature)),
        ]
    )
    b64 = base64.b64encode(blob)
    lines = [b64[i : i + _COLUMNS] for i in range(0, len(b64), _COLUMNS)]
    return b"\n".join([_BEGIN, *lines, _END]) + b"\n"


def _dearmor(armored: bytes) -> bytes:
    lines = armored.strip().splitlines()
    if len(lines) < 3 or lines[0].strip() != _BEGIN or lines[-1].strip() != _END:
        raise SignatureError("not an armored SSH signature")
    try:
        return base64.b64decode(b"".join(line.strip() for line in lines[1:-1]), validate=True)
    except binascii.Error:
        raise SignatureError("the SSH signature is not valid base64") from None


def verify(data: bytes, armored_sig: bytes, namespace: str) -> Ed25519PublicKey:
    """Check an armored SSH signature over `data` for `namespace`.

    Returns:
        The Ed25519 public key that made the signature (check it against allowed signers).

    Raises:
        SignatureError: malformed, another namespace, unsupported key or hash, or a bad signature.
    """
    reader = _wire.Reader(_dearmor(armored_sig))
    try:
        if reader.raw(len(_MAGIC)) != _MAGIC:
            raise SignatureError("not an SSH signature (bad magic)")
        if (version := reader.uint32()) != _VERSION:
            raise SignatureError(f"unsupported SSH signature version {version}")
        public_blob = reader.string()
        signed_namespace = reader.string().decode(errors="replace")
        reader.string()  # reserved
        hash_name = reader.string().decode(errors="replace")
        sig_reader = _wire.Reader(reader.string())
        reader.end()
        sig_type, signature = sig_reader.string(), sig_reader.string()
        sig_reader.end()
    except _wire.WireError as exc:
        raise SignatureError(f"damaged SSH signature: {exc}") from None
    if signed_namespace != namespace:
        raise SignatureError(
            f"signature is for namespace {signed_namespace!r}, expected {namespace!r}"
        )
    if hash_name not in _HASHES:
        raise SignatureError(f"unsupported signature hash {hash_name!r}")
    if sig_type != sshkeys.KEY_TYPE.encode():
        raise SignatureError(f"unsupported signature type {sig_type.decode(errors='replace')!r}")
    try:
        public_key = sshkeys.public_from_blob(public_blob)
    except sshkeys.KeyFormatError as exc:
        raise SignatureError(f"unsupported signing key: {exc}") from None
    try:
        public_key.verify(signature, _signed_data(namespace, hash_name, data))
    except InvalidSignature:
        raise SignatureError("the signature does not match the data") from None
    return public_key
