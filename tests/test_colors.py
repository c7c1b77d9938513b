"""Each disposition's colour: by meaning for known ones, by a stable hash for others."""

from __future__ import annotations

import re

from carecycle_dash.api.contract import KNOWN_DISPOSITIONS
from carecycle_dash.data.frame import NONE_LABEL
from carecycle_dash.output.colors import disposition_colors, translucent

HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")


def test_disposition_colors_are_stable_and_semantic() -> None:
    colors = disposition_colors([*KNOWN_DISPOSITIONS, NONE_LABEL, "Brand New Outcome"])
    assert all(HEX_COLOR.match(c) for c in colors.values())
    assert len({colors[d] for d in KNOWN_DISPOSITIONS}) == len(KNOWN_DISPOSITIONS)
    greens_and_blues = {"#1b7837", "#5aae61", "#a6dba0", "#2166ac", "#4393c3", "#92c5de"}
    assert colors["Qualified"] in greens_and_blues and colors["Appointment Scheduled"] in greens_and_blues
    assert colors["Voicemail"] in {"#969696", "#bdbdbd", "#737373", "#525252"}
    assert colors["Pipeline Error"] in {"#b2182b", "#67001f", "#ef3b2c", "#d6604d", "#f4a582"}
    assert disposition_colors(["Brand New Outcome"]) == {"Brand New Outcome": colors["Brand New Outcome"]}
    assert disposition_colors([" voicemail "])[" voicemail "] == colors["Voicemail"]


def test_unknown_disposition_colour_is_the_same_in_every_process() -> None:
    # Pinned: a hash that changed between sessions (like Python's hash()) would break this.
    assert disposition_colors(["Brand New Outcome"]) == {"Brand New Outcome": "#c51b7d"}


def test_a_translucent_colour_keeps_its_hue() -> None:
    assert translucent("#1b7837") == "rgba(27, 120, 55, 0.35)"
