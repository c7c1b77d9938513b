"""CSV bytes: the formula guard, the round trip, the shape of cells; the atomic write."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from carecycle_dash.api.contract import CALL_FIELDS
from carecycle_dash.output.export import calls_to_csv_bytes, guard_cell, write_bytes_atomically


def read_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert guard_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", " =not first", "", "'already", "<script>", 5, -5, -2.5, None, True])
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
