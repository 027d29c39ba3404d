"""Benchmark: a vault of 1,000 pupils and ~30,000 signed commits, beside standard tools.

`python -m bench vault [--pupils 1000 --commits 30000 --workdir DIR --quick --runs N --json F]`

The vault is built with real keys, real age encryption and real SSH-signed commits (see
`build`), then these operations are timed, each beside the same work done with standard tools
(`age` CLI, `git`, `git commit -S` with `gpg.format=ssh`) in the same run:

- open + list: `Vault.open` + `list_pupils` (the filled pupil list after unlock) vs `age -d`
  of every pupil's summary file;
- save: `Vault.put` (parse, schema, checks, split, encrypt, signed commit) vs writing the
  changed parts' plaintext, `age -e` per part, `git add`, `git commit -S`;
- show: `Vault.show` vs `age -d` of each part file of the pupil;
- history with diffs: `Vault.history_diffs` of 50 versions (and `Vault.log` + `Vault.diff` per
  version) vs `git log -p -n 50` with an `age -d` textconv;
- checks over all dossiers: `Vault.check_all` (and `Vault.check` per pupil) vs `age -d` of each
  dossier part plus a PyYAML `CSafeLoader` parse (the floor: reading without checking).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench._util import Progress, Timing, cpu_seconds, run, timed
from dossier_format import checks, codec, model, parts
from dossier_format.routes import Route, load_route
from vault import _gitobjects as go
from vault import demo, summary
from vault.crypto import age, sshkeys, sshsig
from vault.errors import ChecksFailedError
from vault.git_store import GitStore
from vault.repository import Vault

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 20)
ROUTE = "003"
SEED = 2026
PASSPHRASE = "bench-zorgkluis"
HISTORY_VERSIONS = 50
BUILD_FILE = "build.json"
BUDGETS_MS = {"open_list": 1000.0, "save": 100.0, "show": 50.0, "history": 500.0, "checks": 5000.0}
_SUBJECTS = ("Cito Rekenen-Wiskunde", "DMT", "Cito Spelling", "AVI", "Cito Begrijpend Lezen")


@dataclass(frozen=True)
class Built:
    """A built benchmark vault (stored as build.json in the work folder)."""

    workdir: str
    pupils: int
    commits: int
    target: str  # the pupil with a long history made through the facade
    build_seconds: float
    phases: dict[str, float]

    @property
    def vault(self) -> Path:
        """The vault folder."""
        return Path(self.workdir) / "kluis"

    @property
    def key_file(self) -> Path:
        """The IB-er's passphrase-protected OpenSSH key (passphrase `PASSPHRASE`)."""
        return Path(self.workdir) / "ib.key"

    @property
    def plain_key_file(self) -> Path:
        """The same key without passphrase, for `git commit -S` (ssh-keygen cannot prompt)."""
        return Path(self.workdir) / "ib-plain.key"

    def identity(self) -> Ed25519PrivateKey:
        """The IB-er's private key."""
        return sshkeys.load_private(self.plain_key_file.read_bytes(), None)


def _canonical(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with its top-level keys in the format's canonical order (unknown keys last)."""
    order = {k: i for i, k in enumerate(parts.TOP_LEVEL_ORDER)}
    return {k: data[k] for k in sorted(data, key=lambda k: order.get(k, len(order)))}


def _add_toets(data: dict[str, Any], rng: random.Random, toets_id: str) -> None:
    """The bulk edit: a teacher records a new method test (as the demo's updates do)."""
    data.setdefault("toetsen", []).append(
        {
            "id": toets_id,
            "toets": rng.choice(_SUBJECTS),
            "soort": "methode",
            "datum": TODAY - dt.timedelta(days=rng.randint(1, 300)),
            "score": rng.randint(40, 95),
            "voldoende": True,
        }
    )


def edited_text(vault: Vault, pupil_id: str, rng: random.Random) -> str:
    """The pupil's dossier as the vault shows it, with one more toets (canonical YAML)."""
    data = dict(codec.load_fast(vault.show(pupil_id)))
    _add_toets(data, rng, f"tt-{secrets.token_hex(5)}")
    return demo.to_yaml(_canonical(data))


def _save(vault: Vault, pupil_id: str | None, text: str) -> str:
    """Save through the facade; open findings are kept with an override, as the demo does."""
    try:
        result = (
            vault.new(text, today=TODAY)
            if pupil_id is None
            else vault.put(pupil_id, text, today=TODAY)
        )
    except ChecksFailedError:
        result = (
            vault.new(text, override=demo.OVERRIDE_REASON, today=TODAY)
            if pupil_id is None
            else vault.put(pupil_id, text, override=demo.OVERRIDE_REASON, today=TODAY)
        )
    return result.pupil_id


def _commit_count(path: Path) -> int:
    return int(run(["git", "-C", path, "rev-list", "--count", "HEAD"]))


def _write_keys(workdir: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    fmt = serialization.PrivateFormat.OpenSSH
    pem = serialization.Encoding.PEM
    protected = key.private_bytes(
        pem, fmt, serialization.BestAvailableEncryption(PASSPHRASE.encode())
    )
    plain = key.private_bytes(pem, fmt, serialization.NoEncryption())
    for name, data in (("ib.key", protected), ("ib-plain.key", plain)):
        (workdir / name).write_bytes(data)
        (workdir / name).chmod(0o600)
    return key


def _in_zorg(key: str) -> bool:
    """Whether a top-level key is stored in the zorg part (werkaantekeningen are per author)."""
    return key != "werkaantekeningen" and parts.part_of_key(key) == parts.ZORG


class _Bulk:
    """Feeds `git fast-import` with real encrypted versions, then signs every commit.

    `git fast-import` (git 2.39) cannot sign, so its commits are rewritten in order: each
    gets the signed new parent and an SSHSIG signature by the IB-er (the same signing code
    the vault uses), written as loose objects; the branch then points at the signed chain,
    the unsigned commits are pruned, and the repository is packed with the commit-graph the
    git store maintains.
    """

    def __init__(self, vault: Vault, key: Ed25519PrivateKey, route: Route) -> None:
        self.vault = vault
        self.key = key
        self.route = route
        self.identities: list[age.Identity] = [age.SshEd25519Identity(key)]

    def _pupil_states(self, ids: list[str]) -> dict[str, tuple[dict[str, Any], Any, Any]]:
        states = {}
        for pupil_id in ids:
            data = dict(codec.load_fast(self.vault.show(pupil_id)))
            admin = self.vault.keystore.read(pupil_id, parts.ADMINISTRATIE, self.identities)
            zorg = self.vault.keystore.read(pupil_id, parts.ZORG, self.identities)
            if admin is not None and zorg is not None:
                states[pupil_id] = (data, admin, zorg)
        return states

    def stream(self, ids: list[str], count: int, rng: random.Random) -> Iterator[bytes]:
        """The fast-import stream of `count` updates of random pupils among `ids`."""
        states = self._pupil_states(ids)
        names = sorted(states)
        user = self.vault.user
        head = run(["git", "-C", self.vault.path, "rev-parse", "HEAD"]).decode().strip()
        stamp = int(time.time())
        progress = Progress("versies versleutelen", count)
        for n in range(count):
            pupil_id = rng.choice(names)
            data, admin, zorg = states[pupil_id]
            _add_toets(data, rng, f"tt-b{n}")
            zorg_text = demo.to_yaml({k: v for k, v in _canonical(data).items() if _in_zorg(k)})
            findings = checks.check(data, self.route, TODAY)
            errors = sum(1 for f in findings if f.severity == "error")
            warnings = sum(1 for f in findings if f.severity == "warning")
            summ = summary.to_bytes(model.summarize(data, findings, TODAY))
            message = (
                f"Dossier {pupil_id} bijgewerkt: {errors} fout(en), {warnings} waarschuwing(en)\n"
            ).encode()
            ident = f"{user.naam} <{user.id}> {stamp + n} +0000".encode()
            out = bytearray(b"commit refs/heads/main\n")
            out += b"author " + ident + b"\ncommitter " + ident + b"\n"
            out += b"data %d\n" % len(message) + message
            if n == 0:
                out += f"from {head}\n".encode()
            for path, blob in (
                (
                    f"dossiers/{pupil_id}/zorg.age",
                    age.encrypt(zorg_text.encode(), [zorg.current.recipient()]),
                ),
                (
                    f"dossiers/{pupil_id}/samenvatting.age",
                    age.encrypt(summ, [admin.current.recipient()]),
                ),
            ):
                out += f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n"
            yield bytes(out)
            progress.update(n + 1)

    def sign_chain(self, path: Path, base: str) -> None:
        """Re-sign every commit after `base` on `main` in order; point `main` at the result."""
        tip = run(["git", "-C", path, "rev-parse", "main"]).decode().strip()
        shas = run(["git", "-C", path, "rev-list", "--reverse", f"{base}..{tip}"]).split()
        raw = run(["git", "-C", path, "cat-file", "--batch"], data=b"\n".join(shas) + b"\n")
        objects = path / ".git" / "objects"
        new_of: dict[bytes, bytes] = {}
        pos = 0
        progress = Progress("commits ondertekenen", len(shas))
        for n, old in enumerate(shas):
            header_end = raw.index(b"\n", pos)
            size = int(raw[pos:header_end].split()[2])
            body = raw[header_end + 1 : header_end + 1 + size]
            pos = header_end + 1 + size + 1
            lines = body.split(b"\n")
            for i, line in enumerate(lines):
                if line.startswith(b"parent "):
                    parent = line[len(b"parent ") :]
                    lines[i] = b"parent " + new_of.get(parent, parent)
                elif not line:
                    break
            payload = b"\n".join(lines)
            signed = go.add_signature(payload, sshsig.sign(payload, self.key, "git"))
            new_of[old] = go.write_loose_object(objects, "commit", signed, fsync=False).encode()
            progress.update(n + 1)
        new_tip = new_of[shas[-1]].decode() if shas else tip
        git = ["git", "-C", str(path)]
        print("  inpakken (git repack, commit-graph) ...", file=sys.stderr, flush=True)
        run([*git, "update-ref", "refs/heads/main", new_tip])
        run([*git, "reflog", "expire", "--expire-unreachable=now", "--all"])
        run([*git, "repack", "-a", "-d", "-q"])
        run([*git, "prune", "--expire=now"])
        run([*git, "reset", "-q", "--hard"])
        GitStore(path).gc()


def build(workdir: Path, pupils: int, commits: int) -> Built:
    """Build the benchmark vault in `workdir` (emptied first) and record it in build.json.

    How: `Vault.init` with the demo school's 11 staff members; every pupil of
    `vault.demo.generate` saved through the facade (`Vault.new` / `Vault.put`: parse, schema,
    checks, encrypt, signed commit); one pupil then gets `HISTORY_VERSIONS` + 10 more versions
    through `Vault.put`; the remaining commits (up to `commits`) are updates of random pupils
    (one new toets each) with real age encryption under the pupil's part keys and a real
    summary, imported with `git fast-import` and then SSH-signed in order (see `_Bulk`).
    """
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    started = time.monotonic()
    phases: dict[str, float] = {}
    route = load_route(ROUTE)
    key = _write_keys(workdir)
    vault_path = workdir / "kluis"
    ib = demo.IB
    vault = Vault.init(
        vault_path,
        school=demo.DEMO_SCHOOL,
        route_id=ROUTE,
        user_id=ib.id,
        name=ib.naam,
        ssh_public_key=sshkeys.public_line(key, f"{ib.id}@bench"),
        recovery_key_out=workdir / "herstelsleutel.txt",
        role=ib.rol,
        identity=key,
        durable=False,
    )
    for member in demo.STAFF[1:]:
        public = sshkeys.public_line(Ed25519PrivateKey.generate().public_key(), member.id)
        vault.add_user(member.id, member.naam, member.rol, public)
    print(f"{pupils} leerlingen genereren ...", file=sys.stderr, flush=True)
    generated = demo.generate(route, TODAY, pupils, SEED)
    total = sum(len(p.versions) for p in generated)
    progress = Progress("opslaan via Vault (volledig)", total)
    done = 0
    ids = []
    for pupil in generated:
        saved = _save(vault, None, pupil.versions[0][1])
        ids.append(saved)
        for _, text in pupil.versions[1:]:
            _save(vault, saved, text.replace(pupil.id, saved))
        done += len(pupil.versions)
        progress.update(done)
    phases["facade_pupils_s"] = time.monotonic() - started
    target = ids[0]
    rng = random.Random(SEED)
    extra = HISTORY_VERSIONS + 10
    progress = Progress(f"geschiedenis van {target} via Vault", extra)
    for n in range(extra):
        _save(vault, target, edited_text(vault, target, rng))
        progress.update(n + 1)
    phases["facade_history_s"] = time.monotonic() - started - sum(phases.values())
    bulk_count = max(0, commits - _commit_count(vault_path))
    if bulk_count:
        base = run(["git", "-C", vault_path, "rev-parse", "HEAD"]).decode().strip()
        bulk = _Bulk(vault, key, route)
        importer = subprocess.Popen(
            ["git", "-C", str(vault_path), "fast-import", "--quiet"], stdin=subprocess.PIPE
        )
        assert importer.stdin is not None
        others = [p for p in ids if p != target]
        for chunk in bulk.stream(others, bulk_count, rng):
            importer.stdin.write(chunk)
        importer.stdin.close()
        if importer.wait() != 0:
            raise RuntimeError("git fast-import failed")
        phases["bulk_encrypt_import_s"] = time.monotonic() - started - sum(phases.values())
        bulk.sign_chain(vault_path, base)
        phases["bulk_sign_pack_s"] = time.monotonic() - started - sum(phases.values())
    run(["git", "-C", vault_path, "verify-commit", "HEAD"])
    reader = Vault.open(vault_path, key)
    for pupil_id in ids:  # every dossier must still read as valid YAML
        codec.load_fast(reader.show(pupil_id), source=pupil_id)
    built = Built(
        workdir=str(workdir),
        pupils=pupils,
        commits=_commit_count(vault_path),
        target=target,
        build_seconds=round(time.monotonic() - started, 1),
        phases={k: round(v, 1) for k, v in phases.items()},
    )
    (workdir / BUILD_FILE).write_text(json.dumps(asdict(built), indent=2) + "\n")
    return built


def build_or_reuse(workdir: Path, pupils: int, commits: int) -> Built:
    """The vault in `workdir` when built there with these sizes, else a new build."""
    meta = workdir / BUILD_FILE
    if meta.is_file():
        built = Built(**json.loads(meta.read_text()))
        if built.pupils == pupils and abs(built.commits - commits) <= commits // 10:
            print(f"kluis hergebruikt: {built.vault} ({built.commits} commits)", file=sys.stderr)
            return built
    print(f"kluis bouwen in {workdir} ...", file=sys.stderr, flush=True)
    return build(workdir, pupils, commits)


# --------------------------------------------------------------------------- standard tools


class Standard:
    """The same work with standard tools, in a clone of the vault (same history and tree)."""

    def __init__(self, built: Built, vault: Vault) -> None:
        self.built = built
        self.clone = Path(built.workdir) / "standaard"
        self.keys = Path(built.workdir) / "deelsleutels"
        self.plain = Path(tempfile.mkdtemp(prefix="zk-bench-", dir=_ram_dir()))
        if self.clone.exists():
            shutil.rmtree(self.clone)
        run(["git", "clone", "-q", "--local", built.vault, self.clone])
        git = ["git", "-C", str(self.clone), "config"]
        for k, v in (
            ("user.name", vault.user.naam),
            ("user.email", vault.user.id),
            ("gpg.format", "ssh"),
            ("user.signingkey", str(built.plain_key_file)),
            ("diff.agebench.cachetextconv", "false"),
        ):
            run([*git, k, v])
        (self.clone / ".git" / "info" / "attributes").write_text("*.age diff=agebench\n")
        self.keys.mkdir(exist_ok=True)
        identities: list[age.Identity] = [age.SshEd25519Identity(built.identity())]
        self.recipients: dict[tuple[str, str], str] = {}
        for pupil in vault.list_pupils():
            lines = []
            for part in (parts.ADMINISTRATIE, parts.ZORG):
                entry = vault.keystore.read(pupil.id, part, identities)
                if entry is not None:
                    lines += [k.to_string() for k in entry.keys]
                    self.recipients[(pupil.id, part)] = entry.current.recipient().to_string()
            key_file = self.key_file(pupil.id)
            key_file.write_text("\n".join(lines) + "\n")
            key_file.chmod(0o600)

    def key_file(self, pupil_id: str) -> Path:
        """All key generations of the pupil's administratie and zorg parts (age identities)."""
        return self.keys / f"{pupil_id}.txt"

    def close(self) -> None:
        """Remove the plaintext scratch folder."""
        shutil.rmtree(self.plain, ignore_errors=True)

    def show(self, pupil_id: str) -> bytes:
        """`age -d` of the pupil's administratie and zorg files."""
        return b"".join(
            run(
                ["age", "-d", "-i", self.key_file(pupil_id), f"dossiers/{pupil_id}/{p}.age"],
                cwd=self.clone,
            )
            for p in (parts.ADMINISTRATIE, parts.ZORG)
        )

    def summaries(self, pupil_ids: list[str]) -> list[bytes]:
        """`age -d` of every pupil's summary file."""
        return [
            run(
                ["age", "-d", "-i", self.key_file(p), f"dossiers/{p}/samenvatting.age"],
                cwd=self.clone,
            )
            for p in pupil_ids
        ]

    def read_all(self, pupil_ids: list[str]) -> list[object]:
        """`age -d` of each dossier's parts and a PyYAML `CSafeLoader` parse."""
        return [yaml.load(self.show(p), Loader=yaml.CSafeLoader) for p in pupil_ids]

    def save(self, pupil_id: str, plain_parts: Mapping[str, bytes], message: str) -> None:
        """Plaintext files (in RAM), `age -e` per part, `git add`, `git commit -S`."""
        targets = []
        for part, text in plain_parts.items():
            source = self.plain / f"{part}.yaml"
            source.write_bytes(text)
            key_part = parts.ADMINISTRATIE if part == "samenvatting" else part
            target = f"dossiers/{pupil_id}/{part}.age"
            recipient = self.recipients[(pupil_id, key_part)]
            run(["age", "-e", "-r", recipient, "-o", target, source], cwd=self.clone)
            source.unlink()
            targets.append(target)
        run(["git", "add", "--", *targets], cwd=self.clone)
        run(["git", "commit", "-q", "-S", "-m", message], cwd=self.clone)

    def history(self, pupil_id: str) -> bytes:
        """`git log -p -n 50` of the pupil's folder, decrypted by an `age -d` textconv."""
        textconv = f"age -d -i {self.key_file(pupil_id)}"
        return run(
            [
                "git",
                "-c",
                f"diff.agebench.textconv={textconv}",
                "log",
                "-p",
                f"-n{HISTORY_VERSIONS}",
                "--",
                f"dossiers/{pupil_id}/",
            ],
            cwd=self.clone,
        )


def _ram_dir() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") else None


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Row:
    """One line of the result table."""

    name: str
    ours: Timing
    standard: Timing
    budget_ms: float | None
    note: str

    def to_dict(self) -> dict[str, object]:
        """Figures for the JSON report, with the ratio ours / standard (median wall)."""
        return {
            "ours": self.ours.to_dict(),
            "standard": self.standard.to_dict(),
            "ratio": round(self.ours.median / self.standard.median, 3),
            "ratio_cpu": round(self.ours.cpu_median / max(self.standard.cpu_median, 0.001), 3),
            "budget_ms": self.budget_ms,
            "within_budget": None if self.budget_ms is None else self.ours.median <= self.budget_ms,
            "note": self.note,
        }


def measure(built: Built, runs: int) -> list[Row]:
    """Time every operation and its standard-tool counterpart on the built vault."""
    key = built.identity()
    rng = random.Random(7)
    vault = Vault.open(built.vault, key)
    pupil_ids = [p.id for p in vault.list_pupils()]
    sample = [p for p in pupil_ids if p != built.target]
    rng.shuffle(sample)
    std = Standard(built, vault)
    rows = []
    try:
        print("open + lijst ...", file=sys.stderr, flush=True)

        def open_list(_: int) -> None:
            Vault.open(built.vault, key).list_pupils()

        rows.append(
            Row(
                "open_list",
                timed(runs, open_list),
                timed(max(1, runs // 5), lambda _: std.summaries(pupil_ids)),
                BUDGETS_MS["open_list"],
                f"{len(pupil_ids)} pupils",
            )
        )

        print("tonen ...", file=sys.stderr, flush=True)
        shows = sample[: runs * 3]
        viewer = Vault.open(built.vault, key)
        viewer.list_pupils()  # as in the app: the list is open, each dossier shown once
        rows.append(
            Row(
                "show",
                timed(len(shows), lambda i: viewer.show(shows[i])),
                timed(len(shows), lambda i: std.show(shows[i])),
                BUDGETS_MS["show"],
                "different pupil each run, list already open",
            )
        )

        print("geschiedenis met diffs ...", file=sys.stderr, flush=True)

        def history(_: int) -> None:
            Vault.open(built.vault, key).history_diffs(built.target, HISTORY_VERSIONS)

        def log_and_diffs(_: int) -> None:
            reader = Vault.open(built.vault, key)
            for version in reader.log(built.target)[:HISTORY_VERSIONS]:
                reader.diff(built.target, to_commit=version.commit)

        standard_history = timed(3, lambda _: std.history(built.target))
        rows.append(
            Row(
                "history",
                timed(3, history),
                standard_history,
                BUDGETS_MS["history"],
                f"Vault.history_diffs(id, {HISTORY_VERSIONS}), fresh Vault each run",
            )
        )
        rows.append(
            Row(
                "history_log_and_diffs",
                timed(3, log_and_diffs),
                standard_history,
                None,
                f"Vault.log + Vault.diff(to_commit=v) for {HISTORY_VERSIONS} versions",
            )
        )

        print("opslaan ...", file=sys.stderr, flush=True)
        saves = sample[: runs * 2]
        for durable in (True, False):
            rows.append(_save_row(built, vault, saves, durable, std, rng))

        print("controles over alle dossiers ...", file=sys.stderr, flush=True)

        def check_all(_: int) -> None:
            Vault.open(built.vault, key).check_all(TODAY)

        def check_each(_: int) -> None:
            checker = Vault.open(built.vault, key)
            for pupil_id in pupil_ids:
                checker.check(pupil_id, TODAY)

        standard_read = timed(1, lambda _: std.read_all(pupil_ids))
        note = f"{len(pupil_ids)} dossiers, fresh Vault (cold key cache)"
        rows.append(Row("checks", timed(2, check_all), standard_read, BUDGETS_MS["checks"], note))
        rows.append(Row("checks_one_by_one", timed(1, check_each), standard_read, None, note))
    finally:
        std.close()
    return rows


def _save_row(
    built: Built, vault: Vault, saves: list[str], durable: bool, std: Standard, rng: random.Random
) -> Row:
    """Time `Vault.put` of one more toets for each pupil in `saves`, and the standard save."""
    saver = Vault.open(built.vault, built.identity(), durable=durable)
    texts = [edited_text(saver, p, rng) for p in saves]
    # Pupils with open errors are saved with an override, as the demo keeps them.
    overrides = [
        demo.OVERRIDE_REASON
        if any(f.severity == "error" for f in checks.check(codec.load_fast(t), vault.route, TODAY))
        else None
        for t in texts
    ]
    ours = timed(
        len(saves),
        lambda i: saver.put(saves[i], texts[i], override=overrides[i], today=TODAY),
    )
    changed = [_changed(vault, p) for p in saves]
    standard = timed(len(saves), lambda i: std.save(*changed[i]))
    return Row(
        "save" if durable else "save_no_fsync",
        ours,
        standard,
        BUDGETS_MS["save"] if durable else None,
        "Vault.put as the app opens it (fsync on)" if durable else "Vault.put, durable=False",
    )


def _changed(vault: Vault, pupil_id: str) -> tuple[str, Mapping[str, bytes], str]:
    """What the standard-tool save writes: the parts a `put` changes, and a message."""
    text = vault.show(pupil_id)
    data = codec.load_fast(text)
    split = parts.split(text)
    findings = checks.check(data, vault.route, TODAY)
    plain = {
        parts.ZORG: split[parts.ZORG].encode(),
        "samenvatting": summary.to_bytes(model.summarize(data, findings, TODAY)),
    }
    return pupil_id, plain, f"Dossier {pupil_id} bijgewerkt"


def table(rows: list[Row]) -> str:
    """The result rows as a Markdown table."""
    lines = [
        "| operation | budget ms | ours median (p90) ms | ours CPU ms | standard median ms "
        "| standard CPU ms | ratio | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        d = row.to_dict()
        within = d["within_budget"]
        verdict = "–" if within is None else ("within" if within else "OVER")
        lines.append(
            f"| {row.name} | {row.budget_ms or '–'} | {row.ours.median:.1f} ({row.ours.p90:.1f}) "
            f"| {row.ours.cpu_median:.1f} | {row.standard.median:.1f} "
            f"| {row.standard.cpu_median:.1f} | {d['ratio']} | {verdict} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str], prog: str) -> argparse.Namespace:
    """Options shared by the vault and UI benchmarks."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=30_000)
    parser.add_argument("--quick", action="store_true", help="100 pupils, 2,000 commits")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="build here, or reuse the vault built here (default: in $TMPDIR)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--runs", type=int, help="runs per operation (default 10, quick 5)")
    args = parser.parse_args(argv)
    if args.quick:
        args.pupils, args.commits = 100, 2000
    return args


def with_vault(args: argparse.Namespace, work: Callable[[Built], int]) -> int:
    """Build (or reuse) the vault the options ask for and run `work` on it.

    Without `--workdir` the vault is kept in the system's temp folder, one per size, so
    `python -m bench` builds it once for the vault and UI benchmarks and later runs reuse it.
    """
    default = Path(tempfile.gettempdir()) / f"zorgkluis-bench-{args.pupils}-{args.commits}"
    workdir = (args.workdir or default).resolve()
    return work(build_or_reuse(workdir, args.pupils, args.commits))


def machine() -> dict[str, object]:
    """What the run ran on."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "git": run(["git", "--version"]).decode().strip(),
        "age": run(["age", "--version"]).decode().strip(),
        "commit": run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).decode().strip(),
        "uncommitted": run(
            ["git", "-C", ROOT, "status", "--porcelain", "--", "vault", "dossier_format", "tui"]
        )
        .decode()
        .split()[1::2],
    }


def main(argv: list[str]) -> int:
    """Run the benchmark; exit 1 when an operation's median exceeds its budget."""
    args = parse_args(argv, "python -m bench vault")

    def work(built: Built) -> int:
        cpu = cpu_seconds()
        rows = measure(built, args.runs or (5 if args.quick else 10))
        result = {
            "benchmark": "vault",
            "build": asdict(built),
            "machine": machine(),
            "measure_cpu_s": round(cpu_seconds() - cpu, 1),
            "rows": {row.name: row.to_dict() for row in rows},
        }
        print(table(rows))
        print(json.dumps(result, indent=2))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return 0 if all(r.budget_ms is None or r.ours.median <= r.budget_ms for r in rows) else 1

    return with_vault(args, work)
