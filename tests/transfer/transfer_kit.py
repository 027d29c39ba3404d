"""Helpers for the transfer tests: real vaults with test-only keys, real git repositories and
real age files, and a fictional leaving pupil. (A module of its own, not conftest, so tests can
import it under pytest's importlib mode; conftest.py puts this folder on sys.path.)"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vault.crypto import sshkeys
from vault.repository import Vault, unlock_identity

TODAY = dt.date(2025, 6, 20)


@dataclass
class School:
    """A vault with an IB-er ("ib") and a teacher ("lk"); test-only keys without passphrase."""

    path: Path
    keys: dict[str, Path]
    private: dict[str, Ed25519PrivateKey]

    def as_(self, user_id: str = "ib") -> Vault:
        return Vault.open(self.path, self.private[user_id])

    def env(self, user_id: str = "ib") -> dict[str, str]:
        env = dict(os.environ)
        env["ZORGKLUIS_VAULT"] = str(self.path)
        env["ZORGKLUIS_IDENTITY"] = str(self.keys[user_id])
        env.pop("ZORGKLUIS_PASSPHRASE", None)
        return env


def make_school(root: Path, naam: str, route: str = "003") -> School:
    """Create a vault for school `naam` under `root` (test-only keys)."""
    root.mkdir(parents=True)
    keys: dict[str, Path] = {}
    private: dict[str, Ed25519PrivateKey] = {}
    for user in ("ib", "lk"):
        pem, _ = sshkeys.generate(f"{user}@test-only", None)
        keys[user] = root / f"{user}.key"
        keys[user].write_bytes(pem)
        keys[user].chmod(0o600)
        private[user] = unlock_identity(keys[user], None)
    vault = Vault.init(
        root / "kluis",
        school=naam,
        route_id=route,
        user_id="ib",
        name=f"IB {naam}",
        ssh_public_key=sshkeys.public_line(private["ib"]),
        recovery_key_out=root / "herstel.txt",
        role="intern_begeleider",
        identity=private["ib"],
    )
    vault.add_user("lk", f"Leerkracht {naam}", "leerkracht", sshkeys.public_line(private["lk"]))
    return School(root / "kluis", keys, private)


def dossier(*, okr_ready: bool = True, werk: str | None = "GEHEIME-WERKAANTEKENING") -> str:
    """A fictional pupil who leaves school A for OBS De Regenboog (canonical style)."""
    lines = [
        "formaat: zorgkluis-dossier/1",
        "leerling:",
        "  id: ll-placeholder",
        "  voornaam: Noor",
        "  achternaam: Verzonnen",
        "  geboortedatum: 2015-10-14",
        "  groep: 6",
        "inschrijving:",
        "  ingeschreven: 2019-08-26",
        "  uitgeschreven: 2025-06-13",
        "  reden_uitschrijving: verhuizing",
        "  vervolgschool: OBS De Regenboog",
        "route: '003'",
        "betrokkenen:",
        "  - medewerker: lk",
        "    rol: leerkracht",
        "niveaus:",
        "  - niveau: 1",
        "    vanaf: 2019-08-26",
        "    reden: Instroom.",
        "toetsen:",
        "  - id: tt-1",
        "    toets: DMT",
        "    soort: lvs",
        "    moment: M6",
        "    datum: 2025-01-20",
        "    score: 42",
        "    niveau: IV",
        "okr:",
        "  opgesteld: 2025-06-02",
        f"  compleet: {'true' if okr_ready else 'false'}",
        "  aandachtspunten:",
        "    - Technisch lezen <b>tempo</b> & rust.",
        "  inzage_ouders: 2025-06-05",
        "  ouders_akkoord: true",
        "  ondertekend_ouders: 2025-06-05",
    ]
    if okr_ready:
        lines.append("  ouders_geinformeerd_verzending: 2025-06-05")
    lines.append("  afschrift_ouders: 2025-06-05")
    if werk:
        lines += [
            "werkaantekeningen:",
            "  - id: wa-1",
            "    auteur: ib",
            "    datum: 2025-01-10",
            f"    tekst: {werk}",
        ]
    return "\n".join(lines) + "\n"


SENDER_YAML = """\
naam: Basisschool De Notenkraker
brin: 99ZZ
adres:
  straat: Schoolstraat
  nummer: '1'
  postcode: 9999AA
  plaats: Voorbeeldstad
telefoon: '0100000000'
"""

# Fictional OSO data Zorgkluis does not model (no real person; obvious placeholder number).
X_OSO = """\
x_oso:
  leerling:
    geslacht: '2'
    adresgeheim: false
    adreslijst:
      adres:
        soortadres: gba
        straat: Kastanjelaan
        nummer: '12'
        postcode: 9999DD
        plaats: Voorbeeldstad
    onderwijsnummer: ONDERWIJSNUMMER-TEST-1
    verzorgersaansprakelijk: true
    verzorger:
      - voornaam: Sanne
        achternaam: Verzonnen
        relatietotkind: '2'
        wettigevertegenwoordiger: true
"""
