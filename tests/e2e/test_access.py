"""Every command and every button, tried by a mentee, a mentor, a coordinator, a stranger,
from the staff group and from another group: each is let through or turned away exactly as
the program's access rules say (written out again here, independently of `bot.access`)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import CommandHandler

from bot import texts
from bot.access import BUTTONS, COMMANDS
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import CoordinatorChange, Invite, Member, Pairing
from tests.e2e.conftest import Program

STAFF_GROUP = -100500
OTHER_GROUP = -100777

MENTEE, MENTOR, COORDINATOR, STRANGER = "mentee", "mentor", "coordinator", "stranger"
People = dict[str, FakeUser]
EVERYONE = {MENTEE, MENTOR, COORDINATOR, STRANGER}
MEMBERS = {MENTEE, MENTOR}

# Who may use each command in a private chat with the bot.
COMMAND_RULES: dict[str, set[str]] = {
    "start": EVERYONE,
    "help": EVERYONE,
    "id": EVERYONE,
    "checkin": {MENTEE},
    "schedule": {MENTEE},
    "quiet": {MENTEE},
    "pause": {MENTEE},
    "resume": {MENTEE},
    "sober": {MENTEE},
    "progress": MEMBERS,
    "sos": MEMBERS,
    "mydata": MEMBERS,
    "deleteme": MEMBERS,
    "staff": MEMBERS,
    "flag": {MENTOR},
    "language": {MENTEE, MENTOR, COORDINATOR},
    **{
        name: {COORDINATOR}
        for name in (
            "invite",
            "invites",
            "pair",
            "unpair",
            "pairs",
            "members",
            "match",
            "health",
            "coordinators",
            "erase",
            "escalations",
            "escalation",
            "resolve",
            "cancel",
            "stats",
            "export",
            "reply",
            "oncall",
        )
    },
}
# In the staff group only coordinators' program commands work (and /help for anyone): nothing
# personal, and not /erase or /cancel, whose answers name a member or a pending note.
STAFF_GROUP_COMMANDS = {name for name, who in COMMAND_RULES.items() if who == {COORDINATOR}} - {
    "erase",
    "cancel",
}

# Button presses with well-formed data naming nothing that exists, by callback prefix.
BUTTON_RULES: dict[str, tuple[str, set[str]]] = {
    "ci": ("ci:999999:m:3", {MENTEE}),
    "mr": ("mr:999999:on_track", {MENTOR}),
    "to": ("to:999999:999999", {MENTOR}),
    "cc": ("cc:999999:ok", {MENTOR}),
    "lbl": ("lbl:999999", {MENTOR}),
    "cn": ("cn:y:no-such-code", {STRANGER, COORDINATOR}),  # coordinators may enrol too
    "cl": ("cl:es:no-such-code", {STRANGER, COORDINATOR}),
    "ln": ("ln:en", {MENTEE, MENTOR, COORDINATOR}),
    "tz": ("tz:Europe/London", {STRANGER, COORDINATOR}),
    "lang": ("lang:en", {STRANGER, COORDINATOR}),
    "tag": ("tag:music", {STRANGER, COORDINATOR}),
    "pm": ("pm:999999:999998", {COORDINATOR}),
    "iv": ("iv:r:999999", {COORDINATOR}),
    "esc": ("esc:999999:ack", {COORDINATOR}),
    "out": ("out:999999:false_alarm", {COORDINATOR}),
    "del": ("del:999999:no", {MENTEE, MENTOR, COORDINATOR}),
}

COMMAND_REFUSALS = {
    texts.NOT_ALLOWED,
    texts.MENTEES_ONLY,
    texts.MENTORS_ONLY,
    texts.MEMBERS_ONLY,
    texts.MYDATA_NONE,
    texts.PRIVATE_CHAT_ONLY,
}
BUTTON_REFUSALS = {
    texts.BUTTON_FOR_COORDINATORS,
    texts.BUTTON_FOR_MENTEES,
    texts.BUTTON_FOR_MENTORS,
    texts.BUTTON_FOR_MEMBERS,
    texts.BUTTON_PRIVATE_ONLY,
    texts.ALREADY_ENROLLED,
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Many commands in two groups: lift the 20-a-minute group limit (it has its own tests).
    return settings.model_copy(
        update={"coordinator_chat_id": STAFF_GROUP, "rate_limit_group_per_min": 6000}
    )


def test_the_rules_here_cover_every_command_and_button_the_bot_has(program: Program) -> None:
    registered = {
        command
        for handlers in program.runtime.app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    assert registered == set(COMMAND_RULES) == set(COMMANDS)
    assert set(BUTTON_RULES) == set(BUTTONS)


async def _replies(program: Program, user: FakeUser, text: str, chat_id: int) -> list[str]:
    before = program.emu.last_message_id(chat_id)
    program.emu.user_sends(user, text, chat_id=None if chat_id == user.id else chat_id)
    # Confirmed by the bot's next getUpdates means stored and processed; then the sends.
    await program.emu.wait_for(lambda: program.emu.pending_updates() == 0, what="confirmation")
    await program.settle()
    # A file (a chart, an export) may have no text: it is an answer all the same.
    return [
        str(m.get("text") or m.get("caption") or "<file>")
        for m in program.emu.bot_messages(chat_id)
        if m["message_id"] > before
    ]


async def _program_state(program: Program) -> tuple[int, ...]:
    async with program.runtime.session_factory() as s:
        return tuple(
            [
                await s.scalar(select(func.count()).select_from(model)) or 0
                for model in (Member, Pairing, Invite, CoordinatorChange)
            ]
        )


@pytest.fixture
def people(paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser) -> People:
    """A paired mentee and mentor, the coordinator and a stranger; the staff group and
    another group exist."""
    emu.add_group(STAFF_GROUP, "Program staff")
    emu.add_group(OTHER_GROUP, "A recovery meetup")
    return {
        MENTEE: sam,
        MENTOR: alex,
        COORDINATOR: paired.coordinator,
        STRANGER: emu.user(7900000009, "Stranger"),
    }


async def test_every_command_by_every_role_and_place(paired: Program, people: People) -> None:
    state = await _program_state(paired)
    for command, allowed_for in COMMAND_RULES.items():
        for role, person in people.items():
            replies = await _replies(paired, person, f"/{command}", person.id)
            assert replies, f"/{command} by {role}: no answer"
            refused = any(r in COMMAND_REFUSALS for r in replies)
            assert refused == (role not in allowed_for), (f"/{command}", role, replies)

        for role in (COORDINATOR, MENTEE):
            replies = await _replies(paired, people[role], f"/{command}", STAFF_GROUP)
            expected = command in ("help", "id") or (
                role == COORDINATOR and command in STAFF_GROUP_COMMANDS
            )
            refused = not replies or any(r in COMMAND_REFUSALS for r in replies)
            assert refused == (not expected), (f"/{command} in the staff group", role, replies)

        replies = await _replies(paired, people[COORDINATOR], f"/{command}", OTHER_GROUP)
        if command == "id":  # anyone may learn a group's id, to set the staff group up
            assert len(replies) == 1 and "COORDINATOR_CHAT_ID" in replies[0], replies
        else:
            assert replies == [texts.GROUP_NOT_SUPPORTED], (f"/{command} elsewhere", replies)

    # Turned-away commands changed nothing: the counts are those the allowed ones left.
    members, pairings, _, coordinator_changes = await _program_state(paired)
    assert (members, pairings, coordinator_changes) == (state[0], state[1], state[3])


async def _press(program: Program, user: FakeUser, chat_id: int, data: str) -> str:
    message: dict[str, Any] = program.emu.bot_messages(chat_id)[-1]
    query_id = program.emu.press_raw(user, message, data)
    await program.emu.wait_for(
        lambda: program.emu.answer_of(query_id) is not None, what=f"an answer to {data}"
    )
    return program.emu.answer_of(query_id) or ""


async def test_every_button_by_every_role_and_place(paired: Program, people: People) -> None:
    sam = people[MENTEE]
    for person in people.values():
        await _replies(paired, person, "/help", person.id)  # a message to press buttons on
    await _replies(paired, people[COORDINATOR], "/help", STAFF_GROUP)
    await _replies(paired, people[COORDINATOR], "/help", OTHER_GROUP)
    state = await _program_state(paired)

    for prefix, (data, allowed_for) in BUTTON_RULES.items():
        for role, person in people.items():
            toast = await _press(paired, person, person.id, data)
            assert (toast in BUTTON_REFUSALS) == (role not in allowed_for), (data, role, toast)

        staff_allowed = prefix in ("pm", "esc", "out", "iv")
        toast = await _press(paired, people[COORDINATOR], STAFF_GROUP, data)
        assert (toast in BUTTON_REFUSALS) == (not staff_allowed), (data, "staff group", toast)
        toast = await _press(paired, sam, STAFF_GROUP, data)
        assert toast in BUTTON_REFUSALS, (data, "mentee in the staff group", toast)

        toast = await _press(paired, people[COORDINATOR], OTHER_GROUP, data)
        assert toast == texts.GROUP_NOT_SUPPORTED, (data, "another group", toast)

    assert await _program_state(paired) == state
