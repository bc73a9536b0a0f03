"""The emulator refuses what Telegram refuses, so it cannot hide bugs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from emulator import BotApiEmulator
from emulator.html_check import ParseError, plain_text


@pytest.mark.parametrize(
    "bad", ["<b>unclosed", "a < b", "AT&T", "<script>x</script>", "<b><i>x</b></i>", "&nbsp;"]
)
def test_bad_html_is_refused(bad: str) -> None:
    with pytest.raises(ParseError):
        plain_text(bad)


def test_good_html_becomes_plain_text() -> None:
    assert plain_text('<b>Sam</b> &lt;3 &amp; <a href="https://x">link</a>') == "Sam <3 & link"


@pytest.fixture
async def api(emu: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    emu.user_sends(emu.user(42, "Pat"), "hi")
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{emu.token}/") as client:
        yield client


async def call(api: httpx.AsyncClient, method: str, **params: object) -> tuple[int, str]:
    response = await api.post(method, json=params)
    body = response.json()
    return response.status_code, str(body.get("description", "ok"))


async def test_limits_and_errors(api: httpx.AsyncClient, emu: BotApiEmulator) -> None:
    assert await call(api, "sendMessage", chat_id=42, text="x" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    assert (await call(api, "sendMessage", chat_id=42, text="x" * 4096))[0] == 200
    assert await call(api, "sendMessage", chat_id=42, text="") == (
        400,
        "Bad Request: message text is empty",
    )
    assert (await call(api, "sendMessage", chat_id=42, text="<b>x", parse_mode="HTML"))[
        1
    ].startswith("Bad Request: can't parse entities")
    markup = {"inline_keyboard": [[{"text": "go", "callback_data": "x" * 65}]]}
    assert await call(api, "sendMessage", chat_id=42, text="hi", reply_markup=markup) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    assert await call(api, "sendMessage", chat_id=999, text="hi") == (
        400,
        "Bad Request: chat not found",
    )
    emu.blocked.add(42)
    assert await call(api, "sendMessage", chat_id=42, text="hi") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    emu.blocked.clear()
    emu.inject("429", method="sendMessage", retry_after=3)
    response = await api.post("sendMessage", json={"chat_id": 42, "text": "hi"})
    assert response.status_code == 429
    assert response.json()["parameters"]["retry_after"] == 3
    assert (await call(api, "copyMessage", chat_id=42, from_chat_id=42, message_id=999)) == (
        400,
        "Bad Request: message to copy not found",
    )
    assert (await call(api, "unknownMethod"))[0] == 404
    async with httpx.AsyncClient() as other:
        response = await other.post(f"{emu.base_url}1:wrong/getMe")
    assert response.status_code == 401


async def test_edit_to_identical_content_is_refused(api: httpx.AsyncClient) -> None:
    sent = (await api.post("sendMessage", json={"chat_id": 42, "text": "same"})).json()
    message_id = sent["result"]["message_id"]
    status, description = await call(
        api, "editMessageText", chat_id=42, message_id=message_id, text="same"
    )
    assert status == 400 and "message is not modified" in description


async def test_getupdates_conflicts_with_a_webhook_like_telegram(api: httpx.AsyncClient) -> None:
    assert (await call(api, "setWebhook", url="ftp://nope"))[0] == 400
    assert (await call(api, "setWebhook", url="https://example.org/hook", secret_token="a b"))[
        0
    ] == 400
    assert (await call(api, "setWebhook", url="https://example.org/hook"))[0] == 200
    status, description = await call(api, "getUpdates")
    assert status == 409 and "webhook is active" in description
    assert (await call(api, "deleteWebhook"))[0] == 200
    assert (await call(api, "getUpdates"))[0] == 200


async def test_a_second_long_poll_cuts_the_first_short_like_telegram(
    emu: BotApiEmulator,
) -> None:
    """Two bot instances polling at once: Telegram ends the older getUpdates with 409."""
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{emu.token}/", timeout=10) as client:
        first = asyncio.ensure_future(client.post("getUpdates", json={"timeout": 2}))
        await emu.wait_for(lambda: emu._poll_generation == 1, what="the first poll")
        second = asyncio.ensure_future(client.post("getUpdates", json={"timeout": 2}))
        await emu.wait_for(lambda: emu._poll_generation == 2, what="the second poll")
        emu.user_sends(emu.user(42, "Pat"), "hi")
        answers = await asyncio.gather(first, second)
    assert answers[0].status_code == 409
    assert "terminated by other getUpdates" in answers[0].json()["description"]
    assert answers[1].status_code == 200 and len(answers[1].json()["result"]) == 1
    assert emu.poll_conflicts == 1
