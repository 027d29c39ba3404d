"""Errors of the OSO conversion: all are :class:`OsoError`, a ``DossierError``."""

from __future__ import annotations

from dossier_format.errors import DossierError


class OsoError(DossierError):
    """An OSO document cannot be read or written.

    Args:
        message: what is wrong, in Dutch.
        source: file name, ``"<oso>"`` for XML without a name, ``"<dossier>"`` for dossier data.
        line: 1-based line in the XML, when known.
        column: 1-based column, when known.
    """

    def __init__(
        self,
        message: str,
        source: str = "<oso>",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, source=source, line=line, column=column)


class XmlRefused(OsoError):
    """The bytes are not an acceptable XML document (malformed, DTD/entities, too large)."""


class TreeError(OsoError):
    """A passthrough tree under ``x_oso`` has a shape that cannot become XML."""


class StandardsNotFoundError(OsoError):
    """The official OSO files (XSD, XSLT) are not where they were looked for."""
