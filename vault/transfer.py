"""Transfer of a pupil to the next school: export bundles, OSO XML, import (docs/transfer.md).

The school's transfer identity is a school-level pair of keys, made once per vault by a
directie member or intern begeleider (`transfer_card`):

- an age X25519 key: other schools encrypt bundles to its recipient (`age1…`);
- an Ed25519 signing key: this school signs the bundles it sends (SSHSIG, namespace
  `SIGN_NAMESPACE`).

Their public halves are committed in `.zorgkluis/overdracht.yaml`; the private halves live in
`.git/zorgkluis/overdracht.age` (never committed), age-encrypted to the directie and intern
begeleiders of the vault plus the school's recovery key, like the part keys.

Known sending schools are committed in `.zorgkluis/scholen.yaml`.

A bundle is `age(tar)`, encrypted to the receiving school only. The tar holds
`manifest.yaml` (what is in, what was withheld, sender, receiver, date, format version, the
SHA-256 of every part file), `manifest.yaml.sig` (the sender's detached SSH signature of the
manifest) and `delen/<part>.yaml`. `open_bundle` refuses, before anything is written: a file
not encrypted to us or addressed to another school, any damage (age authentication, a part
whose hash differs), a missing or bad signature, and a signer that is not a known school
(unless its fingerprint is confirmed).

The gate runs on what is sent; the parents' zienswijzen about the OKR always go with it, also
when the zorg part is withheld (`plan_export`). An import refuses a pupil that is probably
already in the vault (`find_duplicates`) unless confirmed, and keeps no staff ids of the
sending school (`_foreign_staff`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import tarfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_format import codec, okr, oso, oso_validate, parts, schema
from dossier_format.errors import DossierError
from dossier_format.findings import Finding
from dossier_format.oso import OsoError, Profile, SchoolInfo
from vault import access
from vault.crypto import age, sshkeys, sshsig
from vault.errors import (
    ChecksFailedError,
    InvalidInputError,
    NoAccessError,
    NotPermittedError,
    VaultError,
)
from vault.keystore import atomic_write
from vault.repository import SaveResult, Vault

BUNDLE_FORMAT = "zorgkluis-overdracht/1"
SIGN_NAMESPACE = "zorgkluis-overdracht@1"
PUBLIC_FILE = ".zorgkluis/overdracht.yaml"
SCHOOLS_FILE = ".zorgkluis/scholen.yaml"
OSO_SCHOOL_FILE = ".zorgkluis/oso-school.yaml"
SECRET_FILE = Path(".git") / "zorgkluis" / "overdracht.age"
MANIFEST = "manifest.yaml"
SIGNATURE = "manifest.yaml.sig"
PART_DIR = "delen/"
TRANSFER_PARTS: tuple[str, ...] = ("administratie", "zorg", "okr")
"""Parts that may go to the next school (werkaantekeningen never do, 003 §4.4)."""
OPTIONAL_PARTS: tuple[str, ...] = ("zorg",)
"""Parts the sender may choose to withhold; administratie and okr always go."""
OKR_VIEWS = "zienswijzen bij het okr"
"""What `ExportPlan.included` names when `zorg` is withheld but the parents' zienswijzen about
the OKR still go with it (in a `zorg` part that holds only them; 003 §4.1)."""

_PUBLIC_FORMAT = "zorgkluis-overdrachtsleutel/1"
_SCHOOLS_FORMAT = "zorgkluis-scholen/1"
_SECRET_HEADER = "# zorgkluis-overdrachtsleutels/1"
_MAX_BUNDLE_MEMBERS = 16
_AGE_MAGIC = b"age-encryption.org/v1\n"
_AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
_WERK_REASON = (
    "Werkaantekeningen staan buiten het leerlingvolgsysteem en gaan nooit mee (003 §4.4)."
)
_BETROKKENEN_REASON = (
    "Medewerkers van de verzendende school; zij hebben bij de nieuwe school geen rol."
)
_WITHHELD_REASON = "Door de school achtergehouden bij deze overdracht."
_ZORG_WITH_VIEWS_REASON = (
    "Door de school achtergehouden bij deze overdracht; alleen de zienswijzen van de ouders "
    "bij het onderwijskundig rapport gaan mee (003 §4.1)."
)


# ------------------------------------------------------------------------------ errors


class TransferError(VaultError):
    """A transfer (export or import) is refused; nothing was written."""

    default_hint = "Er is niets opgeslagen."


class NotAddressedError(TransferError):
    """The bundle is not for this school (not encrypted to, or not addressed to, its key)."""

    default_hint = (
        "Vraag de verzendende school om het opnieuw te versleutelen voor de overdrachtssleutel "
        "van deze school ('zorgkluis transfer-key'). Er is niets opgeslagen."
    )


class TamperedError(TransferError):
    """The bundle is damaged or was changed after signing."""

    default_hint = (
        "Vraag de verzendende school om het bestand opnieuw te sturen. Er is niets opgeslagen."
    )


class UnsignedError(TransferError):
    """The bundle carries no signature of the sending school."""

    default_hint = "Neem alleen ondertekende overdrachten aan. Er is niets opgeslagen."


class UnknownSenderError(TransferError):
    """The bundle is validly signed by a school that is not in `.zorgkluis/scholen.yaml`.

    Attributes:
        fingerprint: the signer's key fingerprint ("SHA256:…"), to confirm by phone.
        school: the school name the manifest claims (unverified).
        public_key: the signer's public key line.
    """

    default_hint = (
        "Controleer de vingerafdruk telefonisch bij de school en bevestig hem "
        "(--trust VINGERAFDRUK), of voeg de school toe met 'zorgkluis school add'. "
        "Er is niets opgeslagen."
    )

    def __init__(self, fingerprint: str, school: str, public_key: str) -> None:
        self.fingerprint = fingerprint
        self.school = school
        self.public_key = public_key
        super().__init__(
            f"De overdracht is ondertekend door een onbekende school '{school}' "
            f"(vingerafdruk {fingerprint})."
        )


class GateError(TransferError):
    """The gate before export found errors and no override reason was given.

    Attributes:
        findings: all gate findings.
    """

    default_hint = (
        "Los de punten op in het dossier, of exporteer toch met een reden (--override REDEN); "
        "de reden wordt vastgelegd. Er is niets verzonden."
    )

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        count = len(okr.errors(self.findings))
        super().__init__(f"Overdracht geweigerd: de poort vond {count} fout(en).")


@dataclass(frozen=True)
class Duplicate:
    """An existing pupil that an import probably duplicates.

    Attributes:
        pupil_id: the existing pupil's id.
        naam: its display name.
        reden: why it looks like the same pupil (Dutch).
    """

    pupil_id: str
    naam: str
    reden: str


class DuplicateError(TransferError):
    """The imported pupil is probably already in the vault (`allow_duplicate` not given).

    Attributes:
        matches: the existing pupils it looks like.
    """

    default_hint = (
        "Controleer of het om dezelfde leerling gaat; open dan die leerling in plaats van "
        "opnieuw te importeren. Is het echt een andere leerling, importeer dan met "
        "--toch-nieuw. Er is niets opgeslagen."
    )

    def __init__(self, matches: Sequence[Duplicate]) -> None:
        self.matches = list(matches)
        found = "; ".join(f"{m.naam} ({m.pupil_id}): {m.reden}" for m in self.matches)
        super().__init__(f"Deze leerling staat waarschijnlijk al in de kluis: {found}.")


# ------------------------------------------------------------------------------ identity


@dataclass(frozen=True)
class TransferCard:
    """The public transfer identity of a school (what `zorgkluis transfer-key` prints).

    Attributes:
        school: the school's name.
        recipient: the age X25519 recipient other schools encrypt to (`age1…`).
        signing_key: the OpenSSH public key line of the school's signing key.
        fingerprint: its fingerprint ("SHA256:…").
    """

    school: str
    recipient: str
    signing_key: str
    fingerprint: str


@dataclass(frozen=True)
class TransferIdentity:
    """The private transfer keys of this school (only in memory)."""

    identity: age.X25519Identity
    signing_key: Ed25519PrivateKey


def _managers_recipients(vault: Vault) -> tuple[list[str], list[age.Recipient]]:
    managers = [u for u in vault.users() if access.may_manage(u)]
    recipients: list[age.Recipient] = [
        age.SshEd25519Recipient.from_openssh(u.public_key) for u in managers
    ]
    return [u.id for u in managers], [*recipients, vault.keystore.recovery]


def _write_secret(vault: Vault, ident: TransferIdentity) -> None:
    ids, recipients = _managers_recipients(vault)
    pem = ident.signing_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    text = f"{_SECRET_HEADER}\n# lezers: {' '.join(ids)}\n{ident.identity.to_string()}\n{pem}"
    atomic_write(vault.path / SECRET_FILE, age.encrypt(text.encode(), recipients))


def _read_public(vault: Vault) -> TransferCard | None:
    raw = vault.read_file(PUBLIC_FILE)
    if raw is None:
        return None
    try:
        doc = yaml.safe_load(raw)
        return TransferCard(
            vault.school,
            str(doc["ontvangstsleutel"]),
            str(doc["ondertekensleutel"]),
            str(doc["vingerafdruk"]),
        )
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise TransferError(f"'{PUBLIC_FILE}' is onleesbaar.") from exc


def transfer_card(vault: Vault) -> TransferCard:
    """This school's public transfer identity; made on first use by directie or IB-er.

    Making it generates both keys, stores the private halves (encrypted to the directie,
    intern begeleiders and the recovery key) and commits the public halves.

    Raises:
        NotPermittedError: there is none yet and the user is not directie or IB-er.
    """
    card = _read_public(vault)
    if card is not None:
        return card
    if not access.may_manage(vault.user):
        raise NotPermittedError(
            "Deze kluis heeft nog geen overdrachtssleutel; alleen directie of intern "
            "begeleider kan die maken."
        )
    ident = TransferIdentity(age.X25519Identity.generate(), Ed25519PrivateKey.generate())
    public = sshkeys.public_line(ident.signing_key, f"overdracht {vault.school}")
    card = TransferCard(
        vault.school,
        ident.identity.recipient().to_string(),
        public,
        sshkeys.fingerprint(ident.signing_key.public_key()),
    )
    _write_secret(vault, ident)
    doc = {
        "formaat": _PUBLIC_FORMAT,
        "ontvangstsleutel": card.recipient,
        "ondertekensleutel": card.signing_key,
        "vingerafdruk": card.fingerprint,
    }
    vault.commit_files(
        {PUBLIC_FILE: yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()},
        "Overdrachtssleutel van de school aangemaakt",
    )
    return card


def load_transfer_identity(vault: Vault) -> TransferIdentity:
    """Open this school's private transfer keys (directie and IB-er only).

    When the directie/IB-ers changed since the keys were stored, the stored file is
    re-encrypted to the current ones.

    Raises:
        NotPermittedError: the user is not directie or IB-er.
        NoAccessError: the stored keys are not (yet) encrypted to this user.
        TransferError: there are no transfer keys, or they are damaged.
    """
    if not access.may_manage(vault.user):
        raise NotPermittedError("Alleen directie en intern begeleiders doen overdrachten.")
    card = transfer_card(vault)
    try:
        blob = (vault.path / SECRET_FILE).read_bytes()
    except FileNotFoundError as exc:
        raise TransferError(
            "De geheime overdrachtssleutels ontbreken in deze kopie van de kluis.",
            "Doe de overdracht vanuit de kluis waar 'transfer-key' voor het eerst draaide.",
        ) from exc
    try:
        text = age.decrypt(blob, vault.identities).decode()
    except age.NoIdentityMatchError as exc:
        raise NoAccessError(
            "De overdrachtssleutels zijn (nog) niet voor jou versleuteld.",
            "Laat een andere intern begeleider of directielid één keer 'zorgkluis transfer-key' "
            "draaien (of een overdracht doen); dan worden ze ook voor jou versleuteld.",
        ) from exc
    except age.AgeError as exc:
        raise TransferError("De overdrachtssleutels zijn beschadigd.") from exc
    readers, identity, pem = _parse_secret(text)
    try:
        ident = TransferIdentity(identity, sshkeys.load_private(pem.encode(), None))
    except sshkeys.SshKeyError as exc:
        raise TransferError("De overdrachtssleutels zijn beschadigd.") from exc
    if ident.identity.recipient().to_string() != card.recipient:
        raise TransferError("De overdrachtssleutels passen niet bij .zorgkluis/overdracht.yaml.")
    if readers != _managers_recipients(vault)[0]:
        _write_secret(vault, ident)
    return ident


def _parse_secret(text: str) -> tuple[list[str], age.X25519Identity, str]:
    lines = text.splitlines()
    try:
        if lines[0] != _SECRET_HEADER or not lines[1].startswith("# lezers:"):
            raise ValueError
        readers = lines[1][len("# lezers:") :].split()
        identity = age.X25519Identity.parse(lines[2].strip())
        pem = "\n".join(lines[3:]) + "\n"
    except (IndexError, ValueError, age.AgeError) as exc:
        raise TransferError("De overdrachtssleutels zijn beschadigd.") from exc
    return readers, identity, pem


# ------------------------------------------------------------------------------ schools


@dataclass(frozen=True)
class KnownSchool:
    """A school this vault exchanges pupils with (`.zorgkluis/scholen.yaml`).

    Attributes:
        naam: the school's name.
        brin: BRIN code or another id, or "".
        ondertekensleutel: the school's signing key (OpenSSH public key line).
        vingerafdruk: its fingerprint ("SHA256:…").
        ontvangstsleutel: the school's transfer recipient (`age1…`), or "" when unknown.
    """

    naam: str
    brin: str
    ondertekensleutel: str
    vingerafdruk: str
    ontvangstsleutel: str = ""

    def to_dict(self) -> dict[str, str]:
        """The school as a YAML/JSON-ready dict with Dutch keys."""
        return {
            "naam": self.naam,
            "brin": self.brin,
            "ondertekensleutel": self.ondertekensleutel,
            "vingerafdruk": self.vingerafdruk,
            "ontvangstsleutel": self.ontvangstsleutel,
        }


def list_schools(vault: Vault) -> list[KnownSchool]:
    """The known schools of this vault, sorted by name.

    Raises:
        TransferError: the schools file is unreadable.
    """
    raw = vault.read_file(SCHOOLS_FILE)
    if raw is None:
        return []
    try:
        rows = yaml.safe_load(raw)["scholen"] or []
        return [
            KnownSchool(
                str(r["naam"]),
                str(r.get("brin") or ""),
                str(r["ondertekensleutel"]),
                str(r["vingerafdruk"]),
                str(r.get("ontvangstsleutel") or ""),
            )
            for r in rows
        ]
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise TransferError(f"'{SCHOOLS_FILE}' is onleesbaar.") from exc


def add_school(
    vault: Vault, naam: str, signing_key: str, *, brin: str = "", recipient: str = ""
) -> KnownSchool:
    """Add (or replace, by signing key) a known school and commit the schools file.

    Args:
        vault: the opened vault (directie or IB-er).
        naam: the school's name.
        signing_key: its signing key line as printed by its `zorgkluis transfer-key`.
        brin: BRIN code or other id (optional).
        recipient: its transfer recipient `age1…` (optional; needed to send to it by name).

    Raises:
        NotPermittedError: the user is not directie or IB-er.
        InvalidInputError: a bad name, key or recipient.
    """
    if not access.may_manage(vault.user):
        raise NotPermittedError("Alleen directie en intern begeleiders beheren bekende scholen.")
    if not naam.strip():
        raise InvalidInputError("De naam van de school is leeg.")
    try:
        public = sshkeys.load_public(" ".join(signing_key.split()[:2]))
    except (sshkeys.SshKeyError, IndexError) as exc:
        raise InvalidInputError(
            "De ondertekensleutel is geen openbare OpenSSH Ed25519-sleutel.",
            "Gebruik de regel 'ssh-ed25519 AAAA…' uit 'zorgkluis transfer-key' van die school.",
        ) from exc
    if recipient:
        _parse_recipient(recipient)
    school = KnownSchool(
        naam.strip(),
        brin.strip(),
        sshkeys.public_line(public),
        sshkeys.fingerprint(public),
        recipient.strip(),
    )
    others = [s for s in list_schools(vault) if s.vingerafdruk != school.vingerafdruk]
    rows = [s.to_dict() for s in sorted([*others, school], key=lambda s: (s.naam, s.vingerafdruk))]
    doc = {"formaat": _SCHOOLS_FORMAT, "scholen": rows}
    vault.commit_files(
        {SCHOOLS_FILE: yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()},
        f"Bekende school toegevoegd ({school.vingerafdruk})",
    )
    return school


def _parse_recipient(text: str) -> age.X25519Recipient:
    try:
        return age.X25519Recipient.parse(text.strip())
    except age.AgeError as exc:
        raise InvalidInputError(
            f"'{text}' is geen overdrachtssleutel (age1…).",
            "Vraag de ontvangende school om de uitvoer van 'zorgkluis transfer-key'.",
        ) from exc


def resolve_receiver(vault: Vault, to: str) -> tuple[str, str]:
    """The receiving school's (name, recipient) for `--to`: an `age1…` key, or the name,
    BRIN or fingerprint of a known school with a recipient.

    Raises:
        InvalidInputError: no such school, or it has no recipient.
    """
    text = to.strip()
    if text.startswith("age1"):
        _parse_recipient(text)
        match = next((s for s in list_schools(vault) if s.ontvangstsleutel == text), None)
        return (match.naam if match else ""), text
    for s in list_schools(vault):
        if text in (s.naam, s.brin, s.vingerafdruk) and s.ontvangstsleutel:
            return s.naam, s.ontvangstsleutel
    raise InvalidInputError(
        f"Onbekende ontvangende school '{to}'.",
        "Geef de overdrachtssleutel (age1…) van de school, of voeg de school toe met "
        "'zorgkluis school add … --ontvanger age1…'.",
    )


# ------------------------------------------------------------------------------ export


@dataclass(frozen=True)
class Withheld:
    """Something that does not go with the transfer, and why (Dutch)."""

    wat: str
    reden: str


@dataclass
class ExportPlan:
    """What an export of one pupil would send (for the export wizard and `export`).

    Attributes:
        pupil_id: the pupil.
        included: what goes, in order: part names, and `OKR_VIEWS` when `zorg` is withheld
            but the parents' zienswijzen about the OKR go along.
        withheld: what stays behind, with reasons.
        gate_findings: the gate (`dossier_format.okr.gate`) on `data`, most serious first.
        data: the dossier exactly as it would be sent (plain dict: the parts in
            `part_texts` joined), without werkaantekeningen, betrokkenen or withheld parts.
        part_texts: part name -> YAML text that would be sent (the bundle's files).
    """

    pupil_id: str
    included: list[str]
    withheld: list[Withheld]
    gate_findings: list[Finding]
    data: dict[str, Any] = field(repr=False)
    part_texts: dict[str, str] = field(repr=False)

    @property
    def blocked(self) -> bool:
        """True when the gate found errors (export needs an override reason)."""
        return bool(okr.errors(self.gate_findings))


def plan_export(
    vault: Vault,
    pupil_id: str,
    *,
    today: dt.date | None = None,
    withhold: Sequence[str] = (),
) -> ExportPlan:
    """Plan the export of `pupil_id`: what goes, what is withheld, and the gate.

    Args:
        vault: the opened vault.
        pupil_id: the pupil.
        today: the export date (default: today).
        withhold: optional parts to leave out (only `OPTIONAL_PARTS`).

    Raises:
        InvalidInputError: a part in `withhold` that cannot be withheld.
        UnknownPupilError, NoAccessError, CorruptError.
    """
    bad = [p for p in withhold if p not in OPTIONAL_PARTS]
    if bad:
        raise InvalidInputError(
            f"Het deel '{bad[0]}' kan niet worden achtergehouden.",
            "Alleen " + ", ".join(OPTIONAL_PARTS) + " is optioneel; administratie en okr gaan "
            "altijd mee.",
        )
    day = today or dt.date.today()
    doc = codec.load(vault.show(pupil_id), source=pupil_id)
    withheld = [Withheld("werkaantekeningen", _WERK_REASON)]
    doc.pop("werkaantekeningen", None)
    if doc.pop("betrokkenen", None) is not None:
        withheld.append(Withheld("betrokkenen", _BETROKKENEN_REASON))
    text = codec.dump(doc)
    split = parts.split(text, source=pupil_id)
    included = [p for p in TRANSFER_PARTS if p in split and p not in withhold]
    sent = {p: split[p] for p in included}
    for name in withhold:
        if name not in split:
            continue
        views = _okr_views_part(text, pupil_id) if name == parts.ZORG else None
        if views is None:
            withheld.append(Withheld(name, _WITHHELD_REASON))
            continue
        # The parents' view on the OKR always goes with the OKR (003 §4.1).
        withheld.append(Withheld(name, _ZORG_WITH_VIEWS_REASON))
        sent[parts.ZORG] = views
        included.append(OKR_VIEWS)
    sent = {p: sent[p] for p in TRANSFER_PARTS if p in sent}
    # The gate judges what is sent, not the dossier at home.
    data = codec.load_fast(parts.join(sent), source=pupil_id)
    return ExportPlan(pupil_id, included, withheld, okr.gate(data, day), data, sent)


def _okr_views_part(text: str, source: str) -> str | None:
    """A `zorg` part holding only the parents' zienswijzen about the OKR, or None if none."""
    views = okr.okr_zienswijzen(codec.load_fast(text, source=source))
    if not views:
        return None
    reduced = {"formaat": schema.FORMAT_ID, "zienswijzen": [dict(v) for v in views]}
    return parts.split(codec.dump(_unshared(reduced)), source=source)[parts.ZORG]


@dataclass(frozen=True)
class ExportResult:
    """The outcome of an export.

    Attributes:
        path: the file written.
        plan: what was sent.
        manifest: the signed manifest (bundles) or None (OSO).
        record: the save that recorded the sending in the dossier.
    """

    path: Path
    plan: ExportPlan
    manifest: dict[str, Any] | None
    record: SaveResult


def _check_gate(plan: ExportPlan, override: str | None) -> str | None:
    if override is not None and not override.strip():
        raise InvalidInputError("Een override heeft een reden nodig.")
    if plan.blocked and override is None:
        raise GateError(plan.gate_findings)
    return " ".join(override.split()) if plan.blocked and override else None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_manifest(
    plan: ExportPlan,
    *,
    sender: TransferCard,
    receiver_name: str,
    receiver_recipient: str,
    created: dt.datetime,
    override: str | None,
) -> dict[str, Any]:
    """The manifest of a bundle (see docs/transfer.md) as a plain dict."""
    return {
        "formaat": BUNDLE_FORMAT,
        "dossierformaat": schema.FORMAT_ID,
        "gemaakt": created.isoformat(timespec="seconds"),
        "afzender": {
            "school": sender.school,
            "ondertekensleutel": sender.signing_key,
            "vingerafdruk": sender.fingerprint,
            "ontvangstsleutel": sender.recipient,
        },
        "ontvanger": {"school": receiver_name, "ontvangstsleutel": receiver_recipient},
        "leerling": {"id": plan.pupil_id},
        "delen": [_manifest_part(plan, name, text) for name, text in plan.part_texts.items()],
        "achtergehouden": [{"wat": w.wat, "reden": w.reden} for w in plan.withheld],
        "poort": {
            "bevindingen": [f.to_dict() for f in plan.gate_findings],
            "override": override,
        },
    }


def _manifest_part(plan: ExportPlan, name: str, text: str) -> dict[str, str]:
    row = {"naam": name, "bestand": f"{PART_DIR}{name}.yaml", "sha256": _sha256(text.encode())}
    if name == parts.ZORG and OKR_VIEWS in plan.included:
        row["alleen"] = OKR_VIEWS
    return row


def _tar(files: Mapping[str, bytes], when: dt.datetime) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            info.mtime = int(when.timestamp())
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def seal_bundle(
    manifest: Mapping[str, Any],
    part_texts: Mapping[str, str],
    signing_key: Ed25519PrivateKey,
    recipient: str,
) -> bytes:
    """Sign the manifest, pack it with the parts into a tar and age-encrypt it to `recipient`.

    Args:
        manifest: from `build_manifest` (its `delen` must match `part_texts`).
        part_texts: part name -> YAML text.
        signing_key: the sending school's signing key.
        recipient: the receiving school's `age1…` recipient.

    Raises:
        InvalidInputError: `recipient` is not an age X25519 recipient.
    """
    target = _parse_recipient(recipient)
    manifest_bytes = yaml.safe_dump(dict(manifest), allow_unicode=True, sort_keys=False).encode()
    files = {
        MANIFEST: manifest_bytes,
        SIGNATURE: sshsig.sign(manifest_bytes, signing_key, SIGN_NAMESPACE),
    }
    for name, text in part_texts.items():
        files[f"{PART_DIR}{name}.yaml"] = text.encode()
    when = dt.datetime.fromisoformat(str(manifest["gemaakt"]))
    return age.encrypt(_tar(files, when), [target])


def _record_sending(
    vault: Vault,
    pupil_id: str,
    receiver: str,
    day: dt.date,
    override: str | None,
) -> SaveResult:
    """Record `okr.verzonden`/`okr.ontvanger` in the dossier (a signed save)."""
    doc = codec.load(vault.show(pupil_id), source=pupil_id)
    record = doc.get("okr")
    if isinstance(record, dict):
        record["verzonden"] = day
        record["ontvanger"] = receiver
    text = codec.dump(doc)
    reason = f"Overdracht ondanks de poort: {override}" if override else None
    try:
        result = vault.put(pupil_id, text, override=reason, today=day)
    except ChecksFailedError:
        result = vault.put(
            pupil_id,
            text,
            override=reason
            or "Verzending van het onderwijskundig rapport vastgelegd; bestaande "
            "controlefouten van het dossier blijven open.",
            today=day,
        )
    return result


def _write_then_record(out: Path, data: bytes, record: Callable[[], SaveResult]) -> SaveResult:
    """Write `data` to a temp file next to `out`, record, then rename (no half results)."""
    tmp = out.with_name(f".{out.name}.tmp")
    atomic_write(tmp, data, mode=0o600)
    try:
        result = record()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out)
    return result


def export_bundle(
    vault: Vault,
    pupil_id: str,
    to: str,
    out: Path,
    *,
    override: str | None = None,
    withhold: Sequence[str] = (),
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Export a pupil to the next school as a signed, encrypted bundle (docs/transfer.md).

    Args:
        vault: the opened vault (directie or IB-er).
        pupil_id: the pupil.
        to: the receiving school: its `age1…` recipient, or a known school's name/BRIN.
        out: the bundle file to write.
        override: the reason to export although the gate found errors (recorded in the
            manifest, the dossier's signed history and the audit log).
        withhold: optional parts to leave out (`OPTIONAL_PARTS`).
        today: the export date (default today); now: the manifest time (default now, UTC).

    Raises:
        GateError: gate errors and no override (nothing written).
        InvalidInputError, NotPermittedError, NoAccessError, UnknownPupilError, TransferError.
    """
    day = today or dt.date.today()
    with vault.audited("export", pupil_id=pupil_id, reason=override) as scope:
        plan = plan_export(vault, pupil_id, today=day, withhold=withhold)
        scope.part = ",".join(plan.included)
        reason = _check_gate(plan, override)
        receiver_name, recipient = resolve_receiver(vault, to)
        ident = load_transfer_identity(vault)
        card = transfer_card(vault)
        created = now or dt.datetime.now(dt.UTC)
        manifest = build_manifest(
            plan,
            sender=card,
            receiver_name=receiver_name,
            receiver_recipient=recipient,
            created=created,
            override=reason,
        )
        sealed = seal_bundle(manifest, plan.part_texts, ident.signing_key, recipient)
        receiver = receiver_name or str(plan.data["inschrijving"].get("vervolgschool") or recipient)
        scope.reason = _export_reason(receiver, override)
        result = _write_then_record(
            out, sealed, lambda: _record_sending(vault, pupil_id, receiver, day, reason)
        )
    return ExportResult(out, plan, manifest, result)


def _export_reason(receiver: str, override: str | None) -> str:
    """The audit reason of an export: to whom, and the override reason if any."""
    return f"naar {receiver}" + (f"; ondanks de poort: {override}" if override else "")


def school_info_from_yaml(text: str) -> SchoolInfo:
    """Read the sending school's OSO details (naam, brin, vestiging, adres, telefoon, email…).

    Raises:
        InvalidInputError: the text is not such a mapping.
    """
    try:
        doc = yaml.safe_load(text)
        adres = oso.Adres(**{k: str(v) for k, v in doc.pop("adres").items()})
        return SchoolInfo(adres=adres, **{k: str(v) for k, v in doc.items()})
    except (yaml.YAMLError, AttributeError, KeyError, TypeError) as exc:
        raise InvalidInputError(
            "De schoolgegevens voor OSO zijn onleesbaar.",
            "Geef naam, brin, adres (straat, nummer, postcode, plaats) en telefoon of email.",
        ) from exc


def set_oso_school(vault: Vault, text: str) -> SchoolInfo:
    """Store this school's OSO details (`school_info_from_yaml` format) in the vault.

    Raises:
        NotPermittedError: the user is not directie or IB-er.
        InvalidInputError: the text is not readable as school details.
    """
    if not access.may_manage(vault.user):
        raise NotPermittedError("Alleen directie en intern begeleiders beheren de schoolgegevens.")
    info = school_info_from_yaml(text)
    vault.commit_files({OSO_SCHOOL_FILE: text.encode()}, "OSO-gegevens van de school vastgelegd")
    return info


def oso_school(vault: Vault) -> SchoolInfo:
    """This school's stored OSO details.

    Raises:
        InvalidInputError: none stored yet, or unreadable.
    """
    raw = vault.read_file(OSO_SCHOOL_FILE)
    if raw is None:
        raise InvalidInputError(
            "De OSO-gegevens van deze school zijn nog niet vastgelegd.",
            "Leg ze vast met 'zorgkluis school oso SCHOOL.yaml' (naam, brin, adres, telefoon), "
            "of geef --afzender SCHOOL.yaml.",
        )
    return school_info_from_yaml(raw.decode())


def export_oso(
    vault: Vault,
    pupil_id: str,
    out: Path,
    *,
    profile: Profile,
    sender: SchoolInfo,
    override: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Export a pupil as OSO 2019.1 XML (PO-PO or PO-VO) after the same gate as a bundle.

    The XML is checked with the official XSD and XSLT before it is written (any XSD error or
    `Fout` melding refuses the export); it is not encrypted (it goes through the OSO service
    or a channel of the school's choice).

    Raises:
        GateError: gate errors and no override (nothing written).
        TransferError: the dossier cannot be written as valid OSO (message names the problem).
        InvalidInputError, NoAccessError, UnknownPupilError.
    """
    day = today or dt.date.today()
    with vault.audited("export", pupil_id=pupil_id, reason=override) as scope:
        plan = plan_export(vault, pupil_id, today=day)
        scope.part = ",".join(plan.included)
        reason = _check_gate(plan, override)
        created = now or dt.datetime.now(dt.UTC)
        try:
            xml = oso.to_oso(
                plan.data,
                profile=profile,
                sender=sender,
                receiver=None,
                created=created,
            )
            problems = oso_validate.validate(xml)
        except OsoError as exc:
            raise TransferError(
                f"OSO-export niet mogelijk: {exc}",
                "Zet ZORGKLUIS_OSO_STANDAARD op de map met de officiële OSO-bestanden als die "
                "ontbreken. Er is niets geschreven.",
            ) from exc
        if problems:
            raise TransferError(
                "Het OSO-dossier voldoet niet aan de officiële XSD/XSLT: "
                + "; ".join(problems[:5]),
                "Vul de ontbrekende gegevens aan (zie docs/transfer.md, OSO). "
                "Er is niets geschreven.",
            )
        receiver = str(plan.data["inschrijving"].get("vervolgschool") or "OSO")
        scope.reason = _export_reason(f"{receiver} (OSO)", override)
        result = _write_then_record(
            out, xml, lambda: _record_sending(vault, pupil_id, receiver, day, reason)
        )
    return ExportResult(out, plan, None, result)


# ------------------------------------------------------------------------------ import


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle that passed every check (`open_bundle`).

    Attributes:
        manifest: the signed manifest.
        part_texts: part name -> YAML text (hashes checked).
        sender: the signer; `known` tells whether it is in the schools file.
    """

    manifest: dict[str, Any]
    part_texts: dict[str, str]
    sender: KnownSchool
    known: bool


def is_bundle(data: bytes) -> bool:
    """True when `data` looks like an age file (a bundle), binary or armored."""
    return data.startswith(_AGE_MAGIC) or data.lstrip().startswith(_AGE_ARMOR)


def is_oso_xml(data: bytes) -> bool:
    """True when `data` looks like XML (an OSO dossier is the only XML we read)."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _members(plain: bytes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
            for count, info in enumerate(tar, start=1):
                if count > _MAX_BUNDLE_MEMBERS or not info.isfile() or info.name in files:
                    raise TamperedError("De overdracht bevat onverwachte bestanden.")
                handle = tar.extractfile(info)
                files[info.name] = handle.read() if handle else b""
    except tarfile.TarError as exc:
        raise TamperedError("De inhoud van de overdracht is onleesbaar.") from exc
    return files


def open_bundle(
    data: bytes,
    identity: age.X25519Identity,
    known: Sequence[KnownSchool],
    *,
    trust: str | None = None,
) -> OpenedBundle:
    """Decrypt and check a bundle; nothing is written.

    Args:
        data: the bundle file.
        identity: this school's transfer identity.
        known: the known sending schools.
        trust: a fingerprint the user confirmed for an unknown sender.

    Raises:
        NotAddressedError: not encrypted to `identity`, or the signed manifest names another
            receiving school.
        TamperedError: damaged, changed after signing, or not a bundle.
        UnsignedError: no signature.
        UnknownSenderError: validly signed by a school not in `known` and not `trust`.
    """
    try:
        plain = age.decrypt(data, [identity])
    except age.NoIdentityMatchError as exc:
        raise NotAddressedError(
            "Deze overdracht is niet voor deze school versleuteld (verkeerd geadresseerd)."
        ) from exc
    except age.AgeError as exc:
        raise TamperedError("De overdracht is beschadigd of onderweg gewijzigd.") from exc
    files = _members(plain)
    if MANIFEST not in files:
        raise TamperedError("De overdracht heeft geen manifest.")
    if SIGNATURE not in files:
        raise UnsignedError("De overdracht is niet ondertekend door de verzendende school.")
    try:
        public = sshsig.verify(files[MANIFEST], files[SIGNATURE], SIGN_NAMESPACE)
    except sshsig.SignatureError as exc:
        raise TamperedError(
            "De handtekening van de overdracht klopt niet: het manifest is gewijzigd of de "
            "handtekening is ongeldig."
        ) from exc
    manifest = _load_manifest(files[MANIFEST])
    if manifest["ontvanger"].get("ontvangstsleutel") != identity.recipient().to_string():
        raise NotAddressedError(
            "Deze overdracht is volgens het ondertekende manifest voor een andere school "
            f"bedoeld ('{manifest['ontvanger'].get('school') or 'onbekend'}')."
        )
    part_texts = _check_parts(manifest, files)
    fingerprint = sshkeys.fingerprint(public)
    if manifest["afzender"].get("vingerafdruk") != fingerprint:
        raise TamperedError(
            "De overdracht is ondertekend met een andere sleutel dan het manifest noemt."
        )
    claimed = str(manifest["afzender"].get("school") or "onbekend")
    match = next((s for s in known if s.vingerafdruk == fingerprint), None)
    if match is None and trust != fingerprint:
        raise UnknownSenderError(fingerprint, claimed, sshkeys.public_line(public))
    sender = match or KnownSchool(
        claimed,
        "",
        sshkeys.public_line(public),
        fingerprint,
        str(manifest["afzender"].get("ontvangstsleutel") or ""),
    )
    return OpenedBundle(manifest, part_texts, sender, match is not None)


def _load_manifest(raw: bytes) -> dict[str, Any]:
    try:
        manifest = yaml.safe_load(raw)
        if manifest.get("formaat") != BUNDLE_FORMAT:
            raise TransferError(
                f"Onbekend overdrachtsformaat '{manifest.get('formaat')}'.",
                "Werk Zorgkluis bij, of vraag de school om formaat " + BUNDLE_FORMAT + ".",
            )
        for key in ("afzender", "ontvanger", "leerling"):
            if not isinstance(manifest.get(key), dict):
                raise KeyError(key)
        if not isinstance(manifest.get("delen"), list):
            raise KeyError("delen")
    except (yaml.YAMLError, AttributeError, KeyError) as exc:
        raise TamperedError("Het manifest van de overdracht is onleesbaar.") from exc
    return dict(manifest)


def _check_parts(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> dict[str, str]:
    texts: dict[str, str] = {}
    expected = {MANIFEST, SIGNATURE}
    for row in manifest["delen"]:
        try:
            name, path, digest = str(row["naam"]), str(row["bestand"]), str(row["sha256"])
        except (KeyError, TypeError) as exc:
            raise TamperedError("Het manifest van de overdracht is onleesbaar.") from exc
        if name not in TRANSFER_PARTS or path != f"{PART_DIR}{name}.yaml" or name in texts:
            raise TamperedError(f"De overdracht bevat een onverwacht deel '{name}'.")
        blob = files.get(path)
        if blob is None or _sha256(blob) != digest:
            raise TamperedError(
                f"Het deel '{name}' is gewijzigd of ontbreekt (controlegetal klopt niet)."
            )
        expected.add(path)
        texts[name] = blob.decode()
    if set(files) != expected:
        raise TamperedError("De overdracht bevat bestanden die niet in het manifest staan.")
    if "administratie" not in texts:
        raise TamperedError("De overdracht mist de administratie van de leerling.")
    return texts


@dataclass(frozen=True)
class ImportResult:
    """The outcome of an import.

    Attributes:
        save: the new pupil (id, commit, findings of the checks).
        sender: the sending school (for OSO: name from the file, empty keys).
        kind: "bundel" or "oso".
        manifest: the bundle's manifest (None for OSO).
    """

    save: SaveResult
    sender: KnownSchool
    kind: str
    manifest: dict[str, Any] | None


def _ordered(data: Mapping[str, Any]) -> dict[str, Any]:
    rank = {k: i for i, k in enumerate(parts.TOP_LEVEL_ORDER)}
    keys = sorted(data, key=lambda k: (rank.get(k, len(rank)), 0))
    return {k: data[k] for k in keys}


_STAFF_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
"""A staff id (docs/format.md 3.0); in `aanwezig` also a one-word description."""
_AANWEZIG_WORDS = frozenset({"ouders", "moeder", "vader", "verzorger", "leerling"})
"""Reserved `aanwezig` words (docs/format.md 3.0): not staff, kept as they are."""
_STAFF_FIELDS: tuple[tuple[str, str], ...] = (
    ("plannen", "uitvoerder"),
    ("besprekingen", "ingebracht_door"),
    ("aanvragen", "ingediend_door"),
)
"""List entries' fields that hold one staff id of the school that wrote the dossier."""


def _foreign_staff(
    data: Mapping[str, Any], school: str
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The dossier without the sending school's staff ids (docs/transfer.md §6).

    A staff id only means something in the vault that issued it; here it means nobody, or one
    of this school's own people with the same id (rules would count them as present, and a
    reader would think so too). So:

    - an `aanwezig` entry that looks like a staff id becomes a description of the sending
      school's person, "`<id> (<school>)`": the text the sending school chose is kept, but it
      is no longer an id (a one-word description such as `logopedist` cannot be told apart
      from an id, and keeps its text the same way); the reserved words (`ouders`, …) and
      longer descriptions stay as they are;
    - the fields that may only hold a staff id (`plannen[].uitvoerder`,
      `besprekingen[].ingebracht_door`, `aanvragen[].ingediend_door`,
      `protocollen.meerbegaafdheid.compact_verrijken.stop_besloten_door`) are removed; what
      they said is returned, as such descriptions, for `x_herkomst.medewerkers`.

    Returns:
        The new dossier dict, and the removed values as rows `plek` (where it was), `wie`
        (the description).
    """
    who = school or "vorige school"

    def describe(value: Any) -> Any:
        if isinstance(value, str) and value not in _AANWEZIG_WORDS and _STAFF_ID.fullmatch(value):
            return f"{value} ({who})"
        return value

    out = dict(data)
    moved: list[dict[str, str]] = []
    for key in ("plannen", "besprekingen", "gesprekken", "aanvragen"):
        rows = out.get(key)
        if not isinstance(rows, list):
            continue
        new_rows: list[Any] = []
        for index, row in enumerate(rows):
            if isinstance(row, Mapping):
                row = dict(row)
                where = f"{key}[{row.get('id') or index}]"
                if isinstance(row.get("aanwezig"), list):
                    row["aanwezig"] = [describe(v) for v in row["aanwezig"]]
                for section, field_name in _STAFF_FIELDS:
                    if section == key and field_name in row:
                        value = row.pop(field_name)
                        if value is not None:
                            moved.append(
                                {"plek": f"{where}.{field_name}", "wie": str(describe(value))}
                            )
            new_rows.append(row)
        out[key] = new_rows
    protocollen = out.get("protocollen")
    protocollen = protocollen if isinstance(protocollen, Mapping) else {}
    mb = protocollen.get("meerbegaafdheid")
    mb = mb if isinstance(mb, Mapping) else {}
    cv = mb.get("compact_verrijken")
    if isinstance(cv, Mapping) and "stop_besloten_door" in cv:
        cv = dict(cv)
        value = cv.pop("stop_besloten_door")
        plek = "protocollen.meerbegaafdheid.compact_verrijken.stop_besloten_door"
        for person in value if isinstance(value, list) else [value]:
            if person is not None:
                moved.append({"plek": plek, "wie": str(describe(person))})
        out["protocollen"] = {**protocollen, "meerbegaafdheid": {**mb, "compact_verrijken": cv}}
    return out, moved


def _receiving_dossier(
    data: Mapping[str, Any],
    *,
    route_id: str,
    herkomst: dict[str, Any],
    ingeschreven: dt.date,
    groep: int | None,
) -> dict[str, Any]:
    """The sender's dossier as a new pupil of this school: own route, own inschrijving, the
    sender's inschrijving and the transfer facts kept in `x_herkomst`, and no staff ids of
    the sending school (`_foreign_staff`)."""
    out = dict(data)
    leerling = dict(out.get("leerling") or {})
    if groep is not None:
        leerling["groep"] = groep
    if "groep" not in leerling:
        raise InvalidInputError(
            "Het dossier noemt geen groep van de leerling.", "Geef de groep op met --groep N."
        )
    leerling.pop("id", None)
    out["leerling"] = {"id": "ll-nieuw", **leerling}
    old = out.get("inschrijving") or {}
    herkomst = {**herkomst, "inschrijving": old} if old else herkomst
    out["inschrijving"] = {
        "ingeschreven": ingeschreven,
        "vorige_school": str(herkomst.get("school") or "onbekend"),
    }
    out["route"] = route_id
    out.pop("betrokkenen", None)
    out.pop("werkaantekeningen", None)
    out, moved = _foreign_staff(out, str(herkomst.get("school") or ""))
    if moved:
        herkomst["medewerkers"] = moved
    if isinstance(out.get("x_herkomst"), Mapping):  # moved on before: keep the chain
        herkomst["eerder"] = out["x_herkomst"]
    out["x_herkomst"] = herkomst
    return _ordered(out)


def _norm(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


def _name_key(voornaam: object, tussenvoegsel: object, achternaam: object) -> tuple[str, ...]:
    return (_norm(voornaam), _norm(tussenvoegsel), _norm(achternaam))


def _origin(data: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """Where an imported dossier came from: the sending school and its own id of the pupil
    (bundle: signing-key fingerprint; OSO: BRIN), or None for a pupil not imported."""
    herkomst = data.get("x_herkomst")
    if isinstance(herkomst, Mapping) and herkomst.get("soort") == "zorgkluis-overdracht":
        fingerprint, sender_id = herkomst.get("vingerafdruk"), herkomst.get("leerling_id")
        if fingerprint and sender_id:
            return ("bundel", str(fingerprint), str(sender_id))
    passthrough = data.get(oso.PASSTHROUGH)
    oso_herkomst = passthrough.get("herkomst") if isinstance(passthrough, Mapping) else None
    if isinstance(oso_herkomst, Mapping):
        school = oso_herkomst.get("school")
        brin = school.get("brincode") if isinstance(school, Mapping) else None
        sender_id = oso_herkomst.get("leerlingid")
        if brin and sender_id:
            return ("oso", str(brin), str(sender_id))
    return None


def find_duplicates(vault: Vault, data: Mapping[str, Any]) -> list[Duplicate]:
    """Existing pupils that the dossier `data` (about to be imported) probably duplicates.

    A pupil with the same name (voornaam, tussenvoegsel, achternaam; case and spacing
    ignored) is read, and matches when it came from the same pupil of the same sending school
    (bundle: same signing key and sender's pupil id; OSO: same BRIN and leerlingid), or has
    the same geboortedatum and the same `inschrijving.vorige_school`. Only pupils with the same
    name are read (each read is audited with its reason); pupils this user may not read are
    skipped.
    """
    leerling = data.get("leerling") or {}
    key = _name_key(
        leerling.get("voornaam"), leerling.get("tussenvoegsel"), leerling.get("achternaam")
    )
    born = leerling.get("geboortedatum")
    school = _norm((data.get("inschrijving") or {}).get("vorige_school"))
    origin = _origin(data)
    found: list[Duplicate] = []
    for summary in vault.list_pupils():
        if _name_key(summary.voornaam, summary.tussenvoegsel, summary.achternaam) != key:
            continue
        try:
            text = vault.show(summary.id, reason="controle op een dubbele leerling bij import")
        except NoAccessError:
            continue
        other = codec.load_fast(text, source=summary.id)
        other_leerling = other.get("leerling") or {}
        other_school = _norm((other.get("inschrijving") or {}).get("vorige_school"))
        if origin is not None and _origin(other) == origin:
            reden = "eerder overgenomen uit een dossier van dezelfde leerling van dezelfde school"
        elif (
            born is not None
            and other_leerling.get("geboortedatum") == born
            and bool(school)
            and other_school == school
        ):
            reden = "zelfde naam, geboortedatum en vorige school"
        else:
            continue
        found.append(Duplicate(summary.id, summary.naam, reden))
    return found


def _check_duplicates(
    vault: Vault, data: Mapping[str, Any], allow_duplicate: bool
) -> list[Duplicate]:
    matches = find_duplicates(vault, data)
    if matches and not allow_duplicate:
        raise DuplicateError(matches)
    return matches


def _duplicate_note(matches: Sequence[Duplicate]) -> str:
    if not matches:
        return ""
    ids = ", ".join(m.pupil_id for m in matches)
    return f"; bevestigd als nieuwe leerling naast {ids}"


def _unshared(value: Any) -> Any:
    """A copy without shared objects: `codec.dump` writes a YAML anchor for an object that
    occurs twice (say the same date), and dossiers refuse anchors."""
    if isinstance(value, Mapping):
        return {k: _unshared(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unshared(v) for v in value]
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    return value


def _save_new(
    vault: Vault, data: Mapping[str, Any], override: str | None, day: dt.date
) -> SaveResult:
    return vault.new(codec.dump(_unshared(data)), override=override, today=day)


def import_file(
    vault: Vault,
    data: bytes,
    *,
    trust: str | None = None,
    override: str | None = None,
    groep: int | None = None,
    today: dt.date | None = None,
    source: str = "<bestand>",
    allow_duplicate: bool = False,
) -> ImportResult:
    """Import a bundle or an OSO XML file as a new pupil; nothing is written on refusal.

    Args:
        vault: the opened vault (directie or IB-er).
        data: the file's bytes (a bundle or OSO XML, detected by content).
        trust: the confirmed fingerprint of an unknown sending school.
        override: the reason to store although the checks found errors.
        groep: the pupil's groep here (required when the file has none).
        today: the import date = inschrijving.ingeschreven (default today).
        source: the file name for messages.
        allow_duplicate: import even when the pupil is probably already in the vault
            (`find_duplicates`); the audit entry names the pupils it resembles.

    Raises:
        NotAddressedError, TamperedError, UnsignedError, UnknownSenderError (bundles);
        DuplicateError (probably already imported, and not `allow_duplicate`);
        TransferError (not a bundle or OSO, or unreadable OSO); ChecksFailedError (check
        errors and no override); InvalidInputError; NotPermittedError.
    """
    day = today or dt.date.today()
    if is_oso_xml(data):
        return _import_oso(
            vault,
            data,
            override=override,
            groep=groep,
            day=day,
            source=source,
            allow_duplicate=allow_duplicate,
        )
    if not is_bundle(data):
        raise TransferError(
            f"'{source}' is geen Zorgkluis-overdracht en geen OSO-dossier.",
            "Importeer een bestand van 'zorgkluis export' of een OSO-XML-bestand.",
        )
    if access.may_manage(vault.user) and _read_public(vault) is None:
        raise NotAddressedError(
            "Deze school heeft nog geen overdrachtssleutel, dus deze overdracht kan niet voor "
            "deze school versleuteld zijn (verkeerd geadresseerd).",
            "Geef de verzendende school de uitvoer van 'zorgkluis transfer-key'. "
            "Er is niets opgeslagen.",
        )
    ident = load_transfer_identity(vault)
    opened = open_bundle(data, ident.identity, list_schools(vault), trust=trust)
    try:
        joined = codec.load_fast(parts.join(opened.part_texts), source=source)
    except DossierError as exc:
        raise TamperedError(f"Het dossier in de overdracht is onleesbaar: {exc}") from exc
    manifest = opened.manifest
    herkomst = {
        "soort": "zorgkluis-overdracht",
        "school": opened.sender.naam,
        "vingerafdruk": opened.sender.vingerafdruk,
        "bekend": opened.known,
        "verzonden": str(manifest.get("gemaakt")),
        "leerling_id": str(manifest["leerling"].get("id")),
        "ontvangen": day,
    }
    dossier = _receiving_dossier(
        joined, route_id=vault.route_id, herkomst=herkomst, ingeschreven=day, groep=groep
    )
    matches = _check_duplicates(vault, dossier, allow_duplicate)
    save = _save_new(vault, dossier, override, day)
    vault.audit(
        "import",
        pupil_id=save.pupil_id,
        part=",".join(p for p in TRANSFER_PARTS if p in opened.part_texts),
        reason=f"overdracht van {opened.sender.naam} ({opened.sender.vingerafdruk})"
        + _duplicate_note(matches),
    )
    return ImportResult(save, opened.sender, "bundel", manifest)


def _import_oso(
    vault: Vault,
    xml: bytes,
    *,
    override: str | None,
    groep: int | None,
    day: dt.date,
    source: str,
    allow_duplicate: bool,
) -> ImportResult:
    if not access.may_manage(vault.user):
        raise NotPermittedError("Alleen directie en intern begeleiders doen overdrachten.")
    try:
        data = oso.receive(oso.from_oso(xml, source=source), route=vault.route_id, ingeschreven=day)
    except OsoError as exc:
        raise TransferError(f"Het OSO-dossier is onleesbaar: {exc}") from exc
    leerling = data["leerling"]
    if groep is not None:
        leerling["groep"] = groep
    if "groep" not in leerling:
        raise InvalidInputError(
            "Het OSO-dossier noemt geen groep van de leerling (geen jaargroep dit schooljaar).",
            "Geef de groep op met --groep N.",
        )
    naam = str(data["inschrijving"].get("vorige_school") or "onbekend")
    matches = _check_duplicates(vault, data, allow_duplicate)
    save = _save_new(vault, data, override, day)
    vault.audit(
        "import",
        pupil_id=save.pupil_id,
        reason=f"OSO-dossier van {naam}" + _duplicate_note(matches),
    )
    return ImportResult(save, KnownSchool(naam, "", "", ""), "oso", None)


def record_admission(
    vault: Vault, pupil_id: str, admitted: dt.date, *, today: dt.date | None = None
) -> SaveResult:
    """Record the admission at the next school (`inschrijving.toegelaten_vervolgschool`),
    which starts the OKR's two-year retention (003 §4.3).

    Raises:
        InvalidInputError: `admitted` lies after `today`.
        UnknownPupilError, NoAccessError, ChecksFailedError.
    """
    day = today or dt.date.today()
    if admitted > day:
        raise InvalidInputError("De datum van toelating ligt in de toekomst.")
    doc = codec.load(vault.show(pupil_id), source=pupil_id)
    doc["inschrijving"]["toegelaten_vervolgschool"] = admitted
    return vault.put(pupil_id, codec.dump(doc), today=day)


def okr_document(vault: Vault, pupil_id: str, fmt: str, *, today: dt.date | None = None) -> bytes:
    """The OKR of a pupil for people: "html" (UTF-8) or "pdf" (never werkaantekeningen).

    Recorded in the audit log as an export of the okr part.

    Raises:
        InvalidInputError: unknown format.
        UnknownPupilError, NoAccessError.
    """
    day = today or dt.date.today()
    if fmt not in ("html", "pdf"):
        raise InvalidInputError(f"Onbekend formaat '{fmt}'.", "Kies html of pdf.")
    with vault.audited("export", pupil_id=pupil_id, part="okr", reason=f"OKR als {fmt}"):
        data = codec.load_fast(vault.show(pupil_id), source=pupil_id)
        data.pop("werkaantekeningen", None)
        if fmt == "html":
            return okr.render_html(data, school=vault.school, made_on=day).encode()
        return okr.render_pdf(data, school=vault.school, made_on=day)
