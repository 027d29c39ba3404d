"""SSH signatures, with ssh-keygen -Y and git verify-commit as the oracles."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vault.crypto import sshkeys, sshsig

needs_ssh_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH) is not installed"
)
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def run(
    *args: str | Path, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a tool with the user's git configuration out of the way."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(
        [str(a) for a in args], input=stdin, capture_output=True, cwd=cwd, env=env, check=False
    )


def ok(*args: str | Path, stdin: bytes = b"", cwd: Path | None = None) -> bytes:
    result = run(*args, stdin=stdin, cwd=cwd)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def allowed_signers(tmp_path: Path, principal: str, key: Ed25519PrivateKey) -> Path:
    path = tmp_path / "allowed_signers"
    path.write_text(f'{principal} namespaces="git,file" {sshkeys.public_line(key)}\n')
    return path


def test_sign_verify_round_trip_and_tampering() -> None:
    key = Ed25519PrivateKey.generate()
    signature = sshsig.sign(b"inhoud", key, "git")
    assert signature.startswith(b"-----BEGIN SSH SIGNATURE-----\n")
    assert signature.endswith(b"\n-----END SSH SIGNATURE-----\n")
    signer = sshsig.verify(b"inhoud", signature, "git")
    assert sshkeys.public_line(signer) == sshkeys.public_line(key)

    with pytest.raises(sshsig.SignatureError, match="does not match"):
        sshsig.verify(b"inhoud!", signature, "git")
    with pytest.raises(sshsig.SignatureError, match="namespace"):
        sshsig.verify(b"inhoud", signature, "file")
    lines = signature.splitlines()
    blob = bytearray(base64.b64decode(b"".join(lines[1:-1])))
    blob[-1] ^= 1  # last byte of the Ed25519 signature
    b64 = base64.b64encode(bytes(blob))
    with pytest.raises(sshsig.SignatureError, match="does not match"):
        sshsig.verify(b"inhoud", lines[0] + b"\n" + b64 + b"\n" + lines[-1], "git")
    with pytest.raises(sshsig.SignatureError):
        sshsig.verify(
            b"inhoud", b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----", "git"
        )
    with pytest.raises(sshsig.SignatureError):
        sshsig.verify(b"inhoud", b"garbage", "git")


@needs_ssh_keygen
def test_ssh_keygen_verifies_our_signature(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    signers = allowed_signers(tmp_path, "ib@school.nl", key)
    data = os.urandom(3000)
    sig_file = tmp_path / "data.sig"
    sig_file.write_bytes(sshsig.sign(data, key, "file"))
    verify = ("ssh-keygen", "-Y", "verify", "-f", signers, "-I", "ib@school.nl", "-s", sig_file)
    assert b"Good" in ok(*verify, "-n", "file", stdin=data)
    assert run(*verify, "-n", "git", stdin=data).returncode != 0
    assert run(*verify, "-n", "file", stdin=data + b"x").returncode != 0


@needs_ssh_keygen
def test_we_verify_ssh_keygen_signatures(tmp_path: Path) -> None:
    key_file = tmp_path / "id_ed25519"
    ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test-only", "-f", key_file)
    data_file = tmp_path / "data"
    data_file.write_bytes(b"een dossierdeel\n")
    ok("ssh-keygen", "-Y", "sign", "-f", key_file, "-n", "git", data_file)
    signature = (tmp_path / "data.sig").read_bytes()
    signer = sshsig.verify(b"een dossierdeel\n", signature, "git")
    assert (
        sshkeys.public_line(signer, "test-only")
        == (tmp_path / "id_ed25519.pub").read_text().strip()
    )
    with pytest.raises(sshsig.SignatureError):
        sshsig.verify(b"een dossierdeel!\n", signature, "git")
    with pytest.raises(sshsig.SignatureError):
        sshsig.verify(b"een dossierdeel\n", signature, "file")


@needs_git
@needs_ssh_keygen
def test_git_verify_commit_accepts_our_signed_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    ok("git", "init", "-q", repo)
    key = Ed25519PrivateKey.generate()
    signers = allowed_signers(tmp_path, "ib@school.nl", key)
    tree = ok("git", "hash-object", "-t", "tree", "-w", "--stdin", cwd=repo).decode().strip()
    identity = "Test Only <ib@school.nl> 1767225600 +0100"
    payload = f"tree {tree}\nauthor {identity}\ncommitter {identity}\n\nEerste versie\n".encode()
    signature = sshsig.sign(payload, key, "git").decode()
    gpgsig = "gpgsig " + signature.rstrip("\n").replace("\n", "\n ") + "\n"
    head, _, message = payload.decode().partition("\n\n")
    commit = f"{head}\n{gpgsig}\n{message}".encode()

    sha = ok("git", "hash-object", "-t", "commit", "-w", "--stdin", stdin=commit, cwd=repo)
    verify = ("git", "-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", "--raw")
    result = run(*verify, sha.decode().strip(), cwd=repo)
    assert result.returncode == 0, result.stderr.decode()
    assert b'Good "git" signature for ib@school.nl' in result.stderr

    forged = commit.replace(b"Eerste versie", b"Andere versie")
    forged_sha = ok("git", "hash-object", "-t", "commit", "-w", "--stdin", stdin=forged, cwd=repo)
    assert run(*verify, forged_sha.decode().strip(), cwd=repo).returncode != 0
