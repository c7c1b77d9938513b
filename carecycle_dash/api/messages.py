"""Words for people about a load: what was mended, how long a limit is. One place, so every surface (the
page, the CLI) says the same thing the same way."""

from __future__ import annotations

from carecycle_dash.api.models import Repairs


def describe_repairs(repairs: Repairs) -> str:
    """One line for people: what the loader mended, or that nothing needed mending."""
    if not repairs.any:
        return "no repairs needed"
    parts = []
    if repairs.total_at_start != repairs.total_at_end:
        parts.append(f"total changed {repairs.total_at_start:,} → {repairs.total_at_end:,} while loading")
    if repairs.duplicates_dropped:
        parts.append(f"{repairs.duplicates_dropped:,} duplicates dropped")
    if repairs.calls_recovered:
        parts.append(f"{repairs.calls_recovered:,} shifted or new calls recovered")
    if repairs.calls_dropped_as_gone:
        parts.append(f"{repairs.calls_dropped_as_gone:,} vanished calls left out")
    if repairs.pages_refetched or repairs.extra_pages_fetched:
        parts.append(f"{repairs.pages_refetched + repairs.extra_pages_fetched:,} pages re-read")
    if repairs.full_refetch_rounds:
        parts.append(f"{repairs.full_refetch_rounds} full re-read(s)")
    return "repaired: " + ", ".join(parts)


def format_seconds(seconds: float) -> str:
    """A time limit as people write it: 0.5 s, 60 s, 110 s, 2.5 min, 5 min."""
    if seconds >= 120:
        return f"{seconds / 60:.1f}".removesuffix(".0") + " min"
    return f"{seconds:.3g} s"


def limit_in_words(seconds: float) -> str:
    """A time limit as people name it before a noun: a 5-minute limit (300 s), 90-second, 2-hour, 0.5-second."""
    for unit, name in ((3600, "hour"), (60, "minute")):
        if seconds >= unit and seconds % unit == 0:
            return f"{seconds / unit:g}-{name}"
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "-second"
