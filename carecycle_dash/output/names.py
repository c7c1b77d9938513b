"""How API strings appear in a figure: shortened for an axis or a hover, kept distinct, and escaped for
plotly (which reads a subset of HTML in labels, legends and hover text). Vega draws text as text, so it
takes the names unescaped (`distinct_names`)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Final

from carecycle_dash.text.safety import shorten

AXIS_LABEL_MAX: Final = 40
HOVER_LABEL_MAX: Final = 200


def display_names(labels: Sequence[str], limit: int = AXIS_LABEL_MAX) -> list[str]:
    """Labels as an axis or legend shows them: shortened with "…", kept distinct, HTML-escaped."""
    return [escape(name) for name in distinct_names(labels, limit)]


def distinct_names(labels: Sequence[str], limit: int = AXIS_LABEL_MAX) -> list[str]:
    """Labels shortened with "…" and kept distinct ("… (2)"), as typed: for a renderer that draws text as text."""
    seen: set[str] = set()
    names = []
    for label in labels:
        short = shorten(str(label), limit)
        name, n = short, 2
        while name in seen:
            name, n = f"{short} ({n})", n + 1
        seen.add(name)
        names.append(name)
    return names


def full_name(value: object, limit: int = HOVER_LABEL_MAX) -> str:
    """An API string as a hover or tooltip shows it in full: only capped in length, as typed."""
    return shorten(str(value), limit)


def hover_text(value: object, limit: int = HOVER_LABEL_MAX) -> str:
    """An API string as plotly hover text: capped in length, HTML-escaped so it shows as typed."""
    return escape(full_name(value, limit))


def escape(text: str) -> str:
    """&, < and > as entities: plotly then shows markup as typed. Quotes stay, since plotly would print
    &quot; literally and a quote outside a tag is harmless."""
    return html.escape(text, quote=False)
