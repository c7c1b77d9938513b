"""The HTML report: self-contained, escaped, and honest about the period it compares with."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pandas as pd

from carecycle_dash.data.completeness import completeness
from carecycle_dash.data.filters import CallFilters
from carecycle_dash.data.frame import build_frame
from carecycle_dash.output.report import NO_RANGE, build_report
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


def report(df: pd.DataFrame, filters: CallFilters, *, now: datetime = NOW, api_total: int | None = None) -> str:
    known = df["createdAt"].notna().any()
    data = build_report(
        df,
        filters,
        customer_id="c-1",
        first_day=df["createdAt"].min().date() if known else None,
        last_day=df["createdAt"].max().date() if known else None,
        generated_at=now,
        completeness=completeness(df, len(df) if api_total is None else api_total, 0, tests_included=False),
    )
    return data.decode("utf-8")


def headline_cells(text: str) -> dict[str, tuple[str, str, str]]:
    """label -> (value, change, tone class) of each headline row."""
    rows = re.findall(r"<tr><th>(.*?)</th><td class=num>(.*?)</td><td class='num (\w+)'>(.*?)</td></tr>", text)
    return {label: (value, change, tone) for label, value, tone, change in rows}


def attention_lines(text: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", text)


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
    text = report(df, CallFilters())
    assert HOSTILE not in text and '<a href="javascript' not in text


def test_hostile_disposition_in_needs_attention_is_escaped() -> None:
    calls = [make_call(createdAt=f"2025-03-{1 + i % 7:02d}T10:00:00Z", disposition="Voicemail") for i in range(40)]
    calls += [make_call(createdAt=f"2025-03-{8 + i % 7:02d}T10:00:00Z", disposition=HOSTILE) for i in range(40)]
    text = report(build_frame(calls).df, CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14)))
    lines = attention_lines(text)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;: 100% of calls (40), up from 0% (0), +100 points" in lines


def test_headline_changes_against_the_previous_period() -> None:
    text = report(calls_over_two_weeks(), CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14)))
    assert "Changes compare 8–14 Mar 2025 with the 7 days before (1–7 Mar 2025)." in text
    cells = headline_cells(text)
    assert cells["Total calls"] == ("14", "+7", "same")
    assert cells["Connected"] == ("50%", "-50.0 pp", "bad")
    assert list(cells) == [
        "Total calls",
        "Inbound",
        "Outbound",
        "Errors",
        "Connected",
        "Success rate",
        "Median talk time",
        "Total talk time",
    ]


def test_no_previous_period_means_no_changes_and_a_reason() -> None:
    df = calls_over_two_weeks()
    open_ended = report(df, CallFilters())
    assert NO_RANGE in open_ended
    assert all(change == "" for _, change, _ in headline_cells(open_ended).values())
    too_early = report(df, CallFilters(start=date(2025, 3, 2), end=date(2025, 3, 14)))
    assert "No changes shown: the loaded calls begin inside the previous period" in too_early
    assert "Nothing to compare 2–14 Mar 2025 against" in too_early


def test_nothing_moved_is_said_in_one_line() -> None:
    text = report(calls_over_two_weeks(), CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14)))
    assert "<p>Nothing moved by a meaningful margin: 8–14 Mar 2025 against 1–7 Mar 2025.</p>" in text
    assert attention_lines(text) == []


def test_a_report_of_no_calls_still_renders() -> None:
    text = report(build_frame([]).df, CallFilters())
    assert "Total calls" in text and "No calls match" in text
    assert "There are no calls with a time to compare." in text


def test_completeness_is_the_overviews_line() -> None:
    df = build_frame([make_call(), make_call(testFlag=True), make_call(createdAt=None)]).df
    expected = completeness(df, 5, 0, tests_included=False).text()
    assert f"<p class=note>{expected}</p>" in report(df, CallFilters(start=date(2025, 3, 1)), api_total=5)


def test_the_page_title_and_size_stay_reasonable() -> None:
    text = report(calls_over_two_weeks(), CallFilters())
    assert "<title>CareCycle calls report: 1–14 Mar 2025 (UTC)</title>" in text
    assert len(text.encode("utf-8")) < 6_000_000


def test_a_narrowed_view_says_which_calls_it_counts() -> None:
    filters = CallFilters(dispositions=(HOSTILE, "Voicemail"), weekday=1, hour=14, text="refill", include_tests=True)
    text = report(calls_over_two_weeks(), filters)
    assert "Only calls matching: Dispositions: &lt;script&gt;" in text
    assert "Hour of the week: Tuesday 14:00–14:59; Transcript or summary contains: refill; Test calls included." in text


def test_a_period_that_runs_into_today_says_its_counts_are_still_growing() -> None:
    filters = CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14))
    text = report(calls_over_two_weeks(), filters, now=datetime(2025, 3, 14, 12, 0, tzinfo=UTC))
    assert "(1–7 Mar 2025). Today is not over yet, so this period&#x27;s counts are still growing." in text


def test_a_period_past_the_newest_call_keeps_its_days_says_the_calls_stopped_and_compares_the_days_with_calls() -> None:
    calls = [make_call(createdAt=f"2025-03-{1 + i % 14:02d}T10:00:00Z") for i in range(280)]
    calls += [
        make_call(createdAt=f"2025-03-{13 + i % 2:02d}T11:00:00Z", disposition="Pipeline Error") for i in range(20)
    ]
    filters = CallFilters(start=date(2025, 3, 13), end=date(2025, 3, 19))  # `report --last 7d` on 20 Mar
    text = report(build_frame(calls).df, filters, now=datetime(2025, 3, 20, 9, 0, tzinfo=UTC))
    assert "<title>CareCycle calls report: 13–19 Mar 2025 (UTC)</title>" in text
    assert attention_lines(text) == [
        "No calls since 14 Mar 2025 (6 days)",
        "Connected: 67% of calls (40), down from 100% (40), -33 points",
        "Qualified: 67% of calls (40), down from 100% (40), -33 points",
        "Pipeline Error: 33% of calls (20), up from 0% (0), +33 points",
    ]
    assert (
        "Changes compare 13–14 Mar 2025 with the 2 days before (11–12 Mar 2025), compared over the 2 days with calls."
        in text
    )
    assert headline_cells(text)["Total calls"] == ("60", "+20", "same")
    assert "Comparing 13–14 Mar 2025 against 11–12 Mar 2025, compared over the 2 days with calls." in text
