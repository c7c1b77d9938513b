"""Masking as a browser receives it: nothing personal in any websocket frame or download of a masked viewer.

The app runs against a stand-in API whose call is full of (fictional) personal data. Streamlit sends every
element as protobuf bytes over its websocket, dataframes as Arrow inside them, so a value that reaches the
browser in any form shows up as bytes in a frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocket, expect

from carecycle_dash.data.table import DEFAULT_COLUMNS
from tests.support.browser import assert_no_exception, follow_sidebar_link, open_app, wait_for_app
from tests.support.oidc import Person, oidc_provider, write_auth_secrets
from tests.support.pii_api import CALL_ID, CALLER, CUSTOMER, KEY, PERSONAL_VALUES, leaked, pii_api
from tests.support.servers import RunningApp, start_app
from tests.test_auth_browser import SignInSetup, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.server]

OFFICER = Person(sub="officer", email="officer@careagency.example")
NURSE = Person(sub="nurse", email="nurse@careagency.example")
PAGES = {
    "Overview": f"/?customer_id={CUSTOMER}",
    "Calls": f"/calls?customer_id={CUSTOMER}",
    "Call detail": f"/call?customer_id={CUSTOMER}&call_id={CALL_ID}",
    "Callers": f"/callers?customer_id={CUSTOMER}",
}


class Frames:
    """Every websocket frame the page receives from now on, as bytes."""

    def __init__(self, page: Page) -> None:
        self.received: list[bytes] = []
        page.on("websocket", self._watch)

    def _watch(self, socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: self.received.append(_as_bytes(payload)))

    def take(self) -> bytes:
        data, self.received = b"".join(self.received), []
        return data


def _as_bytes(payload: bytes | str) -> bytes:
    return payload if isinstance(payload, bytes) else payload.encode("utf-8")


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    with pii_api() as url:
        yield url


def _app(directory: Path, api_url: str, mask: str) -> RunningApp:
    env = {"CARECYCLE_API_KEY": KEY, "CARECYCLE_BASE_URL": api_url, "CARECYCLE_MASK": mask}
    return start_app(directory, env=env)


def visit(page: Page, frames: Frames, url: str, heading: str) -> bytes:
    """Open a page, wait for its heading and for the run to end, and return the frames it took."""
    frames.take()
    open_app(page, url)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    wait_for_app(page)
    assert_no_exception(page)
    return frames.take()


def follow(page: Page, frames: Frames, heading: str) -> bytes:
    """Go to another page through the sidebar's link and return the frames it took: every element of the new
    page comes over the websocket as when its address is opened."""
    frames.take()
    follow_sidebar_link(page, heading)
    assert_no_exception(page)
    return frames.take()


def every_page(page: Page, frames: Frames, url: str) -> Iterator[tuple[str, bytes]]:
    """(heading, frames) of each page: the call by its address, then the others through the sidebar."""
    yield "Call detail", visit(page, frames, url + PAGES["Call detail"], "Call detail")
    for heading in [name for name in PAGES if name != "Call detail"]:
        yield heading, follow(page, frames, heading)


def test_with_masking_on_no_frame_of_any_page_holds_a_personal_value(page: Page, api_url: str, tmp_path: Path) -> None:
    app = _app(tmp_path, api_url, "on")
    try:
        frames = Frames(page)
        for heading, received in every_page(page, frames, app.url):
            assert len(received) > 1000, f"{heading}: the page's elements came over the websocket"
            assert leaked(received) == [], heading
            expect(page.get_by_text("Personal data is masked.")).to_be_visible()
            if heading == "Call detail":
                expect(page.get_by_text("audio cannot be masked")).to_be_visible()
                expect(page.locator("audio")).to_have_count(0)
            if heading == "Callers":
                assert (
                    b"\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2-\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2-5309" in received
                )  # •••-•••-5309
            if heading == "Calls":
                with page.expect_download() as info:
                    page.get_by_role("button", name=re.compile(r"Download [\d,]+ calls as CSV")).click()
                download = info.value
                assert download.suggested_filename.endswith("-masked.csv")
                target = tmp_path / "masked.csv"
                download.save_as(target)
                data = target.read_bytes()
                header = ",".join(column for column in DEFAULT_COLUMNS if column != "Recording")
                assert data.split(b"\r\n")[0] == header.encode()  # the table's columns: no recording links
                masked_caller = "•••-•••-0100".encode()  # the masked caller, as the table shows it
                assert leaked(data) == [] and masked_caller in data
                wait_for_app(page)
                assert leaked(frames.take()) == [], "the download's rerun"
        # A number typed into the address: a masked viewer is not told whose calls it names.
        typed = visit(page, frames, app.url + PAGES["Callers"] + f"&caller=%2B{CALLER[1:]}", "Callers")
        assert leaked(typed) == []
        expect(page.get_by_text("a phone number in the address is not looked up")).to_be_visible()
        assert "caller=" not in page.url
        assert "masked=yes" in app.log_text()
    finally:
        app.stop()


def test_with_masking_off_the_same_pages_show_the_personal_values(page: Page, api_url: str, tmp_path: Path) -> None:
    app = _app(tmp_path, api_url, "off")
    try:
        frames = Frames(page)
        received = b"".join(data for _, data in every_page(page, frames, app.url))
        assert leaked(received) == list(PERSONAL_VALUES)
        expect(page.get_by_text("Personal data is masked.")).to_have_count(0)
    finally:
        app.stop()


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory: pytest.TempPathFactory, api_url: str) -> Iterator[SignInSetup]:
    """Sign-in on; the care agency is admitted; only the officer has full access; reveals are allowed."""
    with oidc_provider([OFFICER, NURSE]) as provider_url:
        directory = tmp_path_factory.mktemp("privacy-secrets")
        secrets = write_auth_secrets(directory, provider_url, ["careagency.example"])
        with secrets.open("a", encoding="utf-8") as handle:
            handle.write(
                'full_access_emails = ["officer@careagency.example"]\n\n[carecycle.privacy]\nallow_reveal = true\n'
            )
        env = {"CARECYCLE_API_KEY": KEY, "CARECYCLE_BASE_URL": api_url}
        app = start_app(directory, env=env, args=("--secrets.files", str(secrets)))
        try:
            yield SignInSetup(app, provider_url)
        finally:
            app.stop()


def test_a_full_access_user_sees_the_number_and_may_mask_for_screen_sharing(
    page: Page, signed_app: SignInSetup
) -> None:
    frames = Frames(page)
    sign_in_as(page, signed_app, "officer")
    received = visit(page, frames, signed_app.app.url + PAGES["Call detail"], "Call detail")
    assert CALLER.encode() in received and b"1EG4-TE5-MK73" in received
    expect(page.get_by_text("Personal data is masked.")).to_have_count(0)

    page.get_by_text("Mask for screen sharing").click()
    wait_for_app(page)
    expect(page.get_by_text("Personal data is masked", exact=True)).to_be_visible()
    assert leaked(frames.take()) == []
    follow_sidebar_link(page, "Calls")
    assert leaked(frames.take()) == [], "the toggle stays on across the session's pages"


def test_another_user_sees_masked_data_and_a_reveal_writes_its_audit_line(page: Page, signed_app: SignInSetup) -> None:
    frames = Frames(page)
    sign_in_as(page, signed_app, "nurse")
    received = visit(page, frames, signed_app.app.url + PAGES["Call detail"], "Call detail")
    assert leaked(received) == []
    expect(page.get_by_text("your account does not have full access")).to_be_visible()

    page.get_by_text("Reveal this call's personal data").click()
    page.get_by_label("Reason for revealing").fill("Patient asked for a callback, ticket 4411")
    page.get_by_role("button", name="Reveal this call").click()
    expect(page.get_by_text("You revealed this call's personal data")).to_be_visible()
    wait_for_app(page)
    assert b"1EG4-TE5-MK73" in frames.take()
    expected = (
        f"carecycle_dash.audit: reveal: user=nurse@careagency.example customer={CUSTOMER} call={CALL_ID} "
        "reason=Patient asked for a callback, ticket 4411"
    )
    assert expected in signed_app.app.log_text()

    follow_sidebar_link(page, "Calls")
    assert leaked(frames.take()) == [], "the reveal unmasks that call's detail only"
