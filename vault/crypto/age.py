"""age v1 file encryption (https://c2sp.org/age), bytes in, bytes out.

The public API mirrors age.go: `encrypt` and `decrypt` (plus `iter_decrypt` for callers that want
authenticated chunks as they come), the one-method `Recipient` and `Identity` protocols, and the
recipient/identity types X25519, scrypt and ssh-ed25519 (the latter as age's reference
implementation defines it in agessh/agessh.go; it is not part of the C2SP spec).

Parsing is strict: anything that is not the canonical encoding is refused, so a file has exactly one
byte representation. Failures raise a subclass of `AgeError`:

- `HeaderError`: the header is malformed (including a malformed stanza that an identity tried to
  open, and a missing payload nonce); `HeaderMacError` (a subclass) when the header is well formed
  and a file key was found but the header MAC does not match.
- `NoIdentityMatchError`: the header is fine but none of the identities opens any stanza.
- `PayloadError`: the encrypted payload is truncated, tampered with or has trailing data.
- `ArmorError`: the ASCII armor is malformed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from vault.crypto import _bech32, sshkeys

__all__ = [
    "AgeError",
    "ArmorError",
    "HeaderError",
    "HeaderMacError",
    "Identity",
    "NoIdentityMatchError",
    "PayloadError",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "SshEd25519Identity",
    "SshEd25519Recipient",
    "Stanza",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "encrypt",
    "iter_decrypt",
    "testonly_set_scrypt_work_factor",
]

_INTRO = b"age-encryption.org/v1\n"
_FILE_KEY_SIZE = 16
_NONCE_SIZE = 16
_TAG_SIZE = 16
_CHUNK_SIZE = 64 * 1024
_ENC_CHUNK_SIZE = _CHUNK_SIZE + _TAG_SIZE
_COLUMNS = 64
_BYTES_PER_LINE = _COLUMNS // 4 * 3
_ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
_ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
_ARMOR_MAX_WHITESPACE = 1024
_X25519_LABEL = b"age-encryption.org/v1/X25519"
_SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
_SSH_ED25519_LABEL = b"age-encryption.org/v1/ssh-ed25519"
_SCRYPT_SALT_SIZE = 16
_SCRYPT_MAX_WORK_FACTOR = 22  # the reference implementation's default limit (~15 s)
_RAW_B64 = re.compile(rb"[A-Za-z0-9+/]*")
_WORK_FACTOR = re.compile(r"[1-9][0-9]{0,1}")


class AgeError(Exception):
    """Base class of every age failure."""


class HeaderError(AgeError):
    """The age header is malformed, unsupported or not canonical."""


class HeaderMacError(HeaderError):
    """The header parsed and a file key was found, but the header MAC does not match."""


class NoIdentityMatchError(AgeError):
    """None of the given identities can open any recipient stanza of the file."""


class PayloadError(AgeError):
    """The encrypted payload is truncated, tampered with, or followed by trailing data."""


class ArmorError(AgeError):
    """The ASCII armor (PEM-like text encoding) is malformed."""


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza of an age header: a type, its arguments and a binary body."""

    type: str
    args: tuple[str, ...]
    body: bytes


class Recipient(Protocol):
    """Anything that can wrap a 16-byte file key into a recipient stanza."""

    def wrap(self, file_key: bytes) -> Stanza:
        """Return a stanza from which the matching identity can recover `file_key`."""
        ...


class Identity(Protocol):
    """Anything that can unwrap a file key from a recipient stanza."""

    def unwrap(self, stanza: Stanza) -> bytes | None:
        """Return the 16-byte file key, or None if this stanza is not for this identity.

        Raises:
            HeaderError: the stanza is of this identity's type but malformed.
        """
        ...


# --- encodings ---------------------------------------------------------------------------------


def _b64encode_raw(data: bytes) -> str:
    return base64.b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode_raw(text: str | bytes) -> bytes:
    """Strict, canonical, unpadded standard base64 (age's header encoding)."""
    raw = text.encode("ascii", "replace") if isinstance(text, str) else text
    if not _RAW_B64.fullmatch(raw) or len(raw) % 4 == 1:
        raise HeaderError(f"invalid base64 {raw!r}")
    data = base64.b64decode(raw + b"=" * (-len(raw) % 4))
    if base64.b64encode(data).rstrip(b"=") != raw:
        raise HeaderError(f"non-canonical base64 {raw!r}")
    return data


def _hkdf(ikm: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _aead_wrap(key: bytes, file_key: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(bytes(12), file_key, None)


def _aead_unwrap(key: bytes, body: bytes, what: str) -> bytes | None:
    """Open a wrapped file key; None when the tag does not verify (wrong identity)."""
    if len(body) != _FILE_KEY_SIZE + _TAG_SIZE:
        raise HeaderError(f"invalid {what} stanza: wrapped file key is {len(body)} bytes")
    try:
        return ChaCha20Poly1305(key).decrypt(bytes(12), body, None)
    except InvalidTag:
        return None


def _x25519_shared(private: X25519PrivateKey, peer: bytes, what: str) -> bytes:
    try:
        return private.exchange(X25519PublicKey.from_public_bytes(peer))
    except ValueError as exc:  # all-zero shared secret: low-order or identity point
        raise HeaderError(f"invalid {what} stanza: {exc}") from None


def _raw_public(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# --- X25519 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class X25519Recipient:
    """The native age public key: an X25519 point, written as `age1...`."""

    public_key: bytes

    def __post_init__(self) -> None:
        if len(self.public_key) != 32:
            raise ValueError("an X25519 public key is 32 bytes")

    @classmethod
    def parse(cls, text: str) -> X25519Recipient:
        """Parse an `age1...` recipient string.

        Raises:
            ValueError: the string is not a valid age X25519 recipient.
        """
        try:
            hrp, data = _bech32.decode(text.strip())
        except _bech32.Bech32Error as exc:
            raise ValueError(f"malformed age recipient {text!r}: {exc}") from None
        if hrp != "age" or len(data) != 32:
            raise ValueError(f"malformed age recipient {text!r}: not an X25519 recipient")
        return cls(data)

    def to_string(self) -> str:
        """The `age1...` Bech32 form of this recipient."""
        return _bech32.encode("age", self.public_key)

    def wrap(self, file_key: bytes) -> Stanza:
        """Wrap `file_key` into an `X25519` stanza for this recipient."""
        ephemeral = X25519PrivateKey.generate()
        share = _raw_public(ephemeral.public_key())
        shared = _x25519_shared(ephemeral, self.public_key, "X25519")
        key = _hkdf(shared, share + self.public_key, _X25519_LABEL)
        return Stanza("X25519", (_b64encode_raw(share),), _aead_wrap(key, file_key))


@dataclass(frozen=True)
class X25519Identity:
    """The native age secret key: an X25519 scalar, written as `AGE-SECRET-KEY-1...`."""

    secret_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret_key) != 32:
            raise ValueError("an X25519 secret key is 32 bytes")

    @classmethod
    def generate(cls) -> X25519Identity:
        """Create a new random identity."""
        return cls(os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> X25519Identity:
        """Parse an `AGE-SECRET-KEY-1...` identity string.

        Raises:
            ValueError: the string is not a valid age X25519 identity (the secret is not echoed).
        """
        try:
            hrp, data = _bech32.decode(text.strip())
        except _bech32.Bech32Error as exc:
            raise ValueError(f"malformed age secret key: {exc}") from None
        if hrp != "age-secret-key-" or len(data) != 32:
            raise ValueError("malformed age secret key: not an X25519 identity")
        return cls(data)

    def to_string(self) -> str:
        """The `AGE-SECRET-KEY-1...` Bech32 form of this identity (a secret)."""
        return _bech32.encode("age-secret-key-", self.secret_key).upper()

    @cached_property
    def _keys(self) -> tuple[X25519PrivateKey, bytes]:
        """(private key object, public point), computed once per identity."""
        private = X25519PrivateKey.from_private_bytes(self.secret_key)
        return private, _raw_public(private.public_key())

    def recipient(self) -> X25519Recipient:
        """The public recipient matching this identity."""
        return X25519Recipient(self._keys[1])

    def unwrap(self, stanza: Stanza) -> bytes | None:
        """Recover the file key from an `X25519` stanza addressed to this identity.

        Raises:
            HeaderError: the X25519 stanza is malformed.
        """
        if stanza.type != "X25519":
            return None
        if len(stanza.args) != 1:
            raise HeaderError("invalid X25519 stanza: expected exactly one argument")
        share = _b64decode_raw(stanza.args[0])
        if len(share) != 32:
            raise HeaderError("invalid X25519 stanza: the share is not 32 bytes")
        private, our_point = self._keys
        shared = _x25519_shared(private, share, "X25519")
        key = _hkdf(shared, share + our_point, _X25519_LABEL)
        return _aead_unwrap(key, stanza.body, "X25519")


# --- scrypt -----------------------------------------------------------------------------------

_testonly_work_factor: int | None = None


def testonly_set_scrypt_work_factor(work_factor: int | None) -> None:
    """TESTS ONLY: make every ScryptRecipient use `work_factor` (None restores normal behaviour).

    Like age's testOnly hooks, this keeps tests fast; production code must never call it.
    """
    global _testonly_work_factor
    _testonly_work_factor = work_factor


def _scrypt_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=_SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase)


@dataclass(frozen=True)
class ScryptRecipient:
    """A passphrase recipient; it must be the only recipient of a file."""

    passphrase: bytes = field(repr=False)
    work_factor: int = 18

    def __post_init__(self) -> None:
        if not self.passphrase:
            raise ValueError("the passphrase must not be empty")
        if not 1 <= self.work_factor <= _SCRYPT_MAX_WORK_FACTOR:
            raise ValueError(f"scrypt work factor must be 1..{_SCRYPT_MAX_WORK_FACTOR}")

    def wrap(self, file_key: bytes) -> Stanza:
        """Wrap `file_key` into an `scrypt` stanza (cost 2**work_factor)."""
        work_factor = _testonly_work_factor or self.work_factor
        salt = os.urandom(_SCRYPT_SALT_SIZE)
        key = _scrypt_key(self.passphrase, salt, work_factor)
        args = (_b64encode_raw(salt), str(work_factor))
        return Stanza("scrypt", args, _aead_wrap(key, file_key))


@dataclass(frozen=True)
class ScryptIdentity:
    """A passphrase identity; refuses work factors above `max_work_factor` (default 22, as age)."""

    passphrase: bytes = field(repr=False)
    max_work_factor: int = _SCRYPT_MAX_WORK_FACTOR

    def unwrap(self, stanza: Stanza) -> bytes | None:
        """Recover the file key from an `scrypt` stanza, or None for a wrong passphrase.

        Raises:
            HeaderError: the scrypt stanza is malformed or its work factor is too high.
        """
        if stanza.type != "scrypt":
            return None
        if len(stanza.args) != 2:
            raise HeaderError("invalid scrypt stanza: expected salt and work factor")
        salt = _b64decode_raw(stanza.args[0])
        if len(salt) != _SCRYPT_SALT_SIZE:
            raise HeaderError("invalid scrypt stanza: the salt is not 16 bytes")
        if not _WORK_FACTOR.fullmatch(stanza.args[1]):
            raise HeaderError(f"invalid scrypt work factor {stanza.args[1]!r}")
        work_factor = int(stanza.args[1])
        if work_factor > self.max_work_factor:
            raise HeaderError(
                f"scrypt work factor {work_factor} is above the limit of {self.max_work_factor}"
            )
        return _aead_unwrap(_scrypt_key(self.passphrase, salt, work_factor), stanza.body, "scrypt")


# --- ssh-ed25519 (FiloSottile/age agessh/agessh.go) ---------------------------------------------


def _ssh_tag(blob: bytes) -> str:
    """The stanza's key tag: the first 4 bytes of SHA-256 of the SSH public key blob."""
    return _b64encode_raw(hashlib.sha256(blob).digest()[:4])


def _ssh_tweak(blob: bytes) -> X25519PrivateKey:
    """The scalar that binds the shared secret to the whole SSH key: HKDF(ikm="", salt=blob)."""
    return X25519PrivateKey.from_private_bytes(_hkdf(b"", blob, _SSH_ED25519_LABEL))


@dataclass(frozen=True, eq=False)
class SshEd25519Recipient:
    """An OpenSSH Ed25519 public key used as an age recipient (`age -R key.pub`)."""

    public_key: Ed25519PublicKey

    @classmethod
    def from_openssh(cls, line: str) -> SshEd25519Recipient:
        """Build a recipient from an `ssh-ed25519 AAAA... comment` line.

        Raises:
            sshkeys.KeyFormatError: not an Ed25519 public key line.
        """
        return cls(sshkeys.load_public(line))

    @cached_property
    def _derived(self) -> tuple[str, X25519PrivateKey, bytes]:
        """(key tag, tweak, X25519 point), computed once per recipient."""
        blob = sshkeys.public_blob(self.public_key)
        return _ssh_tag(blob), _ssh_tweak(blob), sshkeys.x25519_public(self.public_key)

    def wrap(self, file_key: bytes) -> Stanza:
        """Wrap `file_key` into an `ssh-ed25519` stanza for this key."""
        tag, tweak, their_point = self._derived
        ephemeral = X25519PrivateKey.generate()
        share = _raw_public(ephemeral.public_key())
        shared = _x25519_shared(ephemeral, their_point, "ssh-ed25519")
        shared = _x25519_shared(tweak, shared, "ssh-ed25519")
        key = _hkdf(shared, share + their_point, _SSH_ED25519_LABEL)
        return Stanza("ssh-ed25519", (tag, _b64encode_raw(share)), _aead_wrap(key, file_key))


@dataclass(frozen=True, eq=False)
class SshEd25519Identity:
    """An OpenSSH Ed25519 private key used as an age identity (`age -d -i key`)."""

    private_key: Ed25519PrivateKey = field(repr=False)

    @cached_property
    def _derived(self) -> tuple[str, X25519PrivateKey, X25519PrivateKey, bytes]:
        """(key tag, tweak, X25519 private key, its point), computed once per identity."""
        blob = sshkeys.public_blob(self.private_key)
        private = X25519PrivateKey.from_private_bytes(sshkeys.x25519_secret(self.private_key))
        return _ssh_tag(blob), _ssh_tweak(blob), private, _raw_public(private.public_key())

    def unwrap(self, stanza: Stanza) -> bytes | None:
        """Recover the file key from an `ssh-ed25519` stanza addressed to this key.

        Raises:
            HeaderError: the ssh-ed25519 stanza is malformed.
        """
        if stanza.type != "ssh-ed25519":
            return None
        if len(stanza.args) != 2:
            raise HeaderError("invalid ssh-ed25519 stanza: expected a key tag and a share")
        share = _b64decode_raw(stanza.args[1])
        if len(share) != 32:
            raise HeaderError("invalid ssh-ed25519 stanza: the share is not 32 bytes")
        tag, tweak, private, our_point = self._derived
        if stanza.args[0] != tag:
            return None
        shared = _x25519_shared(private, share, "ssh-ed25519")
        shared = _x25519_shared(tweak, shared, "ssh-ed25519")
        key = _hkdf(shared, share + our_point, _SSH_ED25519_LABEL)
        return _aead_unwrap(key, stanza.body, "ssh-ed25519")


# --- header -----------------------------------------------------------------------------------


def _is_valid_arg(arg: bytes) -> bool:
    return bool(arg) and all(33 <= c <= 126 for c in arg)


def _encode_stanza(stanza: Stanza) -> bytes:
    fields = [stanza.type, *stanza.args]
    if not all(_is_valid_arg(f.encode("utf-8")) for f in fields):
        raise ValueError(f"invalid stanza type or argument in {fields!r}")
    b64 = _b64encode_raw(stanza.body)
    lines = [b64[i : i + _COLUMNS] for i in range(0, len(b64), _COLUMNS)]
    if not lines or len(lines[-1]) == _COLUMNS:
        lines.append("")  # every body ends with a short (possibly empty) line
    return ("-> " + " ".join(fields) + "\n" + "".join(line + "\n" for line in lines)).encode()


@dataclass
class _Header:
    stanzas: list[Stanza]
    mac: bytes
    signed: bytes  # header bytes up to and including "---", what the MAC covers
    payload_offset: int


def _parse_header(data: bytes) -> _Header:
    if not data.startswith(_INTRO):
        raise HeaderError("not an age v1 file: unexpected or missing intro line")
    stanzas: list[Stanza] = []
    pending: tuple[str, tuple[str, ...]] | None = None  # a stanza still reading body lines
    body = b""
    pos = len(_INTRO)
    while True:
        end = data.find(b"\n", pos)
        if end < 0:
            raise HeaderError("the header ends before its closing '---' line")
        line = data[pos:end]
        if pending is not None:
            chunk = _b64decode_raw(line)
            if len(chunk) > _BYTES_PER_LINE:
                raise HeaderError("stanza body line longer than 64 columns")
            body += chunk
            if len(chunk) < _BYTES_PER_LINE:
                stanzas.append(Stanza(pending[0], pending[1], body))
                pending, body = None, b""
        elif line.startswith(b"---"):
            parts = line.split(b" ")
            if parts[0] != b"---" or len(parts) != 2:
                raise HeaderError(f"malformed closing line {line!r}")
            mac = _b64decode_raw(parts[1])
            if len(mac) != 32:
                raise HeaderError("the header MAC is not 32 bytes")
            return _Header(stanzas, mac, data[: pos + 3], end + 1)
        elif line.startswith(b"->"):
            parts = line.split(b" ")
            if parts[0] != b"->" or len(parts) < 2 or not all(map(_is_valid_arg, parts[1:])):
                raise HeaderError(f"malformed stanza line {line!r}")
            args = tuple(p.decode("ascii") for p in parts[1:])
            pending = (args[0], args[1:])
        else:
            raise HeaderError(f"unexpected header line {line[:80]!r}")
        pos = end + 1


def _header_mac(file_key: bytes, signed: bytes) -> bytes:
    return hmac.new(_hkdf(file_key, None, b"header"), signed, hashlib.sha256).digest()


# --- STREAM -----------------------------------------------------------------------------------


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _stream_encrypt(key: bytes, plaintext: bytes) -> Iterator[bytes]:
    aead = ChaCha20Poly1305(key)
    view = memoryview(plaintext)
    count = max(1, -(-len(plaintext) // _CHUNK_SIZE))  # an empty payload is one empty chunk
    for i in range(count):
        chunk = view[i * _CHUNK_SIZE : (i + 1) * _CHUNK_SIZE]
        yield aead.encrypt(_chunk_nonce(i, i == count - 1), chunk, None)


def _stream_decrypt(key: bytes, data: bytes, start: int) -> Iterator[bytes]:
    aead = ChaCha20Poly1305(key)
    view = memoryview(data)
    pos, counter = start, 0
    while True:
        chunk = view[pos : pos + _ENC_CHUNK_SIZE]
        pos += len(chunk)
        if not chunk:
            raise PayloadError("the payload is truncated: no final chunk")
        try:
            if len(chunk) < _ENC_CHUNK_SIZE:  # a short chunk can only be the last one
                last = True
                if counter and len(chunk) == _TAG_SIZE:
                    raise PayloadError("the final chunk is empty but the payload is not")
                plain = aead.decrypt(_chunk_nonce(counter, True), chunk, None)
            else:  # a full chunk is the last one only if it authenticates as such
                try:
                    last = False
                    plain = aead.decrypt(_chunk_nonce(counter, False), chunk, None)
                except InvalidTag:
                    last = True
                    plain = aead.decrypt(_chunk_nonce(counter, True), chunk, None)
        except InvalidTag:
            raise PayloadError(f"payload chunk {counter} failed authentication") from None
        yield plain
        if last:
            if pos != len(data):
                raise PayloadError("trailing data after the final payload chunk")
            return
        counter += 1


# --- armor ------------------------------------------------------------------------------------


def _armor(data: bytes) -> bytes:
    b64 = base64.b64encode(data)
    lines = [b64[i : i + _COLUMNS] for i in range(0, len(b64), _COLUMNS)]
    return b"\n".join([_ARMOR_BEGIN, *lines, _ARMOR_END]) + b"\n"


def _dearmor(text: bytes) -> bytes:
    """Strict armor: PEM type AGE ENCRYPTED FILE, no headers, 64 columns, canonical padding.

    LF or CRLF line ends; whitespace-only lines before and after (up to 1 KiB) are tolerated.
    """
    lines = text.split(b"\n")
    index, skipped = 0, 0
    while index < len(lines) and not lines[index].strip():
        skipped += len(lines[index]) + 1
        index += 1
    if skipped > _ARMOR_MAX_WHITESPACE:
        raise ArmorError("too much leading whitespace before the armor")
    if index == len(lines) or lines[index].removesuffix(b"\r") != _ARMOR_BEGIN:
        raise ArmorError("the armor does not start with '-----BEGIN AGE ENCRYPTED FILE-----'")
    decoded: list[bytes] = []
    short_seen = False
    for number in range(index + 1, len(lines)):
        line = lines[number].removesuffix(b"\r")
        if line == _ARMOR_END:
            trailing = b"\n".join(lines[number + 1 :])
            if trailing.strip():
                raise ArmorError("trailing data after the armor end line")
            if len(trailing) >= _ARMOR_MAX_WHITESPACE:
                raise ArmorError("too much trailing whitespace after the armor")
            return b"".join(decoded)
        if short_seen:
            raise ArmorError("a short armor line must be the last line before the end line")
        if not line:
            raise ArmorError(f"empty line in the armor body (line {number + 1})")
        if len(line) > _COLUMNS:
            raise ArmorError(f"armor line {number + 1} is longer than 64 columns")
        if not re.fullmatch(rb"[A-Za-z0-9+/]*={0,2}", line) or len(line) % 4:
            raise ArmorError(f"invalid base64 on armor line {number + 1}")
        chunk = base64.b64decode(line)
        if base64.b64encode(chunk) != line:
            raise ArmorError(f"non-canonical base64 on armor line {number + 1}")
        decoded.append(chunk)
        short_seen = len(chunk) < _BYTES_PER_LINE
    raise ArmorError("the armor has no '-----END AGE ENCRYPTED FILE-----' line")


# --- API --------------------------------------------------------------------------------------


def encrypt(plaintext: bytes, recipients: Sequence[Recipient], *, armor: bool = False) -> bytes:
    """Encrypt `plaintext` so that any of `recipients` can decrypt it.

    Args:
        plaintext: the data to encrypt.
        recipients: one or more recipients; an scrypt recipient must be the only one.
        armor: return the ASCII-armored (PEM-like) text form instead of binary.

    Raises:
        ValueError: no recipients, or an scrypt recipient mixed with others.
    """
    if not recipients:
        raise ValueError("at least one recipient is needed")
    file_key = os.urandom(_FILE_KEY_SIZE)
    stanzas = [r.wrap(file_key) for r in recipients]
    if len(stanzas) > 1 and any(s.type == "scrypt" for s in stanzas):
        raise ValueError("an scrypt (passphrase) recipient must be the only recipient")
    signed = _INTRO + b"".join(map(_encode_stanza, stanzas)) + b"---"
    mac = _b64encode_raw(_header_mac(file_key, signed)).encode()
    nonce = os.urandom(_NONCE_SIZE)
    payload_key = _hkdf(file_key, nonce, b"payload")
    out = b"".join([signed, b" ", mac, b"\n", nonce, *_stream_encrypt(payload_key, plaintext)])
    return _armor(out) if armor else out


def iter_decrypt(
    ciphertext: bytes, identities: Sequence[Identity], *, armor: bool | None = None
) -> Iterator[bytes]:
    """Decrypt an age file chunk by chunk, yielding each authenticated plaintext chunk.

    The header is checked completely before the first chunk is yielded. A payload error is raised
    after the chunks that did authenticate; use `decrypt` to get all or nothing.

    Args:
        ciphertext: the binary or armored age file.
        identities: identities to try on each stanza.
        armor: True/False to force the armored/binary form; None detects it (armored when the
            input, after leading whitespace, starts with the armor begin line).

    Raises:
        ArmorError, HeaderError, HeaderMacError, NoIdentityMatchError, PayloadError.
    """
    if not identities:
        raise ValueError("at least one identity is needed")
    if armor is None:
        armor = ciphertext.lstrip().startswith(_ARMOR_BEGIN)
    data = _dearmor(ciphertext) if armor else ciphertext
    header = _parse_header(data)
    if any(s.type == "scrypt" for s in header.stanzas) and len(header.stanzas) != 1:
        raise HeaderError("an scrypt stanza must be the only stanza in the header")
    file_key = _find_file_key(header.stanzas, identities)
    if not hmac.compare_digest(_header_mac(file_key, header.signed), header.mac):
        raise HeaderMacError("the header MAC does not match: the header was altered")
    nonce = data[header.payload_offset : header.payload_offset + _NONCE_SIZE]
    if len(nonce) != _NONCE_SIZE:
        raise HeaderError("the payload nonce is missing or truncated")
    payload_key = _hkdf(file_key, nonce, b"payload")
    yield from _stream_decrypt(payload_key, data, header.payload_offset + _NONCE_SIZE)


def _find_file_key(stanzas: Sequence[Stanza], identities: Sequence[Identity]) -> bytes:
    for stanza in stanzas:
        for identity in identities:
            file_key = identity.unwrap(stanza)
            if file_key is not None:
                return file_key
    types = sorted({s.type for s in stanzas})
    raise NoIdentityMatchError(
        f"none of the {len(identities)} identities matches the file's "
        f"{len(stanzas)} recipient stanza(s) of type {', '.join(types) or '(none)'}"
    )


def decrypt(
    ciphertext: bytes, identities: Sequence[Identity], *, armor: bool | None = None
) -> bytes:
    """Decrypt a whole age file (binary, or armored: detected unless `armor` says otherwise).

    Nothing is returned unless the whole payload authenticates.

    Raises:
        ArmorError, HeaderError, HeaderMacError, NoIdentityMatchError, PayloadError.
    """
    return b"".join(iter_decrypt(ciphertext, identities, armor=armor))
