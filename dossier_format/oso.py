"""Conversion between Zorgkluis dossiers and OSO gegevensset 2019.1 overstapdossiers.

OSO (Overstapservice Onderwijs, Edustandaard) is how Dutch schools hand a pupil's file to the
next school. :func:`to_oso` writes a PO-PO or PO-VO *overstapdossier*; :func:`from_oso` reads
any OSO 2019.1 dossier (also VO-VO and binnen-BRIN) into a dossier dict, and :func:`receive`
turns that into a new pupil of the receiving school. All work on plain data
(``dict``/``list``/``str``/``int``/``datetime.date``) as loaded by a YAML safe loader.
Validation with the official XSD and XSLT lives in :mod:`dossier_format.oso_validate` and is
re-exported here (:func:`validate` combines both into Dutch lines for a user).

Mapping (Zorgkluis key <-> OSO element, under ``dossier/huidigeschool/leerling``):

=================================  ========================================================
``leerling.id``                    ``leerlingid`` (the school's key; required for PO-VO).
                                   An import gets a new opaque id; the sender's key is kept
                                   in ``x_oso.herkomst.leerlingid``
``leerling.voornaam``              ``roepnaam``; also the single ``voornaam`` when the
                                   official first names are not known (``x_oso.leerling``)
``leerling.tussenvoegsel``         ``voorvoegsel``
``leerling.achternaam``            ``achternaam``
``leerling.geboortedatum``         ``geboortedatum``
``leerling.groep`` (1-8)           ``jaargroep`` of this school year's ``schoolloopbaan``
``leerling.stamgroep``             ``groepsnaam`` (and ``groepscode``) of that entry
``inschrijving.ingeschreven``      ``datuminschrijving``
``inschrijving.uitgeschreven``     ``datumuitschrijving``
``plannen[]`` (export only)        ``onderwijsondersteuning/handelingsplan``: ``start`` ->
                                   ``startdatum``; ``evaluatie.datum``, else
                                   ``evaluatie_gepland`` -> ``einddatum``; ``vakgebied``,
                                   else ``hulpvraag`` -> ``isgerichtop``; the whole plan as
                                   a YAML text attachment
``opp``                            ``onderwijsondersteuning/opp``: ``opgesteld`` <->
                                   ``opp_ingangdatum``; the rest of the OPP as a YAML text
                                   attachment
``verklaringen[]``                 ``onderwijsondersteuning/diagnose`` with code ``F81.0``
                                   (dyslexie) or ``F81.2`` (dyscalculie): ``datum``;
                                   ``afgegeven_door`` <-> ``doorwie`` as "naam
                                   (kwalificatie, BIG nummer)"; ``voor`` <-> ``naam`` as
                                   "Dyslexieverklaring voor lezen en spellen"
``toetsen[]``                      ``toetslijst/toets``: ``toets`` <-> ``toetsnaam`` (also
                                   ``eldtoetscode`` when no code is known); ``moment`` <->
                                   ``toetsversie`` (when it has the form ``M6``);
                                   ``datum`` <-> ``afnamedatum``; a numeric ``score`` <->
                                   ``vaardigheidsscore``, an AVI score <-> reference score
                                   ``AVI``; ``niveau`` <-> reference score ``AE`` (A-E) or
                                   ``IV`` (I-V); ``dle`` <-> reference score ``DLE``
``okr`` (export only)              ``inzage``: ``inzage_ouders`` -> ``inzagedatum`` (with
                                   ``inzage`` true); ``ouders_akkoord`` -> ``toestemming``
                                   (consent to the transfer: Ja/Nee/Onbekend) and
                                   ``akkoord`` (agreement with the content), which is
                                   ``Nee`` whenever the parents added their view (below).
                                   ``overstapadvies``: ``aandachtspunten`` ->
                                   ``aandachtspunten`` (joined, at most 280 characters, else
                                   -> ``argumentatie``), ``schooladvies`` -> ``argumentatie``
the parents' view on the OKR       ``inzage/redennietakkoord``: ``okr.opmerkingen_ouders``
                                   and every ``zienswijzen`` entry with ``onderdeel: okr``
                                   ("Zienswijze van <namens> (<datum>): <tekst>"), one
                                   paragraph each (003 §4.1: where parents disagree, their
                                   view goes with the report). Import: ``redennietakkoord``
                                   -> one ``zienswijzen`` entry with ``onderdeel:
                                   overstapdossier`` (the sending school's file, not an OKR
                                   of this school), dated ``inzagedatum``
=================================  ========================================================

Imported handelingsplannen stay in ``x_oso`` (they are the sending school's periods at its
own zorgniveaus; ``plannen`` requires this school's ``niveau``) and are exported again.
Not exported (no place in OSO, or not for another school): ``route``, ``betrokkenen``,
``niveaus``, ``besprekingen``, ``gesprekken``, ``toestemmingen``, ``onderzoeken``,
``protocollen``, ``groeidocument``, ``aanvragen``, ``zienswijzen`` about other parts,
``correcties``,
``toetsen[].soort``/``voldoende``, ``verklaringen[].onderzoek``, the other ``okr`` and
``inschrijving`` fields (an OSO dossier names only the sending school), and never
``werkaantekeningen`` (not part of the pupil file, 003 §4.4).

The ``x_oso`` key (the passthrough; an ``x_`` key, so format/1 keeps it unchecked):

``x_oso.leerling``
    OSO pupil data Zorgkluis does not model, as a generic tree (see
    :mod:`dossier_format.oso_tree`): BSN or onderwijsnummer, official first names, geslacht,
    adresgeheim, addresses, communicatie, gba, huisarts, verzorgersaansprakelijk,
    aansprakelijkeinstelling, verzorger(s), VVE, the schoolloopbaan history, the rest of
    onderwijsondersteuning (other diagnoses, medicijngebruik, imported handelingsplannen,
    TLV, arrangementen, LWOO, RVC), verzuim, the eindtoets, cijferlijsten, attachments and VO
    results. Written back on export with the modelled fields laid over it. The children of
    ``leerling`` and ``onderwijsondersteuning`` may be in any order; deeper blocks must follow
    the XSD order. A school exporting a dossier it did not import fills this block itself:
    an overstapdossier needs BSN or onderwijsnummer, an address or ``adresgeheim``, and the
    verzorgers (or an aansprakelijke instelling).
``x_oso.toetsen``
    List aligned by position with ``toetsen``: the unmodelled rest of each OSO toets
    (eldtoetscode, leergebied, afname details, other reference scores, onderdelen,
    attachments); ``null`` where there is none.
``x_oso.verklaringen``
    List aligned by position with ``verklaringen``: the rest of each diagnose
    (``instantie``, ``document``); ``null`` where there is none.
``x_oso.opp``
    The rest of the OSO ``opp`` block (``opp_einddatum``, documents).
``x_oso.inzage``, ``x_oso.overstapadvies``
    Statements of the *exporting* school for *this* transfer, used where ``okr`` does not say
    it (``inzage``: ``voorlopigdossier``, ``inzage``, ``inzagedatum``, ``akkoord``, ...;
    ``overstapadvies``: ``contactnodig``, ``contactpersoon``, and for PO-VO the ``advies``
    code of OSO codelijst 2). Never filled by an import: the parents' inzage of an earlier
    transfer does not cover the next one.
``x_oso.categorie_uitlevering``
    The parents' opt-outs: ``{cat_x: "OPT-UIT"}`` for categories the profile makes
    ``OPTIONEEL``; the data of such a category is left out of the export.
``x_oso.herkomst``
    What an import read that belongs to the sending school (``metadata``,
    ``overdrachtsoort``, ``inzage``, ``school``, ``overstapadvies``, ``leerlingid``; after
    :func:`receive` also its ``inschrijving``). Kept for the record; never exported.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import yaml
from lxml import etree

from dossier_format.model import new_pupil_id
from dossier_format.oso_errors import OsoError, StandardsNotFoundError, TreeError, XmlRefused
from dossier_format.oso_tree import (
    NOT_XML,
    OSO_NS,
    child,
    children,
    ensure,
    from_tree,
    local,
    put,
    put_text,
    remove,
    reorder,
    safe_parse,
    sub,
    text,
    to_tree,
)
from dossier_format.oso_validate import Melding, validate, validate_xsd, validate_xslt
from dossier_format.parts import TOP_LEVEL_ORDER
from dossier_format.schema import FORMAT_ID

__all__ = [
    "OSO_NS",
    "PASSTHROUGH",
    "Adres",
    "Melding",
    "OsoError",
    "Profile",
    "SchoolInfo",
    "StandardsNotFoundError",
    "XmlRefused",
    "from_oso",
    "receive",
    "to_oso",
    "validate",
    "validate_xsd",
    "validate_xslt",
]

STANDAARDVERSIE = "2019.1"
VALIDATIEVERSIE = "2019.1.1"
PAKKETNAAM = "Zorgkluis"
PAKKETVERSIE = "1"

Profile = Literal["PO-PO", "PO-VO"]
_OVERSTAP: dict[str, str] = {"PO-PO": "POPO", "PO-VO": "POVO"}

# Child orders of the XSD sequences we write into (checked against the XSD by the tests).
LEERLING_ORDER = (
    "voornaam", "voorletters-1", "voorvoegsel", "achternaam", "roepnaam", "geboortedatum",
    "geboortemaand", "geslacht", "adresgeheim", "adreslijst", "postcode4adres",
    "communicatielijst", "gba", "adresbuitenland", "geboorteplaats", "nationaliteit",
    "onderwijsnummer", "bsn", "leerlingid", "onderwijssinds", "startdatumhuidigonderwijs",
    "datuminschrijving", "datumuitschrijving", "teruggeplaatstnaarbrin", "leerlinggewicht",
    "nnca", "tehuis", "huisarts", "verzorgersaansprakelijk", "aansprakelijkeinstelling",
    "overstapadvies", "vanpeuterspeelzaal", "naampeuterspeelzaal", "voorschools",
    "vroegschools", "schoolloopbaanlijst", "onderwijsondersteuning", "verzuim",
    "eindtoets_basisonderwijs", "toetslijst", "cijferlijstlijst", "overigdocumentlijst",
    "verzorger", "bevorderd", "examenresultaat", "resultaatvakkenvo", "certificaat",
    "competenties", "stage", "overigvombo",
)  # fmt: skip
ONDERSTEUNING_ORDER = (
    "toelichting_onderwijsbehoeften", "diagnose", "medicijngebruik", "handelingsplan", "opp",
    "tlv", "arrangement_cluster12", "arrangement_pao", "lwoo", "rvc",
)  # fmt: skip
SCHOOLLOOPBAAN_ORDER = (
    "schooljaar", "groepscode", "groepsnaam", "jaargroep", "begindatum", "einddatum",
    "brincode", "vestigingscode", "schoolsoort", "schooltype", "voelementcode",
    "voelementomschrijving", "schoolsoortomschrijving",
)  # fmt: skip
OPP_ORDER = ("opp_ingangdatum", "opp_einddatum", "document")
DIAGNOSE_ORDER = ("code", "naam", "datum", "doorwie", "instantie", "document")
TOETS_ORDER = ("toetsidentificatie", "afname", "resultaat", "toetsonderdeel", "opmerking")
TOETSID_ORDER = ("eldtoetscode", "leergebied", "toetsnaam", "toetsversie")
AFNAME_ORDER = ("afnamedatum", "jaargroep", "dl", "afgenomendoor")
RESULTAAT_ORDER = ("toetsscore", "referentiescore", "document")
TOETSSCORE_ORDER = (
    "aantalopgaven", "aantalgoed", "aantalfout", "aantalgelezen", "tijd", "vaardigheidsscore",
    "codevaardigheidsschaal", "betrouwbaarheidsinterval",
)  # fmt: skip
OVERSTAPADVIES_ORDER = (
    "advies", "wensouders", "wensleerling", "herzienadvies", "motivatie_herzienadvies",
    "profiel", "argumentatie", "contactnodig", "contactpersoon", "contacttelefoon",
    "contactemail", "aandachtspunten",
)  # fmt: skip
REFERENTIESCORE_ORDER = ("codereferentiescore", "codevergelijkingsgroep", "waarde", "kwalificatie")

# Categorie uitlevering: the category, its default per profile, and the leerling children
# (or onderwijsondersteuning children, prefixed "oo/") it covers.
_CATEGORIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("cat_metadata", "VERPLICHT", "VERPLICHT", ()),
    ("cat_ouderinzage", "VERPLICHT", "VERPLICHT", ()),
    ("cat_school", "VERPLICHT", "VERPLICHT", ()),
    ("cat_leerling", "VERPLICHT", "VERPLICHT", ()),
    ("cat_oudersverzorgers", "VERPLICHT", "VERPLICHT",
     ("verzorgersaansprakelijk", "aansprakelijkeinstelling", "verzorger")),
    ("cat_vve", "OPTIONEEL", "VERBODEN",
     ("vanpeuterspeelzaal", "naampeuterspeelzaal", "voorschools", "vroegschools")),
    ("cat_schoolloopbaan", "VERPLICHT", "VERPLICHT", ("schoolloopbaanlijst",)),
    ("cat_overstapadvies", "VERPLICHT", "VERPLICHT", ("overstapadvies",)),
    ("cat_onderwijsondersteuning", "OPTIONEEL", "OPTIONEEL",
     tuple(f"oo/{n}" for n in ONDERSTEUNING_ORDER if n != "handelingsplan")),
    ("cat_verzuim", "OPTIONEEL", "OPTIONEEL", ("verzuim",)),
    ("cat_eindtoetsbo", "OPTIONEEL", "OPTIONEEL", ("eindtoets_basisonderwijs",)),
    ("cat_toetsresultaten", "OPTIONEEL", "OPTIONEEL", ("toetslijst",)),
    ("cat_handelingsplannen", "OPTIONEEL", "OPTIONEEL", ("oo/handelingsplan",)),
    ("cat_cijferlijsten", "OPTIONEEL", "OPTIONEEL", ("cijferlijstlijst",)),
    ("cat_vombo", "VERBODEN", "VERBODEN",
     ("bevorderd", "examenresultaat", "resultaatvakkenvo", "certificaat", "competenties",
      "stage", "overigvombo")),
    ("cat_bijlagedocs", "OPTIONEEL", "OPTIONEEL", ("overigdocumentlijst",)),
)  # fmt: skip

#: The dossier key of the passthrough (module docstring).
PASSTHROUGH = "x_oso"

_VERKLARING_CODES = {"dyslexie": "F81.0", "dyscalculie": "F81.2"}
_VERKLARING_SOORT = {code: soort for soort, code in _VERKLARING_CODES.items()}
_KWALIFICATIES = {
    "gz_psycholoog": "GZ-psycholoog",
    "klinisch_psycholoog": "klinisch psycholoog",
    "kinder_en_jeugdpsycholoog": "kinder- en jeugdpsycholoog",
    "orthopedagoog_generalist": "orthopedagoog-generalist",
    "psycholoog": "psycholoog",
    "orthopedagoog": "orthopedagoog",
    "overig": "overig",
}
_KWALIFICATIE_CODES = {label: code for code, label in _KWALIFICATIES.items()}
_VOOR = ("lezen", "spellen", "rekenen")
_NIVEAU = re.compile(r"(?P<basis>A|B|C|D|E|I|II|III|IV|V)[+-]?")
_AE = ("A", "B", "C", "D", "E")
_MOMENT = re.compile(r"(B|M|E)[1-8]?")
_BRIN = re.compile(r"[0-9][0-9][A-Z][A-Z]")
_VESTIGING = re.compile(r"[0-9][0-9]")
_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?\s*")
_DOORWIE = re.compile(r"(?P<naam>[^()]*?) \((?P<kwalificatie>[^(),]*?)(?:, BIG (?P<big>[^()]*))?\)")
_VERKLARING_NAAM = re.compile(r"(?:Dyslexie|Dyscalculie)verklaring(?: voor (?P<voor>.+))?")
_AANDACHTSPUNTEN_MAX = 280


@dataclass(frozen=True)
class Adres:
    """A postal address in OSO form (``soort``: ``bezoek``, ``post`` or ``gba``)."""

    straat: str
    nummer: str
    postcode: str
    plaats: str
    toevoeging: str | None = None
    gemeente: str | None = None
    soort: str = "bezoek"


@dataclass(frozen=True)
class SchoolInfo:
    """A school as OSO names it: BRIN (``99XX``), vestiging (``00``), address and contact.

    The OSO overstapprofielen require an address and at least one telephone number or e-mail
    address for the sending school.
    """

    naam: str
    brin: str
    adres: Adres
    vestiging: str = "00"
    telefoon: str | None = None
    email: str | None = None
    aanleverpunt: str = "0"
    soort: str | None = None
    type: str | None = None
    naamdirecteur: str | None = None
    website: str | None = None


# --------------------------------------------------------------------------------- export


def to_oso(
    data: Mapping[str, Any],
    *,
    profile: Profile,
    sender: SchoolInfo,
    receiver: SchoolInfo | None,
    created: dt.datetime,
) -> bytes:
    """Write a dossier as an OSO 2019.1 overstapdossier (UTF-8 XML).

    The result is XSD-valid for any dossier whose modelled fields have the documented types.
    The business rules of the profile (checked by :func:`validate_xslt`) also need data that
    Zorgkluis does not model; it comes from the ``x_oso`` passthrough (module docstring), so
    a dossier without it yields meldingen such as "BSN of onderwijsnummer is verplicht".
    For PO-VO only toetsen of the current and two previous school years are written (rule
    OVa.TR04); categories the parents opted out of are left out.

    Args:
        data: the dossier (plain data; dates as ``datetime.date``).
        profile: ``"PO-PO"`` or ``"PO-VO"``.
        sender: the exporting school (becomes ``huidigeschool``).
        receiver: the receiving school, when known. OSO carries no receiving school inside the
            dossier; it is used to refuse a transfer within one BRIN, which is a different
            OSO profile (overdracht binnen BRIN).
        created: the moment of export (``metadata/datum``, the school year).
    Returns:
        The XML document, pretty-printed, with an XML declaration.
    Raises:
        OsoError: unknown profile, malformed school data, a modelled field of the wrong type,
            missing data the XSD requires (``leerling.achternaam``, ``plannen[].start``,
            ``toetsen[].datum``, ``opp.opgesteld``) or a malformed ``x_oso`` passthrough.
    """
    if profile not in _OVERSTAP:
        raise OsoError(f"onbekend OSO-profiel {profile!r}; kies PO-PO of PO-VO")
    _check_school(sender, "verzendende school")
    if receiver is not None:
        _check_school(receiver, "ontvangende school")
        if receiver.brin == sender.brin:
            raise OsoError(
                "ontvangende school heeft dezelfde BRIN als de verzendende; "
                "overdracht binnen BRIN is een ander OSO-profiel"
            )
    try:
        return _Export(data, profile, sender, created).build()
    except TreeError as exc:
        raise _bad(f"{PASSTHROUGH}: {exc.message}") from None
    except ValueError as exc:  # lxml refusing a text, e.g. a control character in SchoolInfo
        raise OsoError(f"niet als XML te schrijven: {exc}") from None


def _check_school(school: SchoolInfo, wie: str) -> None:
    if not _BRIN.fullmatch(school.brin):
        raise OsoError(f"{wie}: BRIN {school.brin!r} heeft niet de vorm 99XX")
    if not _VESTIGING.fullmatch(school.vestiging):
        raise OsoError(f"{wie}: vestiging {school.vestiging!r} heeft niet de vorm 99")
    if not school.naam:
        raise OsoError(f"{wie}: naam ontbreekt")


def _bad(message: str) -> OsoError:
    """An error in the dossier data (as opposed to the XML)."""
    return OsoError(message, source="<dossier>")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _bad(f"{where}: verwacht een mapping")
    return value


def _list(value: Any, where: str) -> Sequence[Any]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise _bad(f"{where}: verwacht een lijst")
    return value


def _date(value: Any, where: str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE.fullmatch(value):
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    raise _bad(f"{where}: verwacht een datum (JJJJ-MM-DD), kreeg {value!r}")


def _str(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _bad(f"{where}: verwacht tekst, kreeg {value!r}")
    out = str(value).strip()
    if not out:
        raise _bad(f"{where}: mag niet leeg zijn")
    if NOT_XML.search(out):
        raise _bad(f"{where}: bevat een teken dat niet in XML kan")
    return out


def _schooljaar(day: dt.date) -> str:
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def _document(bestandsnaam: str, omschrijving: str, inhoud: str, when: dt.date) -> etree._Element:
    """An OSO ``document``: ``inhoud`` as a UTF-8 text file in a base64-encoded ZIP.

    The ZIP entry carries ``when`` as its date, so the output is deterministic.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(bestandsnaam, date_time=(max(when.year, 1980), when.month,
                                                        when.day, 0, 0, 0))  # fmt: skip
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, inhoud.encode("utf-8"))
    el = etree.Element(f"{{{OSO_NS}}}document")
    sub(el, "bestandsnaam", bestandsnaam)
    sub(el, "omschrijving", omschrijving)
    sub(el, "bestandsinhoud", base64.b64encode(buf.getvalue()).decode("ascii"))
    return el


def _yaml_text(title: str, value: Mapping[str, Any]) -> str:
    try:
        body = yaml.safe_dump(dict(value), allow_unicode=True, sort_keys=False, width=88)
    except yaml.YAMLError as exc:
        raise _bad(f"{title}: niet als tekst te schrijven: {exc}") from None
    return f"# {title} (Zorgkluis)\n{body}"


def _ja_nee(value: Any) -> str:
    return "Ja" if value is True else "Nee" if value is False else "Onbekend"


class _Export:
    def __init__(
        self, data: Mapping[str, Any], profile: str, sender: SchoolInfo, created: dt.datetime
    ) -> None:
        self.data = _mapping(data, "dossier")
        self.profile = profile
        self.sender = sender
        self.day = created.date() if isinstance(created, dt.datetime) else created
        self.oso = _mapping(self.data.get(PASSTHROUGH), PASSTHROUGH)
        self.leerling = _mapping(self.data.get("leerling"), "leerling")
        self.okr = _mapping(self.data.get("okr"), "okr")

    def tree(self, key: str, name: str) -> etree._Element | None:
        value = self.oso.get(key)
        return None if value is None else from_tree(name, value)

    def build(self) -> bytes:
        categories = self.categories()
        root = etree.Element(f"{{{OSO_NS}}}dossier", nsmap={None: OSO_NS})
        root.append(self.metadata(categories))
        sub(root, "overdrachtsoort", "overstapdossier")
        inzage = self.inzage()
        if inzage is not None and categories["cat_ouderinzage"] not in ("OPT-UIT", "VERBODEN"):
            root.append(inzage)
        school = self.school()
        root.append(school)
        leerling = self.pupil()
        school.append(leerling)
        self.leave_out(leerling, categories)
        etree.cleanup_namespaces(root, top_nsmap={None: OSO_NS})
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    # -- metadata, inzage and school

    def categories(self) -> dict[str, str]:
        where = f"{PASSTHROUGH}.categorie_uitlevering"
        wishes = _mapping(self.oso.get("categorie_uitlevering"), where)
        out: dict[str, str] = {}
        for name, popo, povo, _ in _CATEGORIES:
            default = popo if self.profile == "PO-PO" else povo
            wish = wishes.get(name)
            if wish is not None and wish != default:
                if default != "OPTIONEEL" or wish != "OPT-UIT":
                    raise _bad(
                        f"{where}.{name}: {wish!r} kan niet; het profiel "
                        f"{self.profile} maakt deze categorie {default}"
                    )
                default = wish
            out[name] = default
        unknown = set(wishes) - set(out)
        if unknown:
            raise _bad(f"{where}: onbekende categorie {sorted(unknown)[0]!r}")
        return out

    def metadata(self, categories: Mapping[str, str]) -> etree._Element:
        md = etree.Element(f"{{{OSO_NS}}}metadata")
        sub(md, "deeldossier", "LASLVS")
        sub(md, "pakketnaam", PAKKETNAAM)
        sub(md, "pakketversie", PAKKETVERSIE)
        sub(md, "datum", self.day.isoformat())
        sub(md, "standaardversie", STANDAARDVERSIE)
        sub(md, "validatieversie", VALIDATIEVERSIE)
        cat = sub(md, "categorie_uitlevering")
        for name, value in categories.items():
            sub(cat, name, value)
        sub(md, "overstap", _OVERSTAP[self.profile])
        return md

    def inzage(self) -> etree._Element | None:
        """Ouderinzage from ``okr`` when it records one, else ``x_oso.inzage``."""
        gezien = self.okr.get("inzage_ouders")
        if gezien is None:
            return self.tree("inzage", "inzage")
        el = etree.Element(f"{{{OSO_NS}}}inzage")
        sub(el, "voorlopigdossier", "false")
        sub(el, "inzage", "true")
        sub(el, "inzagedatum", _date(gezien, "okr.inzage_ouders"))
        akkoord = self.okr.get("ouders_akkoord")
        view = self.parents_view()
        # akkoord is about the content, toestemming about the transfer (XSD): parents who
        # added their view disagree with the content, whether or not they consented.
        sub(el, "akkoord", "Nee" if view else _ja_nee(akkoord))
        if view:
            sub(el, "redennietakkoord", view)
        sub(el, "toestemming", _ja_nee(akkoord))
        return el

    def parents_view(self) -> str | None:
        """The parents' view on the OKR as one text: ``okr.opmerkingen_ouders`` and the
        ``zienswijzen`` with ``onderdeel: okr``, one paragraph each; None when there is none."""
        pieces: list[str] = []
        opmerkingen = self.okr.get("opmerkingen_ouders")
        if not (isinstance(opmerkingen, str) and not opmerkingen.strip()):
            remark = _opt_str(opmerkingen, "okr.opmerkingen_ouders")
            if remark:
                pieces.append(remark)
        for i, z in enumerate(_list(self.data.get("zienswijzen"), "zienswijzen")):
            if not isinstance(z, Mapping) or z.get("onderdeel") != "okr":
                continue
            where = f"zienswijzen[{i}]"
            tekst = _str(z.get("tekst"), f"{where}.tekst")
            namens = _opt_str(z.get("namens"), f"{where}.namens") or "de ouders"
            datum = z.get("datum")
            when = f" ({_date(datum, f'{where}.datum')})" if datum is not None else ""
            pieces.append(f"Zienswijze van {namens}{when}: {tekst}")
        return "\n\n".join(pieces) or None

    def school(self) -> etree._Element:
        s = self.sender
        el = etree.Element(f"{{{OSO_NS}}}huidigeschool")
        sub(el, "naam", s.naam)
        adres = sub(sub(el, "adreslijst"), "adres")
        a = s.adres
        for name, value in (
            ("soortadres", a.soort), ("straat", a.straat), ("nummer", a.nummer),
            ("toevoeging", a.toevoeging), ("postcode", a.postcode), ("plaats", a.plaats),
            ("gemeente", a.gemeente),
        ):  # fmt: skip
            if value:
                sub(adres, name, value)
        if s.telefoon or s.email:
            comm = sub(el, "communicatielijst")
            for soort, nummer in (("telefoon", s.telefoon), ("e-mail", s.email)):
                if nummer:
                    c = sub(comm, "communicatie")
                    sub(c, "soort", soort)
                    sub(c, "aanduiding", "werk")
                    sub(c, "nummer", nummer)
        for name, value in (
            ("brincode", s.brin), ("vestigingscode", s.vestiging),
            ("aanleverpunt", s.aanleverpunt), ("soort", s.soort), ("type", s.type),
            ("naamdirecteur", s.naamdirecteur), ("website", s.website),
        ):  # fmt: skip
            if value:
                sub(el, name, value)
        return el

    # -- leerling

    def pupil(self) -> etree._Element:
        el = self.tree("leerling", "leerling")
        if el is None:
            el = etree.Element(f"{{{OSO_NS}}}leerling")
        # a hand-written passthrough need not follow the XSD order at these two levels
        reorder(el, LEERLING_ORDER)
        oo = child(el, "onderwijsondersteuning")
        if oo is not None:
            reorder(oo, ONDERSTEUNING_ORDER)
        ll = self.leerling
        order = LEERLING_ORDER
        voornaam = _opt_str(ll.get("voornaam"), "leerling.voornaam")
        if voornaam is not None and child(el, "voornaam") is None:
            put_text(el, "voornaam", order, voornaam)
        put_text(el, "roepnaam", order, voornaam)
        put_text(
            el, "voorvoegsel", order, _opt_str(ll.get("tussenvoegsel"), "leerling.tussenvoegsel")
        )
        if ll.get("achternaam") is None:
            raise _bad("leerling.achternaam ontbreekt (verplicht in OSO)")
        put_text(el, "achternaam", order, _str(ll["achternaam"], "leerling.achternaam"))
        if ll.get("geboortedatum") is not None:
            remove(el, "geboortemaand")
            geboren = _date(ll["geboortedatum"], "leerling.geboortedatum")
            put_text(el, "geboortedatum", order, geboren)
        else:
            remove(el, "geboortedatum")
        put_text(el, "leerlingid", order, _opt_str(ll.get("id"), "leerling.id"))
        ins = _mapping(self.data.get("inschrijving"), "inschrijving")
        for key, name in (("ingeschreven", "datuminschrijving"),
                          ("uitgeschreven", "datumuitschrijving")):  # fmt: skip
            value = ins.get(key)
            datum = None if value is None else _date(value, f"inschrijving.{key}")
            put_text(el, name, order, datum)
        advies = self.overstapadvies()
        put(el, "overstapadvies", order, [] if advies is None else [advies])
        self.schoolloopbaan(el)
        self.ondersteuning(el)
        self.toetsen(el)
        return el

    def overstapadvies(self) -> etree._Element | None:
        """``x_oso.overstapadvies`` with the OKR's aandachtspunten and schooladvies laid over."""
        el = self.tree("overstapadvies", "overstapadvies")
        punten = [
            _str(p, f"okr.aandachtspunten[{i}]")
            for i, p in enumerate(_list(self.okr.get("aandachtspunten"), "okr.aandachtspunten"))
        ]
        advies = _opt_str(self.okr.get("schooladvies"), "okr.schooladvies")
        if not punten and advies is None:
            return el
        if el is None:
            el = etree.Element(f"{{{OSO_NS}}}overstapadvies")
        argumentatie = [f"Schooladvies: {advies}"] if advies else []
        samen = "; ".join(punten)
        if punten and len(samen) <= _AANDACHTSPUNTEN_MAX:
            put_text(el, "aandachtspunten", OVERSTAPADVIES_ORDER, samen)
        elif punten:
            argumentatie.append("Aandachtspunten: " + samen)
        if argumentatie:
            put_text(el, "argumentatie", OVERSTAPADVIES_ORDER, "\n".join(argumentatie))
        return el

    def schoolloopbaan(self, el: etree._Element) -> None:
        groep = self.leerling.get("groep")
        stamgroep = _opt_str(self.leerling.get("stamgroep"), "leerling.stamgroep")
        if groep is None:
            return
        if isinstance(groep, bool) or not isinstance(groep, int) or not 1 <= groep <= 8:
            raise _bad(f"leerling.groep: verwacht 1 t/m 8, kreeg {groep!r}")
        jaar = _schooljaar(self.day)
        current = _current_schoolloopbaan(el)
        if current is not None and (
            text(child(current, "brincode")) != self.sender.brin
            or text(child(current, "schooljaar")) != jaar
        ):
            current = None  # history of an earlier school or year: add this year's entry
        lijst = ensure(el, "schoolloopbaanlijst", LEERLING_ORDER)
        if current is None:
            current = sub(lijst, "schoolloopbaan")
            sub(current, "schooljaar", jaar)
            sub(current, "groepscode", stamgroep or str(groep))
            sub(current, "jaargroep", str(groep))
            sub(current, "brincode", self.sender.brin)
            sub(current, "vestigingscode", self.sender.vestiging)
        put_text(current, "jaargroep", SCHOOLLOOPBAAN_ORDER, str(groep))
        if stamgroep is not None:
            put_text(current, "groepsnaam", SCHOOLLOOPBAAN_ORDER, stamgroep)

    def ondersteuning(self, el: etree._Element) -> None:
        oo = child(el, "onderwijsondersteuning")
        if oo is None:
            oo = etree.Element(f"{{{OSO_NS}}}onderwijsondersteuning")
        diagnoses = children(oo, "diagnose")
        extras = _list(self.oso.get("verklaringen"), f"{PASSTHROUGH}.verklaringen")
        for i, v in enumerate(_list(self.data.get("verklaringen"), "verklaringen")):
            extra = extras[i] if i < len(extras) else None
            diagnoses.append(self.verklaring(_mapping(v, f"verklaringen[{i}]"), i, extra))
        put(oo, "diagnose", ONDERSTEUNING_ORDER, diagnoses)
        plans = children(oo, "handelingsplan")  # imported ones, kept in the passthrough
        for i, p in enumerate(_list(self.data.get("plannen"), "plannen")):
            plans.append(self.plan(_mapping(p, f"plannen[{i}]"), i))
        put(oo, "handelingsplan", ONDERSTEUNING_ORDER, plans)
        opp = self.opp()
        put(oo, "opp", ONDERSTEUNING_ORDER, [] if opp is None else [opp])
        put(el, "onderwijsondersteuning", LEERLING_ORDER, [oo] if len(oo) else [])

    def verklaring(self, v: Mapping[str, Any], i: int, extra: Any) -> etree._Element:
        where = f"verklaringen[{i}]"
        soort = v.get("soort")
        if soort not in _VERKLARING_CODES:
            raise _bad(f"{where}.soort: verwacht dyslexie of dyscalculie")
        el = from_tree("diagnose", extra) if extra is not None else None
        if el is None:
            el = etree.Element(f"{{{OSO_NS}}}diagnose")
        put_text(el, "code", DIAGNOSE_ORDER, _VERKLARING_CODES[soort])
        naam = f"{soort.capitalize()}verklaring"
        voor = [_str(x, f"{where}.voor") for x in _list(v.get("voor"), f"{where}.voor")]
        if voor:
            naam += " voor " + " en ".join(voor)
        put_text(el, "naam", DIAGNOSE_ORDER, naam)
        datum = v.get("datum")
        put_text(el, "datum", DIAGNOSE_ORDER, None if datum is None else _date(datum, where))
        door = _mapping(v.get("afgegeven_door"), f"{where}.afgegeven_door")
        doorwie = _opt_str(door.get("naam"), f"{where}.afgegeven_door.naam")
        kwalificatie = door.get("kwalificatie")
        label = _KWALIFICATIES.get(kwalificatie, kwalificatie) if kwalificatie else None
        extra_info = [_str(label, f"{where}.afgegeven_door.kwalificatie")] if label else []
        big = _opt_str(door.get("big_nummer"), f"{where}.afgegeven_door.big_nummer")
        if big:
            extra_info.append(f"BIG {big}")
        if doorwie and extra_info:
            doorwie = f"{doorwie} ({', '.join(extra_info)})"
        put_text(el, "doorwie", DIAGNOSE_ORDER, doorwie or ", ".join(extra_info) or None)
        return el

    def plan(self, p: Mapping[str, Any], i: int) -> etree._Element:
        where = f"plannen[{i}]"
        if p.get("start") is None:
            raise _bad(f"{where}.start ontbreekt (verplicht in OSO)")
        el = etree.Element(f"{{{OSO_NS}}}handelingsplan")
        sub(el, "startdatum", _date(p["start"], f"{where}.start"))
        evaluatie = _mapping(p.get("evaluatie"), f"{where}.evaluatie")
        eind = evaluatie.get("datum") or p.get("evaluatie_gepland")
        if eind is not None:
            sub(el, "einddatum", _date(eind, f"{where}.evaluatie"))
        gericht = p.get("vakgebied") or p.get("hulpvraag") or p.get("soort") or "handelingsplan"
        sub(el, "isgerichtop", _str(gericht, f"{where}.hulpvraag"))
        label = _str(p.get("id") or i + 1, f"{where}.id")
        el.append(_document(f"plan-{label}.txt", f"Plan {label}", _yaml_text("Plan", p), self.day))
        return el

    def opp(self) -> etree._Element | None:
        if self.data.get("opp") is None:
            return None
        opp = _mapping(self.data["opp"], "opp")
        el = self.tree("opp", "opp")
        if el is None:
            el = etree.Element(f"{{{OSO_NS}}}opp")
        if opp.get("opgesteld") is None:
            raise _bad("opp.opgesteld ontbreekt (verplicht in OSO)")
        put_text(el, "opp_ingangdatum", OPP_ORDER, _date(opp["opgesteld"], "opp.opgesteld"))
        if set(opp) - {"opgesteld"}:
            docs = children(el, "document")
            docs.append(_document("opp.txt", "Ontwikkelingsperspectief", _yaml_text("OPP", opp),
                                 self.day))  # fmt: skip
            put(el, "document", OPP_ORDER, docs)
        return el

    def toetsen(self, el: etree._Element) -> None:
        extras = _list(self.oso.get("toetsen"), f"{PASSTHROUGH}.toetsen")
        vanaf = self.toets_vanaf()
        out = []
        for i, t in enumerate(_list(self.data.get("toetsen"), "toetsen")):
            t = _mapping(t, f"toetsen[{i}]")
            where = f"toetsen[{i}]"
            if t.get("datum") is None:
                raise _bad(f"{where}.datum ontbreekt (verplicht in OSO)")
            datum = _date(t["datum"], f"{where}.datum")
            if vanaf is not None and datum < vanaf:
                continue
            extra = extras[i] if i < len(extras) else None
            out.append(self.toets(t, datum, where, extra))
        put(el, "toetslijst", LEERLING_ORDER, [])
        if out:
            lijst = ensure(el, "toetslijst", LEERLING_ORDER)
            for toets in out:
                lijst.append(toets)

    def toets_vanaf(self) -> str | None:
        """PO-VO: the earliest allowed afnamedatum (rule OVa.TR04), else None."""
        if self.profile != "PO-VO":
            return None
        begin = dt.date(self.day.year, 8, 1)
        back = 3 if self.day < begin else 2
        return dt.date(self.day.year - back, 8, 1).isoformat()

    def toets(self, t: Mapping[str, Any], datum: str, where: str, extra: Any) -> etree._Element:
        el = from_tree("toets", extra) if extra is not None else None
        if el is None:
            el = etree.Element(f"{{{OSO_NS}}}toets")
        naam = _str(t.get("toets"), f"{where}.toets")
        ident = ensure(el, "toetsidentificatie", TOETS_ORDER)
        if child(ident, "eldtoetscode") is None:
            put_text(ident, "eldtoetscode", TOETSID_ORDER, naam)
        put_text(ident, "toetsnaam", TOETSID_ORDER, naam)
        moment = _opt_str(t.get("moment"), f"{where}.moment")
        if moment is not None:
            put_text(ident, "toetsversie", TOETSID_ORDER, moment)
        put_text(ensure(el, "afname", TOETS_ORDER), "afnamedatum", AFNAME_ORDER, datum)
        resultaat = ensure(el, "resultaat", TOETS_ORDER)
        score = t.get("score")
        wanted: list[tuple[tuple[str, ...], str, str]] = []
        if isinstance(score, int | float) and not isinstance(score, bool):
            ts = ensure(resultaat, "toetsscore", RESULTAAT_ORDER)
            put_text(ts, "vaardigheidsscore", TOETSSCORE_ORDER, _decimal(score, where))
        elif score is not None:
            wanted.append((("AVI",), "AVI", _str(score, f"{where}.score")))
        niveau = t.get("niveau")
        if niveau is not None:
            m = _NIVEAU.fullmatch(niveau) if isinstance(niveau, str) else None
            if m is None:
                raise _bad(f"{where}.niveau: verwacht A-E of I-V, kreeg {niveau!r}")
            wanted.append((("AE", "IV"), "AE" if m["basis"] in _AE else "IV", niveau))
        dle = t.get("dle")
        if dle is not None:
            if isinstance(dle, bool) or not isinstance(dle, int):
                raise _bad(f"{where}.dle: verwacht een geheel getal, kreeg {dle!r}")
            wanted.append((("DLE",), "DLE", str(dle)))
        refs = children(resultaat, "referentiescore")
        # An import strips the waarde of the reference score it modelled; fill those again.
        open_refs = [r for r in refs if child(r, "waarde") is None]
        for codes, code, waarde in wanted:
            ref = next(
                (r for r in open_refs if text(child(r, "codereferentiescore")) in codes), None
            )
            if ref is None:
                ref = etree.Element(f"{{{OSO_NS}}}referentiescore")
                put_text(ref, "codevergelijkingsgroep", REFERENTIESCORE_ORDER, "Landelijk")
                refs.append(ref)
            else:
                open_refs.remove(ref)
            put_text(ref, "codereferentiescore", REFERENTIESCORE_ORDER, code)
            put_text(ref, "waarde", REFERENTIESCORE_ORDER, waarde)
        put(resultaat, "referentiescore", RESULTAAT_ORDER, [r for r in refs if r not in open_refs])
        return el

    def leave_out(self, leerling: etree._Element, categories: Mapping[str, str]) -> None:
        for name, _, _, elements in _CATEGORIES:
            if categories[name] not in ("OPT-UIT", "VERBODEN"):
                continue
            for path in elements:
                if path.startswith("oo/"):
                    oo = child(leerling, "onderwijsondersteuning")
                    if oo is not None:
                        remove(oo, path[3:])
                        if not len(oo):
                            leerling.remove(oo)
                else:
                    remove(leerling, path)


def _current_schoolloopbaan(leerling: etree._Element) -> etree._Element | None:
    """The schoolloopbaan entry of the latest school year (the last one written on a tie)."""
    lijst = child(leerling, "schoolloopbaanlijst")
    entries = children(lijst, "schoolloopbaan") if lijst is not None else []
    if not entries:
        return None
    return max(reversed(entries), key=lambda e: text(child(e, "schooljaar")) or "")


def _decimal(value: int | float, where: str) -> str:
    """A number as xs:decimal text (no exponent)."""
    d = Decimal(str(value))
    if not d.is_finite():
        raise _bad(f"{where}.score: verwacht een eindig getal, kreeg {value!r}")
    return format(d, "f")


def _opt_str(value: Any, where: str) -> str | None:
    return None if value is None else _str(value, where)


# --------------------------------------------------------------------------------- import


def from_oso(xml: bytes, source: str = "<oso>", *, pupil_id: str | None = None) -> dict[str, Any]:
    """Read an OSO 2019.1 dossier into a Zorgkluis dossier dict.

    The mapped fields land in their Zorgkluis keys; everything else is kept under ``x_oso``
    (module docstring), so :func:`to_oso` can write it again. ``inschrijving`` still holds the
    sending school's dates; :func:`receive` makes the result a pupil of the receiving school.
    Nothing from the file is trusted: no DTD, entities or network access; an input that is not
    an OSO 2019 dossier is refused.

    Args:
        xml: the document.
        source: file name for error messages.
        pupil_id: the ``leerling.id`` to use; default a new opaque id (``new_pupil_id``). The
            sending school's ``leerlingid`` goes to ``x_oso.herkomst.leerlingid``.
    Returns:
        A dict in canonical key order starting with ``formaat: zorgkluis-dossier/1``; it has no
        ``route`` (the receiving school's choice).
    Raises:
        OsoError: for any input that cannot be read (the only exception it raises).
    """
    try:
        root = safe_parse(xml)
    except XmlRefused as exc:
        raise OsoError(exc.message, source, exc.line) from None
    try:
        return _Import(root, source).build(pupil_id or new_pupil_id())
    except OsoError:
        raise
    except (ValueError, TypeError, InvalidOperation) as exc:  # defensive: never a traceback
        raise OsoError(f"onleesbaar OSO-dossier: {exc}", source) from None


def receive(data: Mapping[str, Any], *, route: str, ingeschreven: dt.date | None) -> dict[str, Any]:
    """Make an imported dossier (from :func:`from_oso`) a new pupil of the receiving school.

    The sending school's ``inschrijving`` moves to ``x_oso.herkomst.inschrijving``; the new
    ``inschrijving`` has ``ingeschreven`` and ``vorige_school`` (the sender's name), and the
    dossier gets the receiving school's ``route``.

    Args:
        data: the imported dossier; not changed.
        route: the receiving school's route id.
        ingeschreven: the enrolment date at the receiving school (None: still to be filled).
    Returns:
        A new dossier dict in canonical key order.
    """
    out = copy.deepcopy(dict(data))
    passthrough = dict(out.get(PASSTHROUGH) or {})
    herkomst = dict(passthrough.get("herkomst") or {})
    if out.get("inschrijving"):
        herkomst["inschrijving"] = out["inschrijving"]
    passthrough["herkomst"] = herkomst
    inschrijving: dict[str, Any] = {"ingeschreven": ingeschreven}
    school = herkomst.get("school")
    if isinstance(school, Mapping) and isinstance(school.get("naam"), str):
        inschrijving["vorige_school"] = school["naam"]
    out["inschrijving"] = inschrijving
    out["route"] = route
    out[PASSTHROUGH] = passthrough
    return _canonical(out)


def _canonical(data: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys in the order of docs/format.md section 4; ``x_`` keys last."""
    rank = {k: i for i, k in enumerate(TOP_LEVEL_ORDER)}
    return dict(sorted(data.items(), key=lambda kv: rank.get(kv[0], len(TOP_LEVEL_ORDER))))


class _Import:
    def __init__(self, root: etree._Element, source: str) -> None:
        self.source = source
        q = etree.QName(root)
        if q.localname == "dossiers" and q.namespace == OSO_NS:
            found = children(root, "dossier")
            if len(found) != 1:
                raise OsoError(f"verwacht één dossier, vond er {len(found)}", source)
            root = found[0]
            q = etree.QName(root)
        if q.localname != "dossier":
            raise OsoError(f"geen OSO-dossier: hoofdelement is <{q.localname}>", source)
        if q.namespace != OSO_NS:
            raise OsoError(
                f"geen OSO 2019-dossier: namespace {q.namespace or '(geen)'}; "
                f"alleen {OSO_NS} wordt gelezen",
                source,
            )
        self.root = root
        school = child(root, "huidigeschool")
        leerling = child(school, "leerling") if school is not None else None
        if school is None or leerling is None:
            raise OsoError("OSO-dossier zonder huidigeschool/leerling", source)
        self.school = school
        self.leerling = leerling

    def fail(self, message: str, el: etree._Element | None = None) -> OsoError:
        line = el.sourceline if el is not None else None
        return OsoError(message, self.source, line if isinstance(line, int) else None)

    def date(self, el: etree._Element | None) -> dt.date | None:
        if el is None:
            return None
        m = _DATE.fullmatch(el.text or "")
        try:
            if m is None:
                raise ValueError
            return dt.date.fromisoformat(m.group(1))
        except ValueError:
            raise self.fail(f"<{local(el)}> is geen datum: {el.text!r}", el) from None

    def build(self, pupil_id: str) -> dict[str, Any]:
        ll = copy.deepcopy(self.leerling)  # a copy we may strip
        out: dict[str, Any] = {"formaat": FORMAT_ID}
        oso: dict[str, Any] = {"herkomst": self.herkomst()}
        out["leerling"] = {"id": pupil_id, **self.pupil(ll)}
        inschrijving = {}
        for key, name in (("ingeschreven", "datuminschrijving"),
                          ("uitgeschreven", "datumuitschrijving")):  # fmt: skip
            value = self.date(child(ll, name))
            if value is not None:
                inschrijving[key] = value
            remove(ll, name)
        if inschrijving:
            out["inschrijving"] = inschrijving
        toetsen, toets_extras = self.toetsen(ll)
        if toetsen:
            out["toetsen"] = toetsen
            oso["toetsen"] = toets_extras
        oo = child(ll, "onderwijsondersteuning")
        if oo is not None:
            verklaringen, verklaring_extras = self.verklaringen(oo)
            if verklaringen:
                out["verklaringen"] = verklaringen
                oso["verklaringen"] = verklaring_extras
            opp, opp_extra = self.opp(oo)
            if opp:
                out["opp"] = opp
                if opp_extra is not None:
                    oso["opp"] = opp_extra
            if not len(oo):
                ll.remove(oo)
        view = self.parents_view()
        if view is not None:
            out["zienswijzen"] = [view]
        remove(ll, "overstapadvies")
        rest = to_tree(ll)
        if rest:
            oso["leerling"] = rest
        out[PASSTHROUGH] = oso
        return _canonical(out)

    def herkomst(self) -> dict[str, Any]:
        school = copy.deepcopy(self.school)
        remove(school, "leerling")
        out: dict[str, Any] = {}
        for name in ("metadata", "overdrachtsoort", "inzage"):
            el = child(self.root, name)
            if el is not None:
                out[name] = to_tree(el)
        out["school"] = to_tree(school)
        advies = child(self.leerling, "overstapadvies")
        if advies is not None:
            out["overstapadvies"] = to_tree(advies)
        leerlingid = text(child(self.leerling, "leerlingid"))
        if leerlingid:
            out["leerlingid"] = leerlingid
        return out

    def parents_view(self) -> dict[str, Any] | None:
        """``inzage/redennietakkoord`` as a zienswijze about the sending school's dossier
        (dated ``inzagedatum``, else the file's date); None without one."""
        inzage = child(self.root, "inzage")
        reden = (
            (text(child(inzage, "redennietakkoord")) or "").strip() if inzage is not None else ""
        )
        if inzage is None or not reden:
            return None
        metadata = child(self.root, "metadata")
        datum = self.date(child(inzage, "inzagedatum")) or (
            self.date(child(metadata, "datum")) if metadata is not None else None
        )
        if datum is None:
            return None  # a zienswijze needs a date; the text stays in x_oso.herkomst.inzage
        return {
            "id": "zw-1",
            "datum": datum,
            "namens": "ouders/verzorgers",
            "onderdeel": "overstapdossier",
            "tekst": reden,
        }

    def pupil(self, ll: etree._Element) -> dict[str, Any]:
        out: dict[str, Any] = {}
        voornamen = [text(v) for v in children(ll, "voornaam")]
        roepnaam = text(child(ll, "roepnaam"))
        voornaam = roepnaam or (voornamen[0] if voornamen else None)
        if voornaam:
            out["voornaam"] = voornaam
        tussenvoegsel = text(child(ll, "voorvoegsel"))
        if tussenvoegsel:
            out["tussenvoegsel"] = tussenvoegsel
        out["achternaam"] = text(child(ll, "achternaam")) or ""
        geboortedatum = self.date(child(ll, "geboortedatum"))
        if geboortedatum is not None:
            out["geboortedatum"] = geboortedatum
        current = _current_schoolloopbaan(ll)
        if current is not None:
            jaargroep = text(child(current, "jaargroep"))
            if jaargroep in {str(g) for g in range(1, 9)}:
                out["groep"] = int(jaargroep)
            groepsnaam = text(child(current, "groepsnaam"))
            if groepsnaam:
                out["stamgroep"] = groepsnaam
        remove(ll, "roepnaam", "voorvoegsel", "achternaam", "geboortedatum", "leerlingid")
        return out

    def verklaringen(self, oo: etree._Element) -> tuple[list[dict[str, Any]], list[Any]]:
        verklaringen: list[dict[str, Any]] = []
        extras: list[Any] = []
        for diag in children(oo, "diagnose"):
            codes = [text(c) for c in children(diag, "code")]
            if len(codes) != 1 or codes[0] not in _VERKLARING_SOORT:
                continue
            soort = _VERKLARING_SOORT[codes[0] or ""]
            v: dict[str, Any] = {"id": f"vk-{len(verklaringen) + 1}", "soort": soort}
            datum = self.date(child(diag, "datum"))
            if datum is not None:
                v["datum"] = datum
            doorwie = text(child(diag, "doorwie"))
            if doorwie:
                v["afgegeven_door"] = _afgegeven_door(doorwie)
            m = _VERKLARING_NAAM.fullmatch(text(child(diag, "naam")) or "")
            voor = m["voor"].split(" en ") if m and m["voor"] else []
            if soort == "dyscalculie" and not voor:
                voor = ["rekenen"]
            if voor and all(x in _VOOR for x in voor):
                v["voor"] = voor
            if m:
                remove(diag, "naam")
            remove(diag, "code", "datum", "doorwie")
            verklaringen.append(v)
            extras.append(to_tree(diag) if len(diag) else None)
            oo.remove(diag)
        return verklaringen, extras

    def opp(self, oo: etree._Element) -> tuple[dict[str, Any], Any]:
        el = child(oo, "opp")
        if el is None:
            return {}, None
        opp: dict[str, Any] = {}
        start = self.date(child(el, "opp_ingangdatum"))
        if start is not None:
            opp["opgesteld"] = start
        remove(el, "opp_ingangdatum")
        oo.remove(el)
        return opp, (to_tree(el) if len(el) else None)

    def toetsen(self, ll: etree._Element) -> tuple[list[dict[str, Any]], list[Any]]:
        lijst = child(ll, "toetslijst")
        if lijst is None:
            return [], []
        toetsen: list[dict[str, Any]] = []
        extras: list[Any] = []
        for el in children(lijst, "toets"):
            toetsen.append({"id": f"tt-{len(toetsen) + 1}", **self.toets(el)})
            extras.append(to_tree(el) if len(el) else None)
        ll.remove(lijst)
        return toetsen, extras

    def toets(self, el: etree._Element) -> dict[str, Any]:
        t: dict[str, Any] = {}
        ident = child(el, "toetsidentificatie")
        if ident is not None:
            naam = text(child(ident, "toetsnaam")) or text(child(ident, "eldtoetscode"))
            if naam:
                t["toets"] = naam
            remove(ident, "toetsnaam")
            moment = text(child(ident, "toetsversie"))
            if moment and _MOMENT.fullmatch(moment):
                t["moment"] = moment
                remove(ident, "toetsversie")
        afname = child(el, "afname")
        if afname is not None:
            datum = self.date(child(afname, "afnamedatum"))
            if datum is not None:
                t["datum"] = datum
            remove(afname, "afnamedatum")
        resultaat = child(el, "resultaat")
        if resultaat is None:
            return t
        ts = child(resultaat, "toetsscore")
        score = _number(text(child(ts, "vaardigheidsscore"))) if ts is not None else None
        if ts is not None and score is not None:
            t["score"] = score
            remove(ts, "vaardigheidsscore")
            if not len(ts):
                resultaat.remove(ts)
        for ref in children(resultaat, "referentiescore"):
            code = text(child(ref, "codereferentiescore"))
            waarde = (text(child(ref, "waarde")) or "").strip()
            m = _NIVEAU.fullmatch(waarde)
            if (
                "niveau" not in t
                and m
                and (code == "AE") == (m["basis"] in _AE)
                and (code in ("AE", "IV"))
            ):
                t["niveau"] = waarde
            elif code == "DLE" and "dle" not in t and re.fullmatch(r"\d+", waarde):
                t["dle"] = int(waarde)
            elif code == "AVI" and "score" not in t and waarde:
                t["score"] = waarde
            else:
                continue
            remove(ref, "waarde")  # the modelled value; the rest of the score stays
        return t


def _afgegeven_door(doorwie: str) -> dict[str, str]:
    """Parse "naam (kwalificatie, BIG nummer)" as written by the export."""
    m = _DOORWIE.fullmatch(doorwie)
    if m is None:
        return {"naam": doorwie}
    out = {"naam": m["naam"]}
    code = _KWALIFICATIE_CODES.get(m["kwalificatie"])
    if code is None:  # not ours: keep the text whole rather than guess
        return {"naam": doorwie}
    out["kwalificatie"] = code
    if m["big"]:
        out["big_nummer"] = m["big"]
    return out


def _number(value: str | None) -> int | float | None:
    if value is None:
        return None
    try:
        d = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return int(d) if d == d.to_integral_value() else float(d)
