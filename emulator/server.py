"""A Telegram Bot API emulator, strict where Telegram is strict, recording what each chat sees.

It implements the methods this bot calls over real HTTP (aiohttp) and lets a test or the demo
act as Telegram users: send messages and media, reply, edit, press buttons.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import BodyPartReader, web

from emulator.html_check import ParseError, plain_text

JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "reply_parameters",
    "allowed_updates",
    "link_preview_options",
    "commands",
    "scope",
    "media",
}
SENDING_METHODS = {"sendMessage", "copyMessage", "sendPhoto", "sendDocument"}
CONTENT_KEYS = (
    "text",
    "photo",
    "voice",
    "video",
    "document",
    "sticker",
    "location",
    "audio",
    "animation",
    "video_note",
    "contact",
    "poll",
    "dice",
    "venue",
)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
COMMANDS_LIMIT = 100
DESCRIPTION_LIMIT = 256
SCOPE_TYPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
# (scope type, chat id, user id, language code): a command list per scope, as Telegram keeps.
ScopeKey = tuple[str, int | None, int | None, str]
# What a bot may upload through the Bot API (multipart/form-data only; a file_id or URL is
# something else): photos up to 10 MB, other files up to 50 MB.
UPLOAD_LIMITS = {"photo": 10 * 1024 * 1024, "document": 50 * 1024 * 1024}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    phone_number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = "en"
        return data

    def identity_strings(self) -> list[str]:
        """Everything that would identify this person on Telegram."""
        values = [str(self.id), self.first_name]
        values += [v for v in (self.last_name, self.username, self.phone_number) if v]
        return values


@dataclass
class Fault:
    """An injected failure: the next `times` matching calls fail this way."""

    # "429", "500", "timeout", "reset", "400", "403"; "lost": the call is carried out, then
    # the connection drops before the answer (the caller cannot know it happened)
    kind: str
    method: str | None = None
    chat_id: int | None = None
    times: int = 1
    retry_after: int = 1


@dataclass
class Topic:
    """A forum topic: its id is the id of the service message that created it."""

    name: str
    closed: bool = False


@dataclass
class Chat:
    info: dict[str, Any]
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_message_id: int = 1
    topics: dict[int, Topic] = field(default_factory=dict)
    # A forum supergroup: may the bot (an administrator there) create and manage topics?
    bot_manages_topics: bool = False


class BotApiEmulator:
    def __init__(
        self,
        token: str = "123456789:TEST_tokenTEST_tokenTEST_tokenTEST",
        bot_username: str = "recovery_mentor_test_bot",
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.bot_username = bot_username
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, FakeUser] = {}
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}  # group id -> its supergroup's id
        self.kicked: set[int] = set()  # groups the bot was removed from
        # The bot's membership in each group, as getChatMember reports it (default: member).
        self.bot_status: dict[int, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.call_times: list[float] = []  # time.monotonic() of each call, for benchmarks
        self.uploads: dict[tuple[int, int], bytes] = {}  # (chat, message) -> uploaded file
        self.faults: list[Fault] = []
        # The token was revoked at @BotFather: every call is answered 401 until restored.
        self.token_revoked = False
        self.unauthorized_calls: list[str] = []  # methods answered 401 while revoked
        self.menus: dict[ScopeKey, list[dict[str, str]]] = {}  # setMyCommands, per scope
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._queries: dict[str, dict[str, Any]] = {}
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Telegram's limits, enforced only when a test asks for it.
        self.enforce_limits = False
        self.rate_limited = 0
        # getUpdates calls cut short by a newer one (two bot instances polling at once), as
        # Telegram answers them: 409 "terminated by other getUpdates request".
        self.poll_conflicts = 0
        self._poll_generation = 0
        self._buckets: dict[int | str, list[float]] = {}
        # Webhook mode: updates are POSTed here, in order, until answered 2xx.
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_answers: list[int] = []  # HTTP status of every webhook delivery
        self._webhook_task: asyncio.Task[None] | None = None

    # ---- server lifecycle -------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        bound_port = sockets[0].getsockname()[1]
        self.base_url = f"http://{host}:{bound_port}/bot"
        return self.base_url

    async def stop(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- acting as users ----------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        phone_number: str | None = None,
    ) -> FakeUser:
        person = FakeUser(user_id, first_name, last_name, username, phone_number)
        self.users[user_id] = person
        return person

    def open_chat(self, user: FakeUser) -> None:
        """The user has started the bot at some point, so the bot may write to them."""
        self._chat_for_user(user)

    def add_group(self, chat_id: int, title: str) -> None:
        self.chats.setdefault(chat_id, Chat({"id": chat_id, "type": "group", "title": title}))

    def add_supergroup(self, chat_id: int, title: str, *, forum: bool = False) -> None:
        info: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title}
        if forum:
            info["is_forum"] = True
        self.chats.setdefault(chat_id, Chat(info))

    def set_bot_status(
        self, chat_id: int, status: str, *, can_send_messages: bool = True
    ) -> None:
        """The bot's rights in a group: "administrator", "member", or "restricted" (with
        `can_send_messages` as the group's admins set it)."""
        bot = self._bot_user()
        if status == "administrator":
            rights = (
                "can_be_edited can_manage_chat can_delete_messages can_manage_video_chats "
                "can_restrict_members can_promote_members can_change_info can_invite_users "
                "can_post_stories can_edit_stories can_delete_stories can_pin_messages "
                "can_manage_topics"
            ).split()
            member = {"status": status, "user": bot, "is_anonymous": False}
            member |= {right: right != "can_be_edited" for right in rights}
        elif status == "restricted":
            sends = (
                "can_send_messages can_send_audios can_send_documents can_send_photos "
                "can_send_videos can_send_video_notes can_send_voice_notes can_send_polls "
                "can_send_other_messages can_add_web_page_previews can_react_to_messages"
            ).split()
            member = {"status": status, "user": bot, "is_member": True, "until_date": 0}
            member |= {right: can_send_messages for right in sends}
            member |= {
                right: False
                for right in (
                    "can_change_info can_invite_users can_pin_messages can_manage_topics "
                    "can_edit_tag"
                ).split()
            }
        else:
            member = {"status": status, "user": bot}
        self.bot_status[chat_id] = member
    def add_forum(self, chat_id: int, title: str, *, bot_manages_topics: bool = True) -> None:
        """A supergroup with topics; the bot is an administrator there, allowed to manage
        topics unless `bot_manages_topics` is False."""
        info = {"id": chat_id, "type": "supergroup", "title": title, "is_forum": True}
        self.chats[chat_id] = Chat(info, bot_manages_topics=bot_manages_topics)

    def topics(self, chat_id: int) -> dict[int, Topic]:
        return self.chats[chat_id].topics

    def topic_messages(self, chat_id: int, thread_id: int) -> list[dict[str, Any]]:
        """The bot's messages in one topic, in order (after edits)."""
        return [m for m in self.bot_messages(chat_id) if m.get("message_thread_id") == thread_id]

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        self.chats[chat_id].topics[thread_id].closed = True

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """Someone deleted the topic in the app: it and its messages are gone."""
        chat = self.chats[chat_id]
        del chat.topics[thread_id]
        for message_id in [
            i for i, m in chat.messages.items() if m.get("message_thread_id") == thread_id
        ]:
            del chat.messages[message_id]

    def skip_update_ids(self, first: int) -> None:
        """Number the next updates from `first` on (Telegram's ids only grow), for tests that
        store updates of their own with ids the bot's offset must not run ahead of."""
        self._update_ids = itertools.count(first)

    def upgrade_group(self, chat_id: int, supergroup_id: int) -> None:
        """The group becomes a supergroup with a new id; the old id answers 400 with
        `migrate_to_chat_id`, as Telegram does."""
        title = self.chats[chat_id].info.get("title", "")
        info = {"id": supergroup_id, "type": "supergroup", "title": title}
        self.chats[supergroup_id] = Chat(info)
        self.migrated[chat_id] = supergroup_id

    def user_sends(
        self,
        user: FakeUser,
        text: str | None = None,
        *,
        kind: str = "text",
        caption: str | None = None,
        reply_to: int | None = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
        admin: bool = False,
    ) -> dict[str, Any]:
        """The user sends a message (text or media of `kind`) to the bot; returns it.
        `thread_id`: written in that topic of the forum `chat_id` (a closed topic only by an
        `admin` of the group, as in Telegram)."""
        chat = self._chat_for_user(user) if chat_id is None else self.chats[chat_id]
        message = self._new_message(chat, sender=user.to_dict())
        if thread_id is not None:
            topic = chat.topics.get(thread_id)
            assert topic is not None, "no such topic"
            assert admin or not topic.closed, "only admins write in a closed topic"
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if kind == "text":
            assert text is not None
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(command)}
                ]
        else:
            message.update(_media(kind, message["message_id"]))
            if caption:
                message["caption"] = caption
        if reply_to is not None:
            message["reply_to_message"] = _brief(chat.messages[reply_to])
        chat.messages[message["message_id"]] = message
        key = "channel_post" if chat.info["type"] == "channel" else "message"
        self._push({key: message})
        return message

    def channel_post(self, chat_id: int, text: str) -> None:
        chat = self.chats.setdefault(
            chat_id, Chat({"id": chat_id, "type": "channel", "title": "A channel"})
        )
        message = self._new_message(chat, sender=None)
        message["text"] = text
        chat.messages[message["message_id"]] = message
        self._push({"channel_post": message})

    def user_edits(
        self, user: FakeUser, message_id: int, text: str | None = None, *, caption: str = ""
    ) -> None:
        """The user edits a message's text (or, with `caption`, a media message's caption)."""
        chat = self._chat_for_user(user)
        message = dict(chat.messages[message_id])
        if text is not None:
            message["text"] = text
        if caption:
            message["caption"] = caption
        message["edit_date"] = int(time.time())
        chat.messages[message_id] = message
        self._push({"edited_message": message})

    def user_presses(self, user: FakeUser, message: dict[str, Any], data: str) -> str:
        """The user taps an inline button; only buttons the message shows can be pressed."""
        chat_id = message["chat"]["id"]
        current = self.chats[chat_id].messages[message["message_id"]]
        buttons = [
            b for row in current.get("reply_markup", {}).get("inline_keyboard", []) for b in row
        ]
        if not any(b.get("callback_data") == data for b in buttons):
            raise AssertionError(f"no button {data!r} on message {message['message_id']}")
        return self.press_raw(user, current, data)

    def press_raw(self, user: FakeUser, message: dict[str, Any], data: str) -> str:
        """A callback query with any data, as a modified client could send it."""
        query_id = str(next(self._callback_ids))
        self._queries[query_id] = {"user": user.id, "answered": False, "answer": None}
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "chat_instance": str(message["chat"]["id"]),
                    "message": message,
                    "data": data,
                }
            }
        )
        return query_id

    def button_data(self, message: dict[str, Any], label_contains: str) -> str:
        current = self.chats[message["chat"]["id"]].messages[message["message_id"]]
        for row in current.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if label_contains in button["text"]:
                    return str(button["callback_data"])
        raise AssertionError(f"no button containing {label_contains!r}")

    # ---- what people see ----------------------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot has sent to a chat, in order, as they look now (after edits)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [
            m
            for _, m in sorted(chat.messages.items())
            if m.get("from", {}).get("id") == self.bot_id
        ]

    def all_messages(self, chat_id: int) -> list[dict[str, Any]]:
        chat = self.chats.get(chat_id)
        return [] if chat is None else [m for _, m in sorted(chat.messages.items())]

    def last_bot_message(self, chat_id: int) -> dict[str, Any]:
        messages = self.bot_messages(chat_id)
        if not messages:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}")
        return messages[-1]

    def answer_of(self, query_id: str) -> str | None:
        query = self._queries[query_id]
        return None if not query["answered"] else (query["answer"] or "")

    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_for(
        self, condition: Callable[[], object], timeout: float = 10.0, what: str = "condition"
    ) -> Any:
        """Wait until `condition()` is truthy (the bot works asynchronously); return it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = condition()
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.01)

    async def wait_for_bot_message(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        after: int = 0,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """The first bot message in the chat with id > `after` (containing `contains`)."""

        def find() -> dict[str, Any] | None:
            for m in self.bot_messages(chat_id):
                if m["message_id"] > after and (
                    contains is None or contains in (m.get("text") or m.get("caption") or "")
                ):
                    return m
            return None

        found: dict[str, Any] = await self.wait_for(
            find, timeout, what=f"a bot message in {chat_id} containing {contains!r}"
        )
        return found

    def last_message_id(self, chat_id: int) -> int:
        chat = self.chats.get(chat_id)
        return max(chat.messages) if chat and chat.messages else 0

    def inject(
        self,
        kind: str,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        times: int = 1,
        retry_after: int = 1,
    ) -> None:
        self.faults.append(Fault(kind, method, chat_id, times, retry_after))

    # ---- HTTP ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token or self.token_revoked:
            self.unauthorized_calls.append(method)
            return _error(ApiError(401, "Unauthorized"))
        handler = getattr(self, "_m_" + method.lower(), None)
        if handler is None:
            return _error(ApiError(404, "Not Found"))
        try:
            params = await _read_params(request)
        except ValueError as exc:
            return _error(ApiError(400, f"Bad Request: {exc}"))
        self.calls.append((method, params))
        self.call_times.append(time.monotonic())
        fault = self._consume_fault(method, params)
        if fault is not None and fault.kind == "reset":
            assert request.transport is not None
            request.transport.abort()  # the connection drops without an answer
            return web.Response(status=500)
        if fault is not None and fault.kind == "lost":
            try:
                await handler(params)
            except ApiError:
                pass
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)
        try:
            if fault is not None:
                await _apply_fault(fault)
            if method in SENDING_METHODS:
                self._check_rate(_int_or_none(params.get("chat_id")))
            result = await handler(params)
        except ApiError as exc:
            return _error(exc)
        return web.json_response({"ok": True, "result": result})

    def _consume_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in list(self.faults):
            if not _fault_matches(fault, method, params):
                continue
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            return fault
        return None

    def _check_rate(self, chat_id: int | None) -> None:
        """Telegram's flood control: ~30/s overall, ~1/s per chat with short bursts, 20/min
        per group. Modelled as token buckets a little more tolerant than the bot's own."""
        if not self.enforce_limits or chat_id is None:
            return
        now = time.monotonic()
        per_chat = (20 / 60, 20.0) if chat_id < 0 else (1.0, 5.0)
        for key, (rate, burst) in (("global", (30.0, 30.0)), (chat_id, per_chat)):
            tokens, stamp = self._buckets.get(key, [burst, now])
            tokens = min(burst, tokens + (now - stamp) * rate)
            if tokens < 1.0:
                self.rate_limited += 1
                self._buckets[key] = [tokens, now]
                retry = max(1, int((1.0 - tokens) / rate + 0.999))
                raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
            self._buckets[key] = [tokens, now]
        for key in ("global", chat_id):
            self._buckets[key][0] -= 1.0

    # ---- methods ------------------------------------------------------------------------

    async def _m_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Recovery Mentor",
            "username": self.bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = self.webhook_secret = None
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: invalid URL")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url, self.webhook_secret = url, secret
        self._wake_webhook()
        return True

    def _wake_webhook(self) -> None:
        if self.webhook_url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.get_running_loop().create_task(self._post_updates())

    async def _post_updates(self) -> None:
        """Like Telegram: one update at a time, re-sent until the bot answers 2xx."""
        # The outer loop: an update pushed while the session was closing found this task
        # still running (so started no other) and must not be stranded.
        while self.webhook_url and self._updates:
            await self._post_some_updates()

    async def _post_some_updates(self) -> None:
        async with aiohttp.ClientSession() as session:
            while self.webhook_url and self._updates:
                update = self._updates[0]
                headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret or ""}
                try:
                    async with session.post(
                        self.webhook_url, json=update, headers=headers
                    ) as response:
                        status = response.status
                except aiohttp.ClientError:
                    status = 0
                self.webhook_answers.append(status)
                if 200 <= status < 300:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                else:
                    await asyncio.sleep(0.05)

    async def _m_setmycommands(self, params: dict[str, Any]) -> bool:
        key = self._scope_key(params)
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > COMMANDS_LIMIT:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        checked: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or COMMAND_NAME_RE.fullmatch(name) is None:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not (
                1 <= len(description.strip()) and len(description) <= DESCRIPTION_LIMIT
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": description})
        if checked:
            self.menus[key] = checked
        else:  # an empty list is how Telegram deletes a scope's commands too
            self.menus.pop(key, None)
        return True

    async def _m_getmycommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return list(self.menus.get(self._scope_key(params), []))

    async def _m_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.menus.pop(self._scope_key(params), None)
        return True

    def _scope_key(self, params: dict[str, Any]) -> ScopeKey:
        scope = params.get("scope", {"type": "default"})
        if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        kind = str(scope["type"])
        chat_id = user_id = None
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = _int(scope, "chat_id")
            if chat_id not in self.chats:
                raise ApiError(400, "Bad Request: chat not found")
        if kind == "chat_member":
            user_id = _int(scope, "user_id")
        language = params.get("language_code") or ""
        if not isinstance(language, str) or not re.fullmatch(r"(|[a-z]{2})", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return kind, chat_id, user_id, language

    def menu_seen_in(self, chat_id: int) -> list[str]:
        """The commands a person sees in Telegram's menu of their private chat with the bot:
        the chat's own scope, else all private chats, else the default."""
        for key in (("chat", chat_id, None, ""), ("all_private_chats", None, None, "")):
            if key in self.menus:
                return [c["command"] for c in self.menus[key]]
        return [c["command"] for c in self.menus.get(("default", None, None, ""), [])]

    async def _m_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = _int_or_none(params.get("offset"))
        if offset is not None:
            # Telegram forgets everything below the offset: that is the confirmation.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = _int_or_none(params.get("limit")) or 100
        timeout = float(params.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        if not self._updates and timeout > 0:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                pass
        if generation != self._poll_generation and timeout > 0:
            self.poll_conflicts += 1
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one "
                "bot instance is running",
            )
        allowed = params.get("allowed_updates")
        batch = [u for u in self._updates if not allowed or any(k in u for k in allowed)][:limit]
        return batch

    async def _m_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        text = self._checked_text(
            params.get("text"),
            params.get("parse_mode"),
            TEXT_LIMIT,
            "message text is empty",
            "message is too long",
        )
        markup = _checked_markup(params.get("reply_markup"))
        message = self._new_message(chat, sender=self._bot_user())
        message["text"] = text
        if params.get("entities"):
            message["entities"] = params["entities"]
        self._attach(chat, message, params, markup)
        return message

    async def _m_copymessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        source_chat = self.chats.get(_int(params, "from_chat_id"))
        original = (
            None if source_chat is None else source_chat.messages.get(_int(params, "message_id"))
        )
        if original is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        if not any(k in original for k in CONTENT_KEYS):
            raise ApiError(400, "Bad Request: message can't be copied")
        markup = _checked_markup(params.get("reply_markup"))
        message = self._new_message(chat, sender=self._bot_user())
        for key in CONTENT_KEYS + ("entities", "caption", "caption_entities"):
            if key in original:
                message[key] = original[key]
        if "caption" in params:
            message["caption"] = self._checked_text(
                params["caption"],
                params.get("parse_mode"),
                CAPTION_LIMIT,
                None,
                "message caption is too long",
            )
        self._attach(chat, message, params, markup)
        return {"message_id": message["message_id"]}

    async def _m_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._upload(
            params,
            "document",
            lambda n, upload: {
                "file_id": f"doc-{n}",
                "file_unique_id": f"d{n}",
                "file_name": upload.get("file_name") or "file",
                "file_size": upload["size"],
            },
        )

    async def _m_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._upload(
            params,
            "photo",
            lambda n, upload: [
                {
                    "file_id": f"uploaded-{n}",
                    "file_unique_id": f"up{n}",
                    "width": 700,
                    "height": 320,
                    "file_size": upload["size"],
                }
            ],
        )

    def _upload(
        self,
        params: dict[str, Any],
        field: str,
        describe: Callable[[int, dict[str, Any]], Any],
    ) -> dict[str, Any]:
        """A message carrying an uploaded file; the bytes are kept for tests to read."""
        chat = self._target_chat(params)
        upload = params.get(field)
        if not isinstance(upload, dict) or not upload.get("size"):
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        if upload["size"] > UPLOAD_LIMITS[field]:
            raise ApiError(413, "Request Entity Too Large")
        if field == "document" and not upload.get("file_name"):
            raise ApiError(400, "Bad Request: file name must be non-empty")
        markup = _checked_markup(params.get("reply_markup"))
        message = self._new_message(chat, sender=self._bot_user())
        message[field] = describe(message["message_id"], upload)
        self.uploads[(chat.info["id"], message["message_id"])] = upload["content"]
        if params.get("caption"):
            message["caption"] = self._checked_text(
                params["caption"],
                params.get("parse_mode"),
                CAPTION_LIMIT,
                None,
                "message caption is too long",
            )
        self._attach(chat, message, params, markup)
        return message

    async def _m_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        message = chat.messages.get(_int(params, "message_id"))
        if message is None or message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message to edit not found")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = self._checked_text(
            params.get("text"),
            params.get("parse_mode"),
            TEXT_LIMIT,
            "message text is empty",
            "message is too long",
        )
        markup = _checked_markup(params.get("reply_markup"))
        if (
            text == message["text"]
            and markup == message.get("reply_markup")
            and params.get("entities") == message.get("entities")
        ):
            raise ApiError(400, NOT_MODIFIED)
        updated = dict(message)
        updated["text"] = text
        updated["edit_date"] = int(time.time())
        updated.pop("reply_markup", None)
        updated.pop("entities", None)
        if markup:
            updated["reply_markup"] = markup
        if params.get("entities"):
            updated["entities"] = params["entities"]
        chat.messages[updated["message_id"]] = updated
        return updated

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        message = chat.messages.get(_int(params, "message_id"))
        if message is None or message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = _checked_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        updated = dict(message)
        updated.pop("reply_markup", None)
        if markup:
            updated["reply_markup"] = markup
        chat.messages[updated["message_id"]] = updated
        return updated

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query = self._queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired "
                "or query ID is invalid",
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query["answered"] = True
        query["answer"] = text
        return True

    async def _m_getchat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._member_chat(params)
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _m_getchatmember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._member_chat(params)
        user_id = _int(params, "user_id")
        if user_id == self.bot_id:
            default = {"status": "member", "user": self._bot_user()}
            return self.bot_status.get(chat.info["id"], default)
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        return {"status": "member", "user": user.to_dict()}
    async def _m_createforumtopic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        if not chat.info.get("is_forum"):
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if not chat.bot_manages_topics:
            raise ApiError(400, "Bad Request: not enough rights to create a topic")
        name = params.get("name")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "Bad Request: TOPIC_NAME_EMPTY")
        if len(name.encode("utf-16-le")) // 2 > 128:
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        created = self._new_message(chat, sender=self._bot_user())
        thread_id = created["message_id"]
        created["message_thread_id"] = thread_id
        created["is_topic_message"] = True
        created["forum_topic_created"] = {"name": name, "icon_color": 7322096}
        chat.messages[thread_id] = created
        chat.topics[thread_id] = Topic(name)
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    def _managed_topic(self, params: dict[str, Any]) -> tuple[Chat, Topic]:
        chat = self._target_chat(params)
        if not chat.info.get("is_forum"):
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if not chat.bot_manages_topics:
            raise ApiError(400, "Bad Request: not enough rights to manage topics")
        topic = chat.topics.get(_int(params, "message_thread_id"))
        if topic is None:
            raise ApiError(400, "Bad Request: message thread not found")
        return chat, topic

    async def _m_editforumtopic(self, params: dict[str, Any]) -> bool:
        """Renames a topic (icon changes are not emulated). As Telegram: the same name again
        is TOPIC_NOT_MODIFIED, an empty or too long one TOPIC_NAME_INVALID."""
        _, topic = self._managed_topic(params)
        if "icon_custom_emoji_id" in params:
            raise ApiError(400, "Bad Request: custom emoji icons are not emulated")
        name = params.get("name")
        if name is None:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        if not isinstance(name, str) or not name or len(name.encode("utf-16-le")) // 2 > 128:
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        if name == topic.name:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.name = name
        return True

    async def _m_closeforumtopic(self, params: dict[str, Any]) -> bool:
        _, topic = self._managed_topic(params)
        if topic.closed:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.closed = True
        return True

    async def _m_reopenforumtopic(self, params: dict[str, Any]) -> bool:
        _, topic = self._managed_topic(params)
        if not topic.closed:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    async def _m_deleteforumtopic(self, params: dict[str, Any]) -> bool:
        chat, _ = self._managed_topic(params)
        self.delete_topic(chat.info["id"], _int(params, "message_thread_id"))
        return True

    # ---- helpers ------------------------------------------------------------------------

    def _member_chat(self, params: dict[str, Any]) -> Chat:
        """A chat asked about (getChat, getChatMember): as Telegram, a group the bot is no
        longer in answers 403, an unknown one 400."""
        chat_id = _int(params, "chat_id")
        chat = self.chats.get(chat_id)
        if chat_id in self.kicked:
            supergroup = chat is not None and chat.info["type"] == "supergroup"
            kind = "supergroup" if supergroup else "group"
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return self._target_chat(params)

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Recovery Mentor",
            "username": self.bot_username,
        }

    def _chat_for_user(self, user: FakeUser) -> Chat:
        self.users[user.id] = user
        chat = self.chats.get(user.id)
        if chat is None:
            info = {"id": user.id, "type": "private", "first_name": user.first_name}
            if user.last_name:
                info["last_name"] = user.last_name
            if user.username:
                info["username"] = user.username
            chat = self.chats[user.id] = Chat(info)
        # Writing to a bot you blocked unblocks it (Telegram's "Restart" button).
        self.blocked.discard(user.id)
        return chat

    def _target_chat(self, params: dict[str, Any]) -> Chat:
        chat_id = _int(params, "chat_id")
        if chat_id in self.migrated:  # as Telegram answers for a group that became a supergroup
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self.migrated[chat_id],
            )
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.kicked:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _new_message(self, chat: Chat, sender: dict[str, Any] | None) -> dict[str, Any]:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat.info,
        }
        if sender is not None:
            message["from"] = sender
        return message

    def _checked_text(
        self, text: Any, parse_mode: Any, limit: int, empty: str | None, too_long: str
    ) -> str:
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise ApiError(400, "Bad Request: text must be a string")
        if parse_mode is not None:
            if str(parse_mode).upper() != "HTML":
                raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
            try:
                text = plain_text(text)
            except ParseError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        length = len(text.encode("utf-16-le")) // 2
        if empty is not None and not text.strip():
            raise ApiError(400, f"Bad Request: {empty}")
        if length > limit:
            raise ApiError(400, f"Bad Request: {too_long}")
        return str(text)

    def _attach(
        self,
        chat: Chat,
        message: dict[str, Any],
        params: dict[str, Any],
        markup: dict[str, Any] | None,
    ) -> None:
        thread = _int_or_none(params.get("message_thread_id"))
        if thread is not None:
            topic = chat.topics.get(thread)
            if topic is None:
                raise ApiError(400, "Bad Request: message thread not found")
            if topic.closed:
                raise ApiError(400, "Bad Request: TOPIC_CLOSED")
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            target = chat.messages.get(int(reply.get("message_id", 0)))
            if target is not None:
                message["reply_to_message"] = _brief(target)
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        if markup:
            message["reply_markup"] = markup
        chat.messages[message["message_id"]] = message

    def _push(self, payload: dict[str, Any]) -> None:
        self._updates.append({"update_id": next(self._update_ids), **payload})
        self._new_update.set()
        self._wake_webhook()


# ---- module helpers -------------------------------------------------------------------------


async def _read_params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("body must be an object")
        return body
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename:
                content = bytes(await part.read())
                params[part.name] = {
                    "file_name": part.filename,
                    "size": len(content),
                    "content": content,
                }
            else:
                params[part.name] = await part.text()
    elif request.can_read_body:
        params.update(dict(await request.post()))
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except json.JSONDecodeError:
                raise ValueError(f"can't parse {key} JSON object") from None
    return params


async def _apply_fault(fault: Fault) -> None:
    if fault.kind == "429":
        raise ApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            retry_after=fault.retry_after,
        )
    if fault.kind == "500":
        raise ApiError(500, "Internal Server Error")
    if fault.kind == "400":
        raise ApiError(400, "Bad Request: message to copy not found")
    if fault.kind == "403":
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if fault.kind == "timeout":
        await asyncio.sleep(3600)


def _fault_matches(fault: Fault, method: str, params: dict[str, Any]) -> bool:
    if fault.method is not None and fault.method != method:
        return False
    return fault.chat_id is None or _int_or_none(params.get("chat_id")) == fault.chat_id


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    if exc.migrate_to_chat_id is not None:
        body["parameters"] = {"migrate_to_chat_id": exc.migrate_to_chat_id}
    return web.json_response(body, status=exc.code)


def _int(params: dict[str, Any], key: str) -> int:
    value = _int_or_none(params.get(key))
    if value is None:
        raise ApiError(400, f"Bad Request: {key} is required and must be an integer")
    return value


def _int_or_none(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup["inline_keyboard"]:
        if not isinstance(row, list):
            raise ApiError(400, "Bad Request: can't parse inline keyboard button")
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if data is None and "url" not in button:
                raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')
    return markup if markup["inline_keyboard"] else None


def _brief(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def _media(kind: str, salt: int) -> dict[str, Any]:
    file = {"file_id": f"{kind}-file-{salt}", "file_unique_id": f"u{kind}{salt}"}
    if kind == "photo":
        return {"photo": [{**file, "width": 640, "height": 480, "file_size": 12345}]}
    if kind == "location":
        return {"location": {"latitude": 40.4168, "longitude": -3.7038}}
    if kind == "sticker":
        return {
            "sticker": {
                **file,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        }
    if kind == "voice":
        return {"voice": {**file, "duration": 4}}
    if kind == "video":
        return {"video": {**file, "width": 640, "height": 480, "duration": 5}}
    if kind == "video_note":
        return {"video_note": {**file, "length": 240, "duration": 5}}
    if kind == "document":
        return {"document": {**file, "file_name": "notes.pdf"}}
    if kind == "audio":
        return {"audio": {**file, "duration": 30}}
    if kind == "animation":
        return {"animation": {**file, "width": 320, "height": 240, "duration": 2}}
    if kind == "contact":
        return {"contact": {"phone_number": "+15550100", "first_name": "Someone"}}
    if kind == "poll":
        return {
            "poll": {
                "id": str(salt),
                "question": "Tea or coffee?",
                "options": [
                    {"text": "Tea", "voter_count": 0, "persistent_id": "t"},
                    {"text": "Coffee", "voter_count": 0, "persistent_id": "c"},
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        }
    if kind == "dice":
        return {"dice": {"emoji": "🎲", "value": 4}}
    raise ValueError(f"unknown media kind {kind}")
