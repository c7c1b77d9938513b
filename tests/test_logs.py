"""The package's log lines reach a stream, once, and outside values cannot split a line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from carecycle_dash.text.logs import AUDIT_LOGGER, PACKAGE_LOGGER, configure_logging, one_line


@pytest.fixture
def bare_package_logger() -> Iterator[logging.Logger]:
    """The package logger without handlers for the test, as it was afterwards."""
    logger = logging.getLogger(PACKAGE_LOGGER)
    saved_handlers, saved_level = list(logger.handlers), logger.level
    logger.handlers.clear()
    yield logger
    logger.handlers[:] = saved_handlers
    logger.setLevel(saved_level)


def test_audit_lines_reach_the_stream_once_even_when_configured_twice(bare_package_logger: logging.Logger) -> None:
    stream = io.StringIO()
    configure_logging(stream)
    configure_logging(stream)
    logging.getLogger(AUDIT_LOGGER).info("csv download: user=%s rows=%d", "a@x.example", 3)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("INFO carecycle_dash.audit: csv download: user=a@x.example rows=3")
    assert lines[0][:20].endswith("Z")


def test_one_line_replaces_line_breaks_and_control_characters() -> None:
    assert one_line("eve@x.example\n2026-01-01 INFO forged\x1b[2J") == "eve@x.example?2026-01-01 INFO forged?[2J"


def test_one_line_bounds_the_length() -> None:
    text = one_line("a" * 500, limit=10)
    assert text == "a" * 9 + "…"


def test_lines_still_reach_pytests_capture_after_configuring(
    bare_package_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging(io.StringIO())
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        logging.getLogger(AUDIT_LOGGER).info("sign-out: user=%s", "a@x.example")
    assert "sign-out: user=a@x.example" in caplog.text
