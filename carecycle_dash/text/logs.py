"""Send the package's own log lines, the audit trail among them, to stderr once per process.

Streamlit sets up handlers for its own loggers only; without this, INFO lines from `carecycle_dash.*`
(CSV downloads, exports, sign-ins) would be dropped. Values that come from outside (a provider's email
claim, an API string) go through `one_line` so they cannot forge or split a log line.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Final, TextIO

from carecycle_dash.text.safety import shorten

PACKAGE_LOGGER: Final = "carecycle_dash"
AUDIT_LOGGER: Final = "carecycle_dash.audit"
LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME: Final = "carecycle_dash.stderr"


def configure_logging(stream: TextIO | None = None, level: int = logging.INFO) -> logging.Logger:
    """Attach one stderr handler (UTC ISO times) to the package logger; calling again changes nothing."""
    logger = logging.getLogger(PACKAGE_LOGGER)
    if not any(handler.get_name() == _HANDLER_NAME for handler in logger.handlers):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.set_name(_HANDLER_NAME)
        formatter = logging.Formatter(LOG_FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.setLevel(level)
    return logger


def one_line(value: object, limit: int = 200) -> str:
    """A value fit for one log line: control characters replaced, at most `limit` characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return shorten(text, limit)
