"""Hostile and malformed OSO input is refused with OsoError, never anything else."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oso_data import EXAMPLES, example_bytes, needs_standards

from dossier_format.oso import OSO_NS, OsoError, from_oso, validate_xsd, validate_xslt

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<dossier xmlns="http://www.edustandaard.nl/oso_gegevensset/2019/dossier">&lol9;</dossier>
"""


def _xxe(target: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{target}">]>\n'
        f'<dossier xmlns="{OSO_NS}"><huidigeschool><leerling>'
        f"<achternaam>&x;</achternaam></leerling></huidigeschool></dossier>"
    ).encode()


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(OsoError, match="DOCTYPE"):
        from_oso(BILLION_LAUGHS)


def test_external_entity_is_refused_and_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-BESTAND")
    with pytest.raises(OsoError) as exc:
        from_oso(_xxe(secret))
    assert "GEHEIM-BESTAND" not in str(exc.value)
    assert "DOCTYPE" in exc.value.message


@needs_standards
def test_validators_refuse_hostile_input_too(tmp_path: Path) -> None:
    with pytest.raises(OsoError, match="DOCTYPE"):
        validate_xsd(BILLION_LAUGHS)
    with pytest.raises(OsoError, match="DOCTYPE"):
        validate_xslt(_xxe(tmp_path / "x"))


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"", "geen geldige XML"),
        (b"<dossier", "geen geldige XML"),
        (b"\xff\xfe\x00<", "geen geldige XML"),
        (b"<dossier/>", "namespace"),
        (b'<dossier xmlns="http://www.edustandaard.nl/oso_gegevensset/2018/dossier"/>', "2019"),
        (f'<leerling xmlns="{OSO_NS}"/>'.encode(), "hoofdelement"),
        (f'<dossier xmlns="{OSO_NS}"/>'.encode(), "huidigeschool"),
        (f'<dossiers xmlns="{OSO_NS}"/>'.encode(), "één dossier"),
    ],
)
def test_malformed_input_gives_a_clear_error(xml: bytes, message: str) -> None:
    with pytest.raises(OsoError, match=message):
        from_oso(xml, source="in.xml")


def test_error_names_source_and_line() -> None:
    xml = (
        f'<dossier xmlns="{OSO_NS}">\n<huidigeschool>\n<leerling>\n'
        "<achternaam>X</achternaam>\n<geboortedatum>morgen</geboortedatum>\n"
        "</leerling></huidigeschool></dossier>"
    ).encode()
    with pytest.raises(OsoError) as exc:
        from_oso(xml, source="in.xml")
    assert str(exc.value) == "in.xml:5: <geboortedatum> is geen datum: 'morgen'"


def test_non_bytes_are_refused() -> None:
    with pytest.raises(OsoError):
        from_oso("<dossier/>")  # type: ignore[arg-type]


_TAGS = ["dossier", "huidigeschool", "leerling", "achternaam", "geboortedatum", "toetslijst",
         "toets", "afname", "afnamedatum", "resultaat", "toetsscore", "vaardigheidsscore",
         "referentiescore", "codereferentiescore", "waarde", "onderwijsondersteuning",
         "handelingsplan", "startdatum", "diagnose", "code", "opp", "schoolloopbaanlijst",
         "schoolloopbaan", "jaargroep", "schooljaar"]  # fmt: skip


@st.composite
def _oso_like(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    if depth > 3 or draw(st.booleans()):
        value = draw(st.sampled_from(["", "2015-01-01", "x", "AE", "F81.0", "8", "1e400", "NaN"]))
        return f"<{tag}>{value}</{tag}>"
    kids = draw(st.lists(_oso_like(depth + 1), max_size=4))
    return f"<{tag}>{''.join(kids)}</{tag}>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_oso_error(data: bytes) -> None:
    with contextlib.suppress(OsoError):
        from_oso(data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_oso_like())
def test_oso_shaped_nonsense_raises_only_oso_error(body: str) -> None:
    xml = (
        f'<dossier xmlns="{OSO_NS}"><huidigeschool><leerling>{body}'
        "</leerling></huidigeschool></dossier>"
    ).encode()
    try:
        result = from_oso(xml)
    except OsoError:
        return
    assert result["formaat"] == "zorgkluis-dossier/1"


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0), st.binary(min_size=1, max_size=8))
def test_corrupted_official_example_raises_only_oso_error(pos: int, junk: bytes) -> None:
    if not EXAMPLES:
        return
    xml = example_bytes("Voorbeelddossier_OV_POPO_opt_out.xml")
    pos %= len(xml)
    with contextlib.suppress(OsoError):
        from_oso(xml[:pos] + junk + xml[pos + len(junk) :])
