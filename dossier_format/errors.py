"""Errors of the dossier format, with a Dutch message and a position in the source.

Every problem a user can cause with a dossier or route file (broken YAML, a schema violation, an
unknown format version) becomes a :class:`DossierError`; callers show ``str(error)`` and never a
traceback.
"""

from __future__ import annotations

DEFAULT_SOURCE = "<dossier>"


class DossierError(Exception):
    """A problem in a dossier, explained in Dutch for school staff.

    Attributes:
        message: the Dutch explanation, without the position.
        source: the file name, or ``"<dossier>"`` when the text has no file.
        line: 1-based line number, or ``None`` when unknown.
        column: 1-based column number, or ``None`` when unknown.
        path: where in the dossier the problem is (for example ``"plannen[1].evaluatie"``),
            or ``""`` for the whole document.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str = DEFAULT_SOURCE,
        line: int | None = None,
        column: int | None = None,
        path: str = "",
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        """Render as ``bestand:regel:kolom: boodschap``; unknown parts are left out."""
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, source={self.source!r}, "
            f"line={self.line!r}, column={self.column!r}, path={self.path!r})"
        )


class RouteError(DossierError):
    """A route definition file is malformed (raised by ``dossier_format.routes``)."""
