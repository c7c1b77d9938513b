"""Calls as CSV bytes a spreadsheet can open safely, and a write that never leaves half a file.

Pure: no network, no Streamlit. The UI's download button and the headless `export` command share it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from carecycle_dash.api.contract import CALL_FIELDS

# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
GUARD_PREFIX: Final = "'"
PHONE_NUMBER: Final = re.compile(r"\+\d{6,15}")
"""A cell that is only a phone number in E.164 form: a spreadsheet reads it as a number, never runs anything."""


def guard_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading `'`; everything else is returned as is."""
    if isinstance(value, str) and PHONE_NUMBER.fullmatch(value):
        return value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
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
    """Write `data` to `path` all at once: a temporary file beside it, then a rename; on failure nothing is left.

    The file is readable by its owner only, as it holds call content.
    """
    path = Path(path)
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
