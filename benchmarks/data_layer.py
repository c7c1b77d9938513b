"""Times the data layer and the charts at 2,500 and 100,000 calls and prints one table.

Calls come from the simulator when it is in the tree (`carecycle_dash.simulator.generate_calls`), else
from a local generator of the same shape. Each step is timed as the best of a few runs.

    .venv/bin/python benchmarks/data_layer.py [--sizes 2500 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carecycle_dash.api.contract import KNOWN_DISPOSITIONS, NOT_CONNECTED_DISPOSITIONS
from carecycle_dash.data import callers, metrics
from carecycle_dash.data.filters import CallFilters, apply_filters, filter_options
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.patterns import hour_of_week, outcome_funnel
from carecycle_dash.data.signals import transcript_signals
from carecycle_dash.output import charts, heatmap, time_charts

CUSTOMER_ID = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
PHRASES = (
    "hello this is the care team calling about your medicare advantage plan appointment on tuesday with "
    "doctor pharmacy refill benefits coverage deductible copay verify date of birth address thank you "
    "could you confirm when would be a good time yes no maybe later please call back I understand"
)
WORDS = PHRASES.split()


def synthetic_calls(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """API-shaped calls with realistic sizes: transcripts of 10 to 60 turns, a summary, three URLs."""
    rng = random.Random(seed)
    campaigns = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(12)]
    weights = [rng.random() ** 2 + 0.02 for _ in KNOWN_DISPOSITIONS]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    evaluations = ["true", "false", "true", "7", "85%", "Excellent", "", None]
    calls = []
    for _ in range(n):
        disposition = rng.choices(KNOWN_DISPOSITIONS, weights)[0]
        reached = disposition not in NOT_CONNECTED_DISPOSITIONS
        turns = rng.randint(10, 60) if reached else rng.randint(1, 4)
        transcript = "\n".join(
            ("AI: " if t % 2 == 0 else "User: ") + " ".join(rng.choices(WORDS, k=rng.randint(4, 18)))
            for t in range(turns)
        )
        call_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        calls.append(
            {
                "id": call_id,
                "campaignId": rng.choice(campaigns),
                "disposition": disposition,
                "callerId": f"+1555{rng.randint(0, 9_999_999):07d}",
                "twilioSid": f"CA{rng.getrandbits(128):032x}",
                "service": "vapi",
                "testFlag": rng.random() < 0.03,
                "direction": "inbound" if rng.random() < 0.3 else "outbound",
                "recordingUrl": f"https://storage.example.com/{call_id}/mono.wav",
                "recordingId": call_id[:8],
                "stereoRecordingUrl": f"https://storage.example.com/{call_id}/stereo.wav",
                "assistantType": rng.choice(["outreach", "verification", "scheduler", None]),
                "successEvaluation": rng.choice(evaluations),
                "summary": " ".join(rng.choices(WORDS, k=rng.randint(15, 40))),
                "transcript": transcript,
                "durationMs": rng.randint(60_000, 600_000) if reached else rng.randint(0, 40_000),
                "createdAt": (start + timedelta(seconds=rng.randint(0, 180 * 86400)))
                .isoformat()
                .replace("+00:00", "Z"),
                "mainRecordingUrl": f"https://storage.example.com/{call_id}/main.wav",
                "isTestNumber": rng.random() < 0.01,
                "sourceName": rng.choice(["CRM import", "Web form", "Referral"]),
            }
        )
    return calls


def make_calls(n: int, source: str) -> tuple[list[dict[str, Any]], str]:
    """Calls as the loader hands them over: decoded from JSON, so laid out in memory as in the app."""
    try:
        from carecycle_dash.simulator import generate_calls
    except ImportError:
        source = "local"
    if source == "simulator":
        calls, name = generate_calls(CUSTOMER_ID, n, 7, base_url="http://127.0.0.1:8787"), "simulator"
    else:
        calls, name = synthetic_calls(n), "local generator (long transcripts)"
    return json.loads(json.dumps(calls)), name


def best_of(repeat: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def steps(calls: list[dict[str, Any]]) -> list[tuple[str, Callable[[], object]]]:
    df = build_frame(calls).df
    options = filter_options(df)
    first = options.first_day or date(2025, 1, 1)
    top = options.dispositions[:3]
    return [
        ("build_frame", lambda: build_frame(calls)),
        ("apply_filters: none, keep_text=False", lambda: apply_filters(df, CallFilters(), keep_text=False)),
        ("filter_options", lambda: filter_options(df, "America/New_York")),
        ("apply_filters: none (drop tests)", lambda: apply_filters(df, CallFilters())),
        (
            "apply_filters: date range (tz)",
            lambda: apply_filters(df, CallFilters(start=first, end=first + timedelta(days=30), tz="Europe/Berlin")),
        ),
        ("apply_filters: 3 dispositions", lambda: apply_filters(df, CallFilters(dispositions=top))),
        ("apply_filters: direction", lambda: apply_filters(df, CallFilters(directions=("inbound",)))),
        ("apply_filters: campaign", lambda: apply_filters(df, CallFilters(campaigns=options.campaigns[:1]))),
        (
            "apply_filters: assistant type",
            lambda: apply_filters(df, CallFilters(assistant_types=options.assistant_types[:1])),
        ),
        ("apply_filters: text, common word", lambda: apply_filters(df, CallFilters(text="Medicare"))),
        ("apply_filters: text, no match", lambda: apply_filters(df, CallFilters(text="zebra crossing"))),
        ("apply_filters: text, non-ASCII", lambda: apply_filters(df, CallFilters(text="Größe café"))),
        (
            "apply_filters: everything",
            lambda: apply_filters(
                df,
                CallFilters(
                    start=first,
                    end=first + timedelta(days=90),
                    dispositions=top,
                    directions=("outbound",),
                    text="appointment",
                    include_tests=True,
                ),
            ),
        ),
        ("normalise_numbers (callers)", lambda: callers.normalise_numbers(df["callerId"])),
        ("transcript_signals", lambda: transcript_signals(df["transcript"], df["connected"])),
        ("caller_table", lambda: callers.caller_table(df)),
        ("caller_figures", lambda: callers.caller_figures(df)),
        ("do_not_call_breaches", lambda: callers.do_not_call_breaches(df)),
        ("dialled_too_often", lambda: callers.dialled_too_often(df)),
        ("callers + signals + breaches, all of it", lambda: people_and_signals(df)),
        ("overview_figures", lambda: metrics.overview_figures(df)),
        ("disposition_breakdown", lambda: metrics.disposition_breakdown(df)),
        ("duration_by_disposition", lambda: metrics.duration_by_disposition(df)),
        ("talk_time_distribution", lambda: metrics.talk_time_distribution(df)),
        ("calls_per_day (tz)", lambda: metrics.calls_per_day(df, "America/New_York")),
        ("disposition_chart", lambda: charts.disposition_chart(df)),
        ("duration_histogram", lambda: charts.duration_histogram(df)),
        ("duration_by_disposition_chart", lambda: charts.duration_by_disposition_chart(df)),
        ("calls_over_time_chart (tz)", lambda: time_charts.calls_over_time_chart(df, "America/New_York")),
        ("hour_of_week (tz)", lambda: hour_of_week(df, "America/New_York")),
        ("outcome_funnel", lambda: outcome_funnel(df)),
        (
            "hour_of_week_chart (tz)",
            lambda: heatmap.hour_of_week_chart(hour_of_week(df, "America/New_York"), "calls", "America/New_York"),
        ),
        ("outcome_funnel_chart", lambda: charts.outcome_funnel_chart(df)),
    ]


def people_and_signals(df: Any) -> None:
    """What issue 10 adds per loaded dataset and per Callers page: target under 1 s at 100,000 calls."""
    callers.normalise_numbers(df["callerId"])
    transcript_signals(df["transcript"], df["connected"])
    callers.caller_table(df)
    callers.caller_figures(df)
    callers.do_not_call_breaches(df)
    callers.dialled_too_often(df)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", choices=["simulator", "local"], default="simulator")
    args = parser.parse_args(argv)

    results: dict[str, dict[int, float]] = {}
    for n in args.sizes:
        calls, source = make_calls(n, args.source)
        text_mb = sum(len(c.get("transcript") or "") + len(c.get("summary") or "") for c in calls) / 1e6
        print(f"{n:,} calls from the {source}; {text_mb:.0f} MB of transcript and summary text", file=sys.stderr)
        results.setdefault("build_frame, first run in the process", {})[n] = best_of(
            1, lambda calls=calls: build_frame(calls)
        )
        for name, step in steps(calls):
            results.setdefault(name, {})[n] = best_of(args.repeat, step)

    width = max(len(name) for name in results)
    print(f"| {'step':<{width}} | " + " | ".join(f"{n:>9,} calls" for n in args.sizes) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * 17 for _ in args.sizes) + "|")
    for name, by_size in results.items():
        cells = " | ".join(f"{by_size[n] * 1000:>12.1f} ms" for n in args.sizes)
        print(f"| {name:<{width}} | {cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
