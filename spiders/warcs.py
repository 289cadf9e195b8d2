"""The response records of a WARC file (``.warc`` or ``.warc.gz``), streamed with fastwarc.

Archives come from everywhere (CC-NEWS, the Internet Archive, Browsertrix, ``wget --warc-file``) and
some are damaged: a gzip member cut short, a record whose headers do not parse. fastwarc stops at the
first such error, which would leave the rest of a 1 GB file unread, so the reader looks for the next
record start (a gzip member's magic bytes, or ``WARC/1.`` in a plain file) after the damage, says what it
skipped, and goes on. Memory stays bounded whatever the file size: one record at a time, and the payload
of a record over ``max_bytes`` is never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcHeaderMap, WarcRecord, WarcRecordType

GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/1."
HTML_TYPES = ("text/html", "application/xhtml+xml")
SEARCH_CHUNK = 1 << 20


@dataclass
class Response:
    """One response record. ``body`` (the HTTP payload) is read only for an HTML page with status 200
    that fits in ``max_bytes``; ``kind`` says which of those it is. The address and date are read from
    the WARC headers when asked for: most records of a news archive are skipped before anyone asks."""

    offset: int
    headers: WarcHeaderMap
    kind: str  # "page", "not-html", "not-200" or "too-large"
    length: int
    body: bytes | None = None

    @cached_property
    def url(self) -> str:
        return (self.headers.get("WARC-Target-URI") or "").strip("<> ")

    @cached_property
    def date(self) -> str | None:
        return self.headers.get("WARC-Date")


@dataclass
class Unreadable:
    """Data at ``offset`` that could not be read as a record, and what was skipped."""

    offset: int
    error: str


def read_responses(path: Path, after: int | None = None, max_bytes: int = 10 << 20) -> Iterator[Response | Unreadable]:
    """The response records of ``path`` in file order; with ``after`` (a record's offset, from an earlier
    run), those after that record."""
    magic = GZIP_MAGIC if _is_gzip(path) else WARC_MAGIC
    position = after or 0
    while True:
        last = None
        try:
            with path.open("rb") as stream:
                stream.seek(position)
                # every record type, filtered here: the last record seen must be the file's last record
                for record in ArchiveIterator(stream, auto_decode="all"):
                    last = record.stream_pos
                    if last == after:
                        continue
                    # cut short in its headers, or not WARC (a record of length 0 is rare: asked only then)
                    if record.content_length == 0 and record.headers.get("Content-Length") is None:
                        yield Unreadable(last, "record headers without Content-Length; record skipped")
                    elif record.record_type == WarcRecordType.response:
                        yield _response(record, max_bytes)
        except OSError as error:
            damaged = last if last is not None else position
            position = _next_record_start(path, damaged + 1, magic)
            where = "the end of the file" if position is None else f"offset {position}"
            yield Unreadable(damaged, f"{error}; skipped to {where}")
            if position is None:
                return
            continue
        # fastwarc ends quietly at a record cut short at the end of the file (a crawl killed mid-write)
        cut_short = _next_record_start(path, position if last is None else last + 1, magic)
        if cut_short is not None:
            yield Unreadable(cut_short, "a record cut short at the end of the file")
        return


def _response(record: WarcRecord, max_bytes: int) -> Response:
    response = Response(record.stream_pos, record.headers, "page", record.content_length)
    if (record.http_content_type or "").lower() not in HTML_TYPES:
        response.kind = "not-html"
    elif record.http_headers.status_code != 200:
        response.kind = "not-200"
    elif record.content_length > max_bytes:
        response.kind = "too-large"  # skipped by the iterator without being held in memory
    else:
        response.body = record.reader.read()
    return response


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(2) == GZIP_MAGIC[:2]


def _next_record_start(path: Path, start: int, magic: bytes) -> int | None:
    """The offset of the next ``magic`` at or after ``start``, read a chunk at a time; None if there is none.
    A false start (the bytes inside compressed data) fails to read and brings the search back here."""
    with path.open("rb") as stream:
        stream.seek(start)
        offset, tail = start, b""
        while chunk := stream.read(SEARCH_CHUNK):
            found = (tail + chunk).find(magic)
            if found >= 0:
                return offset - len(tail) + found
            tail = chunk[-(len(magic) - 1) :]
            offset += len(chunk)
    return None
