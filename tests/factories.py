"""API-shaped calls for tests: a plausible default, any field overridden, and a set of hostile ones."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

_counter = itertools.count(1)
MISSING = object()
"""Pass as an override to leave the field out of the call altogether."""


def make_call(**overrides: Any) -> dict[str, Any]:
    """One call as the API sends it; `field=MISSING` drops a field, `field=None` sends null."""
    n = next(_counter)
    call_id = str(uuid.UUID(int=n, version=4))
    call: dict[str, Any] = {
        "id": call_id,
        "campaignId": "13f8bf6d-dc27-4a04-bffe-6e5b13c19ddf",
        "disposition": "Qualified",
        "callerId": "+15555550100",
        "twilioSid": f"CA{n:032x}",
        "service": "vapi",
        "testFlag": False,
        "direction": "outbound",
        "recordingUrl": f"https://storage.example.com/{call_id}/mono.wav",
        "recordingId": f"rec-{n}",
        "stereoRecordingUrl": f"https://storage.example.com/{call_id}/stereo.wav",
        "assistantType": "outreach",
        "successEvaluation": "true",
        "summary": "The caller confirmed the appointment on Tuesday.",
        "transcript": "AI: Hello, this is the care team.\nUser: Hi, yes, Tuesday works.",
        "durationMs": 125_000,
        "createdAt": "2025-03-01T15:30:00Z",
        "mainRecordingUrl": f"https://storage.example.com/{call_id}/main.wav",
        "isTestNumber": False,
        "sourceName": "CRM import",
    }
    call.update(overrides)
    return {key: value for key, value in call.items() if value is not MISSING}


def hostile_calls() -> list[dict[str, Any]]:
    """Calls a careless or malicious source might send; none of them may crash the data layer."""
    return [
        make_call(durationMs=-9007199254740991, createdAt="string", disposition="string"),
        make_call(**{field: None for field in ("disposition", "durationMs", "createdAt", "testFlag", "summary")}),
        make_call(disposition=MISSING, durationMs=MISSING, createdAt=MISSING, transcript=MISSING, isTestNumber=MISSING),
        make_call(disposition='<a href="javascript:alert(1)">x</a>', summary="<script>alert(1)</script>"),
        make_call(disposition="<b>bold</b>", callerId='=HYPERLINK("http://evil")', sourceName="+cmd|' /C calc'!A0"),
        make_call(transcript="AI: Grüß Gott 👋\nUser: Ça va — 日本語", summary="Zoë's naïve café"),
        make_call(durationMs="45000", testFlag="true", isTestNumber=1, createdAt="2025-03-01T23:30:00-05:00"),
        make_call(durationMs=10**30, createdAt="1970-01-01T00:00:00Z", testFlag="maybe"),
        make_call(durationMs=True, createdAt=1_700_000_000_000, callerId=15555550100),
        make_call(recordingUrl="javascript:alert(1)", stereoRecordingUrl="data:text/html,x", mainRecordingUrl=" "),
        make_call(successEvaluation="", disposition="   ", direction=""),
        make_call(summary="lone \ud800 surrogate", unknownField={"nested": [1, 2]}),
    ]
