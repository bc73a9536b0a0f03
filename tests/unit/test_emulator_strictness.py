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


async def test_documents_are_multipart_uploads_within_telegrams_size_limit(
    api: httpx.AsyncClient, emu: BotApiEmulator
) -> None:
    ok = await api.post(
        "sendDocument", data={"chat_id": "42"}, files={"document": ("a.csv", b"link\n")}
    )
    assert ok.status_code == 200
    assert ok.json()["result"]["document"]["file_name"] == "a.csv"
    assert (await call(api, "sendDocument", chat_id=42, document="a.csv"))[0] == 400
    empty = await api.post(
        "sendDocument", data={"chat_id": "42"}, files={"document": ("a.csv", b"")}
    )
    assert empty.status_code == 400
    big = await api.post(
        "sendDocument",
        data={"chat_id": "42"},
        files={"document": ("big.csv", b"x" * (50 * 1024 * 1024 + 1))},
    )
    assert big.status_code == 413


async def test_command_menus_are_checked_and_kept_per_scope(api: httpx.AsyncClient) -> None:
    good = [{"command": "help", "description": "How this works"}]
    chat = {"type": "chat", "chat_id": 42}
    for bad in (
        [{"command": "Help", "description": "x"}],
        [{"command": "h" * 33, "description": "x"}],
        [{"command": "", "description": "x"}],
        [{"command": "help me", "description": "x"}],
        [{"command": "help", "description": ""}],
        [{"command": "help", "description": "x" * 257}],
        [{"command": f"c{n}", "description": "x"} for n in range(101)],
        "help",
    ):
        assert (await call(api, "setMyCommands", commands=bad, scope=chat))[0] == 400, bad
    assert (await call(api, "setMyCommands", commands=good, scope={"type": "nope"}))[0] == 400
    no_chat = {"type": "chat", "chat_id": 999}
    assert await call(api, "setMyCommands", commands=good, scope=no_chat) == (
        400,
        "Bad Request: chat not found",
    )
    hundred = [{"command": f"c{n}", "description": "d" * 256} for n in range(100)]
    assert (await call(api, "setMyCommands", commands=hundred, scope=chat))[0] == 200
    assert (await call(api, "setMyCommands", commands=good, scope=chat))[0] == 200
    assert (await call(api, "setMyCommands", commands=[*good, *good]))[0] == 200  # default

    async def commands(**params: object) -> list[str]:
        body = (await api.post("getMyCommands", json=params)).json()
        return [c["command"] for c in body["result"]]

    assert await commands(scope=chat) == ["help"]
    assert await commands() == ["help", "help"]
    assert await commands(scope={"type": "all_private_chats"}) == []
    assert (await call(api, "deleteMyCommands", scope=chat))[0] == 200
    assert await commands(scope=chat) == []


async def test_uploads_keep_telegrams_size_limit_per_kind(
    api: httpx.AsyncClient, emu: BotApiEmulator
) -> None:
    # A document named in JSON (no file in the request) is refused, as Telegram does for
    # anything that is neither an upload, a file_id nor a URL.
    assert await call(api, "sendDocument", chat_id=42, document="report.csv") == (
        400,
        "Bad Request: there is no document in the request",
    )
    ok = await api.post(
        "sendDocument", data={"chat_id": "42"}, files={"document": ("a.csv", b"x,y\n1,2\n")}
    )
    assert ok.status_code == 200
    assert ok.json()["result"]["document"]["file_name"] == "a.csv"
    too_big = await api.post(
        "sendDocument",
        data={"chat_id": "42"},
        files={"document": ("big.csv", b"x" * (50 * 1024 * 1024 + 1))},
    )
    assert too_big.status_code == 413
    photo = await api.post(
        "sendPhoto",
        data={"chat_id": "42"},
        files={"photo": ("p.png", b"x" * (10 * 1024 * 1024 + 1))},
    )
    assert photo.status_code == 413


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
