"""What a reader is, and the input sources every reader consumes.

A reader turns one input format into rows of the normalized usage table
(``llm_audit.usage.schema``). Sources are opened here once: files, directories (recursive),
globs, ``-`` for stdin, ``.gz`` and ``.zip`` members, with a UTF-8 BOM stripped.
"""

from __future__ import annotations

import glob
import gzip
import io
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from llm_audit.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

SNIFF_BYTES = 64 * 1024


class Source:
    """One input text: where it came from (for `file:line` errors) and its content.

    A plain file opened with ``open_sources(..., lazy=True)`` is read and decoded only when a
    reader asks for its ``text``: a reader that parses the file itself (Arrow, memory-mapped)
    looks at the ``head`` only, and reading and decoding a 200 MB export it never used was
    a quarter of a second. ``path`` is that file (None for text already in memory). Read-only.
    """

    __slots__ = ("_text", "name", "path")
    name: str  # path, `archive.zip:member`, or `<stdin>`
    path: Path | None
    _text: str | None

    def __init__(self, name: str, text: str | None = None, *, path: Path | None = None) -> None:
        if text is None and path is None:
            raise ValueError("a Source needs its text or its path")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "path", path)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"Source is read-only ({key})")

    def __repr__(self) -> str:
        return f"Source({self.name!r})"

    @property
    def text(self) -> str:
        text: str | None = self._text
        if text is None:
            path = self.path
            if path is None:  # the constructor requires one of the two
                raise RuntimeError("a Source with neither text nor path")
            text = _decode(_read(path), self.name)
            object.__setattr__(self, "_text", text)
        return text

    @property
    def head(self) -> str:
        if self._text is not None or self.path is None:
            return self.text[:SNIFF_BYTES]
        import codecs

        try:
            with self.path.open("rb") as f:
                raw = f.read(4 * SNIFF_BYTES)  # a character is at most 4 bytes
            # final=False: a character cut at the end of the read is left out, not an error
            part = codecs.getincrementaldecoder("utf-8-sig")().decode(raw, final=False)
        except (OSError, UnicodeDecodeError):
            return self.text[:SNIFF_BYTES]  # the whole read names the error and its line
        return part[:SNIFF_BYTES]

    def is_blank(self) -> bool:
        """No text, or only white space (without decoding a large file that has a header)."""
        head = self.head
        if head and not head.isspace():
            return False
        return not self.text or self.text.isspace()

    def lines(self) -> Iterator[tuple[int, str]]:
        yield from enumerate(self.text.splitlines(), 1)


class Reader(Protocol):
    """One input format. ``detect`` looks at the head only; ``read`` returns usage rows."""

    name: str  # stable, kebab-case: what --input-format takes
    description: str  # one line for `llm-audit formats`

    def detect(self, source: Source) -> bool: ...

    def read(self, source: Source) -> pd.DataFrame: ...


def _decode(raw: bytes, name: str) -> str:
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise InputError(f"truncated or corrupt gzip data: {e}", path=name,
                             hint="re-download or re-export the file") from e
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte {e.start})", path=name, line=line,
                         hint="export the file as UTF-8 (or pass it through iconv)") from e


def _expand(spec: str) -> list[Path]:
    path = Path(spec)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    if path.exists():
        return [path]
    matches = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file())
    if not matches:
        raise InputError("no such file, directory or glob match", path=spec,
                         hint="check the path; quote globs so the shell passes them through")
    return matches


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=str(path)) from e


def _plain(path: Path) -> bool:
    """A file that is neither gzip nor a zip archive (those are decompressed when opened)."""
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=str(path)) from e
    return magic[:2] != b"\x1f\x8b" and magic != b"PK\x03\x04"


def open_sources(specs: Sequence[str], *, lazy: bool = False) -> list[Source]:
    """Every input text named by ``specs``; stdin is read once, zip members one by one.

    ``lazy``: a plain file is read when its text is first asked for (``Source.text``); a
    file that is not UTF-8 is then the error, at that point."""
    sources: list[Source] = []
    for spec in specs:
        if spec == "-":
            sources.append(Source("<stdin>", _decode(sys.stdin.buffer.read(), "<stdin>")))
            continue
        for path in _expand(spec):
            if lazy and _plain(path):
                sources.append(Source(str(path), path=path))
                continue
            raw = _read(path)
            if raw[:4] == b"PK\x03\x04":
                try:
                    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                        for member in sorted(archive.namelist()):
                            if member.endswith("/") or Path(member).name.startswith("."):
                                continue
                            name = f"{path}:{member}"
                            sources.append(Source(name, _decode(archive.read(member), name)))
                except zipfile.BadZipFile as e:
                    raise InputError(f"truncated or corrupt zip archive: {e}", path=str(path),
                                     hint="re-download or re-export the file") from e
                continue
            sources.append(Source(str(path), _decode(raw, str(path))))
    return sources


def pick_reader(source: Source, readers: Sequence[Reader], forced: str | None) -> Reader:
    """The reader named by --input-format, or the first whose ``detect`` accepts the head."""
    if forced is not None:
        for reader in readers:
            if reader.name == forced:
                return reader
        raise InputError(f"unknown input format {forced!r}",
                         hint="`llm-audit formats` lists them: "
                         + ", ".join(r.name for r in readers))
    for reader in readers:
        if reader.detect(source):
            return reader
    first = source.head.splitlines()[0][:120] if source.head.strip() else "(empty)"
    raise InputError(f"cannot tell what format this is; it starts with: {first}",
                     path=source.name, line=1,
                     hint="pass --input-format NAME, one of: "
                     + ", ".join(r.name for r in readers)
                     + "; or --map FIELD=COLUMN for a generic CSV/JSONL")
