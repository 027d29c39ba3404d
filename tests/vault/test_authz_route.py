"""A school's own route is committed with the vault at init (signed, covered by the rules of
docs/access.md §5), works from any folder or device, and a broken route is a Dutch message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from vault_testkit import TODAY, Keys, dossier

from dossier_format.routes import ROUTES_DIR
from tui.cli import cli
from vault.crypto import sshkeys, sshsig
from vault.errors import UnauthorisedChangeError
from vault.git_store import GitStore
from vault.repository import ROUTE_FILE, Vault


class KeySigner:
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


@pytest.fixture
def own_route_vault(
    tmp_path: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Keys]:
    work = tmp_path / "werk"
    work.mkdir()
    text = (ROUTES_DIR / "003.yaml").read_text().replace("4 niveaus van zorg", "Onze eigen route")
    (work / "eigen.yaml").write_text(text)
    monkeypatch.chdir(work)
    vault = Vault.init(
        tmp_path / "kluis",
        school="De Eigen School",
        route_id="eigen.yaml",  # relative, as typed on the command line
        user_id="ib-anna",
        name="Anna",
        ssh_public_key=keys.public("ib-anna"),
        recovery_key_out=tmp_path / "herstel.txt",
        identity=keys.private["ib-anna"],
        durable=False,
    )
    vault.add_user("lk-els", "Els", "leerkracht", keys.public("lk-els"))
    monkeypatch.chdir(tmp_path)
    (work / "eigen.yaml").unlink()  # the vault no longer needs the file
    return tmp_path / "kluis", keys


def test_own_route_is_committed_and_works_from_elsewhere(
    own_route_vault: tuple[Path, Keys],
) -> None:
    path, keys = own_route_vault
    vault = Vault.open(path, keys.private["ib-anna"], durable=False)
    assert vault.route.naam == "Onze eigen route"
    assert vault.read_file(ROUTE_FILE, vault.history()[-1].sha) is not None  # in the 1st commit
    config = yaml.safe_load((path / ".zorgkluis" / "vault.yaml").read_text())
    assert config["routebestand"] == ROUTE_FILE and "/" not in config["route"]
    pid = vault.new(dossier(), today=TODAY).pupil_id
    assert pid in {p.id for p in vault.list_pupils()}
    env = {"ZORGKLUIS_VAULT": str(path), "ZORGKLUIS_IDENTITY": str(keys.path("ib-anna"))}
    result = CliRunner().invoke(cli, ["new", "--file", "-"], env=env, input=dossier())
    assert result.exit_code == 0, result.output
    assert vault.verify() == []


def test_route_changed_by_a_teacher_is_not_used(own_route_vault: tuple[Path, Keys]) -> None:
    path, keys = own_route_vault
    signer = KeySigner(keys.private["lk-els"], "lk-els")
    text = (path / ROUTE_FILE).read_text().replace("Onze eigen route", "Gewijzigd")
    sha = GitStore(path).commit({ROUTE_FILE: text.encode()}, "route", signer)
    with pytest.raises(UnauthorisedChangeError):
        Vault.open(path, keys.private["ib-anna"], durable=False)
    ib = Vault.open(path, keys.private["ib-anna"], durable=False, allow_untrusted=True)
    assert [(p.kind, p.sha) for p in ib.verify()] == [("unauthorised", sha)]


def test_a_route_that_cannot_be_loaded_is_a_dutch_message(
    own_route_vault: tuple[Path, Keys],
) -> None:
    path, keys = own_route_vault
    # An older vault: its route is a path that only worked in the folder of `init`.
    config = yaml.safe_load((path / ".zorgkluis" / "vault.yaml").read_text())
    del config["routebestand"]
    config["route"] = "eigen.yaml"
    signer = KeySigner(keys.private["ib-anna"], "ib-anna")
    changes = {".zorgkluis/vault.yaml": yaml.safe_dump(config).encode()}
    GitStore(path).commit(changes, "Instellingen", signer)
    env = {"ZORGKLUIS_VAULT": str(path), "ZORGKLUIS_IDENTITY": str(keys.path("ib-anna"))}
    result = CliRunner().invoke(cli, ["new", "--file", "-"], env=env, input=dossier())
    assert result.exit_code == 2
    assert "fout: " in result.output and "bestaat niet" in result.output
    assert "Traceback" not in result.output
