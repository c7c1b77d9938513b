"""CSV bytes: the formula guard, the round trip, the shape of cells; the atomic write."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from carecycle_dash.api.contract import CALL_FIELDS
from carecycle_dash.output.export import calls_to_csv_bytes, guard_cell, write_bytes_atomically


def read_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert guard_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        (" =1+1", "' =1+1"),
        ("   +15551234567", "'   +15551234567"),
        ('\n=HYPERLINK("http://x")', '\'\n=HYPERLINK("http://x")'),
        ("\r\n@SUM(A1)", "'\r\n@SUM(A1)"),
        (" \t -2", "' \t -2"),
        ("\u00a0\u2028=cmd|' /C calc'!A0", "'\u00a0\u2028=cmd|' /C calc'!A0"),
        ("\x0b\x0c=1", "'\x0b\x0c=1"),
    ],
)
def test_a_trigger_after_leading_whitespace_or_line_breaks_is_guarded_too(text: str, guarded: str) -> None:
    assert guard_cell(text) == guarded


def test_a_guarded_cell_round_trips_through_the_csv_with_its_quote() -> None:
    data = calls_to_csv_bytes([{"id": "c1", "transcript": "\n =1+1"}], ["id", "transcript"])
    assert read_rows(data) == [["id", "transcript"], ["c1", "'\n =1+1"]]


@pytest.mark.parametrize(
    "value",
    ["plain", " not first", "  a = b", "\nline", " ", "\n", "", "'already", "<script>", 5, -5, -2.5, None, True],
)
def test_everything_else_is_untouched(value: object) -> None:
    assert guard_cell(value) == value


@pytest.mark.parametrize("number", ["+15551234567", "+442071838750", "+123456"])
def test_a_cell_that_is_only_a_phone_number_is_not_quoted(number: str) -> None:
    assert guard_cell(number) == number


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("+12345", "'+12345"),
        ("+1234567890123456", "'+1234567890123456"),
        ("+15551234567+1", "'+15551234567+1"),
        ("+15551234567\n", "'+15551234567\n"),
        ("+1 555 123 4567", "'+1 555 123 4567"),
        ("+15551234567;=1+1", "'+15551234567;=1+1"),
    ],
)
def test_a_phone_number_with_anything_else_is_still_quoted(text: str, guarded: str) -> None:
    assert guard_cell(text) == guarded


def test_phone_numbers_reach_the_csv_as_they_are() -> None:
    data = calls_to_csv_bytes([{"callerId": "+15551234567", "sourceName": "+1+1"}], ["callerId", "sourceName"])
    assert data == b"callerId,sourceName\r\n+15551234567,'+1+1\r\n"


def test_header_is_the_api_field_names_in_order() -> None:
    assert read_rows(calls_to_csv_bytes([]))[0] == list(CALL_FIELDS)


def test_guarded_cells_round_trip_to_the_original_text() -> None:
    hostile = {
        "id": "497f6eca-6276-4993-bfeb-53cbbbba6f08",
        "summary": '=cmd|" /C calc"!A0',
        "transcript": 'AI: Hello\nUser: -1 is my answer, "quoted", and, commas',
        "callerId": "+1 (555) 123-4567",
        "disposition": "@Qualified",
        "sourceName": "\tTabbed",
        "assistantType": "\rReturn",
        "recordingUrl": "javascript:alert(1)",
        "successEvaluation": "ünïcødé ✓ 日本",
    }
    rows = read_rows(calls_to_csv_bytes([hostile]))
    record = dict(zip(rows[0], rows[1], strict=True))
    for name, original in hostile.items():
        cell = record[name]
        restored = cell[1:] if original.startswith(("=", "+", "-", "@", "\t", "\r")) else cell
        assert restored == original, name
    assert record["recordingUrl"] == "javascript:alert(1)"


def test_nulls_bools_and_numbers_are_written_plainly() -> None:
    call = {"id": "a", "testFlag": True, "isTestNumber": False, "durationMs": -9007199254740991, "summary": None}
    record = dict(zip(*read_rows(calls_to_csv_bytes([call])), strict=True))
    assert record["testFlag"] == "true"
    assert record["isTestNumber"] == "false"
    assert record["durationMs"] == "-9007199254740991"
    assert record["summary"] == ""
    assert record["campaignId"] == ""


def test_unknown_extra_fields_are_dropped_and_nested_values_become_json() -> None:
    call = {"id": "a", "secret": "x", "summary": {"k": [1, 2]}}
    rows = read_rows(calls_to_csv_bytes([call]))
    assert "secret" not in rows[0]
    assert dict(zip(*rows, strict=True))["summary"] == '{"k":[1,2]}'


def test_chosen_columns_only() -> None:
    assert read_rows(calls_to_csv_bytes([{"id": "a", "summary": "s"}], columns=("summary",))) == [["summary"], ["s"]]


def test_output_is_utf8_without_a_byte_order_mark() -> None:
    data = calls_to_csv_bytes([{"id": "ü"}])
    assert data.startswith(b"id,")
    assert "ü".encode() in data


def test_one_row_per_call_even_with_line_breaks_inside_cells() -> None:
    calls = [{"id": str(i), "transcript": "AI: a\r\nUser: b\nAI: c"} for i in range(3)]
    assert len(read_rows(calls_to_csv_bytes(calls))) == 4


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "calls.csv"
    target.write_bytes(b"old")
    write_bytes_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["calls.csv"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "calls.csv"
    target.mkdir()  # replacing a directory with a file fails after the temporary was written
    with pytest.raises(OSError):
        write_bytes_atomically(target, b"data")
    assert os.listdir(tmp_path) == ["calls.csv"]
    assert target.is_dir()


def test_writing_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_bytes_atomically(tmp_path / "missing" / "calls.csv", b"data")
    assert os.listdir(tmp_path) == []


def test_a_new_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "calls.csv"
    write_bytes_atomically(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "calls.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_bytes_atomically(target, b"new")
    assert (target.read_bytes(), stat.S_IMODE(target.stat().st_mode)) == (b"new", 0o640)


def test_a_symlink_stays_and_the_file_it_points_to_is_replaced_in_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    real = tmp_path / "real" / "calls.csv"
    real.write_bytes(b"old")
    link = tmp_path / "links" / "latest.csv"
    link.symlink_to(real)
    write_bytes_atomically(link, b"new")
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"
    assert (sorted(os.listdir(tmp_path / "real")), os.listdir(tmp_path / "links")) == (["calls.csv"], ["latest.csv"])


def test_a_dangling_symlink_creates_the_file_it_points_to(tmp_path: Path) -> None:
    link = tmp_path / "latest.csv"
    link.symlink_to(tmp_path / "calls.csv")
    write_bytes_atomically(link, b"new")
    assert (link.is_symlink(), (tmp_path / "calls.csv").read_bytes()) == (True, b"new")


def test_a_fifo_is_written_directly_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "calls.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_bytes_atomically(fifo, b"a,b\r\n" * 100_000)
    reader.join(timeout=10)
    assert received == [b"a,b\r\n" * 100_000]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.listdir(tmp_path) == ["calls.fifo"]


def test_dev_null_is_written_and_stays_a_device() -> None:
    write_bytes_atomically(Path("/dev/null"), b"data")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_full_device_fails_with_enospc_and_stays_a_device() -> None:
    with pytest.raises(OSError) as raised:
        write_bytes_atomically(Path("/dev/full"), b"data")
    assert raised.value.errno == errno.ENOSPC
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


def test_a_file_whose_mode_grants_no_write_is_refused_even_to_root(tmp_path: Path) -> None:
    target = tmp_path / "calls.csv"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(PermissionError) as raised:
        write_bytes_atomically(target, b"new")
    assert raised.value.strerror == "it is read-only (mode 0444)"
    assert (target.read_bytes(), stat.S_IMODE(target.stat().st_mode)) == (b"old", 0o444)
    assert os.listdir(tmp_path) == ["calls.csv"]


def test_a_symlink_to_a_read_only_file_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "calls.csv"
    real.write_bytes(b"old")
    real.chmod(0o400)
    (tmp_path / "latest.csv").symlink_to(real)
    with pytest.raises(PermissionError):
        write_bytes_atomically(tmp_path / "latest.csv", b"new")
    assert real.read_bytes() == b"old"


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder anyone may write in (as /tmp, without the sticky bit), so only the file's own permission
    stands between another user and the file."""
    with tempfile.TemporaryDirectory(prefix="carecycle-shared-") as name:
        os.chmod(name, 0o777)  # noqa: S103 (the point of the test)
        yield Path(name)


NOBODY = 65534


@contextlib.contextmanager
def acting_as(uid: int) -> Iterator[None]:
    """Root acts as another user for a moment (effective ids; the saved root id brings it back)."""
    os.setegid(uid)
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user (CI runs as root)")
def test_a_file_another_user_may_not_write_is_refused_though_its_folder_is_writable(shared_folder: Path) -> None:
    target = shared_folder / "calls.csv"
    target.write_bytes(b"old")
    target.chmod(0o644)
    with acting_as(NOBODY), pytest.raises(PermissionError) as raised:
        write_bytes_atomically(target, b"new")
    assert raised.value.strerror == "this user may not write it"
    assert (target.read_bytes(), target.stat().st_uid, os.listdir(shared_folder)) == (b"old", 0, ["calls.csv"])


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own a file for another user (CI runs as root)")
def test_root_replacing_another_users_file_keeps_its_owner_and_mode(tmp_path: Path) -> None:
    target = tmp_path / "calls.csv"
    target.write_bytes(b"old")
    target.chmod(0o664)
    os.chown(target, NOBODY, NOBODY)
    write_bytes_atomically(target, b"new")
    status = target.stat()
    assert (target.read_bytes(), status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (
        b"new",
        NOBODY,
        NOBODY,
        0o664,
    )
