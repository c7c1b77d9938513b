"""The demo's people: Do Not Call honoured but for one deliberate lapse, a repeat caller written three ways,
callers asking for a human, an AI that sometimes repeats itself; all deterministic."""

from __future__ import annotations

import pandas as pd

from carecycle_dash.data.callers import caller_table, dialled_too_often, do_not_call_breaches
from carecycle_dash.data.frame import build_frame
from carecycle_dash.simulator import DEMO_CUSTOMERS, generate_calls
from carecycle_dash.simulator.people import AI_REPEAT_LINE

SEED = 20261128


def demo_frame():
    calls = generate_calls(DEMO_CUSTOMERS["standard"], 2487, SEED)
    df = build_frame(calls).df
    return calls, df[~df["isTest"].to_numpy(dtype=bool)]


def test_exactly_one_number_is_called_after_do_not_call() -> None:
    _, df = demo_frame()
    breaches = do_not_call_breaches(df)
    assert breaches["caller"].tolist() == ["+14155550142"]
    breach = breaches.iloc[0]
    assert (breach["requestedAt"], breach["createdAt"]) == (
        pd.Timestamp("2026-10-01T19:40:03.202Z"),
        pd.Timestamp("2026-10-05T12:14:01.169Z"),
    )


def test_the_lapse_writes_the_number_differently_but_it_is_the_same_caller() -> None:
    calls, df = demo_frame()
    breach = do_not_call_breaches(df).iloc[0]
    request, lapse = calls[breach["requestRow"]]["callerId"], calls[breach["row"]]["callerId"]
    assert (request, lapse) == ("+14155550142", "(415) 555-0142")


def test_the_busiest_caller_is_written_three_ways() -> None:
    calls, df = demo_frame()
    number = caller_table(df).index[0]
    written = {calls[row]["callerId"] for row in df.index[df["caller"].eq(number).to_numpy(dtype=bool)]}
    assert number == "+16025550133"
    assert written == {"+16025550133", "(602) 555-0133", "+1 602 555 0133"}


def test_one_number_is_dialled_five_times_in_a_week() -> None:
    _, df = demo_frame()
    too_often = dialled_too_often(df, 3)
    assert too_often[["caller", "most", "outbound"]].to_dict("records") == [
        {"caller": "+15125550194", "most": 5, "outbound": 6}
    ]


def test_some_callers_ask_for_a_human_and_the_ai_sometimes_repeats_itself() -> None:
    calls, df = demo_frame()
    assert df["askedForHuman"].sum() == 118
    assert df["aiRepeated"].sum() == 31
    assert sum(AI_REPEAT_LINE in (call["transcript"] or "") for call in calls) == 32


def test_people_are_deterministic() -> None:
    assert generate_calls(DEMO_CUSTOMERS["small"], 43, SEED) == generate_calls(DEMO_CUSTOMERS["small"], 43, SEED)
