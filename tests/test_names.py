"""API strings as a figure shows them: shortened, kept distinct, escaped for plotly."""

from __future__ import annotations

from carecycle_dash.output.names import AXIS_LABEL_MAX, display_names, distinct_names, full_name, hover_text


def test_long_labels_are_shortened_but_kept_apart() -> None:
    names = display_names(["A" * 60 + "1", "A" * 60 + "2", "<b>"])
    assert len(set(names)) == 3
    assert names[0].endswith("…") and len(names[0]) == AXIS_LABEL_MAX
    assert names[2] == "&lt;b&gt;"


def test_vega_names_stay_as_typed_and_hover_text_is_only_capped() -> None:
    assert distinct_names(["<b>", "<b>"]) == ["<b>", "<b> (2)"]
    assert full_name("x" * 300) == "x" * 199 + "…"
    assert hover_text("<i>" + "x" * 300) == "&lt;i&gt;" + "x" * 196 + "…"
