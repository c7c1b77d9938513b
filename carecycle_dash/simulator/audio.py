"""Small WAV recordings that play: a few seconds of two voices taking turns, 8 kHz, 16-bit.

Not speech, but it sounds like a conversation's rhythm: the AI (a higher voice) on the left channel, the
caller (a lower voice) on the right. Mono files mix both. Deterministic per call ID.
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
SECONDS: Final = 3.0
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


@lru_cache(maxsize=64)
def _voices(call_id: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    rng = random.Random(f"audio:{call_id}")
    total = int(SECONDS * SAMPLE_RATE)
    ai = _voice(rng, rng.uniform(190, 230), [0.1, 1.6], total)
    caller = _voice(rng, rng.uniform(105, 140), [0.85, 2.35], total)
    return tuple(ai), tuple(caller)


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


@lru_cache(maxsize=128)
def mono_wav(call_id: str) -> bytes:
    """Both speakers mixed into one channel (`recordingUrl`, `mainRecordingUrl`)."""
    ai, caller = _voices(call_id)
    return _wav(1, _to_pcm([a + c for a, c in zip(ai, caller, strict=True)]))


@lru_cache(maxsize=128)
def stereo_wav(call_id: str) -> bytes:
    """The AI on the left channel, the caller on the right (`stereoRecordingUrl`)."""
    ai, caller = _voices(call_id)
    interleaved = [0.0] * (2 * len(ai))
    interleaved[0::2] = ai
    interleaved[1::2] = caller
    return _wav(2, _to_pcm(interleaved))
