"""The calls table as people read it: one row per call, display columns only, built without Streamlit."""

from __future__ import annotations

import pandas as pd

from carecycle_dash.data.formatting import format_duration
from carecycle_dash.text.safety import safe_http_url

TABLE_COLUMNS = (
    "Time",
    "Disposition",
    "Direction",
    "Duration",
    "Caller",
    "Campaign",
    "Assistant",
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
            "Campaign": df["campaignId"],
            "Assistant": df["assistantType"],
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
