"""The demo data: deterministic, shaped like the contract, and realistic enough to believe."""

from __future__ import annotations

import json
import statistics
import uuid
from collections import Counter
from datetime import datetime, timedelta

import pytest

from carecycle_dash.api.contract import (
    CALL_FIELDS,
    KNOWN_DISPOSITIONS,
    URL_FIELDS,
    is_valid_customer_id,
)
from carecycle_dash.simulator import DEFAULT_DEMO_CUSTOMER_ID, DEMO_CUSTOMER_SIZES, DEMO_CUSTOMERS, generate_calls
from carecycle_dash.simulator.calls import generate_newer_calls
from carecycle_dash.simulator.edge import EDGE_CALL_COUNT, generate_edge_calls
from tests.support.shapes import call_problems

SEED = 20261128


@pytest.fixture(scope="module")
def standard() -> list[dict]:
    return generate_calls(DEFAULT_DEMO_CUSTOMER_ID, DEMO_CUSTOMER_SIZES["standard"], SEED)


@pytest.fixture(scope="module")
def edge() -> list[dict]:
    return generate_edge_calls(DEMO_CUSTOMERS["edge"], SEED)


def _local(call: dict) -> datetime:
    moment = datetime.fromisoformat(call["createdAt"].replace("Z", "+00:00"))
    offset = -5 if moment.date() >= datetime(2026, 11, 1).date() else -4
    return moment + timedelta(hours=offset)


def test_same_seed_gives_the_same_bytes() -> None:
    first = generate_calls(DEMO_CUSTOMERS["small"], 43, SEED)
    second = generate_calls(DEMO_CUSTOMERS["small"], 43, SEED)
    assert json.dumps(first).encode() == json.dumps(second).encode()


def test_another_seed_or_customer_gives_other_calls() -> None:
    base = generate_calls(DEMO_CUSTOMERS["small"], 20, SEED)
    assert generate_calls(DEMO_CUSTOMERS["small"], 20, SEED + 1) != base
    assert generate_calls(DEMO_CUSTOMERS["standard"], 20, SEED) != base


def test_base_url_makes_recording_urls_absolute() -> None:
    calls = generate_calls(DEMO_CUSTOMERS["small"], 43, SEED, base_url="http://127.0.0.1:9")
    urls = [call[name] for call in calls for name in URL_FIELDS if call[name]]
    assert urls
    assert all(url.startswith("http://127.0.0.1:9/recordings/") and url.endswith(".wav") for url in urls)


def test_demo_customers_have_distinct_valid_v4_ids_and_the_promised_sizes() -> None:
    ids = list(DEMO_CUSTOMERS.values())
    assert len(set(ids)) == len(ids) == 5
    assert all(is_valid_customer_id(i) and uuid.UUID(i).version == 4 for i in ids)
    assert DEMO_CUSTOMER_SIZES["empty"] == 0
    assert 30 <= DEMO_CUSTOMER_SIZES["small"] <= 50
    assert 2000 <= DEMO_CUSTOMER_SIZES["standard"] <= 3000
    assert DEMO_CUSTOMER_SIZES["large"] == 100_000


def test_every_call_has_every_field_with_the_contract_type(standard: list[dict]) -> None:
    problems = [p for call in standard for p in call_problems(call)]
    assert problems == []
    assert all(tuple(call) == CALL_FIELDS for call in standard)


def test_ids_are_unique_v4_uuids_and_calls_come_oldest_first(standard: list[dict]) -> None:
    ids = [call["id"] for call in standard]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 4 and str(uuid.UUID(i)) == i for i in ids)
    created = [call["createdAt"] for call in standard]
    assert created == sorted(created)


def test_created_at_spans_months_in_business_hours_on_weekdays(standard: list[dict]) -> None:
    for call in standard:
        assert call["createdAt"].endswith("Z")
        datetime.fromisoformat(call["createdAt"].replace("Z", "+00:00"))
    local = [_local(call) for call in standard]
    assert (max(local) - min(local)).days >= 150
    weekday_share = sum(moment.weekday() < 5 for moment in local) / len(local)
    business_share = sum(8 <= moment.hour < 18 for moment in local) / len(local)
    assert weekday_share > 0.85
    assert business_share > 0.85
    months = Counter(moment.month for moment in local)
    assert months[11] > months[6], "volume grows as the customer ramps up"


def test_dispositions_are_varied_and_mostly_known(standard: list[dict]) -> None:
    counts = Counter(call["disposition"] for call in standard)
    assert len(counts) >= 15
    assert counts.most_common(1)[0][1] / len(standard) < 0.3
    known = sum(n for d, n in counts.items() if d in KNOWN_DISPOSITIONS)
    assert 0.95 < known / len(standard) < 1, "mostly the portal's dispositions, and a few others"
    assert None in counts


def test_durations_fit_the_disposition(standard: list[dict]) -> None:
    by_disposition: dict[str, list[int]] = {}
    for call in standard:
        by_disposition.setdefault(call["disposition"], []).append(call["durationMs"])
    median = {name: statistics.median(values) for name, values in by_disposition.items()}
    assert median["Voicemail"] < median["Appointment Scheduled"] < median["Qualified"]
    assert median["Busy/No Answer"] < 10_000
    assert set(by_disposition["Telephony Block"]) == {0}
    assert all(value >= 0 for values in by_disposition.values() for value in values)


def test_transcripts_are_turns_of_ai_and_user(standard: list[dict]) -> None:
    transcripts = [call["transcript"] for call in standard if call["transcript"]]
    assert len(transcripts) > len(standard) * 0.7
    speakers = {line.split(":", 1)[0] for text in transcripts for line in text.splitlines()}
    assert speakers == {"AI", "User"}  # the speakers the vendor's example transcript uses
    booked = next(c for c in standard if c["disposition"] == "Appointment Scheduled" and c["direction"] == "outbound")
    assert "booked" in booked["transcript"]
    assert "booked" in booked["summary"] or "appointment" in booked["summary"].lower()


def test_success_evaluation_comes_in_all_its_forms(standard: list[dict]) -> None:
    values = Counter(call["successEvaluation"] for call in standard)
    assert values["true"] + values["false"] > len(standard) * 0.4
    assert any(v and v.isdigit() for v in values), "a numeric score"
    assert any(v and v.endswith("%") for v in values), "a percentage"
    assert {"Excellent", "Good"} & set(values), "a word"
    assert "" in values
    assert None in values


def test_calls_cover_tests_directions_campaigns_assistants_sources_and_nulls(standard: list[dict]) -> None:
    def distinct(name: str) -> set:
        return {call[name] for call in standard}

    assert distinct("direction") == {"inbound", "outbound"}
    assert True in distinct("testFlag")
    assert True in distinct("isTestNumber")
    assert len(distinct("campaignId") - {None}) >= 4
    assert len(distinct("assistantType") - {None}) >= 4
    assert len(distinct("sourceName") - {None}) >= 4
    assert "vapi" in distinct("service") and len(distinct("service")) > 1
    for name in ("campaignId", "summary", "transcript", "recordingUrl", "successEvaluation", "sourceName"):
        assert None in distinct(name), f"{name} is sometimes null"


def test_newer_calls_follow_the_newest_call() -> None:
    newest = "2026-11-27T22:00:00.000Z"
    calls = generate_newer_calls(DEMO_CUSTOMERS["small"], 5, SEED, after=newest, batch=1)
    assert len(calls) == 5
    assert all(call["createdAt"] > newest for call in calls)
    again = generate_newer_calls(DEMO_CUSTOMERS["small"], 5, SEED, after=newest, batch=2)
    assert {c["id"] for c in calls}.isdisjoint(c["id"] for c in again)


def test_edge_calls_carry_every_kind_of_hostile_value(edge: list[dict]) -> None:
    text = json.dumps(edge, ensure_ascii=False)
    for marker in ("<script>", "**Bold", "javascript:", "data:text/html", "\u202e", "👩", "مرحبا", "__proto__"):
        assert marker in text, marker
    cells = [v for call in edge for v in call.values() if isinstance(v, str)]
    for first in ("=", "+", "-", "@", "\t", "\r"):
        assert any(cell.startswith(first) for cell in cells), f"a cell starting with {first!r}"
    assert any(call.get("durationMs") is not None and call["durationMs"] < 0 for call in edge)
    assert any(call.get("createdAt") == "not a date" for call in edge)
    assert any(set(call) < set(CALL_FIELDS) for call in edge), "missing fields"
    assert any(set(call) - set(CALL_FIELDS) for call in edge), "unknown fields"
    for name in CALL_FIELDS:
        if name != "id":
            assert any(name in call and call[name] is None for call in edge), f"{name} is null somewhere"
    forms = {call.get("successEvaluation") for call in edge}
    assert {"TRUE", "False", "7", "85%", "Excellent", ""} <= forms


def test_edge_calls_keep_unique_ids_and_loose_contract_types(edge: list[dict]) -> None:
    ids = [call["id"] for call in edge]
    assert len(set(ids)) == len(ids) == EDGE_CALL_COUNT
    assert [p for call in edge for p in call_problems(call, strict=False)] == []
