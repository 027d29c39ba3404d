"""age encryption: our own round trips, error classes, and interop with the real `age` CLI."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from vault.crypto import age, sshkeys

needs_age = pytest.mark.skipif(
    shutil.which("age") is None or shutil.which("age-keygen") is None,
    reason="the age CLI (Debian package 'age') is not installed",
)

CHUNK = 64 * 1024


def run(*args: str | Path, stdin: bytes = b"") -> bytes:
    result = subprocess.run([str(a) for a in args], input=stdin, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def cli_keypair(tmp_path: Path) -> tuple[Path, str]:
    key_file = tmp_path / "key.txt"
    run("age-keygen", "-o", key_file)
    return key_file, run("age-keygen", "-y", key_file).decode().strip()


def test_x25519_round_trip_and_key_strings() -> None:
    identity = age.X25519Identity.generate()
    recipient = identity.recipient()
    assert identity.to_string().startswith("AGE-SECRET-KEY-1")
    assert recipient.to_string().startswith("age1")
    assert age.X25519Identity.parse(identity.to_string()) == identity
    assert age.X25519Recipient.parse(recipient.to_string()) == recipient
    ciphertext = age.encrypt(b"hallo", [recipient])
    assert age.decrypt(ciphertext, [identity]) == b"hallo"


def test_multiple_recipients_each_decrypt() -> None:
    ids = [age.X25519Identity.generate() for _ in range(3)]
    ciphertext = age.encrypt(b"gedeeld", [i.recipient() for i in ids])
    for identity in ids:
        assert age.decrypt(ciphertext, [identity]) == b"gedeeld"


def test_wrong_identity_is_no_match() -> None:
    ciphertext = age.encrypt(b"x", [age.X25519Identity.generate().recipient()])
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt(ciphertext, [age.X25519Identity.generate()])


def test_malformed_key_strings_are_refused() -> None:
    recipient = age.X25519Identity.generate().recipient().to_string()
    with pytest.raises(ValueError, match="malformed"):
        age.X25519Recipient.parse(recipient[:-1] + ("q" if recipient[-1] != "q" else "p"))
    with pytest.raises(ValueError, match="malformed"):
        age.X25519Identity.parse(recipient)  # a public key is not an identity
    with pytest.raises(ValueError, match="malformed"):
        age.X25519Recipient.parse(recipient[:10] + recipient[10:].upper())  # mixed case


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7])
def test_stream_chunk_boundaries_round_trip(size: int) -> None:
    identity = age.X25519Identity.generate()
    plaintext = os.urandom(size)
    ciphertext = age.encrypt(plaintext, [identity.recipient()])
    assert age.decrypt(ciphertext, [identity]) == plaintext


def test_tampering_and_truncation_are_payload_errors() -> None:
    identity = age.X25519Identity.generate()
    ciphertext = age.encrypt(os.urandom(CHUNK + 100), [identity.recipient()])
    flipped = bytearray(ciphertext)
    flipped[-5] ^= 1
    with pytest.raises(age.PayloadError):
        age.decrypt(bytes(flipped), [identity])
    with pytest.raises(age.PayloadError):
        age.decrypt(ciphertext[:-150], [identity])  # cut inside the last chunk
    with pytest.raises(age.PayloadError):
        age.decrypt(ciphertext + b"\0", [identity])
    # Dropping the final chunk leaves a full chunk not marked last: truncated.
    with pytest.raises(age.PayloadError):
        age.decrypt(ciphertext[: -(100 + 16)], [identity])


def test_header_tampering_is_a_mac_error() -> None:
    identity = age.X25519Identity.generate()
    other = age.X25519Identity.generate()
    ciphertext = age.encrypt(b"x", [identity.recipient(), other.recipient()])
    # Swap the order of the two stanzas: still well-formed, but not what was MACed.
    head, sep, rest = ciphertext.partition(b"\n---")
    intro, s1, s2 = head.split(b"\n-> ")
    with pytest.raises(age.HeaderMacError):
        age.decrypt(b"\n-> ".join([intro, s2, s1]) + sep + rest, [identity])


def test_armor_round_trip_and_detection() -> None:
    identity = age.X25519Identity.generate()
    armored = age.encrypt(b"tekst", [identity.recipient()], armor=True)
    assert armored.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert armored.endswith(b"\n-----END AGE ENCRYPTED FILE-----\n")
    assert all(len(line) <= 64 for line in armored.splitlines())
    assert age.decrypt(armored, [identity]) == b"tekst"
    assert age.decrypt(b"\r\n \t\n" + armored.replace(b"\n", b"\r\n"), [identity]) == b"tekst"
    with pytest.raises(age.ArmorError):
        age.decrypt(armored.replace(b"\n", b"\n ", 2), [identity])


def test_scrypt_round_trip_and_rules() -> None:
    ciphertext = age.encrypt(b"geheim", [age.ScryptRecipient(b"wachtwoord", work_factor=10)])
    assert b"-> scrypt " in ciphertext and b" 10\n" in ciphertext
    assert age.decrypt(ciphertext, [age.ScryptIdentity(b"wachtwoord")]) == b"geheim"
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt(ciphertext, [age.ScryptIdentity(b"fout")])
    with pytest.raises(age.HeaderError, match="above the limit"):
        age.decrypt(ciphertext, [age.ScryptIdentity(b"wachtwoord", max_work_factor=9)])
    with pytest.raises(ValueError, match="only recipient"):
        age.encrypt(
            b"x",
            [age.ScryptRecipient(b"pw", 10), age.X25519Identity.generate().recipient()],
        )


def test_testonly_scrypt_hook_lowers_the_work_factor() -> None:
    age.testonly_set_scrypt_work_factor(4)
    try:
        ciphertext = age.encrypt(b"snel", [age.ScryptRecipient(b"pw")])
    finally:
        age.testonly_set_scrypt_work_factor(None)
    assert b" 4\n" in ciphertext.split(b"\n---")[0]
    assert age.decrypt(ciphertext, [age.ScryptIdentity(b"pw")]) == b"snel"


# --- interop with the reference CLI -----------------------------------------------------------


@needs_age
@pytest.mark.parametrize("armor", [False, True])
def test_cli_decrypts_our_x25519_files(tmp_path: Path, armor: bool) -> None:
    key_file, public = cli_keypair(tmp_path)
    plaintext = os.urandom(1000)
    encrypted = tmp_path / "f.age"
    encrypted.write_bytes(age.encrypt(plaintext, [age.X25519Recipient.parse(public)], armor=armor))
    assert run("age", "-d", "-i", key_file, encrypted) == plaintext


@needs_age
@pytest.mark.parametrize("armor", [False, True])
def test_we_decrypt_cli_x25519_files(tmp_path: Path, armor: bool) -> None:
    identity = age.X25519Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(identity.to_string() + "\n")
    assert run("age-keygen", "-y", key_file).decode().strip() == identity.recipient().to_string()
    plaintext = os.urandom(1000)
    flags = ["-a"] if armor else []
    ciphertext = run("age", *flags, "-r", identity.recipient().to_string(), stdin=plaintext)
    assert ciphertext.startswith(b"-----BEGIN" if armor else b"age-encryption.org/v1\n")
    assert age.decrypt(ciphertext, [identity]) == plaintext


@needs_age
@pytest.mark.parametrize("size", [0, CHUNK, CHUNK + 1, 3 * CHUNK + 5, 2 * CHUNK])
def test_cli_interop_at_chunk_boundaries(tmp_path: Path, size: int) -> None:
    key_file, public = cli_keypair(tmp_path)
    identity = age.X25519Identity.parse(
        next(line for line in key_file.read_text().splitlines() if line.startswith("AGE-"))
    )
    plaintext = os.urandom(size)
    ours = tmp_path / "ours.age"
    ours.write_bytes(age.encrypt(plaintext, [identity.recipient()]))
    assert run("age", "-d", "-i", key_file, ours) == plaintext
    theirs = run("age", "-r", public, stdin=plaintext)
    assert len(theirs) == len(ours.read_bytes())  # same chunking, same overhead
    assert age.decrypt(theirs, [identity]) == plaintext


# --- ssh-ed25519 recipients (agessh) ----------------------------------------------------------


def ssh_key(tmp_path: Path, name: str = "id_ed25519") -> tuple[Path, str]:
    key_file = tmp_path / name
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test-only", "-f", key_file)
    return key_file, (tmp_path / f"{name}.pub").read_text().strip()


def test_ssh_ed25519_round_trip_and_no_match() -> None:
    key = Ed25519PrivateKey.generate()
    recipient = age.SshEd25519Recipient.from_openssh(sshkeys.public_line(key, "x"))
    ciphertext = age.encrypt(b"deelsleutel", [recipient])
    assert b"\n-> ssh-ed25519 " in ciphertext
    assert age.decrypt(ciphertext, [age.SshEd25519Identity(key)]) == b"deelsleutel"
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt(ciphertext, [age.SshEd25519Identity(Ed25519PrivateKey.generate())])


@needs_age
def test_cli_encrypts_to_ssh_key_we_decrypt(tmp_path: Path) -> None:
    key_file, public = ssh_key(tmp_path)
    plaintext = os.urandom(CHUNK + 3)
    ciphertext = run("age", "-R", tmp_path / "id_ed25519.pub", stdin=plaintext)
    key = sshkeys.load_private(key_file.read_bytes(), None)
    assert sshkeys.public_line(key, "test-only") == public
    assert age.decrypt(ciphertext, [age.SshEd25519Identity(key)]) == plaintext


@needs_age
@pytest.mark.parametrize("armor", [False, True])
def test_we_encrypt_to_ssh_key_cli_decrypts(tmp_path: Path, armor: bool) -> None:
    key_file, public = ssh_key(tmp_path)
    other_file, other_public = ssh_key(tmp_path, "other")
    plaintext = os.urandom(500)
    recipients = [age.SshEd25519Recipient.from_openssh(p) for p in (other_public, public)]
    encrypted = tmp_path / "f.age"
    encrypted.write_bytes(age.encrypt(plaintext, recipients, armor=armor))
    assert run("age", "-d", "-i", key_file, encrypted) == plaintext
    assert run("age", "-d", "-i", other_file, encrypted) == plaintext


# --- scrypt with the CLI: age reads passphrases only from a terminal, so give it a pty ---------


def run_with_tty(argv: list[str], passphrase: bytes, prompts: int) -> None:
    """Run `argv` on a new pseudo-terminal, answering each passphrase prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal, so /dev/tty works
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    output, answered = b"", 0
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 60)
            if not ready:
                raise AssertionError(f"{argv[0]} hung; output so far: {output!r}")
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if answered < prompts and output.rstrip().endswith(b":"):
                os.write(fd, passphrase + b"\n")
                answered += 1
                output = b""
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")
    assert answered == prompts


@needs_age
def test_scrypt_interop_with_cli(tmp_path: Path) -> None:
    plaintext = b"herstelsleutel\n" * 100
    ours = tmp_path / "ours.age"
    ours.write_bytes(age.encrypt(plaintext, [age.ScryptRecipient(b"correct paard", 10)]))
    run_with_tty(["age", "-d", "-o", str(tmp_path / "ours.out"), str(ours)], b"correct paard", 1)
    assert (tmp_path / "ours.out").read_bytes() == plaintext

    (tmp_path / "plain").write_bytes(plaintext)
    theirs = tmp_path / "theirs.age"
    run_with_tty(["age", "-p", "-o", str(theirs), str(tmp_path / "plain")], b"correct paard", 2)
    assert b"\n-> scrypt " in theirs.read_bytes()  # age's default work factor (18): ~2 s here
    assert age.decrypt(theirs.read_bytes(), [age.ScryptIdentity(b"correct paard")]) == plaintext


# --- canonical encodings, by property --------------------------------------------------------

_arg = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12)


@given(
    st.lists(
        st.tuples(_arg, st.lists(_arg, max_size=3), st.binary(max_size=200)), min_size=1, max_size=4
    )
)
def test_header_encoding_round_trips(raw_stanzas: list[tuple[str, list[str], bytes]]) -> None:
    stanzas = [age.Stanza(t, tuple(a), b) for t, a, b in raw_stanzas]
    signed = age._INTRO + b"".join(map(age._encode_stanza, stanzas)) + b"---"
    header = age._parse_header(signed + b" " + b"A" * 42 + b"w\n")
    assert header.stanzas == stanzas
    assert header.signed == signed


@given(st.binary(min_size=1, max_size=400))
def test_armor_round_trips(data: bytes) -> None:
    armored = age._armor(data)
    assert all(len(line) <= 64 for line in armored.split(b"\n"))
    assert age._dearmor(armored) == data
