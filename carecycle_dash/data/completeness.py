"""How much of the data the figures rest on, so no figure silently leaves calls out."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from carecycle_dash.data.formatting import format_count, plural


@dataclass(frozen=True)
class Completeness:
    """Calls loaded against the API's total, and the calls or values each figure may leave out."""

    loaded: int
    api_total: int
    test_calls: int
    tests_included: bool
    cleaned_values: int
    without_time: int

    def text(self) -> str:
        """One line: "Data: all 2,487 calls the API reports · 52 test calls left out · ..."."""
        if self.loaded >= self.api_total:
            parts = [f"all {format_count(self.loaded)} calls the API reports"]
        else:
            parts = [f"{format_count(self.loaded)} of the {format_count(self.api_total)} calls the API reports"]
        if self.test_calls:
            verb = "included" if self.tests_included else "left out (see Include test calls)"
            parts.append(f"{plural(self.test_calls, 'test call')} {verb}")
        parts.append(
            f"{plural(self.cleaned_values, 'impossible value')} shown as missing"
            if self.cleaned_values
            else "no impossible values"
        )
        if self.without_time:
            parts.append(f"{plural(self.without_time, 'call')} without a time (in no day or date range)")
        return "Data: " + " · ".join(parts) + "."


def completeness(all_calls: pd.DataFrame, api_total: int, cleaned_values: int, *, tests_included: bool) -> Completeness:
    """The completeness of every loaded call (`all_calls`), given the API's reported total."""
    return Completeness(
        loaded=len(all_calls),
        api_total=api_total,
        test_calls=int(all_calls["isTest"].to_numpy(dtype=bool).sum()),
        tests_included=tests_included,
        cleaned_values=cleaned_values,
        without_time=int(all_calls["createdAt"].isna().sum()),
    )
