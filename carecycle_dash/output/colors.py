"""The house colours: one per disposition, the same in every chart (plotly or Vega) and every session,
and the single colours of the histogram-like charts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

from carecycle_dash.data.frame import NONE_LABEL
from carecycle_dash.data.metrics import OTHER_LABEL

HISTOGRAM_COLOR: Final = "#4393c3"
FUNNEL_COLOR: Final = "#2166ac"
# Known dispositions by meaning: reached and succeeded (greens, blues), nobody reached (greys),
# reached and declined (oranges), failed or broken (reds). Unknown ones take a hue none of these use.
_KNOWN_COLORS: Final = {
    "qualified": "#1b7837",
    "appointment scheduled": "#5aae61",
    "transferred": "#a6dba0",
    "identity verification succeeded": "#2166ac",
    "identity verified": "#4393c3",
    "message delivered": "#92c5de",
    "busy/no answer": "#969696",
    "voicemail": "#bdbdbd",
    "customer did not answer": "#737373",
    "no agents available": "#525252",
    "not interested": "#fdae61",
    "unqualified": "#e6ab02",
    "do not contact": "#e08214",
    "do not call": "#b35806",
    "identity verification failed": "#d6604d",
    "bad contact": "#f4a582",
    "disposition error": "#ef3b2c",
    "pipeline error": "#b2182b",
    "telephony block": "#67001f",
    NONE_LABEL: "#d9d9d9",
    OTHER_LABEL.casefold(): "#e0e0e0",
}
_UNKNOWN_PALETTE: Final = (
    "#8073ac",
    "#542788",
    "#35978f",
    "#01665e",
    "#8c510a",
    "#bf812d",
    "#c51b7d",
    "#de77ae",
    "#762a83",
    "#9970ab",
    "#80cdc1",
    "#dfc27d",
)


def disposition_colors(dispositions: Iterable[str]) -> dict[str, str]:
    """A colour per disposition, the same in every chart and session: known ones from a palette by meaning
    (matched ignoring case and surrounding space), others from a stable hash of the name."""
    colors = {}
    for name in dispositions:
        key = str(name).strip().casefold()
        if key in _KNOWN_COLORS:
            colors[name] = _KNOWN_COLORS[key]
        else:
            digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
            colors[name] = _UNKNOWN_PALETTE[int.from_bytes(digest[:4], "big") % len(_UNKNOWN_PALETTE)]
    return colors


def translucent(color: str, alpha: float = 0.35) -> str:
    """A "#rrggbb" colour as rgba, so a box's median line shows against its fill."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"
