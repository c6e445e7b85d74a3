"""Readers and writers at the edges: input files to Articles, Articles to output files.

Reading is a stream: ``iter_records`` yields raw records (a file's bytes, or one JSONL line) and
``parse_record`` turns each into an Article, or a rejected Article with a reason: a bad input never
stops the run. Writing is atomic: every output goes to a temporary file renamed into place, so a run
killed at any moment leaves the previous output whole.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson
from charset_normalizer import from_bytes

from cleaners.config import ConfigError, InputConfig
from cleaners.document import REPLACED, Article, Edit

TEXT_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl"}
# Decoded text with fewer printable characters than this is a binary file, not an article.
MIN_PRINTABLE_RATIO = 0.9
_PRINTABLE_ASCII = bytes(c for c in range(128) if chr(c).isprintable() or chr(c) in "\n\r\t")
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


_UMASK = os.umask(0o022)
os.umask(_UMASK)


class InputRejected(Exception):
    """An input that cannot become an article; the message is the manifest's reason."""


@dataclass(slots=True)
class RawRecord:
    """One input before parsing: a whole .txt file, or one line of a .jsonl file."""

    input: str  # path, or "path:line"
    default_id: str
    kind: str  # "txt" | "jsonl" | "rejected"
    data: bytes = b""
    error: str | None = None


def check_inputs(paths: list[str]) -> None:
    """Fail fast, with one line, on input paths that do not exist."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise ConfigError(f"input path not found: {', '.join(missing)}")


def _walk(root: Path) -> Iterator[Path]:
    """Files under ``root`` in sorted order; symlinked folders are not followed (no loops)."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        linked = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        dirs[:] = sorted(d for d in dirs if d not in linked)
        for name in sorted(files + linked):  # a linked folder is listed, to be rejected with a reason
            yield Path(folder) / name


def shown(name: str) -> str:
    """``name`` as it can be written: a file name that is not valid UTF-8 (a Latin-1 name on
    Linux) comes from the OS with its bytes as lone surrogates, which no UTF-8 output can hold;
    those bytes are shown as ``\\xe9`` escapes instead.

    >>> shown("caf\\udce9.txt")
    'caf\\\\xe9.txt'
    """
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _record_id(path: Path, root: Path | None) -> str:
    if root is None:
        return shown(path.stem)
    rel = path.relative_to(root)
    return shown(str(rel.with_suffix("")).replace(os.sep, "/"))


def iter_records(paths: list[str], cfg: InputConfig) -> Iterator[RawRecord]:
    """Yield every input record under ``paths`` (files or folders), in a deterministic order."""
    for given in paths:
        root = Path(given)
        files = _walk(root) if root.is_dir() else [root]
        for path in files:
            yield from _file_records(path, root if root.is_dir() else None, cfg)


def _bounded_lines(handle, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs, never holding more than ``limit`` bytes of one line (None if over)."""
    lineno = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the runaway line
                line = handle.readline(1 << 20)
            yield lineno, None
        else:
            yield lineno, line


def _file_records(path: Path, root: Path | None, cfg: InputConfig) -> Iterator[RawRecord]:
    rid, where = _record_id(path, root), shown(str(path))
    suffix = path.suffix.lower()
    try:
        if path.is_symlink() and path.is_dir():
            raise InputRejected("symlinked_folder: not followed inside an input folder (it could loop)")
        if suffix not in TEXT_SUFFIXES | JSONL_SUFFIXES:
            raise InputRejected(f"unsupported_file_type: '{suffix or path.name}' (expected .txt or .jsonl)")
        if not path.is_file():
            raise InputRejected("not_a_regular_file: broken link, device or folder")
        size = path.stat().st_size
        if suffix in TEXT_SUFFIXES:
            if size > cfg.max_bytes:
                raise InputRejected(f"too_large: {size} bytes (input.max_bytes is {cfg.max_bytes})")
            yield RawRecord(where, rid, "txt", path.read_bytes())
            return
        with path.open("rb") as handle:
            for lineno, line in _bounded_lines(handle, cfg.max_bytes):
                at, default_id = f"{where}:{lineno}", f"{rid}:{lineno}"
                if line is None:
                    yield RawRecord(at, default_id, "rejected",
                                    error=f"too_large: record over {cfg.max_bytes} bytes (input.max_bytes)")
                elif line.strip():
                    yield RawRecord(at, default_id, "jsonl", line)
    except InputRejected as exc:
        yield RawRecord(where, rid, "rejected", error=str(exc))
    except OSError as exc:
        yield RawRecord(where, rid, "rejected", error=f"unreadable: {exc.strerror or exc}")


# Western Latin code pages that detectors confuse with each other on little evidence.
WESTERN_LATIN = {"cp1252", "cp1250", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_9", "iso8859_15",
                 "mac_roman", "mac_latin2"}
# Below this many bytes a detector has too little evidence; cp1252 is the likeliest legacy encoding.
MIN_DETECTION_BYTES = 200


def detect_legacy_encoding(data: bytes) -> str:
    """The encoding of bytes that are not UTF-8, by charset-normalizer.

    On little evidence detectors pick among the single-byte Western code pages almost at random;
    cp1252 is the web's de-facto default for all of them (WHATWG maps latin-1 to it), so it wins
    when the bytes are short or the guess is a Western code page it can decode. UTF-16/32 without
    a BOM is considered only when the bytes hold NULs, as text in those encodings does.
    """
    exclude = [] if b"\x00" in data else ["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"]
    guess = None
    if len(data) >= MIN_DETECTION_BYTES or b"\x00" in data:
        best = from_bytes(data, cp_exclusion=exclude).best()
        guess = best.encoding if best else None
    if guess is None or guess in WESTERN_LATIN:
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            if guess is None:
                raise InputRejected("undecodable: not text in any known encoding") from None
    return guess


def printable_count(text: str) -> int:
    """How many of ``text``'s characters are printable (``str.isprintable``) or a line break or tab.

    >>> printable_count("ok\\tfine\\n\\x00\\u200b")
    8
    """
    # The usual case, without a loop over characters; newlines and tabs are not printable, yet text
    # (three replaces are ~10x faster than str.translate with a deletion table).
    if text.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
        return len(text)
    # Else (a zero-width space or a C1 control is enough) only the characters beyond printable ASCII
    # are looked at one by one, dropped from the UTF-8 bytes first (~130 -> ~45 us a 3.5 KB text).
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PRINTABLE_ASCII)
    return len(text) - sum(not ch.isprintable() for ch in rest.decode("utf-8", "surrogatepass"))


def decode_text(data: bytes) -> tuple[str, Edit | None]:
    """Bytes to text: UTF-8 (or a BOM's encoding) as is; anything else by detection, recorded.

    >>> decode_text("café".encode("cp1252"))[1].reason
    'decoded as cp1252: the input was not valid UTF-8'
    """
    edit = None
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
            if text.count("\x00") > len(text) // 4:  # ASCII in UTF-16/32 without a BOM is valid UTF-8
                encoding = detect_legacy_encoding(data)
                if encoding.startswith("utf_"):
                    text = data.decode(encoding)
                    edit = Edit("reader", "encoding", REPLACED, "", "", f"decoded as {encoding} (no BOM)")
        except UnicodeDecodeError:
            encoding = detect_legacy_encoding(data)
            text = data.decode(encoding)
            edit = Edit("reader", "encoding", REPLACED, "", "", f"decoded as {encoding}: the input was not valid UTF-8")
    if not text.strip():
        raise InputRejected("empty: no text")
    if printable_count(text) / len(text) < MIN_PRINTABLE_RATIO:
        raise InputRejected("binary: mostly non-printable bytes")
    return text, edit


def _split_headline(text: str) -> tuple[str, str]:
    """First non-empty line is the headline, the rest the body."""
    lines = text.lstrip().split("\n", 1)
    return lines[0].strip(), (lines[1] if len(lines) > 1 else "")


# JSON can escape a lone UTF-16 surrogate ("\\ud800"), which json.loads keeps as a character that
# no UTF-8 output can hold. Only an escape makes one: the line is searched for one first, a
# literal-prefixed scan (~3 us a 5 KB line), and the fields only when it has one.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_lone_surrogates(article: Article, cfg: InputConfig) -> None:
    """Replace each lone surrogate in the text and the other fields with U+FFFD, as ftfy does, and
    record it. (An id with one is rejected instead: an id is matched exactly, so it is not altered.)"""
    for name, key in (("text", cfg.text_field), ("title", cfg.title_field), ("url", cfg.url_field),
                      ("source", cfg.source_field), ("published", cfg.published_field)):
        value = getattr(article, name)
        if value and _LONE_SURROGATE.search(value):
            fixed, count = _LONE_SURROGATE.subn("\ufffd", value)
            setattr(article, name, fixed)
            article.edits.append(Edit("reader", "encoding", REPLACED, "", "",
                                      f"{count} lone surrogate(s) in '{key}' (unpaired \\uD800-\\uDFFF "
                                      "escapes, not valid Unicode) replaced with U+FFFD"))


def _optional_str(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        raise InputRejected(f"bad_field: '{key}' must be a string, got {type(value).__name__}")
    return str(value)


def parse_record(raw: RawRecord, cfg: InputConfig) -> Article:
    """Turn a raw record into an Article; on any problem, a rejected Article with the reason."""
    article = Article(id=raw.default_id, input=raw.input)
    if raw.kind == "rejected":
        return article.reject(raw.error or "rejected")
    try:
        text, edit = decode_text(raw.data)
        if edit:
            article.edits.append(edit)
        if raw.kind == "txt":
            article.title, article.text = _split_headline(text)
            if not article.text.strip():
                raise InputRejected("no_body: the file holds a headline only")
            return article
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputRejected(f"malformed_json: {exc.msg} at column {exc.colno}") from None
        if not isinstance(record, dict):
            raise InputRejected(f"malformed_json: expected an object, got {type(record).__name__}")
        rid = record.get(cfg.id_field)
        escaped_surrogate = _ESCAPED_SURROGATE.search(text) is not None
        if escaped_surrogate and isinstance(rid, str) and _LONE_SURROGATE.search(rid):
            raise InputRejected(f"bad_field: '{cfg.id_field}' holds a lone surrogate (an unpaired "
                                "\\uD800-\\uDFFF escape), not valid Unicode")
        if isinstance(rid, (str, int)) and not isinstance(rid, bool) and str(rid).strip():
            article.id = str(rid)
        elif rid is not None:
            raise InputRejected(f"bad_field: '{cfg.id_field}' must be a string or integer")
        body = record.get(cfg.text_field)
        if body is None:
            raise InputRejected(f"missing_field: '{cfg.text_field}'")
        if not isinstance(body, str):
            raise InputRejected(f"bad_field: '{cfg.text_field}' must be a string, got {type(body).__name__}")
        if not body.strip():
            raise InputRejected(f"empty: '{cfg.text_field}' is empty")
        article.text = body
        article.title = _optional_str(record, cfg.title_field) or ""
        article.url = _optional_str(record, cfg.url_field)
        article.source = _optional_str(record, cfg.source_field)
        article.published = _optional_str(record, cfg.published_field)
        if escaped_surrogate:
            _replace_lone_surrogates(article, cfg)
    except InputRejected as exc:
        article.reject(str(exc))
    return article


# json.dumps makes a new encoder on every call that passes an option; one, made once, writes the same.
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False)


class _NotPlain(Exception):
    """A value ``_encode_plain`` leaves to the json module."""


# Each key as written, with its ": " (the rows' keys are a few dozen names, written millions of times).
_KEYS: dict[str, bytes] = {}
MAX_KEYS = 1024


def _encode_plain(value, out: list[bytes]) -> None:
    """Append ``value``'s JSON in the json module's format to ``out``; raise _NotPlain for what it
    does not write exactly as json does (subclasses, non-str keys, NaN and infinities)."""
    kind = type(value)
    if kind is str:
        out.append(orjson.dumps(value))
    elif kind is dict:
        separator = b"{"
        for key, item in value.items():
            written = _KEYS.get(key)
            if written is None:
                if type(key) is not str:
                    raise _NotPlain
                written = orjson.dumps(key) + b": "
                if len(_KEYS) < MAX_KEYS:
                    _KEYS[key] = written
            out += (separator, written)
            _encode_plain(item, out)
            separator = b", "
        out.append(b"}" if value else b"{}")
    elif kind is list or kind is tuple:
        separator = b"["
        for item in value:
            out.append(separator)
            _encode_plain(item, out)
            separator = b", "
        out.append(b"]" if value else b"[]")
    elif kind is float:
        if not math.isfinite(value):
            raise _NotPlain
        out.append(float.__repr__(value).encode())  # what json writes; orjson's shortest form differs
    elif value is None or kind is bool or kind is int:
        out.append(orjson.dumps(value))  # null, true, false and integers as json writes them
    else:
        raise _NotPlain


def json_line(row: dict) -> bytes:
    """An output file's line in UTF-8: byte for byte ``json.dumps(row, ensure_ascii=False)`` and a
    newline, the format the outputs have always had (", " and ": " between items).

    The json module escapes strings at ~4 ns a character, most of the time an output line takes;
    orjson escapes them the same way (checked in tests/test_io.py) ~25x faster, but writes no
    spaces, so the structure is written here: 43 -> 27 us an article's lines. Anything it does not
    know to write exactly as json does goes to the json module.
    """
    out: list[bytes] = []
    try:
        _encode_plain(row, out)
    except (_NotPlain, orjson.JSONEncodeError):  # JSONEncodeError: an integer over 64 bits, a surrogate
        return (_LINE_ENCODER.encode(row) + "\n").encode()
    out.append(b"\n")
    return b"".join(out)


def edit_line(article_id: str, edit: Edit) -> bytes:
    """``json_line(edit.to_json(article_id))``, the same bytes, written field by field: the edits
    are most of the output's lines (~4 an article), and their fields are known (4.6 -> 1.7 us a
    line). Anything but plain strings, ints and finite floats goes the general way."""
    offset, sentence, score = edit.offset, edit.sentence, edit.score
    text = (article_id, edit.cleaner, edit.category, edit.action, edit.before, edit.after, edit.reason)
    if any(type(v) is not str for v in text) or any(v is not None and type(v) is not int for v in (offset, sentence)) \
            or (score is not None and (type(score) is not float or not math.isfinite(score))):
        return json_line(edit.to_json(article_id))
    dumps = orjson.dumps
    try:
        out = [b'{"id": ', dumps(article_id), b', "cleaner": ', dumps(edit.cleaner), b', "category": ',
               dumps(edit.category), b', "action": ', dumps(edit.action), b', "before": ', dumps(edit.before),
               b', "after": ', dumps(edit.after), b', "reason": ', dumps(edit.reason)]
        if offset is not None:
            out += (b', "offset": ', dumps(offset))
        if sentence is not None:
            out += (b', "sentence": ', dumps(sentence))
    except orjson.JSONEncodeError:  # a lone surrogate, an integer over 64 bits
        return json_line(edit.to_json(article_id))
    if score is not None:
        out += (b', "score": ', float.__repr__(score).encode())
    out.append(b"}\n")
    return b"".join(out)


def dump_spool_line(row: dict) -> bytes:
    """A line of newsclean's own spool and cache, read back only by ``load_spool_line``: orjson
    writes UTF-8 bytes directly, 28 -> 3.5 us for a 5.5 KB article (and reads it 14 -> 9 us), and
    the file takes the bytes as they are. (OPT_SERIALIZE_NUMPY: a numpy float, which json writes as
    a float, would otherwise be an error; UTF-8 cannot hold a lone surrogate, nor can the spool.)"""
    return orjson.dumps(row, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_APPEND_NEWLINE)


load_spool_line = orjson.loads


@contextmanager
def atomic_outputs(folder: Path, names: tuple[str, ...]):
    """Open temporary files for all outputs (binary: they are written UTF-8 bytes); on success
    rename them all into place together."""
    folder.mkdir(parents=True, exist_ok=True)
    temps = {}
    try:
        for name in names:
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(name), suffix=".tmp", dir=folder)
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for others to read
            temps[name] = (tmp, os.fdopen(fd, "wb"))
        yield {name: handle for name, (_, handle) in temps.items()}
        for _tmp, handle in temps.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        for name, (tmp, _) in temps.items():
            os.replace(tmp, folder / name)
    finally:
        for tmp, handle in temps.values():
            handle.close()
            if os.path.exists(tmp):
                os.unlink(tmp)


LOCK_FILE = ".newsclean.lock"
_held_locks: set[Path] = set()  # the folders this process holds


class OutputInUse(ConfigError):
    """Another run is writing the same output folder."""


@contextmanager
def output_lock(folder: str | Path):
    """Hold ``folder`` for one run: a second run into it (a manual run while a scheduled one writes
    there) stops at once with a message. Two runs writing one folder would each prune the other's
    cache entries, miss each other's kept articles in the dedup index, and could leave one run's
    articles beside the other's manifest (the outputs are renamed into place one by one).

    An advisory ``flock`` on ``OUT/.newsclean.lock``: the system drops it when the process ends,
    however it ends, so a killed run never leaves the folder locked. Re-entrant in one process (the
    command takes it before Prefect starts, the flow again). Without ``fcntl`` (Windows) nothing is
    locked.
    """
    folder = Path(folder).resolve()
    if folder in _held_locks:  # the outer hold releases it
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held across the yield
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputInUse(f"output folder {folder} is in use by another newsclean run ({holder}); "
                              "wait for it to end, or write to another folder (-o)") from None
        # The holder's pid and start, for the message a second run prints (the lock is the flock).
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        _held_locks.add(folder)
        try:
            yield
        finally:
            _held_locks.discard(folder)
    finally:
        handle.close()  # closing the file releases the lock


# Our temporary files: ".<name>.<pid>.<random>.tmp", so a later run can tell whose they are.
TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.tmp$")


def temp_prefix(name: str) -> str:
    return f".{name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path) -> list[str]:
    """Delete temporary files left in ``folder`` by runs that were killed (their process is gone)."""
    removed = []
    if folder.is_dir():
        for path in folder.iterdir():
            m = TEMP_NAME.match(path.name)
            if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
                path.unlink(missing_ok=True)
                removed.append(path.name)
    return sorted(removed)
