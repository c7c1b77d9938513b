"""The HTML report: self-contained, escaped, and honest about the period it compares with."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pandas as pd

from carecycle_dash.data.filters import CallFilters
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.metrics import overview_figures
from carecycle_dash.output.report import (
    ATTENTION_NOT_COMPUTED,
    build_report,
    completeness_lines,
    headline_rows,
    previous_filters,
)
from tests.factories import hostile_calls, make_call

HOSTILE = '<script>alert("x")</script>'
NOW = datetime(2025, 3, 15, 8, 0, tzinfo=UTC)


class Tags(HTMLParser):
    """Every tag's attributes; script bodies are text to the parser, not tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def calls_over_two_weeks() -> pd.DataFrame:
    calls = [make_call(createdAt=f"2025-03-{day:02d}T10:00:00Z", disposition="Qualified") for day in range(1, 15)]
    calls += [make_call(createdAt=f"2025-03-{day:02d}T11:00:00Z", disposition="Voicemail") for day in range(8, 15)]
    return build_frame(calls).df


def report(df: pd.DataFrame, filters: CallFilters, attention: list[str] | None = None) -> str:
    first = df["createdAt"].min().date() if df["createdAt"].notna().any() else None
    data = build_report(
        df, filters, customer_id="c-1", first_day=first, generated_at=NOW, attention=attention, completeness=["2 x"]
    )
    return data.decode("utf-8")


def test_the_report_makes_no_request_when_opened() -> None:
    text = report(calls_over_two_weeks(), CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14)))
    parser = Tags()
    parser.feed(text)
    for tag, attrs in parser.tags:
        assert not (tag == "script" and "src" in attrs), attrs
        for name in ("src", "href", "action", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
        assert tag not in ("link", "iframe", "img", "object", "embed")
    assert "Plotly.newPlot" in text
    assert text.count("<div id=") >= 4  # one per chart
    assert text.count("plotly.js v") == 1  # inlined once, not per chart


def test_hostile_api_strings_are_escaped_everywhere() -> None:
    df = build_frame([*hostile_calls(), make_call(disposition=HOSTILE)]).df
    text = report(df, CallFilters(), attention=[f"{HOSTILE}: 21% of calls"])
    body = text.split("<h2>Charts</h2>")[0]
    assert HOSTILE not in text and '<a href="javascript' not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;: 21% of calls" in body


def test_headline_changes_against_the_previous_period() -> None:
    text = report(calls_over_two_weeks(), CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14)))
    assert "Changes against 2025-03-01 to 2025-03-07 (UTC)." in text
    rows = {r.label: r for r in headline_rows(*_figures())}
    assert rows["Total calls"].value == "14" and rows["Total calls"].change == "+7"
    assert rows["Connected"].change == "-50.0 pp" and rows["Connected"].tone == "bad"


def _figures() -> tuple:
    df = calls_over_two_weeks()
    current = df[df["createdAt"] >= pd.Timestamp("2025-03-08", tz="UTC")]
    previous = df[df["createdAt"] < pd.Timestamp("2025-03-08", tz="UTC")]
    return overview_figures(current), overview_figures(previous)


def test_no_previous_period_means_no_changes_and_a_reason() -> None:
    df = calls_over_two_weeks()
    open_ended = report(df, CallFilters())
    assert "No comparison: the report covers every loaded call." in open_ended
    too_early = report(df, CallFilters(start=date(2025, 3, 2), end=date(2025, 3, 14)))
    assert "do not reach back over the whole previous period" in too_early
    assert all(row.change == "" for row in headline_rows(overview_figures(df), None))


def test_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    one_day = CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 8), tz="Europe/Berlin")
    before = previous_filters(one_day, first_day=date(2025, 3, 1))
    assert before is not None and (before.start, before.end, before.tz) == (
        date(2025, 3, 7),
        date(2025, 3, 7),
        "Europe/Berlin",
    )
    assert previous_filters(one_day, first_day=date(2025, 3, 8)) is None
    assert previous_filters(CallFilters(start=date(2025, 3, 8)), first_day=date(2025, 3, 1)) is None
    assert previous_filters(one_day, first_day=None) is None


def test_attention_lines_or_a_line_saying_they_were_not_computed() -> None:
    df = calls_over_two_weeks()
    assert ATTENTION_NOT_COMPUTED in report(df, CallFilters(), attention=None)
    assert "Nothing moved enough to need attention." in report(df, CallFilters(), attention=[])


def test_a_report_of_no_calls_still_renders() -> None:
    text = report(build_frame([]).df, CallFilters())
    assert "Total calls" in text and "No calls match" in text


def test_completeness_names_what_the_figures_leave_out() -> None:
    df = build_frame([make_call(), make_call(testFlag=True), make_call(createdAt=None)]).df
    lines = completeness_lines(df, CallFilters(start=date(2025, 3, 1)), api_total=5, cleaned=2)
    assert lines == [
        "3 calls loaded of the 5 the API reports.",
        "Test calls left out: 1.",
        "Impossible values from the API treated as missing: 2.",
        "Calls without a time (in no period): 1.",
    ]


def test_the_page_title_and_size_stay_reasonable() -> None:
    text = report(calls_over_two_weeks(), CallFilters())
    assert re.search(r"<title>CareCycle calls report: the first call to the last call \(UTC\)</title>", text)
    assert len(text.encode("utf-8")) < 6_000_000


def test_a_narrowed_view_says_which_calls_it_counts() -> None:
    filters = CallFilters(dispositions=(HOSTILE, "Voicemail"), weekday=1, hour=14, text="refill", include_tests=True)
    text = report(calls_over_two_weeks(), filters)
    assert "Only calls matching: Dispositions: &lt;script&gt;" in text
    assert "Hour of the week: Tuesday 14:00–14:59; Transcript or summary contains: refill; Test calls included." in text


def test_a_period_that_runs_into_today_says_its_counts_are_still_growing() -> None:
    df = calls_over_two_weeks()
    first = df["createdAt"].min().date()
    data = build_report(
        df,
        CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14)),
        customer_id="c-1",
        first_day=first,
        generated_at=datetime(2025, 3, 14, 12, 0, tzinfo=UTC),
        attention=[],
    ).decode("utf-8")
    assert "Changes against 2025-03-01 to 2025-03-07 (UTC). Today is not over yet" in data
