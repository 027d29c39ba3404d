"""Staff members of a vault: `.zorgkluis/users.yaml` and the derived `allowed_signers` file.

A user is an opaque id, a display name, a role and an OpenSSH Ed25519 public key. The users
file is committed (signed history shows who could sign when); the allowed-signers file is
derived from it so plain `git verify-commit` works.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml

from vault.crypto import sshkeys
from vault.errors import CorruptError, InvalidInputError

ROLES: tuple[str, ...] = (
    "leerkracht",
    "intern_begeleider",
    "directie",
    "specialist",
    "orthopedagoog",
)
"""The roles a staff member can have (issue 2)."""

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
USERS_FORMAT = "zorgkluis-gebruikers/1"


@dataclass(frozen=True)
class User:
    """A staff member.

    Attributes:
        id: opaque, stable id (lowercase letters, digits, `.`, `_`, `-`); used in paths and as
            the git e-mail / allowed-signers principal.
        naam: display name.
        rol: one of `ROLES`.
        public_key: the OpenSSH public key line ("ssh-ed25519 AAAA...").
    """

    id: str
    naam: str
    rol: str
    public_key: str

    @property
    def key_blob(self) -> str:
        """The base64 key blob of the public key (comment stripped), for comparisons."""
        return self.public_key.split()[1]


def check_user_id(user_id: str) -> str:
    """Return `user_id` if it is a valid opaque id.

    Raises:
        InvalidInputError: the id is empty, too long or has characters other than
            lowercase letters, digits, `.`, `_` and `-`.
    """
    if not _ID_RE.match(user_id):
        raise InvalidInputError(
            f"Ongeldig medewerker-id '{user_id}'.",
            "Gebruik kleine letters, cijfers, '.', '_' of '-' (hoogstens 64 tekens), "
            "bij voorkeur geen naam.",
        )
    return user_id


def make_user(user_id: str, naam: str, rol: str, public_key: str) -> User:
    """Build a validated `User`.

    Args:
        user_id: the opaque id (see `check_user_id`).
        naam: display name (non-empty).
        rol: one of `ROLES`.
        public_key: an OpenSSH Ed25519 public key line; its comment is dropped.

    Raises:
        InvalidInputError: any field is invalid.
    """
    check_user_id(user_id)
    if not naam.strip():
        raise InvalidInputError("De naam van de medewerker is leeg.")
    if rol not in ROLES:
        raise InvalidInputError(f"Onbekende rol '{rol}'.", "Kies uit: " + ", ".join(ROLES) + ".")
    return User(user_id, naam.strip(), rol, normalize_public_key(public_key))


def normalize_public_key(line: str) -> str:
    """Return "ssh-ed25519 <blob>" for an OpenSSH public key line (the comment is dropped).

    Raises:
        InvalidInputError: the line is not an OpenSSH Ed25519 public key.
    """
    parts = line.strip().split()
    if len(parts) < 2 or parts[0] != "ssh-ed25519":
        raise InvalidInputError(
            "Dit is geen openbare OpenSSH Ed25519-sleutel.",
            "Gebruik het .pub-bestand van 'zorgkluis key generate' of 'ssh-keygen -t ed25519'.",
        )
    try:
        sshkeys.load_public(f"{parts[0]} {parts[1]}")
    except sshkeys.SshKeyError as exc:
        raise InvalidInputError("De openbare sleutel is beschadigd of onleesbaar.") from exc
    return f"{parts[0]} {parts[1]}"


def parse_users(text: bytes | str) -> list[User]:
    """Parse the users file.

    Raises:
        CorruptError: the file is not a valid users file.
    """
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader)
        rows = data["medewerkers"]
        return [User(str(r["id"]), str(r["naam"]), str(r["rol"]), str(r["sleutel"])) for r in rows]
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise CorruptError("Het medewerkersbestand van de kluis is onleesbaar.") from exc


def dump_users(users: Iterable[User]) -> bytes:
    """Serialize users (sorted by id) to the committed users file."""
    rows = [
        {"id": u.id, "naam": u.naam, "rol": u.rol, "sleutel": u.public_key}
        for u in sorted(users, key=lambda u: u.id)
    ]
    doc = {"formaat": USERS_FORMAT, "medewerkers": rows}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()


def allowed_signers(
    users: Sequence[User], previous: bytes = b"", now: datetime.datetime | None = None
) -> bytes:
    """The git/ssh-keygen allowed-signers file for these users (principal = user id).

    Keys of former users (lines in `previous` whose key is no longer a user's) are kept with
    `valid-before` set to `now` (unless already limited), so plain `git verify-commit` still
    accepts their old commits (git passes the commit time to ssh-keygen) and refuses new ones.

    Args:
        users: the current users.
        previous: the allowed-signers file before this change.
        now: the moment former users stop being valid signers (default: now, UTC).
    """
    current = {u.key_blob for u in users}
    stamp = (now or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    lines = [f'{u.id} namespaces="git" {u.public_key}' for u in users]
    for line in previous.decode(errors="replace").splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[-1] in current:
            continue
        if "valid-before=" not in fields[1]:
            fields[1] += f',valid-before="{stamp:%Y%m%d%H%M%S}Z"'
        lines.append(" ".join(fields))
    return "".join(line + "\n" for line in sorted(lines)).encode()


def find_by_key(users: Iterable[User], public_key: str) -> User | None:
    """Return the user whose public key matches `public_key` (comment ignored), or None."""
    blob = public_key.split()[1]
    return next((u for u in users if u.key_blob == blob), None)
