"""The result cache: what linting each file gave, so that unchanged files are not read again.

A cache directory (`.cachelint_cache/` next to the configuration, or in the current
folder) holds a `CACHEDIR.TAG`, a `.gitignore` that ignores everything, and one pack per
*key*: a hash of everything a file's result depends on besides its content (cachelint's
version and source code, the Python and LibCST versions, the effective settings). A pack
maps each file's absolute path to its size, modification time, content hash and result:
its diagnostics, and the facts the project index needs from it; and, by name, the answers
later passes got from the file's text (`note`), which hold as long as its content does.
A pack also keeps, by name, the outcome of a pass after the first (`outcome`): the results
it gave some files, which hold for a run on the same files with the same contents.

A file whose size and modification time match its entry is not read; one whose time
changed but whose content hash did not is not linted again. A pack that cannot be read,
or was written for another key or format, is ignored; so is an entry that does not
decode. Packs are replaced atomically, and only the most recently used few are kept.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import cachelint
from cachelint.diagnostic import Diagnostic, Edit, Fix, Location

if TYPE_CHECKING:  # the command line reads DIRECTORY_NAME without the rules behind Settings
    from cachelint.config import Settings

DIRECTORY_NAME = ".cachelint_cache"
FORMAT = 1
KEPT_PACKS = 8
# A file modified this soon before its pack was written may change again within the same
# clock tick without its time changing: such an entry is checked by content.
_RACY_NS = 2_000_000_000
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by cachelint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_PACK_SUFFIX = ".pack.json"


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def cache_key(settings: Settings, prefilter: bool) -> str:
    """What every result in a pack depends on besides the file's own content."""
    # Discovery settings choose files, and a baseline filters the report: neither changes
    # any file's result.
    effective = replace(
        settings, exclude=None, extend_exclude=(), source=None, baseline=None, force_exclude=False,
        respect_gitignore=True, docs_url=None,
    )
    parts = [
        f"format {FORMAT}", f"cachelint {cachelint.__version__} {_source_fingerprint()}",
        f"python {sys.version}", f"libcst {_libcst_version()}", f"prefilter {prefilter}", repr(effective),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _libcst_version() -> str:
    """LibCST's installed version, from the name of its distribution's metadata folder next
    to the package, as importlib.metadata finds it; without importing either (that module
    alone costs a tenth of a run the cache answers)."""
    spec = importlib.util.find_spec("libcst")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        packages = os.path.dirname(folder)
        found = [name for name in os.listdir(packages) if name.startswith("libcst-") and name.endswith(".dist-info")]
        if len(found) == 1:
            return found[0].removeprefix("libcst-").removesuffix(".dist-info")
    from importlib.metadata import version  # installed some other way

    return version("libcst")


def _source_fingerprint() -> str:
    """The name, size and modification time of each file of cachelint's package (its
    source, and any data it reads), so that a changed rule never reuses old results (the
    version stays the same while the code is worked on)."""
    digest = hashlib.blake2b(digest_size=16)
    root = os.path.dirname(cachelint.__file__)
    for folder, subfolders, filenames in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(filenames):
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:  # gone since it was listed (an editor's temporary file)
                continue
            digest.update(f"{folder[len(root):]}/{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass
class Cached:
    """A file's result as the cache keeps it."""

    diagnostics: list[Diagnostic]
    facts: dict | None = None  # what the project index needs from the file
    suppressed: list[Diagnostic] = field(default_factory=list)  # findings a suppression comment hid
    # Calls not understood in code the model did not see, as [row, receiver, method] (engine.FileResult.unmodelled).
    unmodelled: list[list] = field(default_factory=list)


class ResultCache:
    """One pack: the results of the files linted under one key."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.key = key
        self.path = directory / f"{key}{_PACK_SUFFIX}"
        self._entries: dict[str, list] = {}  # absolute path -> size, time, hash, result[, notes]
        self._outcomes: dict[str, Any] = {}  # name -> the fingerprint of a run, and results by file
        self._cwd = os.getcwd()
        self._trusted_before = 0  # entries for files modified earlier match by size and time
        self._changed = False
        self._load()

    def _load(self) -> None:
        try:
            pack = json.loads(self.path.read_bytes())
            if pack["format"] == FORMAT and pack["key"] == self.key and isinstance(pack["files"], dict):
                self._trusted_before = int(pack["saved_at"]) - _RACY_NS
                self._entries = pack["files"]
                self._outcomes = pack.get("outcomes") if isinstance(pack.get("outcomes"), dict) else {}
        except (OSError, ValueError, TypeError, KeyError, OverflowError, RecursionError, MemoryError):
            pass  # no pack yet, or an unreadable or foreign one (deeply nested, huge...): start afresh

    def unchanged(self, filename: str, stat: os.stat_result) -> Cached | None:
        """The result of a file whose size and modification time match its entry."""
        entry = self._matching(filename, stat)
        return _decode_entry(entry[3], filename) if entry is not None else None

    def note(self, filename: str, stat: os.stat_result, name: str) -> Any:
        """What `keep_note` kept under `name` for a file whose size and modification
        time match its entry (as for `unchanged`); None when nothing was."""
        entry = self._matching(filename, stat)
        return entry[4].get(name) if entry is not None and len(entry) == 5 else None

    def keep_note(self, filename: str, digest: str, name: str, value: Any) -> None:
        """Keep `value` (JSON data), an answer read from the file's text, with the file's
        entry, when that entry is of the content whose hash is `digest`; else nothing
        (the file changed since it was linted)."""
        entry = self._entries.get(self._key(filename))
        if not _valid(entry) or entry[2] != digest:
            return
        if len(entry) == 4:
            entry.append({})
        entry[4][name] = value
        self._changed = True

    def outcome(self, name: str, fingerprint: str) -> dict[str, Cached | None] | None:
        """The results a pass gave some files (`keep_outcome`), each None when it does not
        decode, if the pass ran on the files whose names and contents `fingerprint` sums
        up; else None."""
        kept = self._outcomes.get(name)
        if not isinstance(kept, dict) or kept.get("fingerprint") != fingerprint or not isinstance(kept.get("files"), dict):
            return None
        return {filename: _decode_entry(payload, filename) for filename, payload in kept["files"].items()}

    def keep_outcome(self, name: str, fingerprint: str,
                     results: dict[str, tuple[list[Diagnostic], dict | None, list[Diagnostic], list[list]]]) -> None:
        """Keep what a pass gave these files (diagnostics, facts, suppressed findings, calls
        not understood in code not modelled, by file name), the outcome of a run on the
        files `fingerprint` sums up."""
        self._outcomes[name] = {"fingerprint": fingerprint,
                                "files": {filename: _payload(*result) for filename, result in results.items()}}
        self._changed = True

    def _matching(self, filename: str, stat: os.stat_result) -> list | None:
        entry = self._entries.get(self._key(filename))
        if not _valid(entry) or (entry[0], entry[1]) != (stat.st_mtime_ns, stat.st_size):
            return None
        if stat.st_mtime_ns >= self._trusted_before:
            return None
        return entry

    def digest(self, filename: str) -> str | None:
        entry = self._entries.get(self._key(filename))
        return entry[2] if _valid(entry) else None

    def same_content(self, filename: str, stat: os.stat_result) -> Cached | None:
        """The result of a file whose content hash matched its entry's: only its time
        changed (`touch`, a checkout), so its entry takes the new time."""
        entry = self._entries[self._key(filename)]
        cached = _decode_entry(entry[3], filename)
        if cached is not None:
            entry[0], entry[1] = stat.st_mtime_ns, stat.st_size
            self._changed = True
        return cached

    def store(self, filename: str, stat: os.stat_result, digest: str, diagnostics: list[Diagnostic],
              facts: dict | None = None, suppressed: list[Diagnostic] | None = None,
              unmodelled: list[list] | None = None) -> None:
        payload = _payload(diagnostics, facts, suppressed or [], unmodelled or [])
        key = self._key(filename)
        old = self._entries.get(key)
        notes = old[4:] if _valid(old) and old[2] == digest else []  # the same content: its notes hold
        self._entries[key] = [stat.st_mtime_ns, stat.st_size, digest, payload, *notes]
        self._changed = True

    def _key(self, filename: str) -> str:
        # An absolute path, without abspath's normalising: discovery's paths are normalised
        # already (a file named two ways would get two entries, which is harmless).
        return os.path.join(self._cwd, filename)

    def save(self) -> None:
        """Write the pack if anything changed. A cache that cannot be written is no error:
        the next run lints again."""
        if not self._changed:
            return
        pack = {"format": FORMAT, "key": self.key, "saved_at": time.time_ns(), "files": self._entries,
                "outcomes": self._outcomes}
        try:
            prepare(self.directory)
            _write_atomically(self.path, json.dumps(pack, separators=(",", ":")).encode())
            _drop_old_packs(self.directory)
        except OSError:
            pass


def holds_results(directory: Path) -> bool:
    """Whether `directory` holds a pack, of any key (none: a run there lints every file)."""
    try:
        return any(name.endswith(_PACK_SUFFIX) for name in os.listdir(directory))
    except OSError:
        return False


def prepare(directory: Path) -> None:
    """Create the cache directory with its tag and its `.gitignore`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in (("CACHEDIR.TAG", _TAG), (".gitignore", "# Automatically created by cachelint.\n*\n")):
        if not (directory / name).exists():
            _write_atomically(directory / name, content.encode())


def clean(directory: Path) -> bool:
    """Remove what cachelint keeps in `directory`, and the directory if that leaves it
    empty; whatever else is in there stays. Whether there was a cache to remove."""
    if not (directory / "CACHEDIR.TAG").is_file():
        return False
    for path in directory.iterdir():
        if path.name in ("CACHEDIR.TAG", ".gitignore") or path.name.endswith(_PACK_SUFFIX) or _is_temporary(path):
            path.unlink(missing_ok=True)
    try:
        directory.rmdir()
    except OSError:
        pass  # something else lives there
    return True


def _valid(entry: object) -> TypeGuard[list[Any]]:
    return (
        isinstance(entry, list) and (len(entry) == 4 or len(entry) == 5 and isinstance(entry[4], dict))
        and isinstance(entry[0], int) and isinstance(entry[1], int) and isinstance(entry[2], str)
    )


def _payload(diagnostics: list[Diagnostic], facts: dict | None, suppressed: list[Diagnostic],
             unmodelled: list[list] | None = None) -> dict | None:
    """A result as an entry keeps it: None for one with nothing in it, as most files'."""
    if not (diagnostics or facts or suppressed or unmodelled):
        return None
    payload: dict[str, Any] = {"diagnostics": [_encode(d) for d in diagnostics], "facts": facts,
                               "suppressed": [_encode(d) for d in suppressed]}
    if unmodelled:
        payload["unmodelled"] = unmodelled
    return payload


def _encode(diagnostic: Diagnostic) -> dict:
    fix = diagnostic.fix
    return {
        "code": diagnostic.code, "name": diagnostic.name, "message": diagnostic.message,
        "location": _position(diagnostic.location), "end": _position(diagnostic.end_location),
        "fix": None if fix is None else {
            "message": fix.message, "applicability": fix.applicability,
            "edits": [[e.content, *_position(e.location), *_position(e.end_location)] for e in fix.edits],
        },
        "severity": diagnostic.severity, "url": diagnostic.url, "rows": list(diagnostic.statement_rows),
    }


def _position(location: Location) -> list[int]:
    return [location.row, location.column]


def _decode_entry(payload: Any, filename: str) -> Cached | None:
    """The result an entry holds, or None when it does not decode: a foreign or corrupt
    entry must never reach the reporters."""
    if payload is None:
        return Cached([])
    try:
        facts = payload["facts"]
        if facts is not None and not isinstance(facts, dict):
            return None
        unmodelled = payload.get("unmodelled", [])
        if not isinstance(unmodelled, list) or not all(isinstance(call, list) for call in unmodelled):
            return None
        return Cached([_decode(item, filename) for item in payload["diagnostics"]], facts,
                      [_decode(item, filename) for item in payload["suppressed"]], unmodelled)
    except (TypeError, KeyError, ValueError, AttributeError, RecursionError, MemoryError):
        return None


def _decode(item: dict[str, Any], filename: str) -> Diagnostic:
    fix = None
    if item["fix"] is not None:
        edits = tuple(
            Edit(_text(content), _location([row, column]), _location([end_row, end_column]))
            for content, row, column, end_row, end_column in item["fix"]["edits"]
        )
        fix = Fix(_text(item["fix"]["message"]), edits, _text(item["fix"]["applicability"]))
    return Diagnostic(
        _optional_text(item["code"]), _text(item["name"]), _text(item["message"]), filename,
        _location(item["location"]), _location(item["end"]), fix, _text(item["severity"]),
        _optional_text(item["url"]), _pair(item["rows"]),
    )


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError(f"not text: {value!r}")


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _location(value: object) -> Location:
    return Location(*_pair(value))


def _pair(value: object) -> tuple[int, int]:
    if isinstance(value, list) and len(value) == 2 and all(type(number) is int for number in value):
        return value[0], value[1]
    raise ValueError(f"not two whole numbers: {value!r}")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file next to `path`, then rename it over `path`: a reader sees the
    old content or the new, never half of it."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".cachelint")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # as `open` would have made it
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _is_temporary(path: Path) -> bool:
    return path.name.startswith(".tmp-") and path.name.endswith(".cachelint")


def _drop_old_packs(directory: Path) -> None:
    packs = sorted(directory.glob(f"*{_PACK_SUFFIX}"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for pack in packs[KEPT_PACKS:]:
        pack.unlink(missing_ok=True)
