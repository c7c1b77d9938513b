"""The headline figures as the Overview and the report show them: label, value, what it counts, its
change against the previous period and whether a rise is good news, so both colour a change alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from carecycle_dash.api.contract import ERROR_DISPOSITIONS
from carecycle_dash.data.formatting import format_count, format_duration, format_percent, format_total_duration, plural
from carecycle_dash.data.metrics import OverviewFigures
from carecycle_dash.data.periods import Change

Tone = Literal["good", "bad", "same"]


@dataclass(frozen=True)
class Headline:
    """One headline figure. `name` is its OverviewFigures field (and its key in figure_changes);
    `up_is_good` is None for a figure whose rise is neither good nor bad news (volume, talk time)."""

    name: str
    label: str
    value: str
    help: str | None
    up_is_good: bool | None
    change: Change | None

    @property
    def tone(self) -> Tone:
        """The change's colour: good or bad news, or "same" (no change, or neither)."""
        if self.change is None or not self.change.sign or self.up_is_good is None:
            return "same"
        return "good" if (self.change.sign > 0) == self.up_is_good else "bad"


def headline(
    figures: OverviewFigures, changes: dict[str, Change | None], *, show_tests: bool
) -> tuple[list[Headline], list[Headline]]:
    """The two rows of headline figures: volume (with the test share when test calls are shown) and quality."""

    def figure(name: str, label: str, value: str, up_is_good: bool | None = None, help: str | None = None) -> Headline:
        return Headline(name, label, value, help, up_is_good, changes.get(name))

    errors = f"{plural(figures.error_calls, 'call')} ended in {', '.join(sorted(ERROR_DISPOSITIONS))}"
    volume = [
        figure("total_calls", "Total calls", format_count(figures.total_calls)),
        figure("inbound", "Inbound", format_count(figures.inbound)),
        figure("outbound", "Outbound", format_count(figures.outbound)),
        figure("error_share", "Errors", format_percent(figures.error_share, 1), False, errors),
    ]
    if show_tests:
        tests = plural(figures.test_calls, "test call")
        volume.append(figure("test_share", "Test calls", format_percent(figures.test_share, 0), help=tests))
    reached = f"{format_count(figures.connected_calls)} reached a person"
    evaluated = f"Of {plural(figures.evaluated_calls, 'call')} with a success evaluation"
    quality = [
        figure("connected_rate", "Connected", format_percent(figures.connected_rate, 0), True, reached),
        figure("success_rate", "Success rate", format_percent(figures.success_rate, 0), True, evaluated),
        figure("median_talk_s", "Median talk time", format_duration(figures.median_talk_s), help="Of connected calls"),
        figure(
            "total_talk_s", "Total talk time", format_total_duration(figures.total_talk_s), help="Of connected calls"
        ),
    ]
    return volume, quality
