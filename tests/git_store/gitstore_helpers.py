"""Helpers for the git-layer tests: real Ed25519 keys, ssh-keygen and sshsig as signers/oracles."""

from __future__ import annotations

import base64
import os
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from vault.crypto import sshkeys, sshsig
from vault.git_store import GitStore


@dataclass
class KeygenSigner:
    """A Signer backed by `ssh-keygen -Y sign` (the reference implementation)."""

    name: str
    email: str
    key: Path

    @property
    def public_line(self) -> str:
        return self.key.with_suffix(".pub").read_text().strip()

    def sign(self, payload: bytes) -> bytes:
        done = subprocess.run(
            ["ssh-keygen", "-q", "-Y", "sign", "-f", str(self.key), "-n", "git"],
            input=payload,
            capture_output=True,
            check=True,
        )
        return done.stdout


@dataclass
class SshsigSigner:
    """A Signer on the project's own in-process SSHSIG (`vault.crypto.sshsig`)."""

    name: str
    email: str
    key: Path

    def sign(self, payload: bytes) -> bytes:
        private = sshkeys.load_private(self.key.read_bytes(), None)
        return sshsig.sign(payload, private, "git")


def sshsig_verify(payload: bytes, armored: bytes, namespace: str) -> str:
    """A VerifyFn on `vault.crypto.sshsig.verify`."""
    return sshkeys.public_line(sshsig.verify(payload, armored, namespace))


def make_key(folder: Path, name: str) -> Path:
    """Generate an unencrypted test-only ed25519 key pair in `folder`."""
    key = folder / name
    subprocess.run(
        [
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            f"{name} (test only)",
            "-f",
            str(key),
        ],
        check=True,
    )
    return key


def signature_key(armored: bytes) -> str:
    """Return the "<type> <base64>" public key embedded in an armored SSHSIG."""
    body = b"".join(line for line in armored.strip().splitlines()[1:-1])
    blob = base64.b64decode(body)
    assert blob[:6] == b"SSHSIG"
    (length,) = struct.unpack(">I", blob[10:14])
    pub = blob[14 : 14 + length]
    (type_len,) = struct.unpack(">I", pub[:4])
    return f"{pub[4 : 4 + type_len].decode()} {base64.b64encode(pub).decode()}"


def keygen_verify(payload: bytes, armored: bytes, namespace: str) -> str:
    """A VerifyFn using `ssh-keygen -Y check-novalidate` for the cryptographic check."""
    read, write = os.pipe()
    os.write(write, armored)
    os.close(write)
    try:
        done = subprocess.run(
            ["ssh-keygen", "-Y", "check-novalidate", "-n", namespace, "-s", f"/dev/fd/{read}"],
            input=payload,
            capture_output=True,
            pass_fds=(read,),
        )
    finally:
        os.close(read)
    if done.returncode != 0:
        raise ValueError(done.stderr.decode().strip() or "bad signature")
    return signature_key(armored)


def allowed_line(signer: KeygenSigner) -> bytes:
    """One allowed_signers line admitting `signer` for namespace git."""
    return f'{signer.email} namespaces="git" {signer.public_line}\n'.encode()


def git(repo: GitStore | Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run plain git in the repository (the oracle)."""
    path = repo.path if isinstance(repo, GitStore) else repo
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", "-C", str(path), *args], capture_output=True, text=True, check=check, env=env
    )


@dataclass
class CorruptingSigner:
    """Signs correctly, then flips one bit in the Ed25519 signature."""

    inner: KeygenSigner

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def email(self) -> str:
        return self.inner.email

    def sign(self, payload: bytes) -> bytes:
        lines = self.inner.sign(payload).strip().splitlines()
        blob = bytearray(base64.b64decode(b"".join(lines[1:-1])))
        blob[-3] ^= 0x01
        body = base64.b64encode(bytes(blob))
        wrapped = [body[i : i + 70] for i in range(0, len(body), 70)]
        return b"\n".join([lines[0], *wrapped, lines[-1]]) + b"\n"
