"""Errors of the OSO conversion.

``OsoError`` mirrors the contract of ``dossier_format.errors.DossierError`` (``.message`` in
Dutch, ``.source``, ``.line``, ``.column``, ``str()`` = ``"bron:regel:kolom: boodschap"``).
It becomes a subclass of DossierError as soon as that module exists.
"""

from __future__ import annotations


class OsoError(ValueError):
    """An OSO document cannot be read or written.

    Args:
        message: what is wrong, in Dutch.
        source: file name or ``"<oso>"``.
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
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class XmlRefused(OsoError):
    """The bytes are not an acceptable XML document (malformed, DTD/entities, too large)."""


class TreeError(OsoError):
    """A passthrough tree under ``oso`` has a shape that cannot become XML."""


class StandardsNotFoundError(OsoError):
    """The official OSO files (XSD, XSLT) are not where they were looked for."""
