"""The Overview's first-tab Vega-Lite specs: the same numbers as the plotly figures, API strings as typed
(Vega draws text as text), the exact disposition behind every bar for a click, and JSON-ready values."""

import json
from itertools import pairwise

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.patterns import FUNNEL_STAGES
from carecycle_dash.output import vega
from carecycle_dash.output.colors import FUNNEL_COLOR, disposition_colors
from carecycle_dash.output.names import AXIS_LABEL_MAX, HOVER_LABEL_MAX
from tests.factories import make_call
from tests.test_charts import sample_frame


def rows(spec: vega.Spec) -> list[dict[str, object]]:
    return spec["data"]["values"]


def test_disposition_bars_are_sorted_coloured_and_labelled_with_count_and_share() -> None:
    spec = vega.disposition_spec(sample_frame())
    assert spec["title"]["text"] == "Calls by disposition"
    assert [(r["name"], r["calls"], r["label"]) for r in rows(spec)] == [
        ("Qualified", 14, "14 (50.0%)"),
        ("Transferred", 7, "7 (25.0%)"),
        ("Voicemail", 7, "7 (25.0%)"),
    ]
    assert spec["encoding"]["y"]["sort"] is None  # drawn in the rows' order, most first
    bars, labels = spec["layer"]
    color = bars["encoding"]["color"]["scale"]
    assert color["domain"] == ["Qualified", "Transferred", "Voicemail"]
    assert color["range"] == [disposition_colors(["Qualified", "Transferred", "Voicemail"])[d] for d in color["domain"]]
    assert labels["mark"]["type"] == "text" and labels["encoding"]["text"]["field"] == "label"
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 14 * vega.LABEL_ROOM]  # room for the longest label


def test_a_click_selects_the_exact_disposition_even_when_it_is_hostile_or_long() -> None:
    long_name = "<b>" + "x" * 300
    hostile = '<img src=x onerror="alert(1)">'
    df = build_frame([make_call(disposition=hostile), make_call(disposition=long_name), make_call(disposition=" ")]).df
    spec = vega.disposition_spec(df)
    [select] = spec["layer"][0]["params"]
    assert select == {"name": vega.PICK, "select": {"type": "point", "fields": [vega.PICKED_FIELD], "on": "click"}}
    by_value = {r[vega.PICKED_FIELD]: r for r in rows(spec)}
    assert set(by_value) == {hostile, long_name, "(none)"}
    assert by_value[hostile]["name"] == hostile  # as typed: Vega draws it as text, never as markup
    assert len(str(by_value[long_name]["name"])) == AXIS_LABEL_MAX
    assert len(str(by_value[long_name]["full"])) == HOVER_LABEL_MAX
    assert not any("&lt;" in str(value) for row in rows(spec) for value in row.values())


def test_names_that_shorten_alike_stay_distinct_bars() -> None:
    stem = "y" * 60
    spec = vega.disposition_spec(build_frame([make_call(disposition=stem + "a"), make_call(disposition=stem + "b")]).df)
    names = [r["name"] for r in rows(spec)]
    assert len(set(names)) == 2 and names[1].endswith("(2)")


def test_the_funnel_centres_each_stage_and_says_its_shares() -> None:
    spec = vega.funnel_spec(sample_frame())
    assert spec["title"]["text"] == "How far calls got"
    stages = rows(spec)
    assert [r["stage"] for r in stages] == list(FUNNEL_STAGES)
    first = stages[0]
    assert (first["left"], first["right"], first["label"], first["of_previous"]) == (-14.0, 14.0, "28 (100%)", "100%")
    assert all(r["left"] == -r["right"] for r in stages)
    assert all(later["right"] <= earlier["right"] for earlier, later in pairwise(stages))
    bars, labels = spec["layer"]
    assert bars["mark"]["color"] == FUNNEL_COLOR
    assert [t["field"] for t in bars["encoding"]["tooltip"]] == ["stage", "count", "of_all", "of_previous"]
    assert labels["encoding"]["x"]["field"] == "right"


def test_a_funnel_with_no_connected_call_still_draws() -> None:
    df = build_frame([make_call(disposition="Voicemail", durationMs=0, transcript="User: hello")]).df
    stages = rows(vega.funnel_spec(df))
    assert [r["count"] for r in stages] == ["1", "0", "0", "0", "0"]
    assert stages[2]["of_previous"] == "—"  # nothing to divide by


def test_specs_are_plain_json() -> None:
    for spec in (vega.disposition_spec(sample_frame()), vega.funnel_spec(sample_frame())):
        assert json.loads(json.dumps(spec, allow_nan=False)) == spec
