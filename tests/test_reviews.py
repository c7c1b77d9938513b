"""Reviews as people work with them: checks, transitions, conflicts, the Review page's table and suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.callers import do_not_call_breaches
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.reviews import (
    NO_FLAG,
    bound_to_calls,
    check_review_input,
    conflict,
    counts_line,
    filter_reviews,
    history_lines,
    marked_handled,
    masked_note_added,
    open_flagged,
    people,
    reopened,
    review_states,
    review_table,
    saved,
    shown_note,
    status_line,
    suggested,
    who_reviews,
)
from carecycle_dash.store.reviews import Review, ReviewChange
from tests.factories import make_call

T0 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=2)
WHERE = {"host": "api.example.org", "customer": "cust-1"}


def flag(call_id: str = "call-1", reason: str = "Wrong information", note: str = "see ticket 4411") -> Review:
    made = saved(None, **WHERE, call_id=call_id, reason=reason, note=note, assignee=" Ben ", who="ana", now=T0)
    assert made is not None
    return made


def refusal(reason: str, note: str, call_id: str) -> str:
    with pytest.raises(InvalidInputError) as refused:
        check_review_input(reason, note, call_id, {"call-1"}.__contains__)
    return refused.value.message


def test_bad_input_is_one_line_each() -> None:
    assert refusal("Other", "x" * 2001, "call-1") == (
        "The note has 2,001 characters; a note holds at most 2,000. Nothing was saved."
    )
    assert refusal("Bad robot", "", "call-1") == (
        "The reason must be one of: No flag, Misunderstood the caller, Wrong information, Should have transferred, "
        "Called after Do Not Call, Audio or technical problem, Other. Nothing was saved."
    )
    assert refusal("Other", "", "call-9") == "That call is not among this customer's loaded calls. Nothing was saved."
    assert check_review_input("Other", "x" * 2000, "call-1", {"call-1"}.__contains__) is None


def test_a_first_save_flags_and_opens_version_one() -> None:
    review = flag()
    assert (review.reason, review.note, review.assignee, review.state) == (
        "Wrong information",
        "see ticket 4411",
        "Ben",
        "open",
    )
    assert (review.flagged_by, review.flagged_at) == ("ana", T0)
    assert review.last_change == ReviewChange("ana", T0, "flagged: Wrong information; note added; assigned to Ben", 1)
    assert status_line(review, "UTC") == "Flagged by ana on 2025-03-04: Wrong information"


def test_nothing_to_save_writes_nothing() -> None:
    assert saved(None, **WHERE, call_id="c", reason=NO_FLAG, note=" ", assignee="", who="ana", now=T0) is None
    review = flag()
    assert (
        saved(
            review,
            **WHERE,
            call_id="call-1",
            reason=review.reason,
            note=review.note or "",
            assignee="Ben",
            who="x",
            now=T1,
        )
        is None
    )


def test_each_change_is_a_new_version_with_what_changed() -> None:
    review = flag()
    changed = saved(review, **WHERE, call_id="call-1", reason="Other", note="new", assignee="", who="ben", now=T1)
    assert changed is not None
    assert changed.last_change == ReviewChange(
        "ben", T1, "reason: Wrong information → Other; note changed; assignee cleared", 2
    )
    assert (changed.flagged_by, changed.flagged_at) == ("ben", T1)
    handled = marked_handled(changed, "cy", T1)
    assert (handled.state, handled.handled_by, handled.version) == ("handled", "cy", 3)
    assert status_line(handled, "America/New_York") == "Handled by cy on 2025-03-04"
    again = reopened(handled, "ana", T1)
    assert (again.state, again.handled_by, again.handled_at, again.last_change.what) == ("open", None, None, "reopened")
    unflagged = saved(again, **WHERE, call_id="call-1", reason=NO_FLAG, note="new", assignee="", who="ana", now=T1)
    assert unflagged is not None and unflagged.flagged_by is None and unflagged.last_change.what == "flag removed"


def test_a_conflict_names_who_changed_it_and_when() -> None:
    review = flag()
    assert conflict(review, 1) is None and conflict(None, 0) is None
    later = marked_handled(review, "ben@example.org", T1)
    found = conflict(later, 1)
    assert found is not None and found.current == later
    assert found.line("Europe/Berlin") == "Changed by ben@example.org at 2025-03-04 13:00 since you opened it"


def test_history_reads_newest_first() -> None:
    history = [ReviewChange("ana", T0, "flagged: Other", 1), ReviewChange("ben", T1, "marked handled", 2)]
    assert history_lines(history, "UTC") == [
        "2025-03-04 12:00 · ben · marked handled",
        "2025-03-04 10:00 · ana · flagged: Other",
    ]


def test_notes_are_masked_for_masked_viewers_and_added_to_never_replaced() -> None:
    review = flag(note="Call back on 555-867-5309")
    assert shown_note(review, masked=True) == "Call back on [phone]"
    assert shown_note(review, masked=False) == "Call back on 555-867-5309"
    assert masked_note_added("old", " called back ") == "old\n\ncalled back"
    assert masked_note_added(None, "first") == "first"
    assert masked_note_added("old", "") == "old"


def test_who_is_the_email_else_the_typed_name_else_anonymous() -> None:
    assert who_reviews("Ana", "ana@example.org") == "ana@example.org"
    assert who_reviews("  Ana \n B ", None) == "Ana B"
    assert who_reviews("", None) == "anonymous"


def test_filters_counts_people_and_states() -> None:
    one, two, three = flag("call-1"), flag("call-2", "Other"), flag("call-3", NO_FLAG, "only a note")
    two = marked_handled(two, "cy", T1)
    old = marked_handled(flag("call-4"), "dan", T0 - timedelta(days=8))
    reviews = [one, two, three, old]
    assert filter_reviews(reviews, "open", []) == [one, three]
    assert filter_reviews(reviews, "all", ["Other"]) == [two]
    assert filter_reviews(reviews, "handled", []) == [two, old]
    assert counts_line(reviews, T1 + timedelta(days=1)) == "2 open · 1 handled in the last 7 days"
    assert open_flagged(reviews) == 1
    assert people(reviews) == ["ana", "Ben", "cy", "dan"]
    ids = pd.Series(["call-2", "call-9", "call-1"], index=[5, 6, 7])
    assert review_states(reviews, ids).tolist() == ["Handled", "", "Open"]
    assert bound_to_calls(reviews, {"call-1", "call-2"}.__contains__) == [one, two]


def test_the_review_table_joins_the_calls_and_masks_notes() -> None:
    calls = [make_call(createdAt="2025-03-01T15:30:00Z", disposition="Voicemail"), make_call()]
    df = build_frame(calls).df
    review = flag(calls[0]["id"], note="Jane asked us to call 555-867-5309 " + "again " * 30)
    stray = flag("not-loaded")
    table = review_table([review, stray], df, "America/New_York", masked=True)
    assert table.to_dict("records") == [
        {
            "Call time": pd.Timestamp("2025-03-01 10:30"),
            "Disposition": "Voicemail",
            "Reason": "Wrong information",
            "Note": "Jane asked us to call [phone] again again again again again again again again a…",
            "Flagged by": "ana",
            "Assigned to": "Ben",
            "State": "Open",
            "Last change": "2025-03-04 05:00 ana: flagged: Wrong information; note added; assigned to Ben",
            "id": calls[0]["id"],
        }
    ]


def test_suggested_calls_are_those_the_app_points_at_without_a_review() -> None:
    human = "AI: Hello.\nUser: I want to speak to a real person please."
    calls = [
        make_call(
            callerId="+15550001111", disposition="Do Not Call", createdAt="2025-03-01T10:00:00Z", direction="outbound"
        ),
        make_call(
            callerId="+15550001111", disposition="Voicemail", createdAt="2025-03-02T10:00:00Z", direction="outbound"
        ),
        make_call(disposition="Pipeline Error", createdAt="2025-03-03T10:00:00Z"),
        make_call(transcript=human, createdAt="2025-03-04T10:00:00Z"),
        make_call(transcript=human, createdAt="2025-03-05T10:00:00Z"),
        make_call(createdAt="2025-03-06T10:00:00Z"),
    ]
    df = build_frame(calls).df
    found = suggested(df, do_not_call_breaches(df), [calls[4]["id"]])
    assert df.loc[found.rows, "id"].tolist() == [calls[3]["id"], calls[2]["id"], calls[1]["id"]]
    assert found.why.tolist() == ["Asked for a human", "Pipeline Error", "Called after Do Not Call"]
