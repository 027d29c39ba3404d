"""Validation of OSO XML with the official Edustandaard files (XSD and business-rule XSLT).

The official files are not copied into Zorgkluis (``SOURCE.md`` states no licence for
redistribution); they are read from a *standards directory* holding ``OV/`` as published:
an explicit ``standards_dir`` argument, else the environment variable
``ZORGKLUIS_OSO_STANDAARD``, else ``<repo>/../shared/standards/oso``.

The XSLT (``OV/ValideerOverstapprofielen.xsl``, XSLT 2.0, run with Saxon-HE via ``saxonche``)
answers with ``<meldingen>`` holding ``<melding><type/><locatie/><tekst/></melding>`` items in
the namespace ``http://www.edustandaard.nl/oso_gegevensset/2019/schemas/Meldingen``. The 2019.1
files only ever emit ``type`` ``Fout``; other types are passed on unchanged. A document is
acceptable when it is XSD-valid and has no melding of type ``Fout``.

Both the compiled schema and the compiled stylesheet are cached per directory, so a process
pays the Saxon start-up and compile (~0.3 s) once.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from dossier_format.oso_errors import StandardsNotFoundError
from dossier_format.oso_tree import safe_parse

MELDINGEN_NS = "http://www.edustandaard.nl/oso_gegevensset/2019/schemas/Meldingen"
XSD_NAME = "OV/OSO_gegevensset_2019.1.xsd"
XSLT_NAME = "OV/ValideerOverstapprofielen.xsl"
ENV_VAR = "ZORGKLUIS_OSO_STANDAARD"


@dataclass(frozen=True)
class Melding:
    """One finding of the official validation XSLT.

    Attributes:
        niveau: the melding type as the XSLT writes it (``"Fout"`` in OSO 2019.1).
        tekst: the Dutch message.
        locatie: XPath of the element it concerns, e.g. ``/dossier[1]/inzage[1]``.
    """

    niveau: str
    tekst: str
    locatie: str

    @property
    def is_fout(self) -> bool:
        """True for a blocking error (type ``Fout``)."""
        return self.niveau == "Fout"


def default_standards_dir() -> Path:
    """The standards directory used when none is passed (see module docstring)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "standards" / "oso"


def _file(standards_dir: str | os.PathLike[str] | None, name: str) -> Path:
    base = Path(standards_dir) if standards_dir is not None else default_standards_dir()
    path = (base / name).resolve()
    if not path.is_file():
        raise StandardsNotFoundError(f"officieel OSO-bestand niet gevonden: {path}")
    return path


@functools.lru_cache(maxsize=4)
def _schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser))


def validate_xsd(xml: bytes, standards_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Validate OSO XML against the official XSD ``OV/OSO_gegevensset_2019.1.xsd``.

    Args:
        xml: the document.
        standards_dir: directory holding ``OV/`` (default: see module docstring).
    Returns:
        One ``"regel N: boodschap"`` string per schema error; empty when valid.
    Raises:
        StandardsNotFoundError: the XSD is not found.
        XmlRefused: the bytes are not acceptable XML (malformed, DTD, too large).
    """
    schema = _schema(_file(standards_dir, XSD_NAME))
    root = safe_parse(xml)
    if schema.validate(root.getroottree()):
        return []
    prefix = "{http://www.edustandaard.nl/oso_gegevensset/2019/dossier}"
    return [f"regel {e.line}: {e.message.replace(prefix, '')}" for e in schema.error_log]


class _Saxon:
    """One Saxon processor per process, plus compiled stylesheets per file."""

    processor: Any = None
    compiled: dict[Path, Any] = {}  # noqa: RUF012 - process-wide cache by design

    @classmethod
    def executable(cls, path: Path) -> Any:
        from saxonche import PySaxonProcessor  # imported lazily: JVM-free but ~50 ms start

        if cls.processor is None:
            cls.processor = PySaxonProcessor(license=False)
        if path not in cls.compiled:
            xslt = cls.processor.new_xslt30_processor()
            cls.compiled[path] = xslt.compile_stylesheet(stylesheet_file=str(path))
        return cls.compiled[path]


def validate_xslt(xml: bytes, standards_dir: str | os.PathLike[str] | None = None) -> list[Melding]:
    """Run the official business rules ``OV/ValideerOverstapprofielen.xsl`` on OSO XML.

    The input is first parsed safely (no DTD/entities) and handed to Saxon re-serialised, so
    Saxon never sees a DOCTYPE or fetches anything.

    Args:
        xml: the document.
        standards_dir: directory holding ``OV/`` (default: see module docstring).
    Returns:
        The meldingen in the XSLT's order; a dynamic error of the stylesheet (for example a
        boolean field holding "misschien") becomes one ``Fout`` melding at ``/``.
    Raises:
        StandardsNotFoundError: the stylesheet is not found.
        XmlRefused: the bytes are not acceptable XML.
    """
    from saxonche import PySaxonApiError

    path = _file(standards_dir, XSLT_NAME)
    text = etree.tostring(safe_parse(xml), encoding="unicode")
    executable = _Saxon.executable(path)
    try:
        node = _Saxon.processor.parse_xml(xml_text=text)
        out = executable.transform_to_string(xdm_node=node)
    except PySaxonApiError as exc:
        return [Melding("Fout", f"De validatie-XSLT stopte met een fout: {exc}", "/")]
    if not out:
        return []
    result = safe_parse(out.encode("utf-8"))
    meldingen = []
    for m in result.iter(f"{{{MELDINGEN_NS}}}melding"):
        meldingen.append(
            Melding(
                niveau=(m.findtext(f"{{{MELDINGEN_NS}}}type") or "").strip(),
                tekst=(m.findtext(f"{{{MELDINGEN_NS}}}tekst") or "").strip(),
                locatie=(m.findtext(f"{{{MELDINGEN_NS}}}locatie") or "").strip(),
            )
        )
    return meldingen


def validate(xml: bytes, standards_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Everything that makes OSO XML unacceptable, as Dutch lines for a user.

    XSD errors first (``"XSD regel N: ..."``); only an XSD-valid document is then run through
    the XSLT, whose ``Fout`` meldingen follow (``"Fout in /dossier[1]/...: ..."``).

    Args:
        xml: the document.
        standards_dir: directory holding ``OV/`` (default: see module docstring).
    Returns:
        The problems; empty when the document is acceptable.
    Raises:
        StandardsNotFoundError: the official files are not found.
        XmlRefused: the bytes are not acceptable XML.
    """
    errors = [f"XSD {e}" for e in validate_xsd(xml, standards_dir)]
    if errors:
        return errors
    return [
        f"{m.niveau} in {m.locatie}: {m.tekst}"
        for m in validate_xslt(xml, standards_dir)
        if m.is_fout
    ]
