"""Authorisation that holds in the history (docs/access.md §5): forged commits, made with a
staff member's real key through the same commit machinery or plain git, are reported by
`verify`, refused by `open` and sync, and never lead to a key being granted."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from vault_testkit import TODAY, School, dossier

from tui.cli import cli
from vault.crypto import age, sshkeys, sshsig
from vault.errors import UnauthorisedChangeError
from vault.git_store import GitStore
from vault.repository import Vault
from vault.sync import clone, sync
from vault.users import User, allowed_signers, dump_users, parse_users


class KeySigner:
    """A git Signer for a staff member's own key, used around the facade (as they could)."""

    def __init__(self, key: object, email: str) -> None:
        self.key = key
        self.name = email
        self.email = email

    def sign(self, payload: bytes) -> bytes:
        return sshsig.sign(payload, self.key, "git")  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _cheap_bcrypt() -> Iterator[None]:
    sshkeys.testonly_set_kdf_rounds(1)
    yield
    sshkeys.testonly_set_kdf_rounds(None)


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True)


def _forge(school: School, user_id: str, changes: Mapping[str, bytes | None], msg: str) -> str:
    signer = KeySigner(school.keys.private[user_id], user_id)
    return GitStore(school.path).commit(changes, msg, signer)


def _outsider(tmp_path: Path) -> tuple[object, str]:
    pem, public = sshkeys.generate("buitenstaander", None)
    return sshkeys.load_private(pem, None), public


def _opens(entry_file: Path, identity: age.Identity) -> bool:
    try:
        age.decrypt(entry_file.read_bytes(), [identity])
    except age.AgeError:
        return False
    return True


def _unauthorised(vault: Vault) -> list[str]:
    return [p.sha for p in vault.verify() if p.kind == "unauthorised"]


def _pupil(school: School, betrokkenen: tuple[str, ...] = ("lk-els",)) -> str:
    return school.as_("ib-anna").new(dossier(betrokkenen=betrokkenen), today=TODAY).pupil_id


# ----------------------------------------------------------------- (a) the user list


def test_teacher_making_herself_directie_with_an_outsider_is_refused(
    school: School, tmp_path: Path
) -> None:
    pid = _pupil(school, ())
    outsider_key, outsider_pub = _outsider(tmp_path)
    users = parse_users((school.path / ".zorgkluis/users.yaml").read_bytes())
    users = [User(u.id, u.naam, "directie", u.public_key) if u.id == "lk-els" else u for u in users]
    users.append(User("x-buiten", "Buiten", "directie", " ".join(outsider_pub.split()[:2])))
    old_signers = (school.path / ".zorgkluis/allowed_signers").read_bytes()
    sha = _forge(
        school,
        "lk-els",
        {
            ".zorgkluis/users.yaml": dump_users(users),
            ".zorgkluis/allowed_signers": allowed_signers(users, old_signers),
        },
        "Medewerker x-buiten toegevoegd (directie)",
    )
    # verify (as the IB-er, read-only) names the commit, in Dutch
    ib = Vault.open(school.path, school.keys.private["ib-anna"], allow_untrusted=True)
    problems = [p for p in ib.verify() if p.kind == "unauthorised"]
    assert [p.sha for p in problems] == [sha]
    assert "alleen directie of een intern begeleider" in problems[0].detail
    # the honest client refuses to act on the tampered list: open fails, a save is refused
    with pytest.raises(UnauthorisedChangeError) as refused:
        school.as_("ib-anna")
    assert sha[:12] in refused.value.message and refused.value.hint
    with pytest.raises(UnauthorisedChangeError):
        ib.put(pid, ib.show(pid).replace("algemene", "extra"), today=TODAY)
    with pytest.raises(UnauthorisedChangeError):
        ib.grant(pid, "lk-bob")
    # no key was granted: the outsider opens no key-store entry, Els still not this pupil's
    outsider = age.SshEd25519Identity(outsider_key)  # type: ignore[arg-type]
    keystore = school.path / ".git" / "zorgkluis" / "keystore" / pid
    for part in ("administratie", "zorg"):
        assert not _opens(keystore / f"{part}.age", outsider)
        assert not _opens(
            keystore / f"{part}.age", age.SshEd25519Identity(school.keys.private["lk-els"])
        )


def test_a_commit_building_on_a_forged_promotion_is_reported_too(school: School) -> None:
    pid = _pupil(school, ())
    users = parse_users((school.path / ".zorgkluis/users.yaml").read_bytes())
    promoted = [
        User(u.id, u.naam, "directie", u.public_key) if u.id == "lk-bob" else u for u in users
    ]
    first = _forge(school, "lk-bob", {".zorgkluis/users.yaml": dump_users(promoted)}, "rol")
    # As "directie" (per the forged list) Bob now deletes a pupil he could never read.
    gone = {
        f"dossiers/{pid}/{n}": None for n in ("administratie.age", "zorg.age", "samenvatting.age")
    }
    second = _forge(school, "lk-bob", gone, "opruimen")
    ib = Vault.open(school.path, school.keys.private["ib-anna"], allow_untrusted=True)
    assert _unauthorised(ib) == [first, second]


def test_ib_adds_a_user_and_everything_still_verifies(school: School, tmp_path: Path) -> None:
    pid = _pupil(school)
    _, public = _outsider(tmp_path)
    ib = school.as_("ib-anna")
    ib.add_user("lk-nieuw", "Nieuw", "leerkracht", public)
    ib.grant(pid, "lk-nieuw")
    assert ib.verify() == []
    assert school.as_("dir-piet").verify() == []
    school.as_("lk-els").put(pid, dossier(pid, zorg_reden="Door Els."), today=TODAY)
    assert school.as_("ib-anna").verify() == []


# ----------------------------------------------------------------- (b) the recovery key


def test_swapped_recovery_key_by_plain_git_is_refused(school: School) -> None:
    pid = _pupil(school)
    thief = age.X25519Identity.generate()
    config_file = school.path / ".zorgkluis" / "vault.yaml"
    config = yaml.safe_load(config_file.read_text())
    config["herstelsleutel"] = thief.recipient().to_string()
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={school.keys.path('lk-els')}"]
    ident = ["-c", "user.name=Els", "-c", "user.email=lk-els"]
    done = _git(school.path, *signing, *ident, "commit", "-S", "-qam", "Instellingen")
    assert done.returncode == 0, done.stderr
    sha = _git(school.path, "rev-parse", "HEAD").stdout.strip()
    assert _git(school.path, "verify-commit", sha).returncode == 0  # git alone sees no problem
    ib = Vault.open(school.path, school.keys.private["ib-anna"], allow_untrusted=True)
    assert _unauthorised(ib) == [sha]
    with pytest.raises(UnauthorisedChangeError):
        school.as_("ib-anna")
    with pytest.raises(UnauthorisedChangeError):
        ib.grant(pid, "lk-bob")  # the `access --add` that used to re-encrypt to the thief
    keystore = school.path / ".git" / "zorgkluis" / "keystore" / pid
    for part in ("administratie", "zorg"):
        assert not _opens(keystore / f"{part}.age", thief)
    # Restoring the history to before the change makes the vault usable again.
    assert _git(school.path, "reset", "-q", "--hard", f"{sha}^").returncode == 0
    school.as_("ib-anna").grant(pid, "lk-bob")
    assert school.as_("ib-anna").verify() == []


# ----------------------------------------------------------------- (c) dossiers


def test_deleting_another_pupils_dossier_is_reported(school: School) -> None:
    pid = _pupil(school)  # lk-els is betrokken, lk-bob is not
    files = _git(school.path, "ls-files", f"dossiers/{pid}").stdout.split()
    sha = _forge(school, "lk-bob", dict.fromkeys(files), "opruimen")
    problems = [p for p in school.as_("ib-anna").verify() if p.kind == "unauthorised"]
    assert [p.sha for p in problems] == [sha]
    assert "verwijderde het dossier" in problems[0].detail
    # Even a betrokken teacher may not remove a whole dossier.
    _git(school.path, "reset", "-q", "--hard", f"{sha}^")
    sha = _forge(school, "lk-els", dict.fromkeys(files), "opruimen")
    assert _unauthorised(school.as_("ib-anna")) == [sha]


def test_changing_a_pupil_one_cannot_read_is_reported(school: School) -> None:
    pid = _pupil(school)
    zorg = school.path / "dossiers" / pid / "zorg.age"
    sha = _forge(school, "lk-bob", {f"dossiers/{pid}/zorg.age": zorg.read_bytes()[:-1]}, "x")
    vaults = [school.as_("ib-anna"), school.as_("dir-piet")]
    for vault in vaults:
        assert _unauthorised(vault) == [sha]
    # Bob cannot judge a pupil he cannot read; he is told so.
    bob = school.as_("lk-bob")
    assert _unauthorised(bob) == []
    assert bob.unchecked_changes == 1


def test_someone_elses_werkaantekeningen_are_the_authors_only(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(werk=[("ib-anna", "Eigen notitie.")]), today=TODAY).pupil_id
    path = f"dossiers/{pid}/werkaantekeningen/ib-anna.age"
    sha = _forge(school, "dir-piet", {path: b"overschreven"}, "x")
    assert _unauthorised(school.as_("ib-anna")) == [sha]


def test_legitimate_dossier_work_verifies(school: School) -> None:
    pid = _pupil(school)
    els = school.as_("lk-els")
    els.put(pid, dossier(pid, zorg_reden="Door Els.", werk=[("lk-els", "Notitie.")]), today=TODAY)
    school.as_("ib-anna").grant(pid, "lk-bob")
    bob = school.as_("lk-bob")
    bob.put(pid, bob.show(pid).replace("Door Els.", "Door Bob."), today=TODAY)
    school.as_("ib-anna").revoke(pid, "lk-bob")
    new = school.as_("sp-ria").new(dossier(betrokkenen=()), today=TODAY).pupil_id
    school.as_("sp-ria").put(
        new, school.as_("sp-ria").show(new).replace("algemene", "x"), today=TODAY
    )
    for user in ("ib-anna", "dir-piet", "lk-els", "lk-bob", "sp-ria"):
        vault = school.as_(user)
        assert vault.verify() == [], user
        assert vault.unchecked_changes == 0 or user in ("lk-els", "lk-bob", "sp-ria")


# ----------------------------------------------------------------- sync


def test_sync_refuses_a_forged_deletion_from_the_server(school: School, tmp_path: Path) -> None:
    pid = _pupil(school)
    bare = tmp_path / "server.git"
    assert _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare)).returncode == 0
    ib = school.as_("ib-anna")
    sync(ib, school.keys.private["ib-anna"], str(bare), today=TODAY)
    other = clone(str(bare), tmp_path / "bob")
    files = _git(other, "ls-files", f"dossiers/{pid}").stdout.split()
    signer = KeySigner(school.keys.private["lk-bob"], "lk-bob")
    sha = GitStore(other).commit(dict.fromkeys(files), "opruimen", signer)
    assert _git(other, "push", "-q", str(bare), "main").returncode == 0
    before = ib.head()
    with pytest.raises(UnauthorisedChangeError) as refused:
        sync(ib, school.keys.private["ib-anna"], str(bare), today=TODAY)
    assert sha[:12] in refused.value.message
    assert ib.head() == before
    assert (school.path / "dossiers" / pid / "zorg.age").exists()


def test_sync_refuses_a_forged_user_list(school: School, tmp_path: Path) -> None:
    bare = tmp_path / "server.git"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    ib = school.as_("ib-anna")
    sync(ib, school.keys.private["ib-anna"], str(bare), today=TODAY)
    other = clone(str(bare), tmp_path / "els")
    users = parse_users((other / ".zorgkluis/users.yaml").read_bytes())
    users = [User(u.id, u.naam, "directie", u.public_key) if u.id == "lk-els" else u for u in users]
    signer = KeySigner(school.keys.private["lk-els"], "lk-els")
    GitStore(other).commit({".zorgkluis/users.yaml": dump_users(users)}, "rol", signer)
    _git(other, "push", "-q", str(bare), "main")
    with pytest.raises(UnauthorisedChangeError):
        sync(ib, school.keys.private["ib-anna"], str(bare), today=TODAY)
    assert school.as_("ib-anna").users()[2].rol == "leerkracht"


# ----------------------------------------------------------------- the root of trust


def test_a_history_with_another_first_commit_is_refused(school: School) -> None:
    school.as_("ib-anna")  # pins the first commit on this device
    tree = _git(school.path, "rev-parse", "HEAD^{tree}").stdout.strip()
    # A fresh root with the same files, signed by Els (plain git), put in place of the branch.
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={school.keys.path('lk-els')}"]
    ident = ["-c", "user.name=Els", "-c", "user.email=lk-els"]
    done = _git(school.path, *signing, *ident, "commit-tree", "-S", "-m", "Kluis aangemaakt", tree)
    assert done.returncode == 0, done.stderr
    assert _git(school.path, "reset", "-q", "--hard", done.stdout.strip()).returncode == 0
    with pytest.raises(UnauthorisedChangeError):
        school.as_("ib-anna")
    with pytest.raises(UnauthorisedChangeError):
        school.as_("lk-els")


# ----------------------------------------------------------------- CLI


def test_cli_verify_reports_in_dutch_and_exits_1(school: School) -> None:
    users = parse_users((school.path / ".zorgkluis/users.yaml").read_bytes())
    promoted = [
        User(u.id, u.naam, "directie", u.public_key) if u.id == "lk-els" else u for u in users
    ]
    sha = _forge(school, "lk-els", {".zorgkluis/users.yaml": dump_users(promoted)}, "rol")
    env = {
        "ZORGKLUIS_VAULT": str(school.path),
        "ZORGKLUIS_IDENTITY": str(school.keys.path("ib-anna")),
    }
    result = CliRunner().invoke(cli, ["verify"], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert f"PROBLEEM {sha[:10]}: niet toegestane wijziging" in result.output
    assert "git reset --hard" in result.output
    result = CliRunner().invoke(cli, ["list"], env=env, catch_exceptions=False)
    assert result.exit_code == 2 and "Traceback" not in result.output
