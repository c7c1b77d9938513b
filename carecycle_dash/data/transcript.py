"""Split a transcript string into turns, so the UI can show it as a conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Speaker = Literal["ai", "caller", "unknown"]
AI_LABELS = ("AI", "Assistant", "Bot")
CALLER_LABELS = ("User", "Customer", "Caller")
"""How a line names its speaker (`AI: ...`, `User: ...`), case-insensitively; data/signals.py reads the same."""
_SPEAKER_LINE = re.compile(rf"^\s*({'|'.join(AI_LABELS + CALLER_LABELS)})\s*:\s?(.*)$", re.IGNORECASE)
_SPEAKERS: dict[str, Speaker] = {
    "ai": "ai",
    "assistant": "ai",
    "bot": "ai",
    "user": "caller",
    "customer": "caller",
    "caller": "caller",
}


@dataclass(frozen=True)
class Turn:
    speaker: Speaker
    text: str


def parse_transcript(text: object) -> list[Turn]:
    """One turn per `AI:`/`User:` line; lines without a speaker continue the previous turn.

    Anything that is not a string (the API may send null, a number, a list) is read as its text."""
    if text is None:
        return []
    turns: list[Turn] = []
    for line in (text if isinstance(text, str) else str(text)).splitlines():
        match = _SPEAKER_LINE.match(line)
        if match:
            turns.append(Turn(_SPEAKERS[match.group(1).lower()], match.group(2).strip()))
        elif line.strip():
            if turns:
                previous = turns[-1]
                turns[-1] = Turn(previous.speaker, f"{previous.text}\n{line.strip()}".strip())
            else:
                turns.append(Turn("unknown", line.strip()))
    return turns
