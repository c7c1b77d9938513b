import plotly.graph_objects as go

from carecycle_dash.output.chart_text import describe_figure, describe_spec


def test_stacked_bars_are_summed_and_the_tallest_named_with_the_axes() -> None:
    days = ["2026-06-01", "2026-06-02", "2026-06-03"]
    figure = go.Figure(
        [go.Bar(x=days, y=[1, 4, 2], name="Qualified"), go.Bar(x=days, y=[2, 3, 0], name="Voicemail")],
        layout={
            "title": {"text": "Calls per day (UTC)"},
            "barmode": "stack",
            "xaxis_title": "Day",
            "yaxis_title": "Calls",
        },
    )
    assert describe_figure(figure) == (
        "Calls per day (UTC): 3 bars, day 2026-06-01 to 2026-06-03; the tallest at 2026-06-02: 7 (calls)."
    )


def test_bars_side_by_side_describe_the_first_series_only() -> None:
    figure = go.Figure([go.Bar(x=["a", "b"], y=[5, 1]), go.Bar(x=["a", "b"], y=[9, 9])], layout={"title": "T"})
    assert describe_figure(figure) == "T: 2 bars, position a to b; the tallest at a: 5 (value)."


def test_a_heatmap_names_its_highest_cell_as_a_count_or_a_rate() -> None:
    counts = go.Figure(go.Heatmap(z=[[1, 9], [3, None]], x=["00", "01"], y=["Mon", "Tue"]), layout={"title": "H"})
    rates = go.Figure(go.Heatmap(z=[[0.25, 0.5]], x=["09", "10"], y=["Wed"]), layout={"title": "R"})
    assert describe_figure(counts) == "H: highest at Mon 01:00 (9)."
    assert describe_figure(rates) == "R: highest at Wed 10:00 (50%)."


def test_boxes_count_their_groups_and_a_figure_without_a_title_is_a_chart() -> None:
    figure = go.Figure([go.Box(y=["a"], x=[1.0]), go.Box(y=["b"], x=[2.0])])
    assert describe_figure(figure) == "Chart: a box per group, 2 groups."


def test_a_spec_names_its_largest_bars_and_counts_the_rest() -> None:
    rows = [{"name": f"D{i}", "label": f"{10 - i} ({10 - i}0%)"} for i in range(7)]
    spec = {"title": {"text": "Calls by disposition"}, "data": {"values": rows}}
    assert describe_spec(spec) == (
        "Calls by disposition: D0 10 (100%); D1 9 (90%); D2 8 (80%); D3 7 (70%); D4 6 (60%); 2 more."
    )
    assert describe_spec({"title": "Empty", "data": {"values": []}}) == "Empty."
