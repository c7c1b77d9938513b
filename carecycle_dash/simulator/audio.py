"""WAV recordings that play for as long as the call lasted (at most MAX_SECONDS): two voices taking turns,
8 kHz, 16-bit.

Not speech, but it sounds like a conversation's rhythm: the AI (a higher voice) on the left channel, the
caller (a lower voice) on the right. Mono files mix both. Deterministic per call ID. A recording is made on
request from a few 3-second exchanges synthesised once per call and repeated to the call's length, so a
ten-minute recording costs a join of bytes (9.6 MB mono, 19.2 MB stereo at most), not ten minutes of synthesis;
only the short exchanges are cached.
"""

from __future__ import annotations

import io
import math
import random
import sys
import wave
from array import array
from functools import lru_cache
from typing import Final

SAMPLE_RATE: Final = 8000
EXCHANGE_SECONDS: Final = 3.0
"""One exchange: the AI speaks, the caller answers, twice."""
MAX_SECONDS: Final = 600
"""The longest recording served (ten minutes), whatever the call's duration says."""
_VARIANTS: Final = 4
_AMPLITUDE: Final = 9000


def _voice(rng: random.Random, pitch: float, starts: list[float], total: int) -> list[float]:
    """Syllables of a buzzy vowel (a few harmonics) in the turns that begin at `starts` (seconds)."""
    samples = [0.0] * total
    for start in starts:
        length = rng.uniform(0.5, 0.9)
        first = int(start * SAMPLE_RATE)
        last = min(total, int((start + length) * SAMPLE_RATE))
        syllable_hz = rng.uniform(3.5, 5.5)
        f0 = pitch * rng.uniform(0.92, 1.08)
        for i in range(first, last):
            t = i / SAMPLE_RATE
            envelope = math.sin(math.pi * (i - first) / (last - first)) * (
                0.55 + 0.45 * math.sin(2 * math.pi * syllable_hz * t)
            )
            phase = 2 * math.pi * f0 * t
            samples[i] = envelope * (math.sin(phase) + 0.5 * math.sin(2 * phase) + 0.25 * math.sin(3 * phase))
    return samples


def _voices(call_id: str, variant: int) -> tuple[list[float], list[float]]:
    rng = random.Random(f"audio:{call_id}" if variant == 0 else f"audio:{call_id}:{variant}")
    total = int(EXCHANGE_SECONDS * SAMPLE_RATE)
    ai = _voice(rng, rng.uniform(190, 230), [0.1, 1.6], total)
    caller = _voice(rng, rng.uniform(105, 140), [0.85, 2.35], total)
    return ai, caller


@lru_cache(maxsize=16)
def _exchanges(call_id: str, channels: int) -> tuple[bytes, ...]:
    """The call's few exchanges as PCM frames: both voices mixed (1 channel) or AI left, caller right (2)."""
    exchanges = []
    for variant in range(_VARIANTS):
        ai, caller = _voices(call_id, variant)
        if channels == 1:
            values = [a + c for a, c in zip(ai, caller, strict=True)]
        else:
            values = [0.0] * (2 * len(ai))
            values[0::2] = ai
            values[1::2] = caller
        exchanges.append(_to_pcm(values))
    return tuple(exchanges)


def _to_pcm(values: list[float]) -> bytes:
    pcm = array("h", (max(-32767, min(32767, int(v * _AMPLITUDE))) for v in values))
    if sys.byteorder == "big":  # WAV is little-endian
        pcm.byteswap()
    return pcm.tobytes()


def _wav(channels: int, frames: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(frames)
    return buffer.getvalue()


def _recording(call_id: str, duration_ms: int, channels: int) -> bytes:
    exchanges = _exchanges(call_id, channels)
    size = int(min(max(0, duration_ms), MAX_SECONDS * 1000) * SAMPLE_RATE // 1000) * channels * 2
    rng = random.Random(f"audio-order:{call_id}")
    order = [0, *(rng.randrange(_VARIANTS) for _ in range(size // len(exchanges[0])))]
    return _wav(channels, b"".join(exchanges[i] for i in order)[:size])


def mono_wav(call_id: str, duration_ms: int) -> bytes:
    """Both speakers mixed into one channel (`recordingUrl`, `mainRecordingUrl`), as long as the call."""
    return _recording(call_id, duration_ms, 1)


def stereo_wav(call_id: str, duration_ms: int) -> bytes:
    """The AI on the left channel, the caller on the right (`stereoRecordingUrl`), as long as the call."""
    return _recording(call_id, duration_ms, 2)
