"""The per-pupil summary (`dossiers/<id>/samenvatting.age`) that makes lists fast.

A list of 1,000 pupils cannot come from parsing 1,000 dossiers (design.md), so every save also
stores a small JSON summary (name, groep, niveau, counts, next date). It holds administratie data
and is encrypted with the administratie part key, so exactly the readers of the pupil can read it
and shredding the administratie key shreds the summary too.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

from dossier_format.model import PupilSummary
from vault.errors import CorruptError

SUMMARY_FORMAT = "zorgkluis-samenvatting/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_bytes(summary: PupilSummary) -> bytes:
    """Serialize a summary to canonical JSON (dates as ISO strings)."""
    doc = {f.name: _plain(getattr(summary, f.name)) for f in dataclasses.fields(summary)}
    doc["formaat"] = SUMMARY_FORMAT
    return json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()


_DATE_FIELDS = ("volgende_evaluatie", "uitgeschreven")


def from_bytes(data: bytes) -> PupilSummary:
    """Parse `to_bytes` output.

    Raises:
        CorruptError: the data is not a summary of this format.
    """
    try:
        doc = json.loads(data)
        if doc.pop("formaat") != SUMMARY_FORMAT:
            raise ValueError("unknown summary format")
        for name in _DATE_FIELDS:
            if doc.get(name) is not None:
                doc[name] = datetime.date.fromisoformat(doc[name])
        names = {f.name for f in dataclasses.fields(PupilSummary)}
        return PupilSummary(**{k: v for k, v in doc.items() if k in names})
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptError("De samenvatting van een leerling is onleesbaar.") from exc
