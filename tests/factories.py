"""API-shaped calls for tests: a plausible default, any field overridden, and a set of hostile ones."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

_counter = itertools.count(1)
MISSING = object()
"""Pass as an override to leave the field out of the call altogether."""


def make_call(index: int | None = None, /, **overrides: Any) -> dict[str, Any]:
    """One call as the API sends it; `field=MISSING` drops a field, `field=None` sends null.

    With `index` (paging tests: calls listed in the order the API sorts them) the id is stable for that index
    and the disposition, duration and a createdAt that grows with it vary from call to call.
    """
    n = next(_counter) if index is None else index + 1
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
    if index is not None:
        call["disposition"] = ("Qualified", "Voicemail", "Transferred")[index % 3]
        call["durationMs"] = 1000 * (index % 97)
        call["createdAt"] = f"2026-01-01T00:00:{index % 60:02d}.{index:06d}Z"
        call["summary"] = f"call {index}"
    call.update(overrides)
    return {key: value for key, value in call.items() if value is not MISSING}


def hostile_calls() -> list[dict[str, Any]]:
    """The suite's one hostile dataset: calls a careless or malicious source might send, values of every wrong
    type and shape among them. No layer may crash on them, nor render any of their markup or links."""
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
        make_call(
            id="AAAAAAAA-0000-4000-8000-000000000001",
            disposition="<img src=x onerror=alert(1)>",
            transcript=42,
            summary={"nested": "object"},
            durationMs="abc",
            createdAt="yesterday",
            testFlag="yes",
            successEvaluation=7,
        ),
        make_call(
            transcript="AI: [click](javascript:alert(1))\nUser: **bold** <script>alert(2)</script>",
            createdAt="2026-11-20T10:00:00.123+02:00",
            direction="sideways",
            stereoRecordingUrl="/etc/passwd",
            callerId="\u202e+1 555 0100",
            campaignId=None,
        ),
        {"id": "aaaaaaaa-0000-4000-8000-000000000003"},
        {"id": None, "disposition": "No id at all", "createdAt": "2026-11-22T10:00:00Z"},
    ]
