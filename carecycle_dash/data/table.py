"""The calls table as people read it: one row per call, display columns only, built without Streamlit; and
the same columns as CSV rows, so a download holds what the page shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pandas as pd

from carecycle_dash.data.formatting import format_duration, format_percent, short_id
from carecycle_dash.text.safety import safe_http_url

TABLE_COLUMNS = (
    "Time",
    "Disposition",
    "Direction",
    "Duration",
    "Caller",
    "Campaign",
    "Campaign ID",
    "Assistant",
    "Assistant type",
    "Source",
    "Success",
    "Evaluation",
    "Turns",
    "Caller words",
    "Asked for human",
    "Early hang-up",
    "AI repeated",
    "Recording",
    "Test",
)
OPTIONAL_COLUMNS: Final = frozenset(
    {"Campaign ID", "Assistant type", "Source", "Evaluation", "Caller words", "Asked for human", "Early hang-up",
     "AI repeated", "Test"}
)  # fmt: skip
DEFAULT_COLUMNS: Final = tuple(column for column in TABLE_COLUMNS if column not in OPTIONAL_COLUMNS)
"""What the Calls table shows until the person chooses: readable at 1,400 px without scrolling sideways."""
WHOLE_VALUE: Final = {"Campaign": "Campaign ID", "Assistant": "Assistant type"}
"""Shortened columns and the column holding each value whole, which a download writes under the short one's name."""
TIME_FORMAT: Final = "%Y-%m-%d %H:%M"


def format_durations(seconds: pd.Series) -> pd.Series:
    """Seconds as "m:ss" (or "h:mm:ss" from an hour on), the figures' own format; missing stays missing."""
    return seconds.astype(object).map(format_duration, na_action="ignore").astype("str")


def _success_labels(success: pd.Series) -> pd.Series:
    labels = pd.Series(pd.NA, index=success.index, dtype="str")
    labels[success.fillna(False).astype(bool)] = "pass"
    labels[(~success.fillna(True)).astype(bool)] = "fail"
    return labels


def build_table(df: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Display columns for every row of a calls frame, same index; recording links only when http(s)."""
    recording = df["mainRecordingUrl"].where(df["mainRecordingUrl"].notna(), df["recordingUrl"])
    table = pd.DataFrame(
        {
            "Time": df["createdAt"].dt.tz_convert(tz),
            "Disposition": df["disposition"],
            "Direction": df["direction"],
            "Duration": format_durations(df["durationS"]),
            "Caller": df["callerId"],
            "Campaign": df["campaignId"].map(short_id).astype("str"),
            "Campaign ID": df["campaignId"],
            "Assistant": df["assistantType"].map(short_id).astype("str"),
            "Assistant type": df["assistantType"],
            "Source": df["sourceName"],
            "Success": _success_labels(df["success"]),
            "Evaluation": df["successEvaluation"],
            "Turns": df["turns"],
            "Caller words": df["callerWordShare"],
            "Asked for human": df["askedForHuman"].astype(bool),
            "Early hang-up": df["earlyHangUp"].astype(bool),
            "AI repeated": df["aiRepeated"].astype(bool),
            "Recording": recording.map(safe_http_url, na_action="ignore").astype("str"),
            "Test": df["isTest"].astype(bool),
        },
        index=df.index,
    )
    table["id"] = df["id"]
    return table


def shown_columns(chosen: Sequence[str], available: Sequence[str] = TABLE_COLUMNS) -> tuple[str, ...]:
    """The columns to show, in the table's own order: those chosen that are available, or the default ones
    (those available) when none is."""
    picked = [column for column in available if column in chosen]
    return tuple(picked) if picked else tuple(column for column in available if column in DEFAULT_COLUMNS)


def csv_records(table: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """`columns` of a display table as CSV rows under the page's headers, values as the page shows them (times
    in its zone to the minute, the caller's share of words as a percentage) except shortened IDs, written
    whole; missing values are None (an empty cell)."""
    out = pd.DataFrame(index=table.index)
    for column in columns:
        values = table[WHOLE_VALUE.get(column, column)]
        if column == "Time":
            values = values.dt.strftime(TIME_FORMAT)
        elif column == "Caller words":
            values = values.map(lambda share: format_percent(share, 0), na_action="ignore")
        out[column] = values.astype(object).where(values.notna(), None)
    return out.to_dict("records")
