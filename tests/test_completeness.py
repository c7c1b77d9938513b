from carecycle_dash.data.completeness import completeness
from carecycle_dash.data.frame import build_frame
from tests.factories import make_call


def test_completeness_counts_what_figures_leave_out() -> None:
    frame = build_frame([make_call(), make_call(testFlag=True), make_call(createdAt="not a time"), make_call()])
    found = completeness(frame.df, 5, frame.cleaned_total, tests_included=False)
    assert (found.loaded, found.api_total, found.test_calls, found.without_time) == (4, 5, 1, 1)
    assert found.text() == (
        "Data: 4 of the 5 calls the API reports · 1 test call left out (see Include test calls) · "
        "1 impossible value shown as missing · 1 call without a time (in no day or date range)."
    )


def test_completeness_of_clean_data_is_short() -> None:
    frame = build_frame([make_call(), make_call()])
    assert completeness(frame.df, 2, 0, tests_included=True).text() == (
        "Data: all 2 calls the API reports · no impossible values."
    )
