"""Errors of the vault facade.

Every error the UI can meet derives from `VaultError` and carries a Dutch `message` (what went
wrong) and a Dutch `hint` (what to do about it), so the CLI and the TUI can show it without a
traceback. Internal layers (crypto, git) raise their own errors; the facade translates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dossier_format.errors import DossierError
    from dossier_format.findings import Finding
    from dossier_format.merge import Conflict


class VaultError(Exception):
    """Base class: something the user should be told about in plain Dutch.

    Attributes:
        message: what went wrong (Dutch, one sentence, no pupil data).
        hint: what the user can do about it (Dutch), or "".
    """

    default_hint = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class NotAVaultError(VaultError):
    """The folder is not a Zorgkluis vault (or not initialised yet)."""

    default_hint = "Geef de kluis op met --vault MAP of ZORGKLUIS_VAULT, of maak er een met init."


class VaultExistsError(VaultError):
    """`init` was asked to create a vault where one (or other content) already exists."""

    default_hint = "Kies een lege of nieuwe map."


class IdentityError(VaultError):
    """The personal key file is missing, unreadable or not an OpenSSH Ed25519 key."""

    default_hint = (
        "Geef je persoonlijke sleutel op met --identity BESTAND of ZORGKLUIS_IDENTITY; "
        "maak er een met 'zorgkluis key generate'."
    )


class WrongPassphraseError(IdentityError):
    """The passphrase does not open the personal key."""

    default_hint = "Controleer het wachtwoord van je sleutel (of ZORGKLUIS_PASSPHRASE)."


class UnknownUserError(VaultError):
    """The key (or user id) does not belong to a staff member of this vault."""

    default_hint = (
        "Gebruik je eigen sleutel, of vraag de intern begeleider of directie om je toe te voegen "
        "met 'zorgkluis user add'."
    )


class UserExistsError(VaultError):
    """A user with this id or this key is already in the vault."""

    default_hint = "Kies een ander id, of verwijder eerst de bestaande medewerker."


class NotPermittedError(VaultError):
    """The user's role does not allow this action (for example managing users)."""

    default_hint = "Vraag de intern begeleider of directie om dit te doen."


class NoAccessError(VaultError):
    """The user is not entitled to (this part of) this pupil's dossier."""

    default_hint = (
        "Alleen directie, intern begeleiders en betrokken medewerkers kunnen een dossier lezen; "
        "vraag de intern begeleider om toegang ('zorgkluis access LEERLING --add JOU')."
    )


class UnknownPupilError(VaultError):
    """No pupil with this id exists in the vault."""

    default_hint = "Bekijk de leerlingen met 'zorgkluis list'."


class InvalidInputError(VaultError):
    """Input that cannot be used at all: broken YAML, schema errors, a bad id or part name."""

    default_hint = "Verbeter de invoer en probeer het opnieuw; er is niets opgeslagen."


class InvalidDossierError(InvalidInputError):
    """The dossier text is broken YAML or violates the schema; nothing was saved.

    Attributes:
        problems: every problem found (`DossierError`, with line and column when known).
    """

    def __init__(self, problems: Sequence[DossierError]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:10]]
        if len(self.problems) > 10:
            lines.append(f"... en nog {len(self.problems) - 10} probleem/problemen")
        super().__init__("Het dossier is ongeldig:\n" + "\n".join(lines))


class ChecksFailedError(VaultError):
    """The save would add check errors and no override reason was given; nothing was saved.

    Attributes:
        findings: all findings of the refused save (errors, warnings and info).
        new_errors: the errors this save adds (the others were in the dossier already).
    """

    default_hint = (
        "Los de fouten op, of sla toch op met een reden (--override REDEN); "
        "de reden komt in de ondertekende geschiedenis."
    )

    def __init__(
        self, findings: Sequence[Finding], new_errors: Sequence[Finding] | None = None
    ) -> None:
        self.findings = list(findings)
        errors = [f for f in self.findings if f.severity == "error"]
        self.new_errors = list(errors if new_errors is None else new_errors)
        super().__init__(
            f"Niet opgeslagen: de controle vond {len(self.new_errors)} nieuwe fout(en)."
        )


class ConcurrentEditError(VaultError):
    """Someone else saved the same fields of this dossier since the version being edited;
    nothing was saved.

    Attributes:
        conflicts: each field both sides changed, with the base, this edit's ("ours") and
            the newest saved ("theirs") value.
        head: the commit the merge was made against; pass the same `choices` and this as
            `base` again only if nothing newer came in (the vault checks that).
    """

    default_hint = (
        "Kies per veld welke waarde blijft (jouw waarde of die van je collega) en sla opnieuw "
        "op, of laad het dossier opnieuw."
    )

    def __init__(self, conflicts: Sequence[Conflict], head: str) -> None:
        self.conflicts = list(conflicts)
        self.head = head
        fields = ", ".join(c.path for c in self.conflicts[:5])
        more = f" en nog {len(self.conflicts) - 5}" if len(self.conflicts) > 5 else ""
        super().__init__(
            "Niet opgeslagen: een collega heeft intussen dezelfde velden van dit dossier "
            f"gewijzigd ({fields}{more})."
        )


class LockedError(VaultError):
    """Another process is saving in this vault and did not finish in time."""

    default_hint = (
        "Een ander proces slaat op in deze kluis; probeer het over een paar seconden opnieuw."
    )


class CorruptError(VaultError):
    """Stored data cannot be decrypted or parsed although the key is right: it is damaged."""

    default_hint = "Draai 'zorgkluis verify' en herstel de kluis uit een back-up of een kloon."


class UnauthorisedChangeError(VaultError):
    """The history holds a commit its signer was not allowed to make (a change of the vault's
    settings in `.zorgkluis/` by someone other than directie or an intern begeleider, a
    dossier changed or removed by someone who could not read it, a history that does not
    start at this vault's first commit). The client does not act on it: no user list,
    recovery key or route from such a commit is used, nothing is saved or synchronised.

    Attributes:
        problems: the commits concerned (`vault.repository.Problem`, kind "unauthorised").
    """

    default_hint = (
        "Laat de intern begeleider of directie 'zorgkluis verify' draaien en de kluis "
        "terugzetten naar de laatste goede versie ('git reset --hard VERSIE' in de kluismap) "
        "of herstellen uit een back-up; tot dan slaat deze kluis niets op."
    )

    def __init__(
        self, message: str, hint: str | None = None, problems: Sequence[object] = ()
    ) -> None:
        super().__init__(message, hint)
        self.problems = list(problems)
