from datetime import date

import pandas as pd
import pytest

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.filters import CallFilters, apply_filters, contains_text, filter_mask, filter_options
from carecycle_dash.data.frame import NONE_LABEL, build_frame
from tests.factories import MISSING, hostile_calls, make_call


def frame_of(*calls: dict) -> pd.DataFrame:
    return build_frame(list(calls)).df


def ids(df: pd.DataFrame) -> list[str]:
    return df["id"].tolist()


def test_no_filters_keep_every_real_call_and_the_original_index() -> None:
    df = frame_of(make_call(id="a"), make_call(id="t", testFlag=True), make_call(id="b"))
    out = apply_filters(df, CallFilters())
    assert ids(out) == ["a", "b"]
    assert out.index.tolist() == [0, 2]


def test_test_calls_are_included_on_request() -> None:
    df = frame_of(make_call(id="a"), make_call(id="t", isTestNumber=True))
    assert ids(apply_filters(df, CallFilters(include_tests=True))) == ["a", "t"]


def test_date_range_is_inclusive_whole_days_in_the_viewers_time_zone() -> None:
    df = frame_of(
        make_call(id="before", createdAt="2025-03-01T04:59:00Z"),  # 23:59 on 28 Feb in New York
        make_call(id="first", createdAt="2025-03-01T05:00:00Z"),  # 00:00 on 1 Mar in New York
        make_call(id="last", createdAt="2025-03-03T04:59:59Z"),  # 23:59:59 on 2 Mar in New York
        make_call(id="after", createdAt="2025-03-03T05:00:00Z"),
        make_call(id="no time", createdAt=None),
    )
    chosen = CallFilters(start=date(2025, 3, 1), end=date(2025, 3, 2), tz="America/New_York")
    assert ids(apply_filters(df, chosen)) == ["first", "last"]
    assert ids(apply_filters(df, CallFilters(start=date(2025, 3, 1), tz="America/New_York"))) == [
        "first",
        "last",
        "after",
    ]
    assert ids(apply_filters(df, CallFilters(end=date(2025, 2, 28), tz="America/New_York"))) == ["before"]


def test_a_day_with_a_daylight_saving_change_is_covered_whole() -> None:
    # Clocks in Berlin went forward on 30 March 2025: that day has 23 hours.
    df = frame_of(
        make_call(id="early", createdAt="2025-03-29T23:00:00Z"),  # 00:00 CET on the 30th
        make_call(id="late", createdAt="2025-03-30T21:59:00Z"),  # 23:59 CEST on the 30th
        make_call(id="next", createdAt="2025-03-30T22:00:00Z"),  # 00:00 CEST on the 31st
    )
    day = date(2025, 3, 30)
    assert ids(apply_filters(df, CallFilters(start=day, end=day, tz="Europe/Berlin"))) == ["early", "late"]


def test_unknown_time_zone_is_refused_clearly() -> None:
    df = frame_of(make_call())
    with pytest.raises(InvalidInputError):
        apply_filters(df, CallFilters(start=date(2025, 1, 1), tz="Nowhere/Atlantis"))


def test_category_filters_match_labels_and_none_means_missing() -> None:
    df = frame_of(
        make_call(id="q", disposition="Qualified", direction="inbound"),
        make_call(id="v", disposition=" Voicemail ", direction="outbound"),
        make_call(id="n", disposition=None, direction="outbound"),
        make_call(id="b", disposition="", direction=MISSING),
    )
    assert ids(apply_filters(df, CallFilters(dispositions=("Voicemail", NONE_LABEL)))) == ["v", "n", "b"]
    assert ids(apply_filters(df, CallFilters(directions=("inbound",)))) == ["q"]
    assert ids(apply_filters(df, CallFilters(dispositions=("Qualified",), directions=("outbound",)))) == []


def test_campaign_and_assistant_type_filters() -> None:
    df = frame_of(
        make_call(id="a", campaignId="c1", assistantType="outreach"),
        make_call(id="b", campaignId="c2", assistantType="scheduler"),
        make_call(id="c", campaignId="c1", assistantType=None),
    )
    assert ids(apply_filters(df, CallFilters(campaigns=("c1",)))) == ["a", "c"]
    assert ids(apply_filters(df, CallFilters(assistant_types=("scheduler", NONE_LABEL)))) == ["b", "c"]


def test_text_search_is_case_insensitive_over_transcript_and_summary() -> None:
    df = frame_of(
        make_call(id="t", transcript="AI: Your MEDICARE plan", summary="plain"),
        make_call(id="s", transcript="AI: hello", summary="Asked about medicare benefits"),
        make_call(id="none", transcript="AI: hello", summary="nothing here"),
    )
    assert ids(apply_filters(df, CallFilters(text="Medicare"))) == ["t", "s"]
    assert ids(apply_filters(df, CallFilters(text="  medicare  "))) == ["t", "s"]


def test_text_search_is_literal_not_a_regex() -> None:
    df = frame_of(
        make_call(id="dots", transcript="cost is $5.00 (approx.)"),
        make_call(id="other", transcript="cost is $5x00 approx"),
    )
    assert ids(apply_filters(df, CallFilters(text="$5.00 (approx.)"))) == ["dots"]
    assert ids(apply_filters(df, CallFilters(text="[a-z]+"))) == []
    assert ids(apply_filters(df, CallFilters(text=".*"))) == []


def test_text_search_with_non_ascii_letters_ignores_case() -> None:
    df = frame_of(
        make_call(id="upper", transcript="User: GRÜSS GOTT aus dem CAFÉ"),
        make_call(id="ascii only", transcript="User: cafe"),
        make_call(id="probe only", transcript="User: caf and ss gott"),
        make_call(id="cyrillic", summary="Пациент подтвердил ПРИЁМ"),
    )
    assert ids(apply_filters(df, CallFilters(text="café"))) == ["upper"]
    assert ids(apply_filters(df, CallFilters(text="grüss gott"))) == ["upper"]
    assert ids(apply_filters(df, CallFilters(text="приём"))) == ["cyrillic"]


def test_missing_text_never_matches_and_never_raises() -> None:
    df = frame_of(
        make_call(id="empty", transcript=None, summary=None),
        make_call(id="absent", transcript=MISSING, summary=MISSING),
        make_call(id="hit", transcript=None, summary="None of the above"),
    )
    assert ids(apply_filters(df, CallFilters(text="none"))) == ["hit"]
    assert ids(apply_filters(df, CallFilters(text="nan"))) == []


def test_blank_search_is_no_restriction() -> None:
    df = frame_of(make_call(id="a", transcript=None), make_call(id="b"))
    assert ids(apply_filters(df, CallFilters(text="   "))) == ["a", "b"]


def test_filters_combine() -> None:
    df = frame_of(
        make_call(id="yes", disposition="Qualified", createdAt="2025-03-02T12:00:00Z", transcript="refill"),
        make_call(id="wrong day", disposition="Qualified", createdAt="2025-04-02T12:00:00Z", transcript="refill"),
        make_call(id="wrong text", disposition="Qualified", createdAt="2025-03-02T12:00:00Z", transcript="hello"),
        make_call(
            id="test", disposition="Qualified", createdAt="2025-03-02T12:00:00Z", transcript="refill", testFlag=True
        ),
    )
    chosen = CallFilters(start=date(2025, 3, 1), end=date(2025, 3, 31), dispositions=("Qualified",), text="REFILL")
    assert ids(apply_filters(df, chosen)) == ["yes"]
    assert filter_mask(df, chosen).tolist() == [True, False, False, False]


def test_keep_text_false_leaves_out_the_long_texts_and_links_only() -> None:
    df = frame_of(make_call(id="a"), make_call(id="b"))
    out = apply_filters(df, CallFilters(), keep_text=False)
    left_out = {"transcript", "summary", "recordingUrl", "stereoRecordingUrl", "mainRecordingUrl"}
    assert set(out.columns) == set(df.columns) - left_out - {"recordingId", "twilioSid"}
    assert out["id"].tolist() == ["a", "b"]
    assert out["hasRecording"].tolist() == df["hasRecording"].tolist()  # whether there is a link stays
    assert "transcript" in df.columns and "recordingUrl" in df.columns


def test_contains_text_searches_only_the_rows_asked_for() -> None:
    df = frame_of(make_call(transcript="refill"), make_call(transcript="refill"))
    assert contains_text(df, "refill", within=pd.Series([False, True]).to_numpy()).tolist() == [False, True]


def test_hostile_calls_filter_without_error() -> None:
    df = build_frame(hostile_calls()).df
    chosen = CallFilters(
        start=date(2025, 1, 1), end=date(2025, 12, 31), tz="Asia/Kolkata", text="<script>", include_tests=True
    )
    assert len(apply_filters(df, chosen)) == 1
    options = filter_options(df, "Asia/Kolkata")
    assert NONE_LABEL in options.dispositions


def test_filter_options_list_choices_from_the_data() -> None:
    df = frame_of(
        make_call(disposition="Voicemail", direction="outbound", campaignId="c2", createdAt="2025-03-01T02:00:00Z"),
        make_call(disposition="Voicemail", direction="inbound", campaignId="c1", createdAt="2025-03-05T12:00:00Z"),
        make_call(disposition="Qualified", direction="inbound", campaignId="c1", assistantType=None),
        make_call(disposition="Bad Contact", direction=None, createdAt=None),
    )
    options = filter_options(df, "America/New_York")
    assert options.dispositions == ("Voicemail", "Bad Contact", "Qualified")
    assert options.directions == (NONE_LABEL, "inbound", "outbound")
    assert options.campaigns == ("13f8bf6d-dc27-4a04-bffe-6e5b13c19ddf", "c1", "c2")
    assert options.assistant_types == (NONE_LABEL, "outreach")
    assert options.first_day == date(2025, 2, 28)
    assert options.last_day == date(2025, 3, 5)


def test_filter_options_of_no_calls() -> None:
    options = filter_options(build_frame([]).df)
    assert options.dispositions == () and options.first_day is None and options.last_day is None


def test_text_search_on_a_frame_without_texts_matches_nothing() -> None:
    df = apply_filters(frame_of(make_call(transcript="refill")), CallFilters(), keep_text=False)
    assert apply_filters(df, CallFilters(text="refill")).empty


def test_a_heatmap_cell_keeps_the_calls_of_that_weekday_and_hour_in_the_viewers_zone() -> None:
    df = frame_of(
        make_call(id="mon9", createdAt="2025-03-03T09:15:00Z"),
        make_call(id="mon10", createdAt="2025-03-03T10:15:00Z"),
        make_call(id="tue9", createdAt="2025-03-04T09:59:00Z"),
        make_call(id="notime", createdAt=None),
    )
    assert ids(apply_filters(df, CallFilters(weekday=0, hour=9))) == ["mon9"]
    assert ids(apply_filters(df, CallFilters(hour=9))) == ["mon9", "tue9"]
    assert ids(apply_filters(df, CallFilters(weekday=0))) == ["mon9", "mon10"]
    # 09:15 UTC on Monday is 10:15 in Berlin (UTC+1 in March before the switch).
    assert ids(apply_filters(df, CallFilters(weekday=0, hour=10, tz="Europe/Berlin"))) == ["mon9"]


def test_signals_filter_keeps_calls_showing_every_signal() -> None:
    df = build_frame(
        [
            make_call(transcript="AI: Hello.\nUser: Get me a real person.\nAI: One moment.\nUser: Thanks."),
            make_call(transcript="AI: Hello.\nUser: Wrong number."),
            make_call(transcript="AI: Hello.\nUser: Get me a human."),
        ]
    ).df
    assert list(apply_filters(df, CallFilters(signals=("Asked for a human",))).index) == [0, 2]
    assert list(apply_filters(df, CallFilters(signals=("Asked for a human", "Early hang-up"))).index) == [2]
