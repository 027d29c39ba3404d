"""Helpers for the retention, export and sync screen tests (a module of its own, not conftest,
so tests can import it under pytest's importlib mode). All keys are test-only, no passphrase."""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tui.app import ZorgkluisApp, make_app
from vault.crypto import sshkeys
from vault.repository import Vault, unlock_identity

TODAY = dt.date(2026, 11, 20)
SIZE = (120, 40)


@dataclass
class School:
    """A vault with an IB-er ("ib") and a teacher ("lk")."""

    path: Path
    keys: dict[str, Path]

    def key(self, user_id: str = "ib") -> Ed25519PrivateKey:
        return unlock_identity(self.keys[user_id], None)

    def open(self, user_id: str = "ib") -> Vault:
        return Vault.open(self.path, self.key(user_id), durable=False)

    def app(self, user_id: str = "ib", language: str = "nl") -> ZorgkluisApp:
        """The app on this vault, unlocked as `user_id` (no passphrase)."""
        return make_app(
            self.path,
            identity_path=self.keys[user_id],
            passphrase="",
            today=TODAY,
            language=language,
        )


def make_keys(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    keys = {}
    for user in ("ib", "lk"):
        pem, _ = sshkeys.generate(f"{user}@test-only", None)
        keys[user] = folder / f"{user}.key"
        keys[user].write_bytes(pem)
        keys[user].chmod(0o600)
    return keys


def make_school(root: Path, naam: str) -> School:
    """A new vault for school `naam` under `root`."""
    keys = make_keys(root / "sleutels")
    ib = unlock_identity(keys["ib"], None)
    vault = Vault.init(
        root / "kluis",
        school=naam,
        route_id="003",
        user_id="ib",
        name=f"IB {naam}",
        ssh_public_key=sshkeys.public_line(ib),
        recovery_key_out=root / "herstel.txt",
        role="intern_begeleider",
        identity=ib,
        durable=False,
    )
    lk = unlock_identity(keys["lk"], None)
    vault.add_user("lk", f"Leerkracht {naam}", "leerkracht", sshkeys.public_line(lk))
    return School(root / "kluis", keys)


def dossier(
    voornaam: str,
    *,
    groep: int = 6,
    left: str | None = None,
    admitted: str | None = None,
    okr_ready: bool = True,
) -> str:
    """A fictional pupil (canonical style); `left` adds an uitschrijving to the next school."""
    lines = [
        "formaat: zorgkluis-dossier/1",
        "leerling:",
        "  id: ll-placeholder",
        f"  voornaam: {voornaam}",
        "  achternaam: Verzonnen",
        "  geboortedatum: 2015-10-14",
        f"  groep: {groep}",
        "inschrijving:",
        "  ingeschreven: 2010-08-23",
    ]
    if left:
        lines += [
            f"  uitgeschreven: {left}",
            "  reden_uitschrijving: verhuizing",
            "  vervolgschool: OBS De Regenboog",
        ]
    if admitted:
        lines.append(f"  toegelaten_vervolgschool: {admitted}")
    lines += [
        "route: '003'",
        "niveaus:",
        "  - niveau: 1",
        "    vanaf: 2010-08-23",
        "    reden: Instroom.",
        "okr:",
        "  opgesteld: 2026-06-02",
        f"  compleet: {'true' if okr_ready else 'false'}",
        "  aandachtspunten:",
        "    - Technisch lezen.",
        "  inzage_ouders: 2026-06-05",
        "  ouders_akkoord: true",
        "  ondertekend_ouders: 2026-06-05",
    ]
    if okr_ready:
        lines.append("  ouders_geinformeerd_verzending: 2026-06-05")
    lines += [
        "  afschrift_ouders: 2026-06-05",
        "werkaantekeningen:",
        "  - id: wa-1",
        "    auteur: ib",
        "    datum: 2026-01-10",
        "    tekst: GEHEIME-WERKAANTEKENING",
    ]
    return "\n".join(lines) + "\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


class Kit:
    """The helpers as one fixture value."""

    today = TODAY
    size = SIZE
    School = School
    make_school = staticmethod(make_school)
    make_keys = staticmethod(make_keys)
    dossier = staticmethod(dossier)
    git = staticmethod(git)

    @staticmethod
    async def settle(pilot: Pilot[object]) -> None:
        """Wait until workers are done and their messages are handled (no sleeping)."""
        for _ in range(20):
            # An exclusive worker started by a message handler cancels a finishing one.
            with contextlib.suppress(WorkerCancelled):
                await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if all(worker.is_finished for worker in pilot.app.workers):
                return
