"""Parents' rights (003 §4.4): inzage and kopie, correctie, and their own zienswijze.

* Inzage/kopie: everything parents may see, rendered by `dossier_format.render` (never the
  werkaantekeningen), written to an HTML or PDF file; every copy is recorded in the audit log.
* Correctie: a request is recorded in the dossier's `correcties` list (date, what, decision,
  and the reason when refused). The school answers within one calendar month (31 January ->
  28/29 February); an open request past that date is flagged. A granted correction is applied
  as a normal signed save in which the corrected data and the decision travel together, so the
  commit that decides the request is the commit that corrects the data.
* Zienswijze: the parents' own view, attached to a part or an entry (for example `okr`).

The text edits are pure functions on dossier YAML (round-trip: comments and order survive);
the `*_in_vault` helpers read and save through the `Vault` facade.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dossier_format import codec, render
from dossier_format.errors import DossierError
from dossier_format.retention_rules import add_months
from vault.errors import InvalidInputError
from vault.keystore import atomic_write

if TYPE_CHECKING:
    from vault.repository import SaveResult, Vault

ANSWER_MONTHS = 1
"""Months the school has to answer a correction request (AVG art. 12 lid 3: one month)."""

DECISIONS = ("toegekend", "afgewezen")

# Keys that come after the one being inserted, in the canonical order of format v1.
_LATER_KEYS = {
    "zienswijzen": ("correcties", "werkaantekeningen"),
    "correcties": ("werkaantekeningen",),
}


def parents_view(yaml_text: str) -> dict[str, Any]:
    """The dossier as parents may see it: everything except the werkaantekeningen.

    Raises:
        InvalidInputError: the text is not a readable dossier.
    """
    try:
        data = codec.load_fast(yaml_text)
    except DossierError as exc:
        raise InvalidInputError(f"Het dossier is onleesbaar: {exc}") from exc
    return {k: v for k, v in data.items() if k != "werkaantekeningen"}


def output_format(out: Path) -> str:
    """ "html" or "pdf" from the file name.

    Raises:
        InvalidInputError: another extension.
    """
    suffix = out.suffix.lower().lstrip(".")
    if suffix in ("html", "htm"):
        return "html"
    if suffix == "pdf":
        return "pdf"
    raise InvalidInputError(
        f"Onbekend bestandstype '{out.suffix or out.name}'.", "Kies een bestand op .html of .pdf."
    )


def export_for_parents(
    vault: Vault,
    pupil_id: str,
    out: Path,
    *,
    kind: str = "kopie",
    today: dt.date,
    reason: str | None = None,
) -> Path:
    """Write the inzage or kopie of one pupil to `out` (.html or .pdf) and record it.

    The file holds plaintext pupil data by design: it is the parents' copy. The audit log gets
    one entry (action "inzage" or "kopie", who, when, pupil, reason) and no separate entry for
    the read it needs.

    Args:
        vault: the opened vault (its user signs the audit entry).
        pupil_id: the pupil.
        out: the target file; its extension chooses the format.
        kind: "inzage" or "kopie".
        today: the date printed on the copy.
        reason: optional note for the audit log (for example "verzoek moeder 12-11").

    Raises:
        InvalidInputError: a bad extension or kind.
        UnknownPupilError, NoAccessError: from the vault.
    """
    if kind not in render.KINDS:
        raise InvalidInputError(f"Onbekende soort '{kind}'.", "Kies inzage of kopie.")
    fmt = output_format(out)
    with vault.audited(kind, pupil_id=pupil_id, reason=reason):
        data = parents_view(vault.show(pupil_id))
        content = render.render(data, fmt, school=vault.school, made_on=today, kind=kind)
        atomic_write(out, content, mode=0o600)
    return out


# --- corrections --------------------------------------------------------------------------------


def answer_due(requested: dt.date) -> dt.date:
    """The last day the school may answer a correction request made on `requested`."""
    return add_months(requested, ANSWER_MONTHS)


@dataclass(frozen=True)
class CorrectionState:
    """A correction request with its deadline.

    Attributes:
        id: "cr-N".
        verzoek_datum: date of the request.
        wat: what the parents say is wrong.
        besluit: "open", "toegekend" or "afgewezen".
        uiterlijk: last day for the answer.
        te_laat: still open after `uiterlijk`.
        reden: the reason given with the decision, or "".
    """

    id: str
    verzoek_datum: dt.date
    wat: str
    besluit: str
    uiterlijk: dt.date
    te_laat: bool
    reden: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict with Dutch keys."""
        return {
            "id": self.id,
            "verzoek_datum": self.verzoek_datum.isoformat(),
            "wat": self.wat,
            "besluit": self.besluit,
            "uiterlijk": self.uiterlijk.isoformat(),
            "te_laat": self.te_laat,
            "reden": self.reden,
        }


def corrections(data: Mapping[str, Any], today: dt.date) -> list[CorrectionState]:
    """The correction requests of a dossier dict, with deadlines. Never raises.

    Entries without a valid `verzoek_datum` are skipped (the schema check reports them).
    """
    out: list[CorrectionState] = []
    rows = data.get("correcties")
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, Mapping) or not isinstance(row.get("verzoek_datum"), dt.date):
            continue
        requested: dt.date = row["verzoek_datum"]
        decision = str(row.get("besluit") or "open")
        due = answer_due(requested)
        out.append(
            CorrectionState(
                id=str(row.get("id", "")),
                verzoek_datum=requested,
                wat=str(row.get("wat", "")),
                besluit=decision,
                uiterlijk=due,
                te_laat=decision not in DECISIONS and today > due,
                reden=str(row.get("reden") or ""),
            )
        )
    return out


def _load(text: str) -> Any:
    try:
        return codec.load(text)
    except DossierError as exc:
        raise InvalidInputError(f"Het dossier is onleesbaar: {exc}") from exc


def _next_id(rows: list[Any], prefix: str) -> str:
    numbers = [
        int(m.group(1))
        for r in rows
        if isinstance(r, Mapping) and (m := re.fullmatch(prefix + r"-(\d+)", str(r.get("id", ""))))
    ]
    return f"{prefix}-{max(numbers, default=0) + 1}"


def _list_of(doc: Any, key: str) -> list[Any]:
    if key not in doc or doc[key] is None:
        later = [k for k in _LATER_KEYS[key] if k in doc]
        position = list(doc).index(later[0]) if later else len(doc)
        doc.insert(position, key, [])
    rows = doc[key]
    if not isinstance(rows, list):
        raise InvalidInputError(f"'{key}' in het dossier is geen lijst.")
    return rows


def add_correction_request(text: str, wat: str, requested: dt.date) -> tuple[str, str]:
    """Record a new, open correction request.

    Args:
        text: the dossier YAML.
        wat: which data (key or id) and what the parents say is wrong.
        requested: the date of the request.

    Returns:
        The new YAML text and the request id ("cr-N").

    Raises:
        InvalidInputError: empty `wat`, or an unreadable dossier.
    """
    if not wat.strip():
        raise InvalidInputError("Beschrijf wat er volgens de ouders niet klopt.")
    doc = _load(text)
    rows = _list_of(doc, "correcties")
    new_id = _next_id(rows, "cr")
    rows.append({"id": new_id, "verzoek_datum": requested, "wat": wat.strip(), "besluit": "open"})
    return codec.dump(doc), new_id


def decide_correction(
    text: str, request_id: str, decision: str, decided: dt.date, reason: str = ""
) -> str:
    """Record the school's decision on a request.

    Args:
        text: the dossier YAML (for a granted request: already corrected).
        request_id: "cr-N".
        decision: "toegekend" or "afgewezen".
        decided: the date of the decision.
        reason: the motivation; required when refused (003 §4.4: an expert judgement is not
            changed on request; the parents may add their zienswijze instead).

    Raises:
        InvalidInputError: unknown request, a decision already taken, a bad decision, or a
            refusal without reason.
    """
    if decision not in DECISIONS:
        raise InvalidInputError(f"Onbekend besluit '{decision}'.", "Kies toegekend of afgewezen.")
    if decision == "afgewezen" and not reason.strip():
        raise InvalidInputError(
            "Een afwijzing heeft een reden nodig.",
            "Leg uit waarom; de ouders kunnen hun eigen zienswijze laten toevoegen.",
        )
    doc = _load(text)
    rows = doc.get("correcties") or []
    row = next(
        (r for r in rows if isinstance(r, MutableMapping) and r.get("id") == request_id), None
    )
    if row is None:
        raise InvalidInputError(f"Er is geen correctieverzoek '{request_id}'.")
    if row.get("besluit") in DECISIONS:
        raise InvalidInputError(f"Over '{request_id}' is al besloten ({row['besluit']}).")
    row["besluit"] = decision
    row["besluit_datum"] = decided
    if reason.strip():
        row["reden"] = " ".join(reason.split())
    return codec.dump(doc)


def add_zienswijze(
    text: str, onderdeel: str, tekst: str, datum: dt.date, namens: str = ""
) -> tuple[str, str]:
    """Attach the parents' own view to a part or entry of the dossier.

    Args:
        text: the dossier YAML.
        onderdeel: what it is about: a top-level key (for example "okr") or an entry id.
        tekst: the parents' words.
        datum: date received.
        namens: on whose behalf, for example "beide ouders".

    Returns:
        The new YAML text and the zienswijze id ("zw-N").

    Raises:
        InvalidInputError: empty text, or `onderdeel` names nothing in the dossier.
    """
    if not tekst.strip():
        raise InvalidInputError("De zienswijze is leeg.")
    doc = _load(text)
    if onderdeel not in doc and not _has_id(doc, onderdeel):
        raise InvalidInputError(
            f"Het dossier heeft geen onderdeel '{onderdeel}'.",
            "Noem een sleutel (bijvoorbeeld okr) of een id (bijvoorbeeld pl-2).",
        )
    rows = _list_of(doc, "zienswijzen")
    new_id = _next_id(rows, "zw")
    row: dict[str, object] = {"id": new_id, "datum": datum}
    if namens.strip():
        row["namens"] = namens.strip()
    row["onderdeel"] = onderdeel
    row["tekst"] = tekst.strip()
    rows.append(row)
    return codec.dump(doc), new_id


def _has_id(node: Any, wanted: str) -> bool:
    if isinstance(node, Mapping):
        return node.get("id") == wanted or any(_has_id(v, wanted) for v in node.values())
    if isinstance(node, list):
        return any(_has_id(v, wanted) for v in node)
    return False


def _without_corrections(text: str) -> dict[str, Any]:
    data = dict(codec.load_fast(text))
    data.pop("correcties", None)
    return data


def apply_correction(
    vault: Vault,
    pupil_id: str,
    request_id: str,
    corrected_text: str,
    *,
    today: dt.date,
    reason: str = "",
    override: str | None = None,
) -> SaveResult:
    """Grant a request by saving the corrected dossier together with the decision.

    One signed commit holds both the corrected data and `besluit: toegekend` for the request,
    which links the edit to the request.

    Raises:
        InvalidInputError: the corrected text changes nothing besides the corrections list,
            or the request is unknown or decided.
        ChecksFailedError, UnknownPupilError, NoAccessError, LockedError: from the vault.
    """
    current = vault.show(pupil_id)
    try:
        unchanged = _without_corrections(current) == _without_corrections(corrected_text)
    except DossierError as exc:
        raise InvalidInputError(f"Het verbeterde dossier is onleesbaar: {exc}") from exc
    if unchanged:
        raise InvalidInputError(
            "Het verbeterde dossier is gelijk aan het huidige.",
            "Verbeter eerst de gegevens in het bestand; "
            "gebruik 'correctie besluit' om af te wijzen.",
        )
    text = decide_correction(corrected_text, request_id, "toegekend", today, reason)
    return vault.put(pupil_id, text, override=override, today=today)


def open_corrections_in_vault(vault: Vault, today: dt.date) -> dict[str, list[CorrectionState]]:
    """Per pupil the correction requests that are still open (late ones flagged).

    Reads every dossier the user may see: one audit entry per pupil.
    """
    out: dict[str, list[CorrectionState]] = {}
    with vault.audited("ontsleuteld", reason="openstaande correctieverzoeken"):
        for pupil in vault.list_pupils():
            states = [
                c
                for c in corrections(codec.load_fast(vault.show(pupil.id)), today)
                if c.besluit not in DECISIONS
            ]
            if states:
                out[pupil.id] = states
    return out
