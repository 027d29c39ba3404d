"""Git object and ref plumbing for `vault.git_store`: bytes in, bytes out.

Private to the git layer. Builds and parses tree and commit objects, writes loose objects
(temp file + rename, so a crash never leaves a half-written object), reads objects through one
long-lived `git cat-file --batch` process, and updates a branch ref with git's own lock-file
protocol plus a compare-and-swap on the old value.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import subprocess
import threading
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ZERO_SHA = "0" * 40
TREE_MODE = b"40000"
FILE_MODE = b"100644"
_CONTROL_RE = re.compile("[\x00-\x1f\x7f]")
# A request this small always fits in the pipe to git (Linux pipes hold at least a page), so
# it can be written before reading the answers without risk of both sides blocking.
PIPE_SAFE_BYTES = 4096


class GitStoreError(Exception):
    """Base error of the git layer (public as `vault.git_store.GitStoreError`)."""


class RefConflictError(GitStoreError):
    """The branch moved under us (compare-and-swap failed), its lock stays held, or HEAD
    is detached."""


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a git tree object."""

    mode: bytes
    name: bytes
    sha: str

    @property
    def is_tree(self) -> bool:
        """Whether this entry is a subtree."""
        return self.mode == TREE_MODE


def validate_path(path: str) -> str:
    """Return `path` if it is a safe relative repository path, else raise ValueError.

    Refused: empty paths, absolute paths, empty, `.` or `..` components, a `.git` component,
    backslashes and control characters (which would break line- or NUL-based plumbing).
    """
    if not path or path.startswith("/") or "\\" in path:
        raise ValueError(f"unsafe repository path: {path!r}")
    if _CONTROL_RE.search(path):
        raise ValueError(f"control character in repository path: {path!r}")
    for part in path.split("/"):
        if part in ("", ".", "..") or part.lower() == ".git":
            raise ValueError(f"unsafe repository path: {path!r}")
    return path


def git_env() -> dict[str, str]:
    """The environment for git subprocesses, without GIT_* variables of the caller.

    A caller's GIT_DIR, GIT_INDEX_FILE or GIT_OBJECT_DIRECTORY must not redirect our plumbing.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


# ---------------------------------------------------------------------------- objects


def object_bytes(kind: str, data: bytes) -> tuple[str, bytes]:
    """Return (sha1 hex, header+data) of a git object of `kind` with content `data`."""
    full = f"{kind} {len(data)}\0".encode() + data
    return hashlib.sha1(full).hexdigest(), full


def write_loose_object(objects_dir: Path, kind: str, data: bytes, *, fsync: bool) -> str:
    """Store one loose object unless it already exists; return its sha.

    The object is written to a temp file in its fan-out directory and renamed into place, so
    readers and crashes only ever see complete objects.
    """
    sha, full = object_bytes(kind, data)
    fan = objects_dir / sha[:2]
    target = fan / sha[2:]
    if target.exists():
        return sha
    fan.mkdir(exist_ok=True)
    tmp = fan / f"tmp_obj_zk_{os.getpid()}_{sha[2:10]}"
    with open(tmp, "wb") as fh:
        fh.write(zlib.compress(full, 1))
        if fsync:
            fh.flush()
            os.fsync(fh.fileno())
    os.chmod(tmp, 0o444)
    os.replace(tmp, target)
    return sha


def _tree_sort_key(entry: TreeEntry) -> bytes:
    # git orders tree entries by name, comparing a subtree as if its name ended in "/".
    return entry.name + b"/" if entry.is_tree else entry.name


def serialize_tree(entries: Iterable[TreeEntry]) -> bytes:
    """Serialize entries into a canonical git tree object body."""
    out = bytearray()
    for e in sorted(entries, key=_tree_sort_key):
        out += e.mode + b" " + e.name + b"\0" + bytes.fromhex(e.sha)
    return bytes(out)


def parse_tree(data: bytes) -> list[TreeEntry]:
    """Parse a git tree object body into its entries."""
    entries: list[TreeEntry] = []
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        sha = data[nul + 1 : nul + 21].hex()
        entries.append(TreeEntry(data[pos:space], data[space + 1 : nul], sha))
        pos = nul + 21
    return entries


def build_commit(
    tree: str, parents: Sequence[str], author: bytes, committer: bytes, message: bytes
) -> bytes:
    """Return an unsigned commit object body: exactly the payload git signs."""
    lines = [b"tree " + tree.encode()]
    lines += [b"parent " + p.encode() for p in parents]
    lines += [b"author " + author, b"committer " + committer]
    if not message.endswith(b"\n"):
        message += b"\n"
    return b"\n".join(lines) + b"\n\n" + message


def add_signature(payload: bytes, signature: bytes) -> bytes:
    """Insert an armored signature as a `gpgsig` header, the way git does.

    The header goes after the last existing header; every signature line after the first is
    a continuation line starting with one space.
    """
    end = payload.index(b"\n\n") + 1
    sig_lines = signature.rstrip(b"\n").split(b"\n")
    header = b"gpgsig " + b"\n ".join(sig_lines) + b"\n"
    return payload[:end] + header + payload[end:]


_SIGNATURE_RE = re.compile(rb"^(gpgsig|gpgsig-sha256) ([^\n]*(?:\n [^\n]*)*)\n", re.MULTILINE)


def split_signature(raw: bytes) -> tuple[bytes, bytes | None]:
    """Split a raw commit into (signed payload, armored signature or None).

    The payload is the commit with every signature header (and its continuation lines)
    removed, which is what `git verify-commit` checks.
    """
    end = raw.find(b"\n\n")
    head_end = len(raw) if end < 0 else end + 1
    head = raw[:head_end]
    if b"gpgsig" not in head:
        return raw, None
    signature = None
    for match in _SIGNATURE_RE.finditer(head):
        if match.group(1) == b"gpgsig":
            signature = match.group(2).replace(b"\n ", b"\n") + b"\n"
    return _SIGNATURE_RE.sub(b"", head) + raw[head_end:], signature


@dataclass(frozen=True)
class RawCommit:
    """The parsed headers and message of a commit object."""

    tree: str
    parents: tuple[str, ...]
    author: bytes
    committer: bytes
    message: bytes


def parse_commit(raw: bytes) -> RawCommit:
    """Parse a raw commit object body (continuation lines are skipped)."""
    end = raw.find(b"\n\n")
    head = raw if end < 0 else raw[:end]
    message = b"" if end < 0 else raw[end + 2 :]
    tree = ""
    parents: list[str] = []
    author = committer = b""
    for line in head.split(b"\n"):
        key, _, value = line.partition(b" ")
        if key == b"tree":
            tree = value.decode()
        elif key == b"parent":
            parents.append(value.decode())
        elif key == b"author":
            author = value
        elif key == b"committer":
            committer = value
    return RawCommit(tree, tuple(parents), author, committer, message)


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class GitObject:
    """An object read from the repository."""

    sha: str
    kind: str
    data: bytes


class CatFile:
    """A long-lived `git cat-file --batch` process; thread-safe, restarted if it dies."""

    def __init__(self, git_dir: Path) -> None:
        self._git_dir = git_dir
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                ["git", "--git-dir", str(self._git_dir), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(),
            )
        return self._proc

    def get(self, name: str) -> GitObject | None:
        """Return the object `name` ("<sha>", "<rev>:<path>", "<rev>^{commit}"), or None."""
        return self.get_many([name])[0]

    def get_many(self, names: Sequence[str]) -> list[GitObject | None]:
        """Look up many objects in one pipelined exchange, in order (None: missing)."""
        if not names:
            return []
        with self._lock:
            proc = self._process()
            assert proc.stdin is not None and proc.stdout is not None
            request = "".join(f"{n}\n" for n in names).encode()
            if len(request) <= PIPE_SAFE_BYTES:  # fits the pipe: no deadlock, no thread
                writer = None
                self._feed(proc, request)
            else:
                writer = threading.Thread(target=self._feed, args=(proc, request))
                writer.start()
            try:
                out = proc.stdout
                results: list[GitObject | None] = []
                for _ in names:
                    header = out.readline()
                    if not header:
                        raise OSError("git cat-file ended unexpectedly")
                    fields = header.split()
                    if len(fields) != 3:  # "<name> missing" or "<name> ambiguous"
                        results.append(None)
                        continue
                    size = int(fields[2])
                    data = out.read(size + 1)[:size]
                    results.append(GitObject(fields[0].decode(), fields[1].decode(), data))
                return results
            except BaseException:
                # The exchange is out of step (or git died): start afresh next time.
                proc.kill()
                proc.wait()
                self._proc = None
                raise
            finally:
                if writer is not None:
                    writer.join()

    @staticmethod
    def _feed(proc: subprocess.Popen[bytes], request: bytes) -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(request)
            proc.stdin.flush()
        except BrokenPipeError:
            pass  # the reader sees git's end of output and reports it

    def close(self) -> None:
        """Stop the process (safe to call more than once)."""
        with self._lock:
            if self._proc is not None:
                if self._proc.stdin:
                    self._proc.stdin.close()
                self._proc.wait()
                if self._proc.stdout:
                    self._proc.stdout.close()
                self._proc = None


# ---------------------------------------------------------------------------- refs


def head_branch(git_dir: Path) -> str:
    """Return the ref HEAD points to (e.g. "refs/heads/main"); raise if HEAD is detached."""
    head = (git_dir / "HEAD").read_bytes().strip()
    if not head.startswith(b"ref: "):
        raise RefConflictError("HEAD is detached; the vault needs HEAD on a branch")
    return head[5:].decode()


def read_ref(git_dir: Path, ref: str) -> str | None:
    """Return the sha a (non-symbolic) ref points to, from its loose file or packed-refs."""
    try:
        value = (git_dir / ref).read_bytes().strip()
        if value:
            return value.decode()
    except FileNotFoundError:
        pass
    try:
        packed = (git_dir / "packed-refs").read_bytes()
    except FileNotFoundError:
        return None
    wanted = ref.encode()
    for line in packed.splitlines():
        if line.startswith((b"#", b"^")):
            continue
        sha, _, name = line.partition(b" ")
        if name == wanted:
            return sha.decode()
    return None


def update_ref(
    git_dir: Path,
    ref: str,
    new: str,
    old: str | None,
    *,
    ident: bytes,
    message: str,
    fsync: bool,
    lock_wait: float = 1.0,
) -> None:
    """Point `ref` at `new` if it still points at `old` (None: must not exist yet).

    Uses git's protocol: create `<ref>.lock` exclusively (waiting up to `lock_wait` seconds
    while e.g. `git pack-refs` holds it), check the old value, write, append the reflogs,
    rename the lock over the ref. Raises RefConflictError when the lock stays held or the
    ref moved.
    """
    path = git_dir / ref
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            if time.monotonic() >= deadline:
                raise RefConflictError(
                    f"{lock} exists: another git process is updating {ref}"
                ) from None
            time.sleep(0.005)
    try:
        current = read_ref(git_dir, ref)
        if current != old:
            raise RefConflictError(f"{ref} moved: expected {old}, found {current}")
        os.write(fd, new.encode() + b"\n")
        if fsync:
            os.fsync(fd)
        os.close(fd)
        fd = -1
        line = f"{old or ZERO_SHA} {new} ".encode() + ident + b"\t" + message.encode() + b"\n"
        for log in (git_dir / "logs" / ref, git_dir / "logs" / "HEAD"):
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "ab") as fh:
                fh.write(line)
        os.replace(lock, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        lock.unlink(missing_ok=True)
        raise


def remove_stale_lock(lock: Path, wait: float) -> None:
    """Remove a lock file left by a killed process, after giving a live owner `wait` seconds."""
    deadline = time.monotonic() + wait
    while lock.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    lock.unlink(missing_ok=True)


# ---------------------------------------------------------------------------- index


class IndexUnsupportedError(Exception):
    """The index uses something `update_index` does not handle; let `git update-index` do it."""


_ENTRY_FIXED = 62  # bytes of an on-disk index entry before its name (v2, not extended)


def _parse_index(data: bytes) -> tuple[int, list[bytes], list[bytes]]:
    """Return (version, names, raw entries) of a version 2 or 3 index."""
    if not data:
        return 2, [], []
    if data[:4] != b"DIRC" or hashlib.sha1(data[:-20]).digest() != data[-20:]:
        raise IndexUnsupportedError("the index is damaged or not an index")
    version, count = int.from_bytes(data[4:8], "big"), int.from_bytes(data[8:12], "big")
    if version not in (2, 3):
        raise IndexUnsupportedError(f"index version {version}")
    names: list[bytes] = []
    raws: list[bytes] = []
    pos = 12
    for _ in range(count):
        flags = int.from_bytes(data[pos + 60 : pos + 62], "big")
        start = pos + _ENTRY_FIXED + (2 if flags & 0x4000 else 0)
        length = flags & 0xFFF
        if length == 0xFFF:
            length = data.index(b"\0", start) - start
        end = pos + ((start - pos + length + 8) & ~7)
        names.append(data[start : start + length] + (b"\0" if flags & 0x3000 else b""))
        raws.append(data[pos:end])
        pos = end
    while pos < len(data) - 20:  # extensions: optional ones (upper case) may be dropped
        signature = data[pos : pos + 4]
        if not b"A"[0] <= signature[0] <= b"Z"[0]:
            raise IndexUnsupportedError(f"index extension {signature!r}")
        pos += 8 + int.from_bytes(data[pos + 4 : pos + 8], "big")
    return version, names, raws


def _index_entry(name: bytes, sha: str, st: os.stat_result) -> bytes:
    fields = (
        st.st_ctime_ns // 10**9, st.st_ctime_ns % 10**9,
        st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9,
        st.st_dev, st.st_ino, 0o100644, st.st_uid, st.st_gid, st.st_size,
    )  # fmt: skip
    head = b"".join((f & 0xFFFFFFFF).to_bytes(4, "big") for f in fields)
    head += bytes.fromhex(sha) + min(len(name), 0xFFF).to_bytes(2, "big")
    size = (_ENTRY_FIXED + len(name) + 8) & ~7
    return head + name + b"\0" * (size - _ENTRY_FIXED - len(name))


@dataclass
class IndexCache:
    """The index as this process last wrote it, keyed by the file's identity and mtime."""

    key: tuple[int, int, int] | None = None
    version: int = 2
    names: tuple[bytes, ...] = ()
    raws: tuple[bytes, ...] = ()


def _file_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def update_index(
    git_dir: Path,
    work_tree: Path,
    blobs: Mapping[str, str | None],
    *,
    fsync: bool,
    cache: IndexCache,
) -> None:
    """Point the index entries of these paths at (blob sha, stat of the work-tree file).

    A None sha removes the entry. Follows git's protocol: write `index.lock`, rename it over
    `index`. `cache` keeps the parsed result for the next call. Optional extensions
    (cache-tree, untracked cache, ...) are dropped; git rebuilds them when it wants them.

    Raises:
        FileExistsError: `index.lock` is held by someone else.
        IndexUnsupportedError: (nothing written) index version 4, a required extension such as
            a split index, a conflicted entry, or a file/folder clash with these paths.
    """
    lock = git_dir / "index.lock"
    index = git_dir / "index"
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        key = _file_key(index)
        if key is not None and key == cache.key:  # unchanged since we wrote it: skip parsing
            version, names, raws = cache.version, list(cache.names), list(cache.raws)
        else:
            try:
                data = index.read_bytes()
            except FileNotFoundError:
                data = b""
            version, names, raws = _parse_index(data)
        for path, sha in sorted(blobs.items()):
            name = path.encode()
            i = bisect.bisect_left(names, name)
            present = i < len(names) and names[i] == name
            if i < len(names) and names[i] == name + b"\0":
                raise IndexUnsupportedError(f"{path} has a merge conflict in the index")
            below = bisect.bisect_left(names, name + b"/")
            if below < len(names) and names[below].startswith(name + b"/"):
                raise IndexUnsupportedError(f"{path} is a folder in the index")
            if sha is None:
                if present:
                    del names[i], raws[i]
                continue
            entry = _index_entry(name, sha, os.lstat(work_tree / path))
            if present:
                raws[i] = entry
                continue
            parts = name.split(b"/")
            for n in range(1, len(parts)):
                parent = b"/".join(parts[:n])
                j = bisect.bisect_left(names, parent)
                if j < len(names) and names[j] == parent:
                    raise IndexUnsupportedError(f"{path} needs {parent!r} to be a folder")
            names.insert(i, name)
            raws.insert(i, entry)
        body = b"DIRC" + version.to_bytes(4, "big") + len(raws).to_bytes(4, "big")
        body += b"".join(raws)
        os.write(fd, body + hashlib.sha1(body).digest())
        if fsync:
            os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(lock, index)
        cache.key, cache.version = _file_key(index), version
        cache.names, cache.raws = tuple(names), tuple(raws)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        lock.unlink(missing_ok=True)
        raise
