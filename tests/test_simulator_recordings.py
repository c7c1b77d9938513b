"""Recordings that play: valid WAV files, mono and stereo, served only for real calls that have them."""

from __future__ import annotations

import io
import wave
from array import array
from typing import Any

import pytest

from carecycle_dash.api.contract import MAX_LIMIT, PARAM_LIMIT
from carecycle_dash.simulator import DEMO_CUSTOMERS, RunningSimulator
from carecycle_dash.simulator.audio import MAX_SECONDS, SAMPLE_RATE, mono_wav, stereo_wav
from tests.support.simulator import get_calls, shared_client

SMALL = DEMO_CUSTOMERS["small"]


@pytest.fixture(scope="module")
def recorded(simulator: RunningSimulator) -> dict:
    items = get_calls(simulator, SMALL, params={PARAM_LIMIT: MAX_LIMIT}).json()["items"]
    return next(call for call in items if call["recordingUrl"] and call["stereoRecordingUrl"])


def _read(data: bytes) -> tuple[Any, array]:
    with wave.open(io.BytesIO(data)) as wav:
        params = wav.getparams()
        samples = array("h", wav.readframes(params.nframes))
    return params, samples


def _energy(samples: array, start_s: float, end_s: float) -> float:
    part = samples[int(start_s * SAMPLE_RATE) : int(end_s * SAMPLE_RATE)]
    return sum(abs(s) for s in part) / max(1, len(part))


def test_mono_is_an_8khz_16bit_single_channel_wav_as_long_as_the_call_with_sound() -> None:
    params, samples = _read(mono_wav("any-call", 71_250))
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, SAMPLE_RATE)
    assert params.nframes == 71.25 * SAMPLE_RATE
    assert max(abs(s) for s in samples[-3 * SAMPLE_RATE :]) > 1000, "the voices go on to the end"


def test_a_recording_lasts_at_most_ten_minutes() -> None:
    params, _ = _read(stereo_wav("a-long-call", 3_600_000))
    assert (params.nchannels, params.nframes) == (2, MAX_SECONDS * SAMPLE_RATE)
    assert MAX_SECONDS == 600


def test_stereo_puts_the_ai_on_the_left_and_the_caller_on_the_right() -> None:
    params, samples = _read(stereo_wav("any-call", 3_000))
    assert (params.nchannels, params.sampwidth, params.framerate) == (2, 2, SAMPLE_RATE)
    left, right = samples[0::2], samples[1::2]
    assert _energy(left, 0.15, 0.55) > 1000 > _energy(right, 0.15, 0.55), "the AI opens the call"
    assert _energy(right, 0.9, 1.3) > 1000 > _energy(left, 0.9, 1.3), "then the caller answers"


def test_recordings_are_deterministic_per_call() -> None:
    assert stereo_wav("a", 20_000) == stereo_wav("a", 20_000)
    assert mono_wav("a", 20_000) != mono_wav("b", 20_000)


def test_a_calls_recordings_are_served_without_a_key(simulator: RunningSimulator, recorded: dict) -> None:
    for field, channels in (("recordingUrl", 1), ("mainRecordingUrl", 1), ("stereoRecordingUrl", 2)):
        response = shared_client().get(recorded[field])
        assert response.status_code == 200
        assert response.headers["content-type"] == "audio/wav"
        params = _read(response.content)[0]
        assert (params.nchannels, params.nframes) == (channels, recorded["durationMs"] * SAMPLE_RATE // 1000)


def test_a_byte_range_is_answered_with_206(simulator: RunningSimulator, recorded: dict) -> None:
    whole = shared_client().get(recorded["recordingUrl"]).content
    part = shared_client().get(recorded["recordingUrl"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.content == whole[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole)}"
    tail = shared_client().get(recorded["recordingUrl"], headers={"Range": "bytes=-10"})
    assert tail.content == whole[-10:]
    beyond = shared_client().get(recorded["recordingUrl"], headers={"Range": f"bytes={len(whole)}-"})
    assert beyond.status_code == 416


def test_recordings_exist_only_for_real_calls_that_have_them(simulator: RunningSimulator, recorded: dict) -> None:
    items = get_calls(simulator, SMALL, params={PARAM_LIMIT: MAX_LIMIT}).json()["items"]
    silent = next(call for call in items if not call["recordingUrl"])
    real = recorded["recordingUrl"]
    for url in (
        real.replace(recorded["id"], silent["id"]),
        real.replace(recorded["id"], "00000000-0000-4000-8000-000000000000"),
        real.replace(SMALL, DEMO_CUSTOMERS["standard"]),
        real.replace("mono.wav", "other.wav"),
    ):
        assert shared_client().get(url).status_code == 404, url
