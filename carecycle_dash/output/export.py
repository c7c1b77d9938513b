"""Calls as CSV bytes a spreadsheet can open safely, and a write that never leaves half a file.

Pure: no network, no Streamlit. The UI's download button and the headless `export` command share it.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from carecycle_dash.api.contract import CALL_FIELDS

# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
GUARD_PREFIX: Final = "'"
# Any of these in a file's permission bits means someone may write it.
WRITE_BITS: Final = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH

PHONE_NUMBER: Final = re.compile(r"\+\d{6,15}")
"""A cell that is only a phone number in E.164 form: a spreadsheet reads it as a number, never runs anything."""


def guard_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading `'`; everything else is returned as is.

    Spreadsheets skip leading spaces and line breaks before reading a formula, so a trigger after them counts
    too (OWASP CSV injection). A cell that is only a phone number is left as it is.
    """
    if not isinstance(value, str) or PHONE_NUMBER.fullmatch(value):
        return value
    if value.startswith(FORMULA_TRIGGERS) or value.lstrip().startswith(FORMULA_TRIGGERS):
        return GUARD_PREFIX + value
    return value


def _cell(value: Any) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return guard_cell(value)
    return guard_cell(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def calls_to_csv_bytes(calls: Iterable[Mapping[str, Any]], columns: Sequence[str] = CALL_FIELDS) -> bytes:
    """UTF-8 CSV (no BOM, RFC 4180 quoting), one row per call, the API's field names as the header.

    Only `columns` are written, in that order: fields the API adds beyond them are dropped. Missing or null
    values are empty cells, booleans `true`/`false`, numbers as they came, nested values as JSON; text is
    unchanged except for the formula guard of `guard_cell`.
    """
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(columns)
    for call in calls:
        writer.writerow([_cell(call.get(name)) for name in columns])
    text.flush()
    data = buffer.getvalue()
    text.detach()
    return data


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Put `data` at `path` without clobbering what the path names; on failure nothing changes.

    A regular file is replaced all at once (a temporary file beside it, then a rename), so no reader sees half
    of it; it keeps its mode (and owner, where allowed), and a new file is readable by its owner only, as it
    holds call content. A symlink is followed: the file it points to is replaced in its own folder and the
    link stays. Anything else that exists (a FIFO, a device such as /dev/null) is written directly, never
    replaced. An existing file whose permission bits grant no write (0444, even to root) or that this user
    may not write is refused with PermissionError.
    """
    target = Path(os.path.realpath(path))
    try:
        existing: os.stat_result | None = target.stat()
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        descriptor = os.open(target, os.O_WRONLY | os.O_CLOEXEC)
        try:
            write_to_descriptor(descriptor, data)
        finally:
            os.close(descriptor)
        return
    if existing is not None and not existing.st_mode & WRITE_BITS:
        raise PermissionError(errno.EACCES, f"it is read-only (mode {stat.S_IMODE(existing.st_mode):04o})")
    if existing is not None and not os.access(target, os.W_OK, effective_ids=True):
        raise PermissionError(errno.EACCES, "this user may not write it")
    descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            if existing is not None:
                os.fchmod(handle.fileno(), stat.S_IMODE(existing.st_mode))
                if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
                    with contextlib.suppress(PermissionError):
                        os.fchown(handle.fileno(), existing.st_uid, existing.st_gid)
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def write_to_descriptor(descriptor: int, data: bytes) -> None:
    """All of `data` to an open descriptor (a pipe, a terminal, a device), unbuffered: an error such as ENOSPC
    surfaces here as OSError, not later at exit."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]
