"""The key store: entries open for their recipients and the recovery key only."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from vault.crypto import age
from vault.errors import NoAccessError
from vault.keystore import KeyEntry, KeyStore


def test_entry_round_trip_and_recovery(tmp_path: Path) -> None:
    recovery = age.X25519Identity.generate()
    reader = age.X25519Identity.generate()
    outsider = age.X25519Identity.generate()
    store = KeyStore(tmp_path / "ks", recovery.recipient())
    entry = KeyEntry.new({"ib-anna"})
    store.write("ll-abc", "zorg", entry, [reader.recipient()])

    path = store.path("ll-abc", "zorg")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.parts("ll-abc") == ["zorg"]
    for who in (reader, recovery):
        fresh = KeyStore(tmp_path / "ks", recovery.recipient())
        opened = fresh.read("ll-abc", "zorg", [who])
        assert opened is not None
        assert opened.readers == {"ib-anna"}
        assert opened.current.to_string() == entry.current.to_string()
    with pytest.raises(NoAccessError):
        KeyStore(tmp_path / "ks", recovery.recipient()).read("ll-abc", "zorg", [outsider])
    assert store.read("ll-abc", "okr", [reader]) is None


def test_rotation_keeps_old_generations_and_age_cli_reads_entry(tmp_path: Path) -> None:
    recovery = age.X25519Identity.generate()
    store = KeyStore(tmp_path / "ks", recovery.recipient())
    first = KeyEntry.new({"a", "b"})
    rotated = first.rotated({"a"})
    assert rotated.keys[0] == first.current and rotated.current != first.current
    assert rotated.readers == {"a"}
    store.write("ll-abc", "werkaantekeningen/a", rotated, [])

    ident = tmp_path / "recovery.txt"
    ident.write_text(recovery.to_string() + "\n")
    out = subprocess.run(
        ["age", "-d", "-i", str(ident), str(store.path("ll-abc", "werkaantekeningen/a"))],
        capture_output=True,
        check=True,
    ).stdout
    assert KeyEntry.from_bytes(out) == rotated
    # The plaintext is itself an age identity file: the CLI accepts it to open a part.
    keyfile = tmp_path / "keys.txt"
    keyfile.write_bytes(out)
    part = age.encrypt(b"geheim\n", [first.current.recipient()])
    got = subprocess.run(
        ["age", "-d", "-i", str(keyfile)], input=part, capture_output=True, check=True
    ).stdout
    assert got == b"geheim\n"
