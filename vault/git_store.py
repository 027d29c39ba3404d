"""The vault's git repository: signed commits, reads and history, bytes and paths only.

A `GitStore` wraps one non-bare git repository on branch `main`. Commits are built in-process
(loose objects written first, then the branch ref moved with a compare-and-swap, then the work
tree and index brought in line) and signed by a `Signer` with an SSH signature in git's own
format, so `git verify-commit` and `git log --show-signature` accept them. Writers exclude each
other with `flock` on `.git/zorgkluis.lock`. A kill at any moment leaves the branch at the old
or the new commit; `recover()` (run on open when needed) repairs the work tree and index.

This layer knows nothing about YAML, pupils or encryption: callers hand it bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal, Protocol

from vault import _gitobjects as go
from vault._gitobjects import GitStoreError, RefConflictError

__all__ = [
    "ALLOWED_SIGNERS",
    "AllowedSignersResolver",
    "CommitInfo",
    "GitStore",
    "GitStoreError",
    "LockedError",
    "Problem",
    "RefConflictError",
    "Signer",
    "UnknownRevisionError",
    "VerifyFn",
    "normalize_key",
    "parse_allowed_signers",
]

ALLOWED_SIGNERS = ".zorgkluis/allowed_signers"
"""Repository path of the committed allowed-signers file (OpenSSH `ALLOWED SIGNERS` format)."""

SIGNATURE_NAMESPACE = "git"
LOCK_NAME = "zorgkluis.lock"
PENDING_NAME = "zorgkluis-pending"
TEMP_PREFIX = ".zk-tmp-"
AUTO_GC_LOOSE_OBJECTS = 6700  # git's default gc.auto
TREE_CACHE_SIZE = 64
MAINTENANCE_SCRIPT = (
    'cd "$1" && git -c gc.autoDetach=false gc --auto --quiet'
    " && git commit-graph write --reachable --changed-paths --no-progress"
)

UNSIGNED_DETAIL = (
    "deze wijziging heeft geen handtekening: ze is buiten Zorgkluis gemaakt (bijvoorbeeld met "
    "gewone git). Vraag na wie dit deed; herstel de kluis zo nodig naar de versie ervoor."
)
BAD_SIGNATURE_DETAIL = (
    "de handtekening van deze wijziging klopt niet ({}): de wijziging is na het ondertekenen "
    "veranderd of beschadigd. Herstel de kluis naar de versie ervoor of uit een back-up."
)
UNKNOWN_SIGNER_DETAIL = (
    "ondertekend met sleutel {}, die op dat moment (versie {}) niet van een medewerker van de "
    "kluis was. Vraag na van wie deze sleutel is; herstel de kluis zo nodig naar de versie ervoor."
)

_SHA_RE = re.compile(r"[0-9a-f]{40}")
_KEY_TYPE_RE = re.compile(r"(ssh-|ecdsa-|sk-ssh-|sk-ecdsa-)")


def _valid_shas(shas: Sequence[str]) -> list[str]:
    """Object ids for `git cat-file --batch`; anything else would be read as a revision."""
    for sha in shas:
        if not _SHA_RE.fullmatch(sha):
            raise ValueError(f"not a git object id: {sha!r}")
    return list(shas)


class LockedError(GitStoreError):
    """Another writer held the vault lock for longer than the lock timeout."""


class UnknownRevisionError(GitStoreError):
    """A revision name that does not name a commit in this repository."""


class Signer(Protocol):
    """Who commits, and how they sign: `sign` returns an armored SSHSIG (namespace "git")."""

    @property
    def name(self) -> str:
        """Author and committer name."""
        ...

    @property
    def email(self) -> str:
        """Author and committer e-mail address."""
        ...

    def sign(self, payload: bytes) -> bytes:
        """Return an armored `-----BEGIN SSH SIGNATURE-----` block over `payload`."""
        ...


VerifyFn = Callable[[bytes, bytes, str], str]
"""`verify(payload, armored_signature, namespace) -> signer public key` as an OpenSSH line
("ssh-ed25519 AAAA..." with or without comment); raises any exception when invalid."""

AllowedSignersResolver = Callable[[str], Collection[str]]
"""Maps the sha of a commit to the public keys ("<type> <base64>") allowed in that commit."""


@dataclass(frozen=True)
class CommitInfo:
    """One commit as `log` reports it.

    `signed_payload` is the commit object without its signature header: the bytes the
    signature covers. `paths` are the paths the commit changed relative to its first parent.
    """

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    when: datetime
    message: str
    signature: bytes | None
    signed_payload: bytes
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """A commit that fails verification."""

    sha: str
    kind: Literal["unsigned", "bad_signature", "unknown_signer"]
    detail: str


def _ident(signer: Signer, when: datetime) -> bytes:
    for value in (signer.name, signer.email):
        if any(c in value for c in "<>\n\0"):
            raise ValueError(f"invalid character in signer identity: {value!r}")
    if when.tzinfo is None:
        when = when.astimezone()
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    tz = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f"{signer.name} <{signer.email}> {int(when.timestamp())} {tz}".encode()


def _parse_ident(ident: bytes) -> tuple[str, str, datetime]:
    person, _, stamp = ident.rpartition(b"> ")
    name, _, email = person.partition(b" <")
    ts, _, tz = stamp.decode().partition(" ")
    minutes = int(tz[1:3]) * 60 + int(tz[3:5]) if len(tz) == 5 else 0
    if tz.startswith("-"):
        minutes = -minutes
    when = datetime.fromtimestamp(int(ts), timezone(timedelta(minutes=minutes)))
    return name.decode(errors="replace"), email.decode(errors="replace"), when


def normalize_key(line: str) -> str:
    """Reduce an OpenSSH public key line to "<type> <base64>" (dropping any comment)."""
    fields = line.split()
    if len(fields) < 2:
        raise ValueError(f"not an OpenSSH public key: {line!r}")
    return f"{fields[0]} {fields[1]}"


def parse_allowed_signers(data: bytes) -> set[str]:
    """Return the keys ("<type> <base64>") an allowed_signers file admits for namespace "git".

    Lines are `principals [options] keytype base64 [comment]`; entries whose `namespaces=`
    option excludes "git" are skipped, and so are `cert-authority` entries (certificates are
    not supported). `valid-after`/`valid-before` are not enforced. Malformed lines are ignored.
    """
    keys: set[str] = set()
    for raw in data.decode(errors="replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tokens = re.findall(r'(?:[^\s"]|"[^"]*")+', line)
        for i, token in enumerate(tokens[1:-1], start=1):
            if _KEY_TYPE_RE.match(token):
                options = ",".join(tokens[1:i])
                ns = re.search(r'namespaces="([^"]*)"', options)
                if "cert-authority" in options.split(","):
                    break  # certificate authorities are not supported
                if ns is None or SIGNATURE_NAMESPACE in ns.group(1).split(","):
                    keys.add(f"{token} {tokens[i + 1]}")
                break
    return keys


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tree_changes(changes: Mapping[str, bytes | None]) -> dict[str, object]:
    root: dict[str, object] = {}
    for path in changes:
        node = root
        *dirs, leaf = go.validate_path(path).split("/")
        for d in dirs:
            child = node.setdefault(d, {})
            if not isinstance(child, dict):
                raise ValueError(f"{path!r} needs {d!r} to be a folder, but it is a file")
            node = child
        if leaf in node:
            raise ValueError(f"{path!r} is both a file and a folder in one commit")
        node[leaf] = changes[path]
    return root


class GitStore:
    """One vault git repository (non-bare, branch `main`).

    Args:
        path: the top of the work tree.
        lock_timeout: seconds a writer waits for the vault lock before `LockedError`.
        fsync: flush each new object and the ref to disk before the commit returns. Off by
            default, like git's own `core.fsync` default for loose objects and refs: a killed
            process never needs it (objects are renamed into place before the ref moves); it
            guards against power loss on file systems that reorder writes, at a cost of
            roughly 5-40 ms per commit here.

    Raises:
        GitStoreError: when `path` is not a git work tree.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, lock_timeout: float = 5.0, fsync: bool = False
    ) -> None:
        self.path = Path(path).resolve()
        self.git_dir = self.path / ".git"
        if not (self.git_dir / "HEAD").is_file():
            raise GitStoreError(f"{self.path} is not a git work tree")
        self.lock_timeout = lock_timeout
        self.fsync = fsync
        self._cat = go.CatFile(self.git_dir)
        self._trees: dict[str, dict[bytes, go.TreeEntry]] = {}
        self._held = threading.local()  # .depth: this thread's nesting of lock()
        self._maintenance: subprocess.Popen[bytes] | None = None  # background `git gc`
        self._index = go.IndexCache()
        self._finalizer = weakref.finalize(self, self._cat.close)
        if (self.git_dir / PENDING_NAME).exists():
            # A commit was cut short, or one is running right now: then its writer finishes
            # the job, and opening must not fail because of it.
            with contextlib.suppress(LockedError):
                self.recover()

    @classmethod
    def init(
        cls, path: str | os.PathLike[str], *, lock_timeout: float = 5.0, fsync: bool = False
    ) -> GitStore:
        """Create a new repository at `path` (which may exist but must not hold a repo).

        Sets `gpg.format=ssh`, `gpg.ssh.allowedSignersFile=.zorgkluis/allowed_signers` (git
        resolves it against the work-tree top, so plain `git verify-commit` works anywhere in
        the work tree) and `commit.gpgsign=false` (we sign in-process). `lock_timeout` and
        `fsync` are as for `GitStore`.

        Raises:
            GitStoreError: if `path` already contains a git repository.
        """
        target = Path(path)
        if (target / ".git").exists():
            raise GitStoreError(f"{target} already contains a git repository")
        target.mkdir(parents=True, exist_ok=True)
        git = ["git", "-C", str(target)]
        subprocess.run([*git, "init", "-q", "-b", "main"], check=True, env=go.git_env())
        for key, value in (
            ("gpg.format", "ssh"),
            ("gpg.ssh.allowedSignersFile", ALLOWED_SIGNERS),
            ("commit.gpgsign", "false"),
            ("core.logAllRefUpdates", "true"),
            ("core.autocrlf", "false"),  # files are stored byte for byte
        ):
            subprocess.run([*git, "config", key, value], check=True, env=go.git_env())
        return cls(target, lock_timeout=lock_timeout, fsync=fsync)

    def close(self) -> None:
        """Stop the background `git cat-file` process (the store may still be used after)."""
        self._cat.close()

    def __enter__(self) -> GitStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def head(self) -> str | None:
        """Return the sha HEAD points to, or None before the first commit."""
        return go.read_ref(self.git_dir, go.head_branch(self.git_dir))

    def resolve(self, rev: str) -> str:
        """Return the commit sha `rev` names (any git revision syntax).

        Raises:
            UnknownRevisionError: when `rev` names no commit.
        """
        if rev == "HEAD":
            sha = self.head()
        else:
            obj = self._cat.get(f"{rev}^{{commit}}") if "\n" not in rev else None
            sha = obj.sha if obj is not None else None
        if sha is None:
            raise UnknownRevisionError(f"no commit {rev!r} in {self.path}")
        return sha

    def read(self, path: str, rev: str = "HEAD") -> bytes | None:
        """Return the content of file `path` at `rev`, or None if there is no file there.

        Raises:
            UnknownRevisionError: when `rev` names no commit (HEAD before the first commit
                reads as empty, not as an error).
            ValueError: for an unsafe path.
        """
        return self.read_many([(rev, path)])[0]

    def read_many(self, items: Sequence[tuple[str, str]]) -> list[bytes | None]:
        """Read many (rev, path) pairs in one exchange with git; see `read`."""
        for path in {path for _, path in items}:
            go.validate_path(path)
        commits: dict[str, str | None] = {}
        for rev, _ in items:
            if rev not in commits:
                commits[rev] = (
                    rev
                    if _SHA_RE.fullmatch(rev)
                    else self.head()
                    if rev == "HEAD"
                    else self.resolve(rev)
                )
        wanted = [(commits[rev], path) for rev, path in items]
        found = iter(self._cat.get_many([f"{c}:{p}" for c, p in wanted if c is not None]))
        result: list[bytes | None] = []
        for commit, _ in wanted:
            obj = next(found) if commit is not None else None
            result.append(obj.data if obj is not None and obj.kind == "blob" else None)
        return result

    def show_paths_at(self, rev: str, paths: Sequence[str]) -> dict[str, bytes | None]:
        """Return {path: content or None} for several paths at one revision."""
        return dict(zip(paths, self.read_many([(rev, p) for p in paths]), strict=True))

    def list_dir(self, prefix: str, rev: str = "HEAD") -> list[str]:
        """Return the names (files and folders) directly inside folder `prefix` at `rev`.

        `prefix` "" is the top. A missing folder, or a file, gives an empty list.

        Raises:
            UnknownRevisionError: when `rev` names no commit.
        """
        return list(self.list_dir_ids(prefix, rev))

    def list_dir_ids(self, prefix: str, rev: str = "HEAD") -> dict[str, str]:
        """Like `list_dir`, with each entry's git object id: name -> sha.

        An unchanged id means unchanged content (for a folder: everything below it), so
        callers can skip reading what they cached.

        Raises:
            UnknownRevisionError: when `rev` names no commit.
        """
        prefix = prefix.strip("/")
        if prefix:
            go.validate_path(prefix)
        commit = self.head() if rev == "HEAD" else self.resolve(rev)
        if commit is None:
            return {}
        obj = self._cat.get(f"{commit}:{prefix}")
        if obj is None or obj.kind != "tree":
            return {}
        return {e.name.decode(): e.sha for e in go.parse_tree(obj.data)}

    def read_trees(self, shas: Sequence[str]) -> list[dict[str, str] | None]:
        """Many tree objects by id in one exchange with git: name -> object id per tree.

        A folder's id comes from `list_dir_ids`. Reading by id skips git's path lookup from
        the commit down (for a `dossiers/` folder of 1,000 pupils that lookup is most of the
        cost of reading a small file by path). None: no such tree.
        """
        found = self._cat.get_many(_valid_shas(shas))
        return [
            {e.name.decode(): e.sha for e in go.parse_tree(obj.data)}
            if obj is not None and obj.kind == "tree"
            else None
            for obj in found
        ]

    def read_blobs(self, shas: Sequence[str]) -> list[bytes | None]:
        """Many file contents by blob id in one exchange with git (None: no such blob)."""
        found = self._cat.get_many(_valid_shas(shas))
        return [obj.data if obj is not None and obj.kind == "blob" else None for obj in found]

    def log(
        self,
        paths: Sequence[str] | None = None,
        max_count: int | None = None,
        rev: str = "HEAD",
        *,
        since: str | None = None,
        changed_paths: bool = True,
    ) -> list[CommitInfo]:
        """Return the history of `rev`, newest first, optionally only commits touching `paths`.

        Each `CommitInfo` lists every path its commit changed (not only the filtered ones),
        unless `changed_paths=False` (then `paths` is empty; much cheaper for a long unfiltered
        history, where listing paths means diffing every commit's trees). `since` leaves out
        that commit and everything before it (git's `since..rev`), so "what changed after X"
        does not walk the whole history. One `git log` walk plus one batched object read;
        path-filtered walks use the commit-graph's changed-path Bloom filters `gc()` writes.

        Raises:
            UnknownRevisionError: when `rev` or `since` names no commit (an empty repo
                gives []).
        """
        if rev == "HEAD" and self.head() is None:
            return []
        start = self.resolve(rev)
        exclude = [f"^{self.resolve(since)}"] if since is not None else []
        args = [
            "log",
            "-z",
            "--format=%x01%H",
            "--no-renames",
            "--no-show-signature",
            "--no-color",
        ]
        if changed_paths:
            args.append("--name-only")
            if paths:  # without a pathspec --full-diff makes git diff every commit for nothing
                args.append("--full-diff")
        if max_count is not None:
            args.append(f"--max-count={max_count}")
        args += [start, *exclude, "--"]
        args += [go.validate_path(p.rstrip("/")) for p in paths or ()]
        out = self._git(*args).stdout
        order: list[tuple[str, tuple[str, ...]]] = []
        for record in out.split(b"\x01")[1:]:
            head, *names = record.split(b"\0")
            files = tuple(n.lstrip(b"\n").decode() for n in names if n.strip(b"\n"))
            order.append((head.decode(), files))
        raws = self._cat.get_many([sha for sha, _ in order])
        infos = []
        for (sha, files), obj in zip(order, raws, strict=True):
            assert obj is not None and obj.kind == "commit"
            infos.append(self._commit_info(sha, obj.data, files))
        return infos

    def authors_and_paths(self, rev: str = "HEAD") -> list[tuple[str, str, tuple[str, ...]]]:
        """(sha, author email, changed paths) of every commit of `rev`, newest first.

        What `log()` gives for these three fields, from one `git log` without reading the
        commit objects: a fraction of its cost on a long history (for counts such as the
        review queue's).

        Raises:
            UnknownRevisionError: when `rev` names no commit (an empty repo gives []).
        """
        if rev == "HEAD" and self.head() is None:
            return []
        out = self._git(
            "log",
            "-z",
            "--format=%x01%H%x02%ae",
            "--no-renames",
            "--no-show-signature",
            "--no-color",
            "--name-only",
            self.resolve(rev),
            "--",
        ).stdout
        result = []
        for record in out.split(b"\x01")[1:]:
            head, *names = record.split(b"\0")
            sha, _, email = head.decode().partition("\x02")
            files = tuple(n.lstrip(b"\n").decode() for n in names if n.strip(b"\n"))
            result.append((sha, email, files))
        return result

    @staticmethod
    def _commit_info(sha: str, raw: bytes, files: tuple[str, ...]) -> CommitInfo:
        payload, signature = go.split_signature(raw)
        commit = go.parse_commit(payload)
        name, email, when = _parse_ident(commit.author)
        return CommitInfo(
            sha=sha,
            parents=commit.parents,
            author_name=name,
            author_email=email,
            when=when,
            message=commit.message.decode(errors="replace"),
            signature=signature,
            signed_payload=payload,
            paths=files,
        )

    # ------------------------------------------------------------------ writing

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the vault's exclusive writer lock (`.git/zorgkluis.lock`, `flock`).

        Re-entrant within one thread of one `GitStore`: wrap a read-modify-`commit` sequence
        in `with store.lock():` to make it atomic against other writers.

        Raises:
            LockedError: if another writer keeps it longer than `lock_timeout` seconds.
        """
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        fd = os.open(self.git_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockedError(
                            f"the vault at {self.path} is locked by another writer "
                            f"(waited {self.lock_timeout:g} s for {self.git_dir / LOCK_NAME})"
                        ) from None
                    time.sleep(0.005)
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def commit(
        self,
        changes: Mapping[str, bytes | None],
        message: str,
        signer: Signer,
        when: datetime | None = None,
    ) -> str:
        """Write exactly `changes` on top of HEAD as one signed commit; return its sha.

        Args:
            changes: repository path -> new content, or None to delete the file.
            message: the commit message (a trailing newline is added if missing).
            signer: supplies author/committer name and e-mail and signs the commit payload.
            when: author and committer time (default: now, local zone).

        Raises:
            LockedError: another writer holds the lock past `lock_timeout`.
            ValueError: an unsafe path, a file/folder clash, or a bad identity or message.
            RefConflictError: (a GitStoreError) the branch moved outside our lock (someone ran
                plain git), its ref lock stayed held, or HEAD is detached.
        """
        if "\0" in message:
            raise ValueError("a commit message cannot contain NUL")
        tree_changes = _tree_changes(changes)
        ident = _ident(signer, when or datetime.now().astimezone())
        with self.lock():
            branch = go.head_branch(self.git_dir)
            old = go.read_ref(self.git_dir, branch)
            old_tree = go.parse_commit(self._object(old, "commit")).tree if old else None
            tree = self._write_tree(old_tree, tree_changes, "") or self._write("tree", b"")
            payload = go.build_commit(tree, [old] if old else [], ident, ident, message.encode())
            signed = go.add_signature(payload, signer.sign(payload))
            sha = self._write("commit", signed)
            self._set_pending(list(changes))
            summary = message.split("\n", 1)[0]
            try:
                go.update_ref(
                    self.git_dir,
                    branch,
                    sha,
                    old,
                    ident=ident,
                    message=f"commit: {summary}",
                    fsync=self.fsync,
                )
            except go.RefConflictError:
                self._clear_pending()
                raise
            # The commit is a fact now. Mirroring it into the work tree and index is
            # best effort: if that fails (e.g. someone holds index.lock for longer than
            # lock_timeout), the pending marker stays and recover() finishes the job.
            try:
                self._sync_work_tree(changes)
            except (OSError, GitStoreError):
                return sha
            self._clear_pending()
        self._maybe_gc()
        return sha

    def _maybe_gc(self) -> None:
        # Like `git commit`: when loose objects pile up (git's own estimate: one fan-out
        # folder holding more than gc.auto/256 files), let `git gc --auto` pack them in the
        # background. Without packing, each commit's rewritten `dossiers` tree stays a full
        # loose copy.
        try:
            sample = len(os.listdir(self.git_dir / "objects" / "17"))
        except FileNotFoundError:
            return
        busy = self._maintenance is not None and self._maintenance.poll() is None
        if sample * 256 > AUTO_GC_LOOSE_OBJECTS and not busy:
            self._maintenance = subprocess.Popen(
                ["sh", "-c", MAINTENANCE_SCRIPT, "zorgkluis-gc", str(self.path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                env=go.git_env(),
            )

    def _object(self, sha: str, kind: str) -> bytes:
        obj = self._cat.get(sha)
        if obj is None or obj.kind != kind:
            raise GitStoreError(f"{kind} {sha} is missing from {self.git_dir}")
        return obj.data

    def _write(self, kind: str, data: bytes) -> str:
        return go.write_loose_object(self.git_dir / "objects", kind, data, fsync=self.fsync)

    def _write_tree(self, tree: str | None, changes: dict[str, object], prefix: str) -> str | None:
        entries: dict[bytes, go.TreeEntry] = {}
        if tree is not None:
            entries = dict(self._trees.get(tree) or self._read_tree(tree))
        for name, change in changes.items():
            key = name.encode()
            existing = entries.get(key)
            if isinstance(change, dict):
                if existing is not None and not existing.is_tree:
                    raise ValueError(f"{prefix}{name} is a file, not a folder")
                sub = self._write_tree(
                    existing.sha if existing else None, change, f"{prefix}{name}/"
                )
                if sub is None:
                    entries.pop(key, None)
                else:
                    entries[key] = go.TreeEntry(go.TREE_MODE, key, sub)
                continue
            if existing is not None and existing.is_tree:
                raise ValueError(f"{prefix}{name} is a folder, not a file")
            if change is None:
                entries.pop(key, None)
            else:
                assert isinstance(change, bytes)
                entries[key] = go.TreeEntry(go.FILE_MODE, key, self._write("blob", change))
        if not entries:
            return None
        sha = self._write("tree", go.serialize_tree(entries.values()))
        # The next commit starts from the trees this one wrote: keep them parsed.
        if len(self._trees) >= TREE_CACHE_SIZE:
            self._trees.pop(next(iter(self._trees)))
        self._trees[sha] = entries
        return sha

    def _read_tree(self, sha: str) -> dict[bytes, go.TreeEntry]:
        return {e.name: e for e in go.parse_tree(self._object(sha, "tree"))}

    # ------------------------------------------------------------------ work tree

    def _set_pending(self, paths: Sequence[str]) -> None:
        # Written before the ref moves: after a crash it names the writer's pid and the paths
        # whose work-tree files and index entries may not match HEAD.
        pending = self.git_dir / PENDING_NAME
        tmp = pending.with_name(PENDING_NAME + ".tmp")
        tmp.write_bytes(f"{os.getpid()}\n".encode() + "\0".join(paths).encode())
        os.replace(tmp, pending)

    def _clear_pending(self) -> None:
        (self.git_dir / PENDING_NAME).unlink(missing_ok=True)

    def _sync_work_tree(self, contents: Mapping[str, bytes | None]) -> None:
        blobs: dict[str, str | None] = {}
        for path, data in contents.items():
            target = self.path / path
            if data is None:
                target.unlink(missing_ok=True)
                self._prune_empty_dirs(target.parent)
                blobs[path] = None
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{TEMP_PREFIX}{target.name}-{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, target)
            blobs[path] = go.object_bytes("blob", data)[0]
        self._update_index(blobs)

    def _update_index(self, blobs: Mapping[str, str | None]) -> None:
        # In-process when the index is a plain v2/v3 one (no git process to start), else
        # `git update-index`. Plain git (even `git status`) may hold index.lock for a moment:
        # retry until the lock timeout rather than fail.
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                go.update_index(self.git_dir, self.path, blobs, fsync=self.fsync, cache=self._index)
                return
            except go.IndexUnsupportedError:
                break
            except FileExistsError:
                if time.monotonic() >= deadline:
                    raise GitStoreError(
                        f"{self.git_dir / 'index.lock'} stayed locked; run `git status` "
                        "when it is gone, the vault repairs itself on next open"
                    ) from None
                time.sleep(0.01)
        names = list(blobs)
        for chunk in range(0, len(names), 500):
            self._git_update_index(names[chunk : chunk + 500], deadline)

    def _git_update_index(self, paths: Sequence[str], deadline: float) -> None:
        while True:
            done = self._git("update-index", "--add", "--remove", "--", *paths, check=False)
            if done.returncode == 0:
                return
            if b"index.lock" not in done.stderr or time.monotonic() >= deadline:
                error = done.stderr.decode(errors="replace")
                raise GitStoreError(f"git update-index failed in {self.path}: {error}")
            time.sleep(0.01)

    def _prune_empty_dirs(self, folder: Path) -> None:
        while folder != self.path:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def recover(self, *, full: bool = False) -> list[str]:
        """Make the work tree and index match HEAD after a crash; return the repaired paths.

        Uses the pending-paths marker a killed commit leaves behind: those paths are restored
        from HEAD (old or new commit, whichever the branch points to), stray temp files and
        stale `index.lock`/ref locks are removed. With `full=True` every tracked path that
        differs from HEAD (in the index or the work tree) is restored as well; that discards
        manual edits in the work tree, which in a vault only mirrors the history.

        Raises:
            LockedError: if another writer holds the lock past `lock_timeout`.
        """
        with self.lock():
            pending = self.git_dir / PENDING_NAME
            paths: list[str] = []
            if pending.exists():
                pid, _, names = pending.read_bytes().decode().partition("\n")
                paths = [p for p in names.split("\0") if p]
                # A lock left by the dead writer goes at once; one that may be a live git
                # process's gets lock_timeout to disappear.
                wait = self.lock_timeout if pid.isdigit() and _alive(int(pid)) else 0.0
                go.remove_stale_lock(self.git_dir / "index.lock", wait)
                ref_lock = self.git_dir / (go.head_branch(self.git_dir) + ".lock")
                go.remove_stale_lock(ref_lock, 0)
                for folder in {(self.path / p).parent for p in paths}:
                    for tmp in folder.glob(TEMP_PREFIX + "*") if folder.is_dir() else ():
                        tmp.unlink(missing_ok=True)
            if full and self.head() is not None:
                self._git("update-index", "-q", "--refresh", check=False)
                for cached in (["--cached"], []):
                    out = self._git("diff-index", *cached, "--name-only", "-z", "HEAD").stdout
                    paths += [p.decode() for p in out.split(b"\0") if p]
            paths = sorted(set(paths))
            if paths:
                head = self.head()
                contents = self.show_paths_at(head, paths) if head else dict.fromkeys(paths)
                self._sync_work_tree(contents)
            pending.unlink(missing_ok=True)
            return paths

    def gc(self) -> None:
        """Pack loose objects if git thinks it worthwhile, then refresh the commit-graph.

        Runs `git gc --auto` and `git commit-graph write --reachable --changed-paths`: the
        changed-path Bloom filters make path-filtered `log` skip commits that did not touch
        the path (for one pupil in 30,000 commits, several times faster). Commits start this
        in the background by themselves once loose objects pile up.
        """
        subprocess.run(
            ["sh", "-c", MAINTENANCE_SCRIPT, "zorgkluis-gc", str(self.path)],
            check=True,
            env=go.git_env(),
        )

    # ------------------------------------------------------------------ verification

    def verify_commits(
        self,
        verify: VerifyFn,
        allowed_signers_resolver: AllowedSignersResolver | None = None,
        rev: str = "HEAD",
        *,
        signers: dict[str, str] | None = None,
    ) -> list[Problem]:
        """Check every commit reachable from `rev`; return the problems, oldest first.

        A commit must carry a `gpgsig` SSH signature that `verify` accepts for namespace
        "git" over the signed payload, made by a key that is allowed as of the commit's
        first parent (the root commit: as of itself). By default the allowed keys come from
        `.zorgkluis/allowed_signers` in that commit; pass `allowed_signers_resolver` to decide
        otherwise.

        Args:
            verify: see `VerifyFn`; for example a wrapper of `vault.crypto.sshsig.verify`.
            allowed_signers_resolver: see `AllowedSignersResolver`.
            rev: the tip to check from.
            signers: when given, receives the signer's key ("<type> <base64>") of every
                commit whose signature is valid (allowed or not), by sha.

        Raises:
            UnknownRevisionError: when `rev` names no commit (an empty repo gives []).
        """
        if rev == "HEAD" and self.head() is None:
            return []
        start = self.resolve(rev)
        shas = self._git("rev-list", "--reverse", start).stdout.decode().split()
        raws = [obj.data for obj in self._cat.get_many(shas) if obj is not None]
        bases = []
        for sha, raw in zip(shas, raws, strict=True):
            parents = go.parse_commit(raw).parents
            bases.append(parents[0] if parents else sha)
        resolver = allowed_signers_resolver or self._allowed_signers_reader(bases)
        problems: list[Problem] = []
        for sha, raw, basis in zip(shas, raws, bases, strict=True):
            payload, signature = go.split_signature(raw)
            if signature is None:
                problems.append(Problem(sha, "unsigned", UNSIGNED_DETAIL))
                continue
            try:
                key = normalize_key(verify(payload, signature, SIGNATURE_NAMESPACE))
            except Exception as exc:
                reason = str(exc) or type(exc).__name__
                problems.append(Problem(sha, "bad_signature", BAD_SIGNATURE_DETAIL.format(reason)))
                continue
            if signers is not None:
                signers[sha] = key
            if key not in resolver(basis):
                problems.append(
                    Problem(sha, "unknown_signer", UNKNOWN_SIGNER_DETAIL.format(key, basis[:12]))
                )
        return problems

    def signer_keys(self, shas: Sequence[str], verify: VerifyFn) -> dict[str, str | None]:
        """The key ("<type> <base64>") that validly signed each commit; None when the commit
        is unsigned or its signature does not verify (one batched read)."""
        out: dict[str, str | None] = {}
        for sha, obj in zip(shas, self._cat.get_many(_valid_shas(shas)), strict=True):
            key = None
            if obj is not None and obj.kind == "commit":
                payload, signature = go.split_signature(obj.data)
                if signature is not None:
                    with contextlib.suppress(Exception):
                        key = normalize_key(verify(payload, signature, SIGNATURE_NAMESPACE))
            out[sha] = key
        return out

    def changes_in_order(
        self, rev: str = "HEAD", *, since: str | None = None, paths: Sequence[str] = ()
    ) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        """(sha, parents, paths the commit itself wrote) of the commits of `rev`, oldest
        first, every parent before its children (`--topo-order`).

        For an ordinary commit the paths are those it changed; for a merge only the paths
        whose content differs from every parent (what the merge itself wrote, git's combined
        diff), so what a merge took over from one side counts as that side's. `since`
        leaves that commit and its ancestors out; with `paths` only commits touching them
        are listed (every merge of that history included, with or without paths).

        Raises:
            UnknownRevisionError: when `rev` or `since` names no commit (an empty repo
                gives []).
        """
        if rev == "HEAD" and self.head() is None:
            return []
        start = self.resolve(rev)
        exclude = [f"^{self.resolve(since)}"] if since is not None else []
        out = self._git(
            "log",
            "-z",
            "--format=%x01%H %P",
            "--topo-order",
            "--reverse",
            "--full-history",
            "-c",
            "--name-only",
            "--no-renames",
            "--no-show-signature",
            "--no-color",
            start,
            *exclude,
            "--",
            *[go.validate_path(p.rstrip("/")) for p in paths],
        ).stdout
        result = []
        for record in out.split(b"\x01")[1:]:
            head, *names = record.split(b"\0")
            sha, *parents = head.decode().split()
            files = tuple(n.lstrip(b"\n").decode() for n in names if n.strip(b"\n"))
            result.append((sha, tuple(parents), files))
        return result

    def is_ancestor(self, ancestor: str, rev: str) -> bool:
        """True when commit `ancestor` is `rev` or one of its ancestors."""
        done = self._git("merge-base", "--is-ancestor", ancestor, rev, check=False)
        return done.returncode == 0

    def root_commits(self, rev: str = "HEAD") -> list[str]:
        """The commits without parents that `rev` descends from (normally exactly one)."""
        if rev == "HEAD" and self.head() is None:
            return []
        return self._git("rev-list", "--max-parents=0", self.resolve(rev)).stdout.decode().split()

    def _allowed_signers_reader(self, shas: Sequence[str]) -> AllowedSignersResolver:
        # One batched read for all commits; each distinct file content is parsed once.
        files = self.read_many([(sha, ALLOWED_SIGNERS) for sha in shas])
        parsed: dict[bytes, set[str]] = {}
        by_sha: dict[str, set[str]] = {}
        for sha, data in zip(shas, files, strict=True):
            content = data or b""
            if content not in parsed:
                parsed[content] = parse_allowed_signers(content)
            by_sha[sha] = parsed[content]
        return by_sha.__getitem__

    # ------------------------------------------------------------------ helpers

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        done = subprocess.run(
            ["git", "-C", str(self.path), *args], capture_output=True, env=go.git_env()
        )
        if check and done.returncode != 0:
            raise GitStoreError(
                f"git {args[0]} failed in {self.path}: {done.stderr.decode(errors='replace')}"
            )
        return done
