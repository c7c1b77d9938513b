import pandas as pd

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.table import (
    DEFAULT_COLUMNS,
    TABLE_COLUMNS,
    build_table,
    csv_records,
    format_durations,
    shown_columns,
)
from carecycle_dash.output.export import calls_to_csv_bytes
from tests.factories import make_call


def test_durations_read_as_minutes_and_seconds_and_hours_past_an_hour() -> None:
    seconds = pd.Series([0.0, 5.4, 65.0, 599.6, 3_600.0, 3_725.0, None], dtype="Float64")
    assert format_durations(seconds).tolist()[:6] == ["0:00", "0:05", "1:05", "10:00", "1:00:00", "1:02:05"]
    assert pd.isna(format_durations(seconds).iloc[6])


def test_table_has_display_columns_in_the_frames_order_and_index() -> None:
    calls = [make_call(durationMs=61_000), make_call(durationMs=None, successEvaluation="false")]
    df = build_frame(calls).df
    table = build_table(df)
    assert set(TABLE_COLUMNS) <= set(table.columns)
    assert list(table.index) == list(df.index)
    assert table["id"].tolist() == [call["id"] for call in calls]
    assert table["Duration"].iloc[0] == "1:01" and pd.isna(table["Duration"].iloc[1])
    assert table["Success"].tolist()[:2] == ["pass", "fail"]


def test_recording_links_are_only_http_or_https() -> None:
    calls = [
        make_call(mainRecordingUrl="javascript:alert(1)", recordingUrl=None),
        make_call(mainRecordingUrl=None, recordingUrl="data:audio/wav;base64,AAAA"),
        make_call(mainRecordingUrl=None, recordingUrl="/etc/passwd"),
        make_call(mainRecordingUrl="https://cdn.example.com/a.wav"),
        make_call(mainRecordingUrl=None, recordingUrl="http://127.0.0.1:8787/r.wav"),
    ]
    links = build_table(build_frame(calls).df)["Recording"]
    assert links.isna().tolist()[:3] == [True, True, True]
    assert links.iloc[3] == "https://cdn.example.com/a.wav"
    assert links.iloc[4] == "http://127.0.0.1:8787/r.wav"


def test_times_are_shown_in_the_viewers_time_zone() -> None:
    df = build_frame([make_call(createdAt="2025-03-01T15:30:00Z")]).df
    shown = build_table(df, "America/New_York")["Time"].iloc[0]
    assert (shown.hour, str(shown.tz)) == (10, "America/New_York")


def test_table_shows_transcript_signals() -> None:
    df = build_frame([make_call(transcript="AI: Hello.\nUser: Can I speak to a real person?")]).df
    row = build_table(df).iloc[0]
    assert row["Turns"] == 2
    assert bool(row["Asked for human"]) and bool(row["Early hang-up"]) and not bool(row["AI repeated"])
    assert 0 < row["Caller words"] < 1


CAMPAIGN = "13f8bf6d-dc27-4a04-bffe-6e5b13c19ddf"


def test_long_ids_are_shortened_and_kept_whole_beside_and_missing_ones_are_blank() -> None:
    calls = [
        make_call(campaignId=CAMPAIGN, assistantType="Reminder"),
        make_call(campaignId=None, assistantType="a-very-long-assistant-name"),
    ]
    table = build_table(build_frame(calls).df)
    assert table["Campaign"].tolist() == ["13f8bf6d…", ""]
    assert table["Campaign ID"].iloc[0] == CAMPAIGN and pd.isna(table["Campaign ID"].iloc[1])
    assert table["Assistant"].tolist() == ["Reminder", "a-very-l…"]
    assert table["Assistant type"].tolist() == ["Reminder", "a-very-long-assistant-name"]


def test_default_columns_are_table_columns_in_the_tables_order() -> None:
    assert tuple(column for column in TABLE_COLUMNS if column in DEFAULT_COLUMNS) == DEFAULT_COLUMNS
    assert DEFAULT_COLUMNS == (
        "Time", "Disposition", "Direction", "Duration", "Caller", "Campaign", "Assistant", "Success", "Turns",
        "Recording",
    )  # fmt: skip


def test_shown_columns_keep_the_tables_order_and_fall_back_to_the_default() -> None:
    assert shown_columns(["Turns", "Time", "Campaign ID"]) == ("Time", "Campaign ID", "Turns")
    assert shown_columns([]) == DEFAULT_COLUMNS
    without_recording = tuple(column for column in TABLE_COLUMNS if column != "Recording")
    assert shown_columns(["Recording"], without_recording) == tuple(c for c in DEFAULT_COLUMNS if c != "Recording")


def test_csv_has_the_pages_columns_and_headers_in_its_order_with_whole_ids() -> None:
    calls = [
        make_call(createdAt="2025-03-01T15:30:59Z", durationMs=71_000, campaignId=CAMPAIGN, callerId="+15555550100"),
        make_call(createdAt="2025-03-02T08:05:00Z", durationMs=None, campaignId=None, callerId=None,
                  successEvaluation=None, transcript="AI: Hello?"),
    ]  # fmt: skip
    table = build_table(build_frame(calls).df, "America/New_York")
    columns = ("Time", "Duration", "Caller", "Campaign", "Success", "Caller words", "Asked for human", "Turns")
    data = calls_to_csv_bytes(csv_records(table, columns), columns)
    assert data.decode("utf-8").split("\r\n") == [
        "Time,Duration,Caller,Campaign,Success,Caller words,Asked for human,Turns",
        f"2025-03-01 10:30,1:11,+15555550100,{CAMPAIGN},pass,40%,false,2",
        "2025-03-02 03:05,,,,,0%,false,1",
        "",
    ]
