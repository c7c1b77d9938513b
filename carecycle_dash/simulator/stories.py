"""Stories in the demo data, so a newcomer sees the dashboard find something.

The standard demo customer's last seven days (today and the six before it, US Eastern; 21–27 Nov 2026 in the
default window) go wrong: a telephony change makes a
fifth of outbound calls end as "Pipeline Error" (a second or two, no recording, no transcript), and a new
reminder wording confuses people, so two in five calls that would have passed their success evaluation
fail it. Which calls are hit follows from each call's ID, so the story is as deterministic as the data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from carecycle_dash.simulator.calls import AGENCY_ZONE, WINDOW_END
from carecycle_dash.simulator.customers import DEMO_CUSTOMERS

STORY_CUSTOMER: Final = DEMO_CUSTOMERS["standard"]
STORY_DAYS: Final = 7


def story_start(end: date) -> str:
    """Midnight (US Eastern) six days before the window's last day `end`, as the API's UTC timestamps start."""
    first = end - timedelta(days=STORY_DAYS - 1)
    midnight = datetime(first.year, first.month, first.day, tzinfo=AGENCY_ZONE).astimezone(UTC)
    return midnight.strftime("%Y-%m-%dT%H:%M:%S")


STORY_FROM: Final = story_start(WINDOW_END)
"""Midnight of 21 Nov 2026 in US Eastern: where the story starts in the default window."""
PIPELINE_ERROR_SHARE: Final = 20  # percent of outbound calls
FAILED_EVALUATION_SHARE: Final = 40  # percent of calls that would have passed
_FAILED: Final = {"true": "false", "Excellent": "Poor", "Good": "Poor"}


def tell_story(customer_id: str, calls: list[dict[str, Any]], story_from: str = STORY_FROM) -> list[dict[str, Any]]:
    """The calls, with the story written into the standard demo customer's calls from `story_from` (see
    `story_start`) on; other customers' calls unchanged."""
    if customer_id != STORY_CUSTOMER:
        return calls
    for call in calls:
        if str(call.get("createdAt") or "") < story_from:
            continue
        draw = int(str(call["id"]).replace("-", "")[-8:], 16)
        if call.get("direction") == "outbound" and draw % 100 < PIPELINE_ERROR_SHARE:
            _pipeline_error(call, draw)
        elif (draw // 100) % 100 < FAILED_EVALUATION_SHARE:
            call["successEvaluation"] = _failed(call.get("successEvaluation"))
    return calls


def _pipeline_error(call: dict[str, Any], draw: int) -> None:
    call.update(
        disposition="Pipeline Error",
        durationMs=(draw // 10_000) % 2_500,
        recordingUrl=None,
        recordingId=None,
        stereoRecordingUrl=None,
        mainRecordingUrl=None,
        successEvaluation=None,
        summary=None,
        transcript="",
    )


def _failed(evaluation: Any) -> Any:
    """The same evaluation style, now failing: "true" -> "false", 8 -> 4, "85%" -> "42%", "Good" -> "Poor"."""
    if not isinstance(evaluation, str):
        return evaluation
    if evaluation in _FAILED:
        return _FAILED[evaluation]
    if evaluation.endswith("%") and evaluation[:-1].isdigit() and int(evaluation[:-1]) >= 70:
        return f"{int(evaluation[:-1]) // 2}%"
    if evaluation.isdigit() and 7 <= int(evaluation) <= 10:
        return str(int(evaluation) // 2)
    return evaluation
