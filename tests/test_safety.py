import pytest

from carecycle_dash.api.safety import escape_markdown, safe_http_url


@pytest.mark.parametrize(
    "url", ["https://cdn.example.com/rec/1.wav", "http://127.0.0.1:8787/recordings/a.wav", "HTTPS://x.org/a?b=c"]
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
        "https://exa mple.com/a",
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
