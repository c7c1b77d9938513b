"""Calls full of (fictional) personal data, and a stand-in API on loopback that serves them.

`PERSONAL_VALUES` are the strings no masked viewer may ever receive, in any form the app sends them: page
HTML, websocket frames, CSV files. The calls also carry a recording, so tests can check it is withheld.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from tests.factories import make_call
from tests.support.stand_in import serve_calls

CUSTOMER = "6e1f2d3c-4b5a-4697-8877-665544332211"
KEY = "cc_pii_stand_in"
CALLER = "+15558675309"
CALLER_LAST_FOUR = "5309"
PERSONAL_VALUES = (
    "8675309",  # the caller's number without its area code, as digits
    "(555) 201-7788",
    "jane.doe@example.com",
    "123-45-6789",
    "April 12, 1956",
    "1EG4-TE5-MK73",
    "4111 1111 1111 1111",
    "Jane Doe",
    "recordings.example.org/secret",
)
CALLS: list[dict[str, Any]] = [
    make_call(
        id="aaaaaaaa-1111-4000-8000-000000000001",
        callerId=CALLER,
        summary="The caller (jane.doe@example.com) asked us to call (555) 201-7788; SSN 123-45-6789 on file.",
        transcript=(
            "AI: Hello, may I have your date of birth?\n"
            "User: April 12, 1956. My name is Jane Doe.\n"
            "AI: And your Medicare number?\n"
            "User: 1EG4-TE5-MK73. Can I pay with my card, 4111 1111 1111 1111?\n"
            "AI: I'm sorry, I cannot take payments. Your appointment is on Tuesday, December 1 at 10:30 AM."
        ),
        sourceName="Referral from jane.doe@example.com",
        recordingUrl="https://recordings.example.org/secret/mono.wav",
        mainRecordingUrl="https://recordings.example.org/secret/main.wav",
        stereoRecordingUrl="https://recordings.example.org/secret/stereo.wav",
        createdAt="2026-11-20T15:30:00Z",
    ),
    make_call(id="aaaaaaaa-1111-4000-8000-000000000002", createdAt="2026-11-19T15:30:00Z"),
]
CALL_ID = CALLS[0]["id"]


def pii_api() -> AbstractContextManager[str]:
    """Serve CALLS for CUSTOMER to KEY on a free loopback port; yield the base URL."""
    return serve_calls(CUSTOMER, KEY, CALLS)


def leaked(data: bytes | str) -> list[str]:
    """The personal values found in `data` (page text, frames, a file)."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [value for value in PERSONAL_VALUES if value in text]
