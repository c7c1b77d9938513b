"""The frame keeps every call as sent (data/sent.py), the store keeps the frame (data/kept.py), and a reload of
calls held as a frame costs only the pages it reads and merges to the frame it would build."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.full_load import load_all_calls
from carecycle_dash.api.models import LoadResult
from carecycle_dash.api.reload import JoinedCalls, reload_calls
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.kept import FRAME_VERSION, frame_table, merged_frame, opened, snapshot_of, table_frame
from carecycle_dash.data.masking import MaskedCalls, mask_frame
from carecycle_dash.data.sent import FrameCalls
from carecycle_dash.store import codec
from tests.factories import hostile_calls, make_call
from tests.support.clock import FakeClock
from tests.support.fake_api import API_KEY, BASE_URL, CUSTOMER_ID, FakeCallsApi

NEWEST = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LOADED_AT = datetime(2026, 11, 27, 12, 5, tzinfo=UTC)


def exact(calls: Any) -> str:
    """Calls as JSON with their field order, NaN and huge integers: equal only when sent alike."""
    return json.dumps(list(calls), ensure_ascii=True)


def newest_first(count: int) -> list[dict[str, Any]]:
    return [
        make_call(i, createdAt=(NEWEST - i * timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        for i in range(count)
    ]


def client_for(api: FakeCallsApi) -> CallsClient:
    clock = FakeClock()
    retry = RetryPolicy(attempts=3, jitter=lambda cap: cap, sleep=clock.sleep, clock=clock.clock)
    return CallsClient(API_KEY, BASE_URL, transport=httpx.MockTransport(api), retry=retry)


def test_the_frame_gives_back_hostile_calls_exactly_as_sent() -> None:
    calls = [
        *hostile_calls(),
        {"createdAt": "2026-01-01T00:00:00Z", "id": "reordered", "big": 2**80, "nan": float("nan")},
        {"id": "bare"},
    ]
    frame = build_frame(calls)
    sent = FrameCalls(frame)
    assert len(sent) == len(calls)
    assert exact(sent) == exact(calls)
    assert exact(sent.take([3, 0])) == exact([calls[3], calls[0]])
    assert [list(call) for call in sent] == [list(call) for call in calls]  # field order as sent
    assert sent[-1] == {"id": "bare"} and list(sent[1:3]) == calls[1:3]


def test_usual_calls_cost_no_note_only_the_created_at_text() -> None:
    frame = build_frame(newest_first(3))
    assert frame.sent is not None
    assert frame.sent.table["extras"].to_pylist() == [None, None, None]
    assert frame.sent.table["createdAt"].to_pylist() == [
        "2026-11-27T12:00:00.000Z",
        "2026-11-27T11:30:00.000Z",
        "2026-11-27T11:00:00.000Z",
    ]


def test_a_stored_frame_reads_back_with_the_same_values_dtypes_and_counts() -> None:
    calls = hostile_calls()
    frame = build_frame(calls)
    back = table_frame(frame_table(frame))
    pd.testing.assert_frame_equal(back.df, frame.df, check_dtype=True)
    assert back.cleaned == frame.cleaned
    assert exact(FrameCalls(back)) == exact(calls)


def test_a_snapshot_round_trips_through_the_codec() -> None:
    calls = hostile_calls()
    since = NEWEST - timedelta(days=2)
    result = LoadResult(calls=calls, items_total=20, pages=1, since=since, api_items_total=25, how="since")
    snapshot = codec.decode(codec.encode(snapshot_of(result, build_frame(calls), LOADED_AT)))
    back, frame = opened(snapshot)
    assert (back.items_total, back.api_items_total, back.since, back.how) == (20, 25, since, "since")
    assert snapshot.loaded_at == LOADED_AT and snapshot.calls == len(calls)
    assert exact(back.calls) == exact(calls)
    assert isinstance(back.calls, FrameCalls) and back.calls.frame is frame


def test_a_frame_of_another_version_or_shape_is_refused() -> None:
    table = frame_table(build_frame(newest_first(2)))
    about = json.loads(table.schema.metadata[b"carecycle"])
    other = table.replace_schema_metadata({b"carecycle": json.dumps({**about, "version": FRAME_VERSION + 1})})
    with pytest.raises(ValueError, match="frame version"):
        table_frame(other)
    with pytest.raises(ValueError, match="other columns"):
        table_frame(table.drop_columns(["turns"]))


def test_an_old_format_entry_is_unreadable() -> None:
    with pytest.raises(codec.UnreadablePayload, match="format 1"):
        codec.decode(b"\x01" + bytes(20))


def test_a_reload_of_calls_held_as_a_frame_reads_only_the_newest_pages_and_merges_exactly() -> None:
    api = FakeCallsApi(newest_first(1000))
    full = load_all_calls(client_for(api), CUSTOMER_ID)
    base = build_frame(full.calls)
    previous = LoadResult(**{**full.__dict__, "calls": FrameCalls(base)})
    api.calls[:0] = [
        make_call(5000 + i, createdAt=(NEWEST + timedelta(minutes=60 - i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        for i in range(60)
    ]
    api.calls[70] = {**api.calls[70], "summary": "evaluated late"}
    api.requests.clear()
    result = reload_calls(client_for(api), CUSTOMER_ID, previous)
    assert sorted(api.page_requests()) == [1, 2]
    assert isinstance(result.calls, JoinedCalls) and result.calls.tail.frame is base  # type: ignore[attr-defined]
    assert exact(result.calls) == exact(api.calls)
    merged = merged_frame(result, base)
    pd.testing.assert_frame_equal(merged.df, build_frame(api.calls).df, check_dtype=True)
    assert merged.cleaned == build_frame(api.calls).cleaned
    assert exact(FrameCalls(merged)) == exact(api.calls)


def test_joined_calls_index_and_slice_like_a_list() -> None:
    calls = newest_first(6)
    joined = JoinedCalls(calls[:2], FrameCalls(build_frame(calls[2:])))
    assert len(joined) == 6 and joined[-1] == calls[-1] and joined[2] == calls[2]
    assert list(joined[1:4]) == calls[1:4] and list(joined[:1]) == calls[:1] and list(joined) == calls
    with pytest.raises(IndexError):
        joined[6]


def test_masked_calls_over_the_frame_are_those_over_the_dicts() -> None:
    calls = hostile_calls()
    frame = build_frame(calls)
    masked = mask_frame(frame).df
    rows = list(np.arange(len(calls))[::-1])
    over_frame = MaskedCalls(FrameCalls(frame), masked).take(rows)
    assert exact(over_frame) == exact(MaskedCalls(calls, masked).take(rows))
