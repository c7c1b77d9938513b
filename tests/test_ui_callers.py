"""The Callers page and its neighbours under AppTest: figures, the Do Not Call section, a caller link by
number or token (never leaving a number in the address), stepping through one caller's calls, conversation
signals on the Calls, call and Overview pages, search hits marked as escaped text."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from carecycle_dash.data.callers import caller_label, caller_table, do_not_call_breaches
from carecycle_dash.data.frame import build_frame
from carecycle_dash.simulator import DEMO_CUSTOMERS, generate_calls
from carecycle_dash.ui.callers import DNC_HEADING
from tests.support.apptest import run_app
from tests.test_pages import plain

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("clean_app")]
STANDARD = DEMO_CUSTOMERS["standard"]
SEED = 20261128


@pytest.fixture(scope="module")
def standard() -> dict:
    """What the standard demo customer's data holds: its busiest caller and its one breach."""
    df = build_frame(generate_calls(STANDARD, 2487, SEED)).df
    df = df[~df["isTest"].to_numpy(dtype=bool)]
    table = caller_table(df)
    return {"busiest": table.index[0], "calls": int(table["calls"].iloc[0]), "breach": do_not_call_breaches(df)}


def callers_page(**query: str) -> AppTest:
    at = run_app(customer_id=STANDARD, range="all")  # every call, not the default week
    for name, value in query.items():
        at.query_params[name] = value
    return at.switch_page("pages/callers.py").run()


def signals_in_address(at: AppTest) -> list[str]:
    value = at.query_params.get("signal", [])
    return [value] if isinstance(value, str) else list(value)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def param(at: AppTest, name: str) -> str:
    value = at.query_params[name]
    return value[0] if isinstance(value, list) else value


def links(at: AppTest) -> list:
    return list(at.get("page_link"))


def test_callers_page_shows_figures_table_and_the_do_not_call_breach(standard: dict) -> None:
    at = callers_page()
    no_exception(at)
    labels = [metric.label for metric in at.metric]
    assert labels[:3] == ["Callers", "Repeat callers", "Callback after an unsuccessful call"]
    assert DNC_HEADING in [header.value for header in at.subheader]
    assert "1 number called after a Do Not Call request" in at.error[0].value
    table = at.dataframe[0].value
    assert table["Caller"].iloc[0] == caller_label(standard["busiest"])
    breach = standard["breach"].iloc[0]
    call_links = [link for link in links(at) if f"call_id={breach['id']}" in link.proto.query_string]
    assert call_links, "the call after the request links to its detail"
    assert "caller=c_" in call_links[0].proto.query_string
    assert "555" not in call_links[0].proto.query_string


def test_addresses_the_page_writes_never_hold_a_phone_number() -> None:
    at = callers_page()
    for link in links(at):
        assert "555" not in link.proto.query_string.replace(STANDARD, "")


def test_a_typed_number_opens_that_callers_calls_and_becomes_a_token(standard: dict) -> None:
    number = standard["busiest"]
    at = callers_page(caller=f"({number[2:5]}) {number[5:8]}-{number[8:]}")
    no_exception(at)
    headline = at.markdown[0].value
    assert headline.startswith(f"{standard['calls']} calls · first ")
    assert " · last " in headline
    assert param(at, "caller").startswith("c_")
    assert len([link for link in links(at) if "call_id=" in link.proto.query_string]) == standard["calls"]


def test_the_token_link_opens_the_same_caller_and_steps_through_their_calls(standard: dict) -> None:
    at = callers_page(caller=standard["busiest"])
    token = param(at, "caller")
    first_call = next(link for link in links(at) if "call_id=" in link.proto.query_string)
    call_id = first_call.proto.query_string.split("call_id=")[1].split("&")[0]
    at.query_params["caller"] = token
    at.query_params["call_id"] = call_id
    at.switch_page("pages/call.py").run()
    no_exception(at)
    assert f"Call 1 of {standard['calls']} with this number" in [caption.value for caption in at.caption]
    at.button(key="next_call").click().run()
    assert f"Call 2 of {standard['calls']} with this number" in [caption.value for caption in at.caption]


def test_an_unknown_token_or_hostile_text_says_so() -> None:
    for given in ("c_0000000000000000", "<script>alert(1)</script>"):
        at = callers_page(caller=given)
        no_exception(at)
        assert any("No call of this customer has that number" in warning.value for warning in at.warning)


def test_dialled_too_often_follows_the_chosen_limit() -> None:
    at = callers_page()
    limit = at.number_input[0]
    assert limit.value == 3
    limit.set_value(100).run()
    no_exception(at)
    assert any("No number received more than 100" in success.value for success in at.success)


def test_calls_page_filters_by_conversation_signal() -> None:
    at = callers_page()
    at.switch_page("pages/calls.py").run()
    total = len(at.dataframe[0].value)
    at.button_group(key="call_signals").set_value(["Asked for a human"]).run()
    no_exception(at)
    shown = at.dataframe[0].value
    assert 0 < len(shown) < total
    assert shown["Asked for human"].all()
    assert signals_in_address(at) == ["asked_for_human"]
    at.button_group(key="call_signals").set_value([]).run()
    assert len(at.dataframe[0].value) == total
    assert "signal" not in at.query_params


def test_a_link_with_signals_narrows_the_calls_page_and_names_a_bad_one() -> None:
    at = run_app(customer_id=STANDARD)
    at.query_params["signal"] = ["asked_for_human", "<b>nope</b>", "asked_for_human"]
    at.switch_page("pages/calls.py").run()
    no_exception(at)
    assert at.button_group(key="call_signals").value == ["Asked for a human"]
    shown = at.dataframe[0].value
    assert len(shown) and shown["Asked for human"].all()
    [warning] = [w.value for w in at.warning if "conversation signal" in w.value]
    assert warning.startswith("The link names a conversation signal that is not one of asked_for_human")
    assert "nope" not in warning
    assert signals_in_address(at) == ["asked_for_human"]


def test_the_signals_chosen_stay_when_the_calls_page_is_left_and_opened_again() -> None:
    at = callers_page()
    at.switch_page("pages/calls.py").run()
    at.button_group(key="call_signals").set_value(["AI repeated itself"]).run()
    at.query_params.pop("signal")  # the sidebar's link to the Overview carries no signal
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/calls.py").run()
    no_exception(at)
    assert at.button_group(key="call_signals").value == ["AI repeated itself"]
    assert at.dataframe[0].value["AI repeated"].all()
    assert signals_in_address(at) == ["ai_repeated"]
    at.run()  # the sidebar's links are drawn before the page: from the next run on they carry the choice
    sidebar_calls = next(p.proto for p in at.get("page_link") if plain(p.proto.label) == "Calls")
    assert "signal=ai_repeated" in sidebar_calls.query_string


def test_a_call_opened_from_calls_narrowed_by_a_signal_steps_through_those_calls() -> None:
    at = callers_page()
    at.switch_page("pages/calls.py").run()
    at.button_group(key="call_signals").set_value(["Asked for a human"]).run()
    table = at.dataframe[0].value
    at.query_params["call_id"] = str(table["id"].iloc[0])
    at.switch_page("pages/call.py").run()
    no_exception(at)
    captions = [caption.value for caption in at.caption]
    assert f"Call 1 of {len(table)} in the table's order (asked for a human)" in captions
    at.button(key="next_call").click().run()
    assert at.query_params["call_id"] == str(table["id"].iloc[1])
    assert signals_in_address(at) == ["asked_for_human"]
    sidebar_call = next(p.proto for p in at.get("page_link") if plain(p.proto.label) == "Call detail")
    assert "signal=asked_for_human" in sidebar_call.query_string


def test_search_shows_the_weekly_trend_and_marks_hits_in_the_transcript() -> None:
    at = callers_page()
    at.sidebar.text_input(key="f_text").set_value("virtual assistant").run()
    at.switch_page("pages/calls.py").run()
    no_exception(at)
    assert at.get("plotly_chart"), "a weekly trend of calls mentioning the search"
    at.query_params["call_id"] = str(at.dataframe[0].value["id"].iloc[0])
    at.switch_page("pages/call.py").run()
    no_exception(at)
    marked = [element.proto.body for element in at.get("html")]
    assert any("<mark>" in body.lower() for body in marked)


def test_overview_counts_conversation_signals_and_warns_of_the_breach() -> None:
    at = callers_page()
    at.switch_page("pages/overview.py").run()
    no_exception(at)
    labels = [metric.label for metric in at.metric]
    assert {"Asked for a human", "Early hang-up", "AI repeated itself"} <= set(labels)
    labels = [plain(link.proto.label) for link in at.get("page_link")]
    assert any(label.startswith("Called after Do Not Call: 1 number") for label in labels)


def test_compliance_sections_show_even_when_no_call_passes_the_filters() -> None:
    at = callers_page()
    at.sidebar.text_input(key="f_text").set_value("zzzz-no-such-words").run()
    no_exception(at)
    assert any("No calls match" in info.value for info in at.info)
    assert DNC_HEADING in [header.value for header in at.subheader]
    assert "1 number called after a Do Not Call request" in at.error[0].value
