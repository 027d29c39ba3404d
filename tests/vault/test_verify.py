"""`verify` catches a flipped byte, an unsigned commit and an unknown signer; git agrees."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

from vault_testkit import TODAY, School, dossier

from vault.crypto import age, sshkeys, sshsig
from vault.git_store import GitStore


class KeySigner:
    """A git Signer for a raw Ed25519 key (to commit around the facade, as an attacker could)."""

    def __init__(self, key: object, email: str) -> None:
        self.key = key
        self.name = email
        self.email = email

    def sign(self, payload: bytes) -> bytes:
        return sshsig.sign(payload, self.key, "git")  # type: ignore[arg-type]


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _setup(school: School) -> tuple[str, Path]:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(), today=TODAY).pupil_id
    ib.put(pid, ib.show(pid).replace("algemene", "extra"), today=TODAY)
    return pid, school.path / "dossiers" / pid / "zorg.age"


def test_clean_vault_verifies_with_zorgkluis_and_git(school: School) -> None:
    _setup(school)
    assert school.as_("lk-els").verify() == []
    shas = _git(school.path, "rev-list", "HEAD").stdout.split()
    assert len(shas) >= 6
    for sha in shas:
        assert _git(school.path, "verify-commit", sha).returncode == 0
    shown = _git(school.path, "log", "--show-signature", "-1").stdout
    assert 'Good "git" signature for ib-anna' in shown


def test_flipped_byte_in_a_signed_commit_is_reported(school: School) -> None:
    pid, zorg = _setup(school)
    signer = KeySigner(school.keys.private["ib-anna"], "ib-anna")
    for at in (40, len(zorg.read_bytes()) - 3):  # header, payload
        GitStore(school.path).commit(
            {f"dossiers/{pid}/zorg.age": _flip(zorg.read_bytes(), at)}, "sabotage", signer
        )
        problems = school.as_("ib-anna").verify()
        assert [(p.kind, pid in p.detail) for p in problems] == [("corrupt", True)]
        GitStore(school.path).commit(
            {f"dossiers/{pid}/zorg.age": _flip(zorg.read_bytes(), at)}, "herstel", signer
        )
        assert school.as_("ib-anna").verify() == []


def test_flipped_byte_in_the_work_tree_is_reported(school: School) -> None:
    _, zorg = _setup(school)
    zorg.write_bytes(_flip(zorg.read_bytes(), 100))
    problems = school.as_("ib-anna").verify()
    assert [p.kind for p in problems] == ["modified"]


def test_unsigned_commit_is_reported(school: School) -> None:
    _, zorg = _setup(school)
    zorg.write_bytes(zorg.read_bytes() + b"x")
    done = _git(school.path, "-c", "user.name=X", "-c", "user.email=x@x", "commit", "-qam", "x")
    assert done.returncode == 0, done.stderr
    sha = _git(school.path, "rev-parse", "HEAD").stdout.strip()
    assert _git(school.path, "verify-commit", sha).returncode != 0
    problems = school.as_("ib-anna").verify()
    assert ("unsigned", sha) in [(p.kind, p.sha) for p in problems]


def test_unknown_signer_is_reported(school: School) -> None:
    pid, _ = _setup(school)
    pem, _ = sshkeys.generate("indringer", None)
    intruder = sshkeys.load_private(pem, None)
    # An insider with the part key writes a well-formed file, signed with a key of their own.
    part_key = age.X25519Identity.parse(school.as_("ib-anna").export_part_key(pid, "zorg"))
    forged = age.encrypt(b"niveaus: []\n", [part_key.recipient()])
    sha = GitStore(school.path).commit(
        {f"dossiers/{pid}/zorg.age": forged},
        "onschuldig ogend",
        KeySigner(intruder, "ib-anna"),
    )
    assert _git(school.path, "verify-commit", sha).returncode != 0
    problems = school.as_("ib-anna").verify()
    assert [(p.kind, p.sha) for p in problems] == [("unknown_signer", sha)]
    assert school.as_("ib-anna").log(pid)[0].signature == "onbekend"


def test_removed_user_old_commits_stay_valid_new_ones_do_not(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=["lk-els"]), today=TODAY).pupil_id
    school.as_("lk-els").put(pid, dossier(pid, zorg_reden="Door Els."), today=TODAY)
    ib.remove_user("lk-els")
    assert ib.verify() == []
    states = {v.author_id: v.signature for v in ib.log(pid)}
    assert states["lk-els"] == "goed"
    for sha in _git(school.path, "rev-list", "HEAD").stdout.split():  # plain git agrees
        assert _git(school.path, "verify-commit", sha).returncode == 0, sha
    # After removal, Els's key no longer signs: for zorgkluis nor (a day later) for git.
    signers = (school.path / ".zorgkluis" / "allowed_signers").read_text()
    assert "lk-els" in signers and "valid-before=" in signers
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    sha = GitStore(school.path).commit(
        {"notities.txt": b"na verwijdering\n"},
        "na verwijdering",
        KeySigner(school.keys.private["lk-els"], "lk-els"),
        when=later,
    )
    assert [(p.kind, p.sha) for p in ib.verify()] == [("unknown_signer", sha)]
    assert _git(school.path, "verify-commit", sha).returncode != 0
