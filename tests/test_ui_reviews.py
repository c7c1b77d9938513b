"""Reviews in the pages under AppTest: the call page's form and history, conflicts between two sessions,
masking, the Review page, the Overview's line, the Calls table's column, and the store switched off."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from carecycle_dash.store import StoreSettings, open_store
from carecycle_dash.store.reviews import ReviewStore, open_reviews
from tests.support.apptest import assert_no_exception, run_app
from tests.support.pii_api import CALL_ID, CUSTOMER, KEY, leaked, pii_api

NOTE = "Patient asked for a call back on 555-201-7788 about the MRI"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(autouse=True)
def api(clean_app: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The stand-in API with personal data and a review store in a temporary folder (never the default)."""
    monkeypatch.delenv("CARECYCLE_MASK", raising=False)
    monkeypatch.delenv("CARECYCLE_STORE_SECRET", raising=False)
    store = tmp_path / "store" / "store.db"
    monkeypatch.setenv("CARECYCLE_STORE_URL", f"sqlite://{store}")
    st.cache_resource.clear()  # the server process's call store is opened anew, at this test's file
    with pii_api() as base_url:
        monkeypatch.setenv("CARECYCLE_API_KEY", KEY)
        monkeypatch.setenv("CARECYCLE_BASE_URL", base_url)
        yield store
    st.cache_resource.clear()


def call_page(name: str = "") -> AppTest:
    at = run_app("pages/call.py", customer_id=CUSTOMER, call_id=CALL_ID)
    if name:
        at.sidebar.text_input(key="review_name").input(name).run()
    assert_no_exception(at)
    return at


def labelled(widgets: object, label: str) -> object:
    return next(widget for widget in widgets if widget.label == label)  # type: ignore[attr-defined]


def save(at: AppTest, reason: str | None = None, note: str | None = None, assignee: str | None = None) -> AppTest:
    if reason is not None:
        labelled(at.selectbox, "Reason").set_value(reason)
    if note is not None:
        labelled(at.text_area, "Note").input(note)
    if assignee is not None:
        labelled(at.selectbox, "Assign to").set_value(assignee)
    labelled(at.button, "Save review").click().run()
    assert_no_exception(at)
    return at


SHOWN_KINDS = frozenset({"Markdown", "Text", "Caption", "Warning", "Error", "Info"})


def texts(at: AppTest) -> list[str]:
    """Every line of text on the page (Markdown's escapes taken out)."""
    return [str(element.value).replace("\\", "") for element in at.main if type(element).__name__ in SHOWN_KINDS]


def host() -> str:
    """The stand-in API's host and port, which its reviews are bound to."""
    return os.environ["CARECYCLE_BASE_URL"].split("://", 1)[1].split("/", 1)[0]


def stored(store_path: Path) -> ReviewStore:
    """The reviews in the test's store, as another process opens them."""
    settings = StoreSettings("sqlite", str(store_path))
    calls = open_store(settings)
    assert calls is not None
    return open_reviews(calls, settings)


def test_flag_mark_handled_reopen_with_history_and_audit(api: Path, caplog: pytest.LogCaptureFixture) -> None:
    at = call_page("Ana")
    caplog.set_level("INFO", logger="carecycle_dash.audit")
    save(at, "Should have transferred", NOTE)
    save(at, assignee="Ana")  # AppTest can pick a suggested name only (the browser test types a new one)
    shown = texts(at)
    flagged = next(line for line in shown if line.startswith("Flagged by"))
    assert DATE.sub("DATE", flagged) == "Flagged by Ana on DATE: Should have transferred"
    assert NOTE in shown and "Assigned to Ana" in shown
    labelled(at.button, "Mark handled").click().run()
    assert DATE.sub("DATE", next(line for line in texts(at) if line.startswith("Handled by"))) == (
        "Handled by Ana on DATE"
    )
    labelled(at.button, "Reopen").click().run()
    assert any(line.startswith("Flagged by Ana") for line in texts(at))
    history = [line.split(" · ", 1)[1] for line in texts(at) if " · Ana · " in line]
    assert history == [
        "Ana · reopened",
        "Ana · marked handled",
        "Ana · assigned to Ana",
        "Ana · flagged: Should have transferred; note added",
    ]
    audit = [r.getMessage() for r in caplog.records if r.name == "carecycle_dash.audit" and "review:" in r.getMessage()]
    assert audit == [
        f"review: user=Ana customer={CUSTOMER} call={CALL_ID} action=flagged: Should have transferred; note added",
        f"review: user=Ana customer={CUSTOMER} call={CALL_ID} action=assigned to Ana",
        f"review: user=Ana customer={CUSTOMER} call={CALL_ID} action=marked handled",
        f"review: user=Ana customer={CUSTOMER} call={CALL_ID} action=reopened",
    ]
    assert [change.what for change in stored(api).history(host(), CUSTOMER, CALL_ID)] == [
        "flagged: Should have transferred; note added",
        "assigned to Ana",
        "marked handled",
        "reopened",
    ]


def test_an_over_long_note_is_one_line_and_nothing_is_saved(api: Path) -> None:
    at = save(call_page(), "Other", "x" * 2001)
    assert [e.value.replace("\\", "") for e in at.error] == [
        "The note has 2,001 characters; a note holds at most 2,000. Nothing was saved."
    ]
    assert stored(api).list(host(), CUSTOMER) == []
    assert not any(line.startswith("Flagged by") for line in texts(at))


def test_the_second_of_two_people_sees_the_first_ones_change(api: Path) -> None:
    first, second = call_page("Ana"), call_page("Ben")
    save(first, "Wrong information", "first note")
    save(second, "Other", "second note")
    conflict = next(w.value.replace("\\", "") for w in second.warning if "since you opened it" in w.value)
    assert re.fullmatch(r"Changed by Ana at \d{4}-\d{2}-\d{2} \d{2}:\d{2} since you opened it", conflict)
    assert any(line.startswith("Flagged by Ana") for line in texts(second)), "the current review is shown"
    assert "first note" in texts(second)
    assert labelled(second.text_area, "Note").value == "second note", "what was typed is kept"
    save(second)
    assert any(line.startswith("Flagged by Ben") and line.endswith(": Other") for line in texts(second))
    assert not any("since you opened it" in w.value for w in second.warning)


def test_a_masked_viewer_sees_notes_masked_and_adds_to_them(api: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save(call_page("Ana"), "Other", NOTE)
    monkeypatch.setenv("CARECYCLE_MASK", "on")
    at = call_page("Ben")
    assert "Patient asked for a call back on [phone] about the MRI" in texts(at)
    assert leaked("\n".join(texts(at))) == []
    save(at, note="Left a voicemail")
    assert "Patient asked for a call back on [phone] about the MRI\n\nLeft a voicemail" in texts(at)


def test_the_review_page_overview_and_calls_table_show_the_flag(api: Path) -> None:
    at = save(call_page("Ana"), "Wrong information", NOTE)
    at.switch_page("pages/review.py").run()
    assert_no_exception(at)
    assert "1 open · 0 handled in the last 7 days" in texts(at)
    rows = at.dataframe[0].value
    assert rows[["Reason", "Flagged by", "State"]].to_dict("records") == [
        {"Reason": "Wrong information", "Flagged by": "Ana", "State": "Open"}
    ]
    assert rows["id"].tolist() == [CALL_ID]
    at.query_params["state"] = "handled"
    at.run()
    assert any("No review matches" in info.value for info in at.info)
    at.switch_page("pages/overview.py").run()
    assert any(link.label == "1 flagged calls open" for link in at.get("page_link"))
    at.switch_page("pages/calls.py").run()
    table = at.dataframe[0].value
    assert dict(zip(table["id"], table["Review"], strict=True)) == {CALL_ID: "Open", CALLS_SECOND: ""}


CALLS_SECOND = "aaaaaaaa-1111-4000-8000-000000000002"


def test_without_a_store_the_section_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_STORE_URL", "none")
    st.cache_resource.clear()
    at = call_page()
    assert (
        "Reviews need a store: set CARECYCLE_STORE_URL (or [carecycle.store] url) to a SQLite file or PostgreSQL."
        in texts(at)
    )
    assert not [b for b in at.button if b.label == "Save review"]


def test_a_database_that_is_down_is_one_line_and_the_page_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_STORE_URL", "postgresql://nobody:pw@127.0.0.1:1/none")
    monkeypatch.setenv("CARECYCLE_STORE_SECRET", "a test secret of enough length")
    st.cache_resource.clear()
    at = call_page()
    assert (
        "Reviews are not available now. The store at postgresql://127.0.0.1:1/none failed (PoolTimeout); "
        "it is tried again shortly."
    ) in texts(at)
    assert not [b for b in at.button if b.label == "Save review"]
    at.switch_page("pages/review.py").run()
    assert_no_exception(at)
    assert [info.value for info in at.info] == [
        "Reviews are not available now. The store at postgresql://127.0.0.1:1/none failed (PoolTimeout); "
        "it is tried again shortly."
    ]
