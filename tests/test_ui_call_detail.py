"""The call page's transcript marks search hits without letting the transcript's own text become markup."""

from __future__ import annotations

from carecycle_dash.ui.call_detail import highlighted_html

TRANSCRIPT_BOX = '<div style="white-space: pre-wrap; font-family: monospace; font-size: 14px">{}</div>'


def test_highlight_escapes_every_piece_and_marks_only_hits() -> None:
    assert highlighted_html("<b>Person</b> & person <mark>", "person") == TRANSCRIPT_BOX.format(
        "&lt;b&gt;<mark>Person</mark>&lt;/b&gt; &amp; <mark>person</mark> &lt;mark&gt;"
    )


def test_no_hit_means_plain_text() -> None:
    assert highlighted_html("nothing here", "person") is None


def test_a_needle_with_regex_characters_is_literal() -> None:
    assert highlighted_html("a.b a+b", "a+b") == TRANSCRIPT_BOX.format("a.b <mark>a+b</mark>")
    assert highlighted_html("aab", "a+b") is None
