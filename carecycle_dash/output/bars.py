"""The data and labels of the disposition bars and the outcome funnel, prepared once for both renderers:
Vega-Lite on the Overview's first tab (`vega`) and plotly in the report (`charts`). The renderers only draw
them, and plotly escapes the text (Vega draws text as text).

API strings stay raw here: shortened (`names`), never escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from carecycle_dash.data.formatting import format_count, format_percent
from carecycle_dash.data.metrics import disposition_breakdown
from carecycle_dash.data.patterns import outcome_funnel
from carecycle_dash.output.colors import disposition_colors
from carecycle_dash.output.names import distinct_names, full_name


@dataclass(frozen=True)
class DispositionBar:
    """One disposition's bar."""

    disposition: str
    """The exact value, for a click to select."""
    name: str
    """As the axis shows it: shortened and kept distinct from the others."""
    full_name: str
    """As a hover shows it: only capped in length."""
    color: str
    calls: int
    count: str
    share: str
    """Of all calls."""
    label: str
    """What the bar says beside it: its count and share."""


@dataclass(frozen=True)
class FunnelBar:
    """One stage of how far calls got."""

    stage: str
    calls: int
    count: str
    of_all: str
    of_previous: str
    """Of the stage before."""
    label: str
    """What the bar says: its count and share of all calls."""


def disposition_bars(df: pd.DataFrame) -> list[DispositionBar]:
    """Calls per disposition, most first (`metrics.disposition_breakdown`)."""
    data = disposition_breakdown(df)
    raw = [str(value) for value in data["disposition"]]
    colors = disposition_colors(raw)
    return [
        DispositionBar(value, name, full_name(value), colors[value], int(calls), *_count_and_share(calls, share, 1))
        for value, name, calls, share in zip(raw, distinct_names(raw), data["calls"], data["share"], strict=True)
    ]


def funnel_bars(df: pd.DataFrame) -> list[FunnelBar]:
    """Every call, then each stage a call reached, to a positive disposition (`patterns.outcome_funnel`)."""
    data = outcome_funnel(df)
    bars = []
    for stage, calls, of_all, of_previous in zip(
        data["stage"], data["calls"], data["share_of_all"], data["share_of_previous"], strict=True
    ):
        count, share, label = _count_and_share(calls, of_all, 0)
        bars.append(FunnelBar(str(stage), int(calls), count, share, format_percent(of_previous, 0), label))
    return bars


def _count_and_share(calls: int, share: float, decimals: int) -> tuple[str, str, str]:
    """The count and share as shown, and the label that says both."""
    count, percent = format_count(calls), format_percent(share, decimals)
    return count, percent, f"{count} ({percent})"
