import pandas as pd

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.table import TABLE_COLUMNS, build_table, format_durations
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
