import pytest

from carecycle_dash.text.safety import escape_markdown, safe_http_url, shorten


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/rec/1.wav",
        "http://127.0.0.1:8787/recordings/a.wav",
        "HTTPS://x.org/a?b=c",
        "https://user:pw@host.example/x",
        "https://[::1]:8080/a",
        "http://例え.jp/録音.wav",
    ],
)
def test_http_and_https_urls_pass(url: str) -> None:
    assert safe_http_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:audio/wav;base64,AAAA",
        "vbscript:msgbox",
        "/etc/passwd",
        "recording.wav",
        "file:///etc/passwd",
        "https://",
        "https://:80/a",
        "https://[::1/x",
        "https://exa mple.com/a",
        " https://x.org/a",
        "https://x.org/a ",
        "https://x.org/a\u00a0",
        "https://x.org/a\u2028",
        "https://x.org/a\x1f",
        "https://x.org/a\tb",
        "https://x.org/\x00",
        "https://x.org\\@evil.example",
        "http://x.org/\nSet-Cookie",
        "",
        None,
        42,
    ],
)
def test_anything_else_is_refused(url: object) -> None:
    assert safe_http_url(url) is None


def test_escaped_markdown_keeps_every_character() -> None:
    hostile = "[click](javascript:alert(1)) **bold** <b>x</b> $x$"
    escaped = escape_markdown(hostile)
    assert escaped.replace("\\", "") == hostile.replace("\\", "")
    assert "\\[" in escaped and "\\*" in escaped and "\\<" in escaped and "\\$" in escaped


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("short", 10, "short"), ("exactly10!", 10, "exactly10!"), ("a" * 500, 10, "a" * 9 + "…"), ("abc", 1, "…")],
)
def test_shorten_keeps_text_within_the_limit_ending_in_an_ellipsis(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
