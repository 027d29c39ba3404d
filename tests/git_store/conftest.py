"""Fixtures for the git layer: real repositories, real Ed25519 keys, ssh-keygen as oracle."""

from __future__ import annotations

import base64
import os
import struct
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from vault.crypto import sshkeys, sshsig
from vault.git_store import ALLOWED_SIGNERS, GitStore


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


@pytest.fixture
def keys(tmp_path: Path) -> Callable[[str], KeygenSigner]:
    """Factory of test signers with fresh keys."""
    folder = tmp_path / "keys"
    folder.mkdir()

    def factory(name: str) -> KeygenSigner:
        return KeygenSigner(name.capitalize(), f"{name}@school.test", make_key(folder, name))

    return factory


@pytest.fixture
def alice(keys: Callable[[str], KeygenSigner]) -> KeygenSigner:
    return keys("alice")


def allowed_line(signer: KeygenSigner) -> bytes:
    """One allowed_signers line admitting `signer` for namespace git."""
    return f'{signer.email} namespaces="git" {signer.public_line}\n'.encode()


@pytest.fixture
def store(tmp_path: Path, alice: KeygenSigner) -> GitStore:
    """A vault repo whose first commit lists alice in allowed_signers."""
    s = GitStore.init(tmp_path / "vault")
    s.commit({ALLOWED_SIGNERS: allowed_line(alice)}, "Kluis aangemaakt", alice)
    return s


def git(repo: GitStore | Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run plain git in the repository (the oracle)."""
    path = repo.path if isinstance(repo, GitStore) else repo
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", "-C", str(path), *args], capture_output=True, text=True, check=check, env=env
    )
