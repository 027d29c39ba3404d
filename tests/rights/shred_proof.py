"""The shred proof's tools: every key and age file reachable from a vault folder.

Used by the single-device proofs in tests/rights and the every-device proof in tests/sync
(which puts this folder on `sys.path`). Test-only; opens whatever the pool can open.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from vault.crypto import age, sshkeys

_SECRET_RE = re.compile(rb"AGE-SECRET-KEY-1[0-9A-Z]+")
_ARMOR_RE = re.compile(
    rb"-----BEGIN AGE ENCRYPTED FILE-----\r?\n.*?-----END AGE ENCRYPTED FILE-----", re.S
)
_SSH_RE = re.compile(
    rb"-----BEGIN OPENSSH PRIVATE KEY-----.*?-----END OPENSSH PRIVATE KEY-----\n?", re.S
)


def git_objects(repo: Path) -> list[bytes]:
    """The content of every object in the repository (loose and packed, reachable or not)."""
    out = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout
    contents, pos = [], 0
    while pos < len(out):
        header_end = out.index(b"\n", pos)
        _sha, _kind, size = out[pos:header_end].split()
        start = header_end + 1
        contents.append(out[start : start + int(size)])
        pos = start + int(size) + 1
    return contents


def historical_blobs(repo: Path, paths: set[str]) -> list[bytes]:
    """Every version of `paths` in any commit of any ref."""
    listing = subprocess.run(
        ["git", "rev-list", "--all", "--objects"], cwd=repo, capture_output=True, check=True
    ).stdout.decode()
    shas = {
        line.split(" ", 1)[0] for line in listing.splitlines() if line.split(" ", 1)[-1] in paths
    }
    return [
        subprocess.run(
            ["git", "cat-file", "blob", s], cwd=repo, capture_output=True, check=True
        ).stdout
        for s in sorted(shas)
    ]


def collect_pool(sources: list[bytes]) -> tuple[list[age.Identity], int]:
    """Every identity reachable from `sources`, opening age files with what was found so far."""
    identities: dict[str, age.Identity] = {}
    ciphertexts: list[bytes] = []

    def scan(data: bytes) -> None:
        for match in _SECRET_RE.findall(data):
            text = match.decode()
            identities.setdefault(text, age.X25519Identity.parse(text))
        for match in _SSH_RE.findall(data):
            key = sshkeys.load_private(match, None)
            identities.setdefault(sshkeys.public_line(key), age.SshEd25519Identity(key))
        if data.startswith(b"age-encryption.org/v1\n"):
            ciphertexts.append(data)
        ciphertexts.extend(_ARMOR_RE.findall(data))

    for data in sources:
        scan(data)
    opened: set[int] = set()
    progress = True
    while progress:
        progress = False
        for index, blob in enumerate(ciphertexts):
            if index in opened:
                continue
            try:
                plain = age.decrypt(blob, list(identities.values()))
            except age.AgeError:
                continue
            opened.add(index)
            scan(plain)
            progress = True
    return list(identities.values()), len(opened)


def everything_in(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in folder.rglob("*") if p.is_file()]
