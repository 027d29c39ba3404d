"""OpenSSH Ed25519 keys, checked against ssh-keygen."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vault.crypto import sshkeys

needs_ssh_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH) is not installed"
)


def ssh_keygen(*args: str | Path) -> str:
    result = subprocess.run(
        ["ssh-keygen", *map(str, args)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(autouse=True)
def fast_kdf() -> object:
    sshkeys.testonly_set_kdf_rounds(1)
    yield
    sshkeys.testonly_set_kdf_rounds(None)


def test_generate_and_load_with_passphrase() -> None:
    pem, line = sshkeys.generate("juf@school.nl", b"geheim")
    assert pem.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    assert line.startswith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI") and line.endswith(
        " juf@school.nl"
    )
    assert sshkeys.needs_passphrase(pem)
    key = sshkeys.load_private(pem, b"geheim")
    assert sshkeys.public_line(key, "juf@school.nl") == line
    assert sshkeys.public_line(sshkeys.load_public(line)) == line.rsplit(" ", 1)[0]
    with pytest.raises(sshkeys.WrongPassphraseError, match="wrong passphrase"):
        sshkeys.load_private(pem, b"fout")
    with pytest.raises(sshkeys.WrongPassphraseError, match="passphrase is needed"):
        sshkeys.load_private(pem, None)


def test_unencrypted_key() -> None:
    pem, line = sshkeys.generate("", None)
    assert not sshkeys.needs_passphrase(pem)
    key = sshkeys.load_private(pem, None)
    assert sshkeys.public_line(key) == line
    assert sshkeys.public_line(sshkeys.load_private(pem, b"ignored")) == line


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a key",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----",
    ],
)
def test_garbage_is_a_format_error(data: bytes) -> None:
    with pytest.raises(sshkeys.KeyFormatError):
        sshkeys.load_private(data, b"x")


def test_bad_public_lines() -> None:
    _, line = sshkeys.generate("c", None)
    for bad in ["", "ssh-ed25519", "ssh-rsa " + line.split()[1], "ssh-ed25519 !!!!", line[:-10]]:
        with pytest.raises(sshkeys.KeyFormatError):
            sshkeys.load_public(bad)


@needs_ssh_keygen
def test_ssh_keygen_keys_load_and_fingerprints_match(tmp_path: Path) -> None:
    key_file = tmp_path / "id_ed25519"
    ssh_keygen("-q", "-t", "ed25519", "-N", "pass", "-C", "meester@school.nl", "-f", key_file)
    pem = key_file.read_bytes()
    assert sshkeys.needs_passphrase(pem)
    key = sshkeys.load_private(pem, b"pass")
    public_text = (tmp_path / "id_ed25519.pub").read_text().strip()
    assert sshkeys.public_line(key, "meester@school.nl") == public_text
    with pytest.raises(sshkeys.WrongPassphraseError):
        sshkeys.load_private(pem, b"passs")
    expected = ssh_keygen("-lf", tmp_path / "id_ed25519.pub").split()[1]
    assert sshkeys.fingerprint(key) == expected
    assert sshkeys.fingerprint(sshkeys.load_public(public_text)) == expected


@needs_ssh_keygen
def test_ssh_keygen_reads_our_encrypted_keys(tmp_path: Path) -> None:
    sshkeys.testonly_set_kdf_rounds(None)  # the real default, as production writes it
    pem, line = sshkeys.generate("ib@school.nl", b"wachtwoord")
    key_file = tmp_path / "key"
    key_file.write_bytes(pem)
    key_file.chmod(0o600)
    derived = ssh_keygen("-y", "-P", "wachtwoord", "-f", key_file).strip()
    assert derived.split()[:2] == line.split()[:2]
    fingerprint_line = ssh_keygen("-lf", key_file)
    assert fingerprint_line.split()[1] == sshkeys.fingerprint(sshkeys.load_public(line))


@needs_ssh_keygen
def test_other_key_types_are_format_errors(tmp_path: Path) -> None:
    key_file = tmp_path / "id_ecdsa"
    ssh_keygen("-q", "-t", "ecdsa", "-N", "", "-f", key_file)
    with pytest.raises(sshkeys.KeyFormatError, match="not an Ed25519 key"):
        sshkeys.load_private(key_file.read_bytes(), None)
    with pytest.raises(sshkeys.KeyFormatError):
        sshkeys.load_public((tmp_path / "id_ecdsa.pub").read_text())
