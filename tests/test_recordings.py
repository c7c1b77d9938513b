import httpx
import pytest

from carecycle_dash.api.errors import NetworkError
from carecycle_dash.api.recordings import fetch_loopback_recording, is_loopback_url, on_origin
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator
from tests.support.servers import free_port


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8787/a.wav", True),
        ("http://127.5.6.7/a.wav", True),
        ("http://localhost:1/a.wav", True),
        ("http://[::1]:8/a.wav", True),
        ("https://cdn.example.com/a.wav", False),
        ("http://10.0.0.1/a.wav", False),
        ("http://127.0.0.1.example.com/a.wav", False),
    ],
)
def test_loopback_is_told_apart(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


@pytest.mark.parametrize("url", ["https://cdn.example.com/a.wav", "javascript:alert(1)", "/etc/passwd"])
def test_the_server_never_fetches_anything_but_loopback(url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        fetch_loopback_recording(url)


def test_a_demo_recording_is_fetched_as_wav_bytes(simulator: RunningSimulator) -> None:
    page = httpx.get(
        f"{simulator.base_url}/v2/customers/{DEMO_CUSTOMERS['small']}/calls",
        headers={"x-api-key": DEMO_API_KEY},
    ).json()
    url = next(item["recordingUrl"] for item in page["items"] if item.get("recordingUrl"))
    audio = fetch_loopback_recording(url)
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"


def test_an_unreachable_recording_is_a_network_error() -> None:
    with pytest.raises(NetworkError, match="could not be fetched"):
        fetch_loopback_recording(f"http://127.0.0.1:{free_port()}/a.wav", timeout_s=2)


def test_recordings_share_one_client_instead_of_building_one_each(
    simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[httpx.Client] = []
    original = httpx.Client.__init__

    def counting_init(self: httpx.Client, *args: object, **kwargs: object) -> None:
        built.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    page = httpx.get(
        f"{simulator.base_url}/v2/customers/{DEMO_CUSTOMERS['small']}/calls",
        headers={"x-api-key": DEMO_API_KEY},
    ).json()
    urls = [item["recordingUrl"] for item in page["items"] if item.get("recordingUrl")][:4]
    assert fetch_loopback_recording(urls[0])[:4] == b"RIFF"  # the process's client exists from here on
    monkeypatch.setattr(httpx.Client, "__init__", counting_init)
    assert [fetch_loopback_recording(url)[:4] for url in urls[1:]] == [b"RIFF"] * 3
    assert built == []


def test_a_stored_demo_recording_is_fetched_from_the_simulator_running_now() -> None:
    kept = "http://127.0.0.1:40111/recordings/3f2a/main.wav?channels=2"
    assert on_origin(kept, "http://127.0.0.1:51234") == "http://127.0.0.1:51234/recordings/3f2a/main.wav?channels=2"
    assert on_origin(kept, "http://localhost:8787/") == "http://localhost:8787/recordings/3f2a/main.wav?channels=2"
