"""Nothing leaked: after 50 pupils and 500 saves and `git gc`, no canary string from the
dossiers appears anywhere under the vault (`.git` included, objects decompressed), in the temp
directory or in /dev/shm."""

from __future__ import annotations

import re
import secrets
import string
import subprocess
import tempfile
from pathlib import Path

import pytest
from vault_testkit import TODAY, School, dossier

from vault.repository import Vault


def _canary() -> str:
    return "Kanarie" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


def _leaks(pattern: re.Pattern[bytes], folders: list[Path], repo: Path | None) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                found |= {m.decode() for m in pattern.findall(path.read_bytes())}
    if repo is not None:  # packed and loose objects are zlib-compressed: read them through git
        objects = subprocess.run(
            ["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"],
            capture_output=True,
            check=True,
        ).stdout
        found |= {m.decode() for m in pattern.findall(objects)}
    return found


def test_scanner_finds_a_canary_in_compressed_git_objects(tmp_path: Path) -> None:
    repo = tmp_path / "controle"
    canary = _canary()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "f.txt").write_text(f"{canary}\n" * 50)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "f.txt"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    (repo / "f.txt").unlink()
    subprocess.run([*git, "gc", "-q", "--prune=now"], check=True)
    pattern = re.compile(re.escape(canary).encode())
    assert _leaks(pattern, [repo], None) == set()  # invisible in the raw, compressed files
    assert _leaks(pattern, [], repo) == {canary}  # found through git


@pytest.mark.slow
def test_no_canary_anywhere_after_500_saves_and_gc(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    shm_before = set(Path("/dev/shm").iterdir()) if Path("/dev/shm").is_dir() else set()
    ib = Vault.open(school.path, school.keys.private["ib-anna"], durable=False)
    els = Vault.open(school.path, school.keys.private["lk-els"], durable=False)
    canaries: list[str] = []
    pupils: list[tuple[str, str, str]] = []
    for _ in range(50):
        first, last = _canary(), _canary()
        canaries += [first, last]
        pid = ib.new(dossier(voornaam=first, achternaam=last), today=TODAY).pupil_id
        pupils.append((pid, first, last))
    for n in range(450):
        pid, first, last = pupils[n % 50]
        reden, note = _canary(), _canary()
        canaries += [reden, note]
        text = dossier(pid, voornaam=first, achternaam=last, zorg_reden=f"{reden} zorg.")
        if n % 3:
            ib.put(pid, text, today=TODAY)
        else:
            els.put(pid, dossier(pid, voornaam=first, achternaam=last, zorg_reden=f"{reden}.",
                                 werk=[("lk-els", note)]), today=TODAY)  # fmt: skip
            note_of_els = note
    # Exercise the read paths too: list, show, history, diff, verify, key export.
    assert {s.voornaam for s in ib.list_pupils()} == {p[1] for p in pupils}
    pid = pupils[0][0]
    assert pupils[0][1] in ib.show(pid) and ib.diff(pid) and ib.log(pid)
    assert canaries[-2] in ib.show(pupils[449 % 50][0])
    assert note_of_els in els.show(pupils[447 % 50][0])  # 447: the last save by Els
    ib.export_part_key(pid, "zorg")
    assert ib.verify() == []
    subprocess.run(["git", "-C", str(school.path), "gc", "-q", "--prune=now"], check=True)

    pattern = re.compile("|".join(canaries).encode())
    shm_new = [p for p in Path("/dev/shm").glob("*") if p not in shm_before]
    assert _leaks(pattern, [school.path, tmp, *shm_new], school.path) == set()
