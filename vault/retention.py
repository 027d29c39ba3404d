"""Retention: decide which pupil parts have passed their term, and destroy them.

`status()` decides (pure rules from `dossier_format.retention_rules` applied to the facts read
from each pupil's administratie and zorg parts); `sweep()` acts:

1. every key-store backup that holds a key about to be destroyed loses its backup key;
2. one signed commit removes the expired parts' files from the tree and appends their lines
   to the committed retention log `.zorgkluis/bewaarlog.jsonl` (opaque pupil id, part, rule,
   deadline, date, who: no pupil data);
3. every user's key ring (a cache of administratie keys for fast lists) and then the expired
   part keys (all generations: one key-store file per part) are overwritten and deleted:
   crypto-shredding. Every historical version of those parts, in every clone, can no
   longer be decrypted, while the signed history stays intact;
4. when a backup was invalidated, a fresh backup of the remaining keys is written.

Commit first, keys second: a crash in between leaves a logged part whose key still exists;
the next sweep finds it (`vernietigd`, key not yet gone) and finishes the job.

Key-store backups (see docs/retention.md): a backup is one age file encrypted only to a fresh
*backup key*; the backup keys live in `.git/zorgkluis/backupsleutels/`, each encrypted to the
directie, intern begeleiders and recovery key, together with the list of parts the backup
holds. Destroying a backup key makes that backup (and every copy of it) useless, so backups
never bring a shredded key back.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_format import checks, codec, model, parts
from dossier_format.errors import DossierError
from dossier_format.retention_rules import (
    BEWAREN,
    DEFAULT_RULES,
    EVENTS,
    FALLBACK_RULE,
    ONBEPAALD,
    PARTS,
    VERLOPEN,
    VERNIETIGD,
    RetentionConfig,
    RetentionFacts,
    RetentionItem,
    RetentionRule,
    decide,
    decide_after_administratie,
    dump_config,
    facts_from_dossier,
    parse_config,
    part_kind,
    validate_rules,
)
from dossier_format.routes import Route, load_route
from vault import summary
from vault.audit import READER_ROLES, AuditLog
from vault.crypto import age
from vault.errors import (
    CorruptError,
    InvalidInputError,
    LockedError,
    NoAccessError,
    NotPermittedError,
    VaultError,
)
from vault.git_store import GitStore
from vault.git_store import LockedError as GitLockedError
from vault.keystore import KeyStore, atomic_write
from vault.repository import RINGS_DIR, VAULT_FILE, UserSigner, Vault, vault_lock
from vault.users import User

CONFIG_FILE = ".zorgkluis/bewaartermijnen.yaml"
"""The vault's confirmed retention terms (committed)."""

LOG_FILE = ".zorgkluis/bewaarlog.jsonl"
"""The retention log: one JSON line per destroyed part (committed, signed with the sweep)."""

DOSSIERS = "dossiers"
SUMMARY_FILE = "samenvatting"
"""The list summary (`vault.summary`), under the administratie key; rewritten by a sweep."""
STATE_DIR = Path(".git") / "zorgkluis"
BACKUP_KEYS_DIR = STATE_DIR / "backupsleutels"
BACKUPS_DIR = STATE_DIR / "backups"
BACKUP_FORMAT = "# zorgkluis-sleutelback-up/1"
RING_FORMAT = "# zorgkluis-back-upsleutel/1"
_ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"
_ARMOR_END = "-----END AGE ENCRYPTED FILE-----"
_ENTRY_RE = re.compile(
    r"^## (\S+)\n(" + re.escape(_ARMOR_BEGIN) + r"\n.*?\n" + re.escape(_ARMOR_END) + r")$",
    re.M | re.S,
)

Progress = Callable[[int, int, RetentionItem], None]


@dataclass
class Keeper:
    """What retention needs of an opened vault: its folder, git store, key store and user.

    Build it with `Keeper.of_vault(vault, key)` from an opened `vault.repository.Vault`, or
    directly from the parts (tests, tools).

    Attributes:
        path: the vault folder.
        store: its git store.
        keystore: its key store (with the recovery recipient).
        user: the acting staff member.
        key: the acting staff member's private key (signs the sweep commit).
        users: all current staff (backup keys are encrypted to directie/IB-ers).
        identities: the user's age identities (derived from `key`).
    """

    path: Path
    store: GitStore
    keystore: KeyStore
    user: User
    key: Ed25519PrivateKey
    users: Sequence[User]
    identities: list[age.Identity] = field(init=False)

    def __post_init__(self) -> None:
        self.identities = [age.SshEd25519Identity(self.key)]

    @classmethod
    def of_vault(cls, vault: Vault, key: Ed25519PrivateKey) -> Keeper:
        """A keeper for an opened `Vault`.

        Args:
            vault: the opened vault.
            key: the same private key the vault was opened with.
        """
        return cls(
            path=Path(vault.path).resolve(),  # absolute: backups record where they were put
            store=GitStore(vault.path),
            keystore=vault.keystore,
            user=vault.user,
            key=key,
            users=vault.users(),
        )

    def close(self) -> None:
        """Stop the git store's background process (the keeper stays usable)."""
        self.store.close()

    def __enter__(self) -> Keeper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def signer(self) -> UserSigner:
        """The signer for commits made by this keeper."""
        return UserSigner(self.user, self.key)

    def reader_recipients(self) -> list[age.Recipient]:
        """Directie and intern begeleiders plus the recovery key."""
        out: list[age.Recipient] = [
            age.SshEd25519Recipient.from_openssh(u.public_key)
            for u in sorted(self.users, key=lambda u: u.id)
            if u.rol in READER_ROLES
        ]
        return [*out, self.keystore.recovery]


def require_manager(keeper: Keeper, what: str) -> None:
    """Refuse unless the acting user is directie or intern begeleider.

    This is a matter of role, not of access to a pupil: the refusal says the user is not
    permitted (`NotPermittedError`), not that they should ask for access to a dossier.

    Args:
        keeper: the acting user's keeper.
        what: Dutch description of the action, e.g. "voeren de bewaartermijnen uit".

    Raises:
        NotPermittedError: another role.
    """
    if keeper.user.rol not in READER_ROLES:
        role = keeper.user.rol.replace("_", " ")
        raise NotPermittedError(
            f"Alleen directie en intern begeleiders {what}; als {role} mag je dat niet.",
            "Vraag de intern begeleider of de directie om dit te doen.",
        )


# --- configuration ----------------------------------------------------------------------------


def load_config(store: GitStore) -> RetentionConfig | None:
    """The vault's confirmed terms at HEAD, or None when the school has not confirmed any.

    Raises:
        CorruptError: the committed file does not parse (the message says why).
    """
    raw = store.read(CONFIG_FILE) if store.head() else None
    if raw is None:
        return None
    try:
        return parse_config(raw.decode("utf-8"), CONFIG_FILE)
    except (DossierError, UnicodeDecodeError) as exc:
        raise CorruptError(f"De bewaartermijnen van de kluis zijn onleesbaar: {exc}") from exc


def rules_in_force(store: GitStore) -> tuple[tuple[RetentionRule, ...], bool]:
    """The rules to apply and whether the school confirmed them (False: the defaults)."""
    config = load_config(store)
    return (config.rules, True) if config else (DEFAULT_RULES, False)


def confirm_terms(
    keeper: Keeper, today: dt.date, rules: Sequence[RetentionRule] = DEFAULT_RULES
) -> str:
    """Record the school's confirmation of its retention terms as one signed commit.

    Called by `init` (with the defaults or the school's own terms) and whenever the school
    changes a term. Only directie and intern begeleiders may do this.

    Returns:
        The commit sha.

    Raises:
        NotPermittedError: the user is not directie or intern begeleider.
        InvalidInputError: the rule set is invalid (a part without a term, ...).
        LockedError: another process is saving.
    """
    require_manager(keeper, "bevestigen de bewaartermijnen")
    try:
        validate_rules(rules)
    except DossierError as exc:
        raise InvalidInputError(f"Ongeldige bewaartermijnen: {exc.message}") from exc
    text = dump_config(RetentionConfig(tuple(rules), keeper.user.id, today))
    with vault_lock(keeper.path):
        try:
            return keeper.store.commit(
                {CONFIG_FILE: text.encode()},
                "Bewaartermijnen bevestigd",
                keeper.signer(),
            )
        except GitLockedError as exc:
            raise LockedError("De kluis is bezet door een ander proces.") from exc


# --- status -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PupilParts:
    """Where a pupil's parts are.

    Attributes:
        files: key part -> the paths at HEAD encrypted under that part's key.
        keys: key parts that still have a key-store entry.
    """

    files: dict[str, list[str]]
    keys: frozenset[str]


def _key_part(file_part: str) -> str:
    """The key part of a file part (summary and grants files live under administratie)."""
    return file_part if part_kind(file_part) in PARTS else "administratie"


def pupil_parts(keeper: Keeper, pupil_id: str) -> PupilParts:
    """The files at HEAD and the key entries of one pupil."""
    prefix = f"{DOSSIERS}/{pupil_id}/"
    files: dict[str, list[str]] = {}
    for name in keeper.store.list_dir(prefix):
        names = (
            [f"{name}/{n}" for n in keeper.store.list_dir(prefix + name)]
            if not name.endswith(".age")
            else [name]
        )
        for rel in names:
            if rel.endswith(".age"):
                files.setdefault(_key_part(rel[: -len(".age")]), []).append(prefix + rel)
    return PupilParts(files, frozenset(keeper.keystore.parts(pupil_id)))


def pupil_ids(keeper: Keeper) -> list[str]:
    """Every pupil with files at HEAD or entries in the key store."""
    ids = set(keeper.store.list_dir(DOSSIERS)) if keeper.store.head() else set()
    if keeper.keystore.root.is_dir():
        ids |= {p.name for p in keeper.keystore.root.iterdir() if p.is_dir()}
    return sorted(ids)


def _read_parts(
    keeper: Keeper, wheres: dict[str, PupilParts], part: str, pupils: Sequence[str]
) -> dict[str, dict[str, Any] | str]:
    """Decrypt `part` of each pupil (one batched git read): a dict, {} when absent, or a
    Dutch reason why it cannot be read."""
    wanted = [
        (pid, f"{DOSSIERS}/{pid}/{part}.age")
        for pid in pupils
        if part in wheres[pid].keys
        and f"{DOSSIERS}/{pid}/{part}.age" in wheres[pid].files.get(part, [])
    ]
    blobs = keeper.store.read_many([("HEAD", path) for _, path in wanted])
    out: dict[str, dict[str, Any] | str] = {pid: {} for pid in pupils}
    for (pid, path), blob in zip(wanted, blobs, strict=True):
        try:
            entry = keeper.keystore.read(pid, part, keeper.identities)
        except NoAccessError:
            out[pid] = f"geen toegang tot de {part} van deze leerling"
            continue
        except CorruptError as exc:
            out[pid] = exc.message
            continue
        if entry is None or blob is None:
            continue
        try:
            out[pid] = codec.load_fast(age.decrypt(blob, entry.keys).decode("utf-8"), source=path)
        except (age.AgeError, UnicodeDecodeError, DossierError):
            out[pid] = f"{path} is beschadigd"
    return out


def pupil_facts(keeper: Keeper, wheres: dict[str, PupilParts]) -> dict[str, RetentionFacts | str]:
    """The retention facts per pupil, or a Dutch reason why they cannot be read.

    Reads every administratie part; the zorg part (for advice decisions) only of pupils who
    have left, so a status over a school of enrolled pupils decrypts one part per pupil.
    """
    pupils = sorted(wheres)
    admins = _read_parts(keeper, wheres, "administratie", pupils)
    out: dict[str, RetentionFacts | str] = {}
    for pid, admin in admins.items():
        if isinstance(admin, str):
            out[pid] = admin
        elif "inschrijving" not in admin:
            out[pid] = "administratie ontbreekt of is al vernietigd"
        else:
            out[pid] = facts_from_dossier(admin)
    left = [p for p, f in out.items() if isinstance(f, RetentionFacts) and f.uitschrijving]
    for pid, zorg in _read_parts(keeper, wheres, "zorg", left).items():
        admin = admins[pid]
        if isinstance(zorg, str):
            out[pid] = zorg
        elif isinstance(admin, dict):
            out[pid] = facts_from_dossier({**zorg, **admin})
    return out


def _log_rows(store: GitStore) -> dict[tuple[str, str], dict[str, Any]]:
    """The retention log at HEAD: (pupil, part) -> its line (the last one, if repeated)."""
    raw = store.read(LOG_FILE) if store.head() else None
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for line in (raw or b"").splitlines():
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
            row = json.loads(line)
            out[(str(row["leerling"]), str(row["onderdeel"]))] = row
    return out


def _destroyed_log(store: GitStore) -> set[tuple[str, str]]:
    return set(_log_rows(store))


def _iso(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _recorded(admin_row: Mapping[str, Any], part: str) -> tuple[dt.date, str] | None:
    """The deadline the sweep recorded for `part` when it destroyed the administratie."""
    kept = admin_row.get("bewaard")
    for row in kept if isinstance(kept, list) else []:
        if isinstance(row, Mapping) and row.get("onderdeel") == part:
            until = _iso(row.get("termijn_tot"))
            if until is not None:
                return until, str(row.get("regel") or part_kind(part))
    return None


def status(keeper: Keeper, today: dt.date) -> list[RetentionItem]:
    """The retention state of every part of every pupil, sorted by pupil and part.

    A part whose key is gone but whose files remain, or a logged-destroyed part whose key
    remains, has state `vernietigd` (the next sweep cleans it up). A pupil whose facts cannot
    be read gets `onbepaald` for every part, with the reason. The decryptions this needs
    (dates only) are recorded as one audit entry.
    """
    rules, _ = rules_in_force(keeper.store)
    rows = _log_rows(keeper.store)
    logged = set(rows)
    items: list[RetentionItem] = []
    pupils = pupil_ids(keeper)
    wheres = {pid: pupil_parts(keeper, pid) for pid in pupils}
    all_facts = pupil_facts(keeper, wheres)
    for pid in pupils:
        where, facts = wheres[pid], all_facts[pid]
        admin_row = rows.get((pid, "administratie"))
        for part in sorted(set(where.files) | where.keys):
            if part not in where.keys or (pid, part) in logged:
                reason = "sleutel vernietigd" if part not in where.keys else "vernietiging afmaken"
                items.append(RetentionItem(pid, part, VERNIETIGD, None, None, (), reason))
            elif admin_row is not None:
                # The administratie (and with it every date of the pupil) is gone.
                until = _iso(admin_row.get("termijn_tot"))
                recorded = _recorded(admin_row, part)
                items.append(decide_after_administratie(pid, part, until, recorded, today))
            elif isinstance(facts, str):
                unknown = RetentionFacts(problems=dict.fromkeys(EVENTS, facts))
                items.append(decide(pid, part, unknown, rules, today))
            else:
                items.append(decide(pid, part, facts, rules, today))
    if pupils:
        AuditLog.of_vault(keeper.path).append(
            actor=keeper.user,
            key=keeper.key,
            recipients=keeper.reader_recipients(),
            action="ontsleuteld",
            part="administratie",
            reason=f"bewaartermijnen bepalen ({len(pupils)} leerlingen, alleen data)",
        )
    return items


def needs_action(item: RetentionItem) -> bool:
    """True for items a sweep acts on: expired, or destroyed but not yet cleaned up."""
    return item.state in (VERLOPEN, VERNIETIGD)


# --- sweep ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did.

    Attributes:
        commit: the signed commit that removed the files and logged them, or None.
        destroyed: the items acted on.
        backups_destroyed: number of backup keys destroyed (their backups are now useless).
        new_backup: the fresh backup written afterwards, or None.
    """

    commit: str | None
    destroyed: list[RetentionItem]
    backups_destroyed: int
    new_backup: Path | None


def shred_file(path: Path) -> bool:
    """Overwrite a key file with random bytes, flush it to disk, then delete it.

    Overwriting only helps on file systems that write in place; the guarantee that matters
    is that no copy of the key remains reachable in the vault folder, its history or its
    backups (see docs/retention.md). Returns False when the file did not exist.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    with open(path, "r+b") as fh:
        fh.write(secrets.token_bytes(max(size, 1)))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return True


def _log_lines(
    items: Sequence[RetentionItem],
    user: User,
    today: dt.date,
    kept: Mapping[str, list[dict[str, str]]],
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in items:
        if i.state != VERLOPEN:
            continue
        row: dict[str, object] = {
            "leerling": i.pupil_id,
            "onderdeel": i.part,
            "regel": i.rule_ids[0] if i.rule_ids else None,
            "termijn_tot": i.deadline.isoformat() if i.deadline else None,
            "vernietigd_op": today.isoformat(),
            "door": user.id,
        }
        if i.part == "administratie" and kept.get(i.pupil_id):
            row["bewaard"] = kept[i.pupil_id]
        out.append(row)
    return out


def _outliving(
    keeper: Keeper, todo: Sequence[RetentionItem], today: dt.date
) -> dict[str, list[dict[str, str]]]:
    """For each pupil whose administratie this sweep destroys: the parts it keeps, with the
    deadline and rule that keep them (recorded in the administratie's log line, because no
    date of the pupil can be read once the administratie is gone)."""
    going: dict[str, set[str]] = {}
    for item in todo:
        going.setdefault(item.pupil_id, set()).add(item.part)
    pupils = [
        item.pupil_id for item in todo if item.part == "administratie" and item.state == VERLOPEN
    ]
    wheres = {pid: pupil_parts(keeper, pid) for pid in pupils}
    rest = {pid: set(w.files) | w.keys for pid, w in wheres.items()}
    wheres = {pid: w for pid, w in wheres.items() if rest[pid] - going[pid]}
    if not wheres:
        return {}
    rules, _ = rules_in_force(keeper.store)
    out: dict[str, list[dict[str, str]]] = {}
    for pid, facts in pupil_facts(keeper, wheres).items():
        if not isinstance(facts, RetentionFacts):
            continue
        for part in sorted(rest[pid] - going[pid]):
            item = decide(pid, part, facts, rules, today)
            if item.deadline is None or item.state not in (BEWAREN, ONBEPAALD):
                continue
            rule = item.rule_ids[0] if item.state == BEWAREN and item.rule_ids else FALLBACK_RULE
            out.setdefault(pid, []).append(
                {"onderdeel": part, "termijn_tot": item.deadline.isoformat(), "regel": rule}
            )
    return out


def sweep(
    keeper: Keeper,
    items: Sequence[RetentionItem],
    today: dt.date,
    progress: Progress | None = None,
) -> SweepResult:
    """Destroy the parts in `items` that need action (see `needs_action`); see module doc.

    Args:
        keeper: the acting directie member or intern begeleider.
        items: the plan the user confirmed (from `status`); others are ignored.
        today: the date recorded in the retention log.
        progress: called as `progress(done, total, item)` after each destroyed key.

    Raises:
        NotPermittedError: the user is not directie or intern begeleider.
        LockedError: another process is saving.
    """
    require_manager(keeper, "voeren de bewaartermijnen uit")
    todo = [i for i in items if needs_action(i)]
    if not todo:
        return SweepResult(None, [], 0, None)
    targets = {(i.pupil_id, i.part) for i in todo}
    with vault_lock(keeper.path):
        invalidated = _destroy_backups_holding(keeper, targets)
        changes: dict[str, bytes | None] = {}
        for item in todo:
            for path in pupil_parts(keeper, item.pupil_id).files.get(item.part, []):
                changes[path] = None
        for pid, blob in _summaries_without(keeper, todo, today).items():
            changes[f"{DOSSIERS}/{pid}/{SUMMARY_FILE}.age"] = blob
        lines = _log_lines(todo, keeper.user, today, _outliving(keeper, todo, today))
        if lines:
            old = keeper.store.read(LOG_FILE) if keeper.store.head() else None
            new = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines).encode()
            changes[LOG_FILE] = (old or b"") + new
        commit = None
        if changes:
            trailer = AuditLog.of_vault(keeper.path).anchor()
            message = f"Bewaartermijnen: {len(lines)} deel/delen vernietigd"
            message += f"\n\n{trailer}" if trailer else ""
            try:
                commit = keeper.store.commit(changes, message, keeper.signer())
            except GitLockedError as exc:
                raise LockedError("De kluis is bezet door een ander proces.") from exc
        shred_rings(keeper.path)
        for done, item in enumerate(todo, start=1):
            shred_file(keeper.keystore.path(item.pupil_id, item.part))
            _prune(keeper.keystore.path(item.pupil_id, item.part).parent, keeper.keystore.root)
            if progress:
                progress(done, len(todo), item)
        keeper.keystore.forget()
        shred_rings(keeper.path)  # again: a list during the sweep may have cached a key
        fresh = backup(keeper, today) if invalidated and pupil_ids(keeper) else None
    return SweepResult(commit, todo, invalidated, fresh)


def _route(keeper: Keeper) -> Route | None:
    """The vault's zorgroute (for the check counts in a summary), or None when unknown."""
    raw = keeper.store.read(VAULT_FILE) if keeper.store.head() else None
    try:
        route_id = str(yaml.safe_load(raw or b"")["route"])
        return load_route(route_id)
    except (yaml.YAMLError, TypeError, KeyError, DossierError):
        return None


def _summaries_without(
    keeper: Keeper, todo: Sequence[RetentionItem], today: dt.date
) -> dict[str, bytes]:
    """New list summaries for the pupils who lose their zorg or okr part but keep their
    administratie: recomputed from what remains (`model.summarize`), so the summary keeps no
    niveau, evaluation date, signal or check count derived from a destroyed part.

    Only pupils that have a summary at HEAD get one; a pupil whose remaining parts cannot be
    read keeps the old one (the caller is directie or IB-er, who read every pupil, so that
    means damage, and `verify` reports it).
    """
    going: dict[str, set[str]] = {}
    for item in todo:
        going.setdefault(item.pupil_id, set()).add(item.part)
    pupils = {
        pid: lost
        for pid, lost in sorted(going.items())
        if "administratie" not in lost and lost & {"zorg", "okr"}
    }
    route = _route(keeper) if pupils else None
    out: dict[str, bytes] = {}
    for pid, lost in pupils.items():
        prefix = f"{DOSSIERS}/{pid}/"
        kept = [part for part in parts.PART_NAMES if part not in lost]
        paths = [f"{prefix}{SUMMARY_FILE}.age", *(f"{prefix}{part}.age" for part in kept)]
        old, *blobs = keeper.store.read_many([("HEAD", path) for path in paths])
        try:
            admin = keeper.keystore.read(pid, "administratie", keeper.identities)
            if old is None or admin is None:
                continue
            texts: dict[str, str] = {}
            for part, blob in zip(kept, blobs, strict=True):
                entry = admin if part == "administratie" else None
                if entry is None and blob is not None:
                    entry = keeper.keystore.read(pid, part, keeper.identities)
                if blob is not None and entry is not None:
                    texts[part] = age.decrypt(blob, entry.keys).decode("utf-8")
            if "administratie" not in texts:
                continue
            data = codec.load_fast(parts.join(texts), source=pid)
        except (VaultError, age.AgeError, UnicodeDecodeError, DossierError):
            continue
        findings = checks.check(data, route, today) if route is not None else []
        made = model.summarize(data, findings, today)
        if "okr" in lost:
            # "okr_open" means "left, and the OKR has not been sent yet": with the OKR
            # destroyed there is nothing left to send.
            made = replace(made, signalen=[s for s in made.signalen if s != "okr_open"])
        out[pid] = age.encrypt(summary.to_bytes(made), [admin.current.recipient()])
    return out


def shred_rings(vault_path: Path) -> int:
    """Destroy every user's key ring (`vault.keystore.KeyRing`) in a vault folder.

    Rings copy administratie keys, so no ring may outlive a shredded key: call this whenever
    key-store entries are shredded (the sweep does; so must anything else that shreds, such as
    applying another device's sweep). Rings are caches: each user's next list rebuilds theirs
    from the key store.

    Returns:
        The number of rings destroyed.
    """
    folder = Path(vault_path) / RINGS_DIR
    return sum(shred_file(ring) for ring in sorted(folder.glob("*.age")))


def _prune(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


# --- key-store backups ------------------------------------------------------------------------


def _armor(data: bytes) -> str:
    b64 = base64.b64encode(data).decode()
    return "\n".join([_ARMOR_BEGIN, *(b64[i : i + 64] for i in range(0, len(b64), 64)), _ARMOR_END])


def _dearmor(text: str) -> bytes:
    body = [line for line in text.splitlines() if line and not line.startswith("-----")]
    return base64.b64decode("".join(body), validate=True)


def backup(keeper: Keeper, today: dt.date, target: Path | None = None) -> Path:
    """Write a backup of every key-store entry, encrypted to a fresh backup key.

    The entries go in as they are (still encrypted to their readers and the recovery key),
    wrapped in one age file that only the new backup key opens. The backup key is stored in
    `.git/zorgkluis/backupsleutels/` encrypted to directie, intern begeleiders and the
    recovery key, with the list of parts the backup holds, so a sweep knows which backup keys
    to destroy.

    Args:
        keeper: a directie member or intern begeleider.
        today: used in the backup's name.
        target: folder for the backup file (default `.git/zorgkluis/backups/`).

    Returns:
        The backup file.

    Raises:
        NotPermittedError: the user is not directie or intern begeleider.
    """
    require_manager(keeper, "maken sleutelback-ups")
    backup_id = f"{today:%Y%m%d}-{secrets.token_hex(4)}"
    held: list[str] = []
    chunks = [BACKUP_FORMAT]
    for pid in pupil_ids(keeper):
        for part in keeper.keystore.parts(pid):
            blob = keeper.keystore.path(pid, part).read_bytes()
            held.append(f"{pid}/{part}")
            chunks.append(f"## {pid}/{part}\n{_armor(blob)}")
    backup_key = age.X25519Identity.generate()
    folder = (target or keeper.path / BACKUPS_DIR).resolve()  # recorded in the backup key
    out = folder / f"sleutelback-up-{backup_id}.age"
    atomic_write(out, age.encrypt(("\n".join(chunks) + "\n").encode(), [backup_key.recipient()]))
    ring = "\n".join(
        [RING_FORMAT, f"# back-up: {out}", f"# inhoud: {' '.join(held)}", backup_key.to_string()]
    )
    atomic_write(
        keeper.path / BACKUP_KEYS_DIR / f"{backup_id}.age",
        age.encrypt((ring + "\n").encode(), keeper.reader_recipients()),
    )
    return out


@dataclass(frozen=True)
class BackupKey:
    """One opened backup key.

    Attributes:
        path: its file in `.git/zorgkluis/backupsleutels/`.
        backup: where the backup was written.
        holds: the `pupil/part` entries in the backup.
        identity: the key that opens the backup.
    """

    path: Path
    backup: Path
    holds: frozenset[str]
    identity: age.X25519Identity


def backup_keys(keeper: Keeper) -> list[BackupKey | Path]:
    """The backup keys this user can open; unreadable ones are returned as their path."""
    return backup_keys_in(keeper.path, keeper.identities)


def backup_keys_in(vault_path: Path, identities: Sequence[age.Identity]) -> list[BackupKey | Path]:
    """The backup keys in a vault folder that `identities` open; others as their path."""
    folder = Path(vault_path) / BACKUP_KEYS_DIR
    out: list[BackupKey | Path] = []
    for path in sorted(folder.glob("*.age")) if folder.is_dir() else []:
        try:
            text = age.decrypt(path.read_bytes(), identities).decode()
            meta = dict(
                line[2:].split(": ", 1)
                for line in text.splitlines()
                if line.startswith("# ") and ": " in line
            )
            key_line = next(
                line for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-")
            )
            out.append(
                BackupKey(
                    path,
                    Path(meta["back-up"]),
                    frozenset(meta.get("inhoud", "").split()),
                    age.X25519Identity.parse(key_line),
                )
            )
        except (age.AgeError, UnicodeDecodeError, KeyError, StopIteration, ValueError):
            out.append(path)
    return out


def _destroy_backups_holding(keeper: Keeper, targets: set[tuple[str, str]]) -> int:
    """Destroy every backup key whose backup holds one of `targets` (unreadable: destroy too)."""
    wanted = {f"{pid}/{part}" for pid, part in targets}
    return destroy_backups_holding(keeper.path, keeper.identities, wanted)


def destroy_backups_holding(
    vault_path: Path,
    identities: Sequence[age.Identity],
    names: set[str],
    *,
    unreadable: bool = True,
) -> int:
    """Destroy every backup key in a vault folder whose backup holds one of `names`.

    The backup key file is shredded (so the backup and every copy of it can no longer be
    opened) and the backup file is deleted where it was written, if it is still there. The
    local sweep calls this before it shreds part keys; a sync calls it on every device when
    the signed retention log records parts as destroyed (`vault.sync`), so no device keeps a
    backup that brings a shredded key back.

    Args:
        vault_path: the vault folder.
        identities: the acting user's identities (backup keys are encrypted to directie,
            intern begeleiders and the recovery key).
        names: `"<pupil>/<part>"` entries that are (about to be) destroyed.
        unreadable: also destroy backup keys these identities cannot open, since what they
            hold is unknown (to be safe).

    Returns:
        The number of backup keys destroyed.
    """
    count = 0
    for ring in backup_keys_in(vault_path, identities):
        if isinstance(ring, BackupKey):
            if not ring.holds & names:
                continue
            shred_file(ring.path)
            with contextlib.suppress(FileNotFoundError):
                ring.backup.unlink()
        elif unreadable:
            shred_file(ring)
        else:
            continue
        count += 1
    return count


def restore(keeper: Keeper, backup_file: Path) -> list[str]:
    """Put back the key-store entries of a backup that are missing now.

    Entries of parts the retention log records as destroyed are never restored.

    Returns:
        The restored `pupil/part` names.

    Raises:
        VaultError: no readable backup key belongs to this backup (destroyed by a sweep, or
            the user is not directie/IB-er).
    """
    ring = next(
        (
            r
            for r in backup_keys(keeper)
            if isinstance(r, BackupKey) and r.backup.name == backup_file.name
        ),
        None,
    )
    if ring is None:
        raise VaultError(
            "Deze back-up kan niet meer worden geopend: de back-upsleutel bestaat niet (meer).",
            "Gebruik een nieuwere back-up; een sweep vernietigt back-ups met verlopen sleutels.",
        )
    try:
        text = age.decrypt(backup_file.read_bytes(), [ring.identity]).decode()
    except (OSError, age.AgeError, UnicodeDecodeError) as exc:
        raise CorruptError("De back-up is beschadigd of onleesbaar.") from exc
    logged = _destroyed_log(keeper.store)
    restored = []
    for name, armored in _ENTRY_RE.findall(text):
        pid, part = name.split("/", 1)
        if (pid, part) in logged or keeper.keystore.exists(pid, part):
            continue
        atomic_write(keeper.keystore.path(pid, part), _dearmor(armored))
        restored.append(name)
    keeper.keystore.forget()
    return restored
