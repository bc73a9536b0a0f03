"""Malformed and random updates never crash the bot and never change what they should not."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import BotRuntime
from bot.config import load_settings
from emulator import BotApiEmulator
from storage.models import Coordinator, Escalation, Member, Pairing
from tests.conftest import COORDINATOR_ID
from tests.helpers import TEST_KEYS

_runs = itertools.count()

texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "/start",
            "/start ' OR 1=1 --",
            "/pair a b",
            "/invite admin",
            "/sos",
            "<b>unclosed",
            "&amp;&",
            "/flag",
            "/resolve 1",
            "/erase M-0001",
            "/checkin",
            "/schedule 25:99",
            "x" * 5000,
        ]
    ),
)
users = st.fixed_dictionaries(
    {
        "id": st.one_of(st.integers(min_value=-(2**40), max_value=2**40), st.just(COORDINATOR_ID)),
        "is_bot": st.booleans(),
        "first_name": st.text(max_size=20),
    }
)
chats = st.fixed_dictionaries(
    {
        "id": st.integers(min_value=-(2**40), max_value=2**40),
        "type": st.sampled_from(["private", "group", "supergroup", "channel", "weird"]),
    }
)
messages = st.fixed_dictionaries(
    {"message_id": st.integers(min_value=-5, max_value=10**6), "date": st.integers(0, 2**31)},
    optional={
        "text": texts,
        "from": users,
        "chat": chats,
        "caption": texts,
        "reply_to_message": st.just(
            {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}
        ),
        "contact": st.just({"phone_number": "+1555", "first_name": "X"}),
    },
)
updates: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.builds(lambda m: {"message": m}, messages),
    st.builds(lambda m: {"edited_message": m}, messages),
    st.builds(lambda m: {"channel_post": m}, messages),
    st.builds(
        lambda u, d, m: {
            "callback_query": {"id": "1", "from": u, "chat_instance": "c", "data": d, "message": m}
        },
        users,
        st.text(max_size=64),
        messages,
    ),
    st.dictionaries(
        st.sampled_from(
            ["poll", "business_message", "message_reaction", "chat_join_request", "nonsense"]
        ),
        st.dictionaries(st.text(max_size=5), st.integers()),
        min_size=1,
    ),
    st.just({}),
)


async def _run(batch: list[dict[str, Any]], folder: Path) -> None:
    emu = BotApiEmulator()
    await emu.start()
    db_url = f"sqlite+aiosqlite:///{folder / f'fuzz-{next(_runs)}.sqlite3'}"
    config = load_settings(
        telegram_bot_token=emu.token,
        telegram_api_base_url=emu.base_url,
        database_url=db_url,
        coordinator_ids=str(COORDINATOR_ID),
        _env_file=None,
        **TEST_KEYS,
    )
    runtime = BotRuntime(config, emu.token, poll_timeout=1)
    await runtime.start()
    try:
        # Ids below the emulator's (which start at 1), so that they confirm nothing.
        await runtime.inbox.store([{"update_id": -1_000 + i, **u} for i, u in enumerate(batch)])
        await runtime.inbox.process_pending()
        # Still answering afterwards.
        casey = emu.user(COORDINATOR_ID, "Casey")
        emu.user_sends(casey, "/pairs")
        await emu.wait_for_bot_message(COORDINATOR_ID, "No active pairings")
        async with runtime.session_factory() as s:
            for model in (Member, Pairing, Escalation):
                assert await s.scalar(select(func.count()).select_from(model)) == 0
            assert await s.scalar(select(func.count()).select_from(Coordinator)) == 1
    finally:
        await runtime.stop()
        await emu.stop()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(updates, min_size=1, max_size=8))
def test_random_updates_do_not_crash_or_change_the_program(
    batch: list[dict[str, Any]], tmp_path: Path
) -> None:
    asyncio.run(_run(batch, tmp_path))
