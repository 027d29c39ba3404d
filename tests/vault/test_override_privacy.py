"""An override reason goes into the signed commit message in plain text, readable in the
history forever and on the sync server: a reason with pupil data is refused, nothing saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from vault_testkit import School, dossier

from tui.cli import cli
from vault.crypto import sshkeys
from vault.errors import InvalidInputError

WITH_ERROR = ("  - niveau: 1\n", "  - niveau: 7\n")  # route.niveau_onbekend: needs an override


@pytest.fixture(autouse=True)
def _cheap_bcrypt() -> Iterator[None]:
    sshkeys.testonly_set_kdf_rounds(1)
    yield
    sshkeys.testonly_set_kdf_rounds(None)


@pytest.mark.parametrize(
    ("reason", "named"),
    [
        ("Noor krijgt volgende week een onderzoek", "de voornaam van de leerling"),
        ("Overleg met familie VERZONNEN loopt", "de achternaam van de leerling"),
        ("geboren 4-5-2016, groep klopt niet", "de geboortedatum van de leerling"),
        ("BSN 123456782 volgt", "een nummer van negen cijfers (zoals een BSN)"),
        ("ouders: ouder@voorbeeld.nl, 06-12345678", "een e-mailadres en een telefoonnummer"),
    ],
)
def test_a_new_dossier_with_pupil_data_in_the_reason_is_refused(
    school: School, reason: str, named: str
) -> None:
    vault = school.as_("ib-anna")
    head = vault.head()
    with pytest.raises(InvalidInputError) as caught:
        vault.new(dossier().replace(*WITH_ERROR), override=reason)
    assert caught.value.message.startswith(f"De reden bevat {named}")
    assert "geschiedenis" in caught.value.hint
    assert vault.head() == head and vault.list_pupils() == []  # nothing saved


def test_put_refuses_it_too_and_keeps_the_saved_version(school: School) -> None:
    vault = school.as_("ib-anna")
    pid = vault.new(dossier()).pupil_id
    head = vault.head()
    before = vault.show(pid)
    edited = before.replace(*WITH_ERROR)
    with pytest.raises(InvalidInputError, match="voornaam van de leerling"):
        vault.put(pid, edited, override="Fout bij Noor, wordt morgen hersteld")
    assert vault.head() == head and vault.show(pid) == before
    # Even a save without check errors: the reason would still go into the history.
    with pytest.raises(InvalidInputError, match="achternaam"):
        vault.put(pid, before.replace("algemene zorg", "extra zorg"), override="Verzonnen")
    assert vault.head() == head


def test_a_reason_without_pupil_data_is_saved_in_the_history(school: School) -> None:
    vault = school.as_("ib-anna")
    pid = vault.new(dossier()).pupil_id
    result = vault.put(pid, vault.show(pid).replace(*WITH_ERROR), override="Wordt rechtgezet")
    assert result.commit is not None
    assert "Override: Wordt rechtgezet" in vault.log(pid)[0].message


def test_the_cli_says_what_was_found_and_exits_2(school: School, tmp_path: Path) -> None:
    env = {
        "ZORGKLUIS_VAULT": str(school.path),
        "ZORGKLUIS_IDENTITY": str(school.keys.path("ib-anna")),
    }
    src = tmp_path / "d.yaml"
    src.write_text(dossier().replace(*WITH_ERROR))
    result = CliRunner().invoke(
        cli, ["new", "--file", str(src), "--override", "noor verzonnen"], env=env
    )
    assert result.exit_code == 2, result.output
    assert "De reden bevat de voornaam van de leerling en de achternaam" in result.output
    assert "niets opgeslagen" in result.output
