"""Call reviews as people work with them: the reasons, the checks a review must pass, each change (save, mark
handled, reopen) as a new version with a line of history, the conflict when someone else changed it first,
and the Review page's table, filters, counts and suggestions.

Pure: no SQL (store/reviews.py keeps reviews and defines their shape), no Streamlit. Times are parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

import pandas as pd

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.masking import mask_text, mask_texts
from carecycle_dash.data.signals import signal_mask
from carecycle_dash.store.reviews import Review, ReviewChange
from carecycle_dash.text.safety import shorten

NO_FLAG: Final = "No flag"
REASONS: Final = (
    "Misunderstood the caller",
    "Wrong information",
    "Should have transferred",
    "Called after Do Not Call",
    "Audio or technical problem",
    "Other",
)
REASON_CHOICES: Final = (NO_FLAG, *REASONS)
MAX_NOTE_CHARS: Final = 2_000
MAX_NAME_CHARS: Final = 100
STATE_FILTERS: Final = ("open", "handled", "all")
DEFAULT_STATE: Final = "open"
RECENT: Final = timedelta(days=7)
NOTE_SHOWN_CHARS: Final = 80
ANONYMOUS: Final = "anonymous"
PIPELINE_ERROR: Final = "Pipeline Error"
STATE_LABELS: Final[dict[str, str]] = {"open": "Open", "handled": "Handled"}
TABLE_COLUMNS: Final = (
    "Call time",
    "Disposition",
    "Reason",
    "Note",
    "Flagged by",
    "Assigned to",
    "State",
    "Last change",
)


@dataclass(frozen=True)
class Conflict:
    """Someone changed the review after this person opened it: what is stored now, and who changed it when."""

    current: Review

    def line(self, tz: str) -> str:
        change = self.current.last_change
        return f"Changed by {change.who} at {_local(change.at, tz, '%Y-%m-%d %H:%M')} since you opened it"


def check_review_input(reason: str, note: str, call_id: str, is_loaded_call: Callable[[str], bool]) -> None:
    """One line (InvalidInputError) for the first thing wrong: a note over MAX_NOTE_CHARS, a reason not in
    the list, a call that is not among the loaded calls."""
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInputError(
            f"The note has {len(note):,} characters; a note holds at most {MAX_NOTE_CHARS:,}. Nothing was saved."
        )
    if reason not in REASON_CHOICES:
        raise InvalidInputError(f"The reason must be one of: {', '.join(REASON_CHOICES)}. Nothing was saved.")
    if not is_loaded_call(call_id):
        raise InvalidInputError("That call is not among this customer's loaded calls. Nothing was saved.")


def conflict(current: Review | None, opened_version: int) -> Conflict | None:
    """A Conflict when the stored review is no longer the version this person opened (0: none existed)."""
    if current is None or current.version == opened_version:
        return None
    return Conflict(current)


def saved(
    current: Review | None,
    *,
    host: str,
    customer: str,
    call_id: str,
    reason: str,
    note: str,
    assignee: str,
    who: str,
    now: datetime,
) -> Review | None:
    """The review after Save review, or None when nothing would change (then nothing is written).

    A new flag (a reason other than "No flag" that differs from the stored one) records who flagged it and
    when; the state is left as it was (a new review is open)."""
    assignee = assignee.strip()[:MAX_NAME_CHARS]
    if current is None:
        if reason == NO_FLAG and not note.strip() and not assignee:
            return None
        current = Review(host, customer, call_id, NO_FLAG, "", "", "open", None, None, None, None, _first(who, now))
    what = _what_changed(current, reason, note, assignee)
    if not what:
        return None
    flagged = reason != NO_FLAG and reason != current.reason
    return replace(
        current,
        reason=reason,
        note=note,
        assignee=assignee,
        flagged_by=who if flagged else None if reason == NO_FLAG else current.flagged_by,
        flagged_at=now if flagged else None if reason == NO_FLAG else current.flagged_at,
        last_change=_next(current, who, now, what),
    )


def marked_handled(current: Review, who: str, now: datetime) -> Review:
    return replace(
        current, state="handled", handled_by=who, handled_at=now, last_change=_next(current, who, now, "marked handled")
    )


def reopened(current: Review, who: str, now: datetime) -> Review:
    return replace(
        current, state="open", handled_by=None, handled_at=None, last_change=_next(current, who, now, "reopened")
    )


def _first(who: str, now: datetime) -> ReviewChange:
    return ReviewChange(who, now, "", 0)


def _next(current: Review, who: str, now: datetime, what: str) -> ReviewChange:
    return ReviewChange(who, now, what, current.version + 1)


def _what_changed(current: Review, reason: str, note: str, assignee: str) -> str:
    """What Save review changes, in words without the note's text."""
    parts = []
    if reason != current.reason:
        if reason == NO_FLAG:
            parts.append("flag removed")
        elif current.reason == NO_FLAG:
            parts.append(f"flagged: {reason}")
        else:
            parts.append(f"reason: {current.reason} → {reason}")
    if note != (current.note or ""):
        parts.append("note changed" if current.note else "note added")
    if assignee != current.assignee:
        parts.append(f"assigned to {assignee}" if assignee else "assignee cleared")
    return "; ".join(parts)


def status_line(review: Review, tz: str) -> str:
    """The line above a review: "Handled by WHO on DATE" when handled, "Flagged by WHO on DATE: REASON"
    when flagged, else who last changed it."""
    if review.state == "handled" and review.handled_at is not None:
        return f"Handled by {review.handled_by} on {_local(review.handled_at, tz, '%Y-%m-%d')}"
    if review.reason != NO_FLAG and review.flagged_at is not None:
        return f"Flagged by {review.flagged_by} on {_local(review.flagged_at, tz, '%Y-%m-%d')}: {review.reason}"
    change = review.last_change
    return f"Not flagged; last changed by {change.who} on {_local(change.at, tz, '%Y-%m-%d')}"


def history_lines(history: Sequence[ReviewChange], tz: str) -> list[str]:
    """The history as people read it, newest first: when, who, what."""
    return [f"{_local(change.at, tz, '%Y-%m-%d %H:%M')} · {change.who} · {change.what}" for change in reversed(history)]


def shown_note(review: Review, *, masked: bool) -> str:
    """The note as this viewer may read it (masked like transcripts); one line when it does not open."""
    if review.note is None:
        return "(This note cannot be read with the store's current secret; run store rekey.)"
    return mask_text(review.note) if masked else review.note


def masked_note_added(current_note: str | None, addition: str) -> str:
    """A masked viewer cannot see the note, so what they write is added below it (never replacing it)."""
    addition = addition.strip()
    if not current_note:
        return addition
    return f"{current_note}\n\n{addition}" if addition else current_note


def who_reviews(typed_name: str | None, signed_in: str | None) -> str:
    """Who a change is recorded under: the signed-in e-mail, else the name typed in the sidebar, else
    "anonymous"."""
    if signed_in:
        return signed_in
    name = " ".join((typed_name or "").split())[:MAX_NAME_CHARS]
    return name or ANONYMOUS


def bound_to_calls(reviews: Iterable[Review], is_loaded_call: Callable[[str], bool]) -> list[Review]:
    """The reviews of calls this session's key loaded: no other review is shown."""
    return [review for review in reviews if is_loaded_call(review.call_id)]


def filter_reviews(reviews: Iterable[Review], state: str, reasons: Sequence[str]) -> list[Review]:
    """The reviews in this state (`all`: any) with one of these reasons (none: any)."""
    return [
        review
        for review in reviews
        if (state == "all" or review.state == state) and (not reasons or review.reason in reasons)
    ]


def counts_line(reviews: Iterable[Review], now: datetime) -> str:
    """The Review page's "N open · M handled in the last 7 days"."""
    reviews = list(reviews)
    open_ = sum(review.state == "open" for review in reviews)
    recent = sum(
        review.state == "handled" and review.handled_at is not None and now - review.handled_at <= RECENT
        for review in reviews
    )
    return f"{open_:,} open · {recent:,} handled in the last 7 days"


def open_flagged(reviews: Iterable[Review]) -> int:
    """How many flagged calls are still open: the Overview's "N flagged calls open"."""
    return sum(review.state == "open" and review.reason != NO_FLAG for review in reviews)


def people(reviews: Iterable[Review]) -> list[str]:
    """Everyone who has flagged, handled or been assigned a review, for the Assign to suggestions."""
    names = {name for r in reviews for name in (r.flagged_by, r.handled_by, r.assignee, r.last_change.who) if name}
    return sorted(names - {ANONYMOUS}, key=str.casefold)


def review_states(reviews: Iterable[Review], call_ids: pd.Series) -> pd.Series:
    """The Calls table's Review column for these call ids: "Open", "Handled" or empty; same index."""
    states = {review.call_id: STATE_LABELS[review.state] for review in reviews}
    if not states:
        return pd.Series("", index=call_ids.index, dtype="str")
    return call_ids.map(states).fillna("").astype("str")


def review_table(reviews: Sequence[Review], calls: pd.DataFrame, tz: str, *, masked: bool) -> pd.DataFrame:
    """One row per review (in the order given): the call's time and disposition, the reason, the note
    shortened (masked for a masked viewer), who flagged it, the assignee, the state and the last change;
    `id` holds the call's ID for opening it. Reviews of calls not in `calls` are left out."""
    rows = pd.Index(calls["id"].astype("str")).get_indexer([review.call_id for review in reviews])
    kept = [review for review, row in zip(reviews, rows, strict=True) if row >= 0]
    at = rows[rows >= 0]
    notes = pd.Series([review.note or "" for review in kept], dtype="str")
    if masked and len(notes):
        notes = mask_texts(notes)
    changes = [review.last_change for review in kept]
    changed_at = pd.Series(pd.to_datetime([change.at for change in changes], utc=True), dtype="datetime64[us, UTC]")
    who_what = pd.Series([f" {change.who}: {change.what}" for change in changes], dtype="str")
    return pd.DataFrame(
        {
            "Call time": calls["createdAt"].iloc[at].dt.tz_convert(tz).dt.tz_localize(None).reset_index(drop=True),
            "Disposition": calls["disposition"].iloc[at].reset_index(drop=True).astype("str"),
            "Reason": pd.Series([review.reason for review in kept], dtype="str"),
            "Note": notes.str.split().str.join(" ").map(lambda text: shorten(text, NOTE_SHOWN_CHARS)).astype("str"),
            "Flagged by": pd.Series([review.flagged_by or "" for review in kept], dtype="str"),
            "Assigned to": pd.Series([review.assignee for review in kept], dtype="str"),
            "State": pd.Series([STATE_LABELS[review.state] for review in kept], dtype="str"),
            "Last change": (changed_at.dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M") + who_what).astype("str"),
            "id": pd.Series([review.call_id for review in kept], dtype="str"),
        }
    )


@dataclass(frozen=True)
class Suggested:
    """Calls the app already points at that have no review: their rows in the calls frame (newest first)
    and why each is suggested."""

    rows: pd.Index
    why: pd.Series


def suggested(filtered: pd.DataFrame, breaches: pd.DataFrame, reviewed: Iterable[str]) -> Suggested:
    """Among the calls in the period (`filtered`): called after Do Not Call (`breaches`, from
    data/callers.py's do_not_call_breaches), asked for a human, or a Pipeline Error; without a review."""
    why = pd.Series("", index=filtered.index, dtype="str")
    reasons = (
        (filtered["disposition"].eq(PIPELINE_ERROR).fillna(False).to_numpy(dtype=bool), PIPELINE_ERROR),
        (signal_mask(filtered, ["askedForHuman"]), "Asked for a human"),
        (filtered.index.isin(breaches["row"].to_numpy()), "Called after Do Not Call"),
    )
    for hit, label in reasons:
        why[hit] = label
    unreviewed = ~filtered["id"].astype("str").isin(set(reviewed)).to_numpy(dtype=bool)
    pointed = why.ne("").to_numpy(dtype=bool) & unreviewed
    chosen = filtered.loc[pointed, ["createdAt"]].sort_values("createdAt", ascending=False, kind="stable")
    return Suggested(chosen.index, why.loc[chosen.index])


def _local(at: datetime, tz: str, pattern: str) -> str:
    return pd.Timestamp(at).tz_convert(tz).strftime(pattern)


def as_state(given: str | None) -> tuple[str, str | None]:
    """The `state=` value to apply and a one-line warning when the address asks for one that does not exist."""
    if given is None or given == "":
        return DEFAULT_STATE, None
    if given in STATE_FILTERS:
        return given, None
    return DEFAULT_STATE, f"The link's state is not one of {', '.join(STATE_FILTERS)}; showing open reviews."


def as_reasons(given: Sequence[str]) -> tuple[list[str], str | None]:
    """The `reason=` values that name a reason, and a one-line warning when some name none."""
    known = [reason for reason in dict.fromkeys(given) if reason in REASON_CHOICES]
    if len(known) < len(set(given)):
        return known, f"The link names a reason that is not one of: {', '.join(REASON_CHOICES)}; it is left out."
    return known, None
