"""Enrolment by one-time invite: consent, pseudonym, timezone, language, matching tags."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import LANGUAGES, Text, join, supported, t, t_item
from bot.services.languages import program_language
from bot.services.members import coordinator_ids, member_by_telegram_id
from bot.services.menus import refresh_menu
from bot.services.outbox import Button, edit_text, h, send_text
from storage.crypto import lookup
from storage.models import EnrolmentDraft, Invite, Member
from storage.names import name_key

PSEUDONYM_MIN = 2
PSEUDONYM_MAX = 24
PSEUDONYM_PUNCTUATION = frozenset(" .-_")
# Words that would let a member pass as program staff or as the bot itself: as whole words,
# and the unambiguous ones anywhere ("StaffSam", "a.d.m.i.n").
RESERVED_WORDS = frozenset(
    {
        "admin",
        # How an erased member is shown ("erased M-0001", bot/services/erasure.py).
        "erased",
        "bot",
        "coordinator",
        "moderator",
        "official",
        "staff",
        "support",
        "system",
        "team",
        "telegram",
        "mod",
        "program",
        "counselor",
        "counsellor",
        "nurse",
        "doctor",
    }
)
RESERVED_ANYWHERE = ("admin", "coordinator", "moderator", "official", "staff", "telegram")


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Step(StrEnum):
    PSEUDONYM = "pseudonym"
    TIMEZONE = "timezone"
    LANGUAGE = "language"
    TAGS = "tags"


@dataclass(frozen=True)
class InviteCheck:
    invite: Invite | None
    problem: InviteProblem | None


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def create_invite(
    session: AsyncSession, *, role: str, created_by: int, now: datetime, ttl: timedelta
) -> Invite:
    """Make a one-time code; 16 random bytes fit Telegram's 64-character start payload."""
    invite = Invite(
        code=secrets.token_urlsafe(16),
        role=role,
        created_by=created_by,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    await session.flush()
    return invite


async def check_invite(session: AsyncSession, code: str, now: datetime) -> InviteCheck:
    invite = await session.scalar(select(Invite).where(Invite.code == code))
    if invite is None:
        return InviteCheck(None, InviteProblem.UNKNOWN)
    if invite.used_at is not None:
        return InviteCheck(invite, InviteProblem.USED)
    if invite.revoked_at is not None:
        return InviteCheck(invite, InviteProblem.REVOKED)
    if invite.expires_at <= now:
        return InviteCheck(invite, InviteProblem.EXPIRED)
    return InviteCheck(invite, None)


INVITE_PROBLEM_TEXT = {
    InviteProblem.UNKNOWN: t(texts.INVITE_UNKNOWN),
    InviteProblem.USED: t(texts.INVITE_USED),
    InviteProblem.EXPIRED: t(texts.INVITE_EXPIRED),
    InviteProblem.REVOKED: t(texts.INVITE_REVOKED),
}


async def start_without_invite(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    crisis_line: str,
    now: datetime,
) -> None:
    """Answer a bare /start: members get help, people mid-enrolment resume, others nothing."""
    draft = await session.get(EnrolmentDraft, lookup(telegram_user_id))
    if draft is not None:
        await send_text(session, chat_id, t(texts.ENROLMENT_RESUME), now=now)
        invite = await session.get(Invite, draft.invite_id)
        assert invite is not None
        await _ask_for_step(session, draft, invite.role, now)
        return
    # Nothing is stored about someone without an invite.
    await send_text(session, chat_id, t(texts.NOT_INVITED, crisis_line=h(crisis_line)), now=now)


async def start_with_code(
    session: AsyncSession,
    *,
    code: str,
    telegram_user_id: int,
    chat_id: int,
    crisis_line: str,
    now: datetime,
) -> None:
    """Show the consent screen for a valid invite, or say why the code can't be used."""
    member = await member_by_telegram_id(session, telegram_user_id)
    if member is not None:
        await send_text(
            session,
            chat_id,
            t(texts.ALREADY_MEMBER, pseudonym=h(member.pseudonym), short_id=member.short_id),
            now=now,
        )
        return
    check = await check_invite(session, code, now)
    if check.problem is not None or check.invite is None:
        await send_text(
            session, chat_id, INVITE_PROBLEM_TEXT[check.problem or InviteProblem.UNKNOWN], now=now
        )
        return
    # Language first: everything after this screen is in the language chosen on it. Each
    # language's button carries its own name; nothing is stored until consent.
    await send_text(
        session,
        chat_id,
        t(texts.CHOOSE_LANGUAGE),
        buttons=[[(texts.LANGUAGES[language], f"cl:{language}:{code}") for language in LANGUAGES]],
        now=now,
    )


async def choose_first_language(
    session: AsyncSession,
    *,
    code: str,
    language: str,
    chat_id: int,
    message_id: int,
    crisis_line: str,
    now: datetime,
) -> bool:
    """The first screen's answer: the consent screen, in the chosen language. The choice
    travels in the consent buttons, so that declining still stores nothing."""
    if not supported(language):
        return False
    check = await check_invite(session, code, now)
    if check.problem is not None or check.invite is None:
        problem = INVITE_PROBLEM_TEXT[check.problem or InviteProblem.UNKNOWN]
        await edit_text(session, chat_id, message_id, problem, now=now, language=language)
        return True
    role = check.invite.role
    chosen = t(texts.CHOSEN, choice=texts.LANGUAGES[language])
    await edit_text(session, chat_id, message_id, chosen, now=now, language=language)
    await send_text(
        session,
        chat_id,
        t(
            texts.CONSENT,
            role=t_item(texts.ROLE_NAMES, role),
            other=t_item(texts.OTHER_ROLE, role),
            crisis_line=h(crisis_line),
        ),
        buttons=[
            [
                (t(texts.CONSENT_AGREE), f"cn:y:{code}:{language}"),
                (t(texts.CONSENT_DECLINE), f"cn:n:{code}:{language}"),
            ]
        ],
        now=now,
        language=language,
    )
    return True


async def answer_consent(
    session: AsyncSession,
    *,
    code: str,
    agreed: bool,
    telegram_user_id: int,
    chat_id: int,
    message_id: int,
    default_timezone: str,
    now: datetime,
    language: str | None = None,
) -> None:
    """Begin enrolment on agreement, in the language chosen before consent (the program's
    for a consent screen from before that choice existed); on refusal forget everything
    about the person."""
    language = language if supported(language) else program_language(session)
    if not agreed:
        await session.execute(
            delete(EnrolmentDraft).where(
                EnrolmentDraft.telegram_user_key == lookup(telegram_user_id)
            )
        )
        await edit_text(
            session, chat_id, message_id, t(texts.CONSENT_DECLINED), now=now, language=language
        )
        return
    if await member_by_telegram_id(session, telegram_user_id) is not None:
        await edit_text(
            session, chat_id, message_id, t(texts.CONSENT_ACCEPTED), now=now, language=language
        )
        return
    check = await check_invite(session, code, now)
    if check.problem is not None or check.invite is None:
        await edit_text(
            session,
            chat_id,
            message_id,
            INVITE_PROBLEM_TEXT[check.problem or InviteProblem.UNKNOWN],
            now=now,
            language=language,
        )
        return
    await session.execute(
        delete(EnrolmentDraft).where(EnrolmentDraft.telegram_user_key == lookup(telegram_user_id))
    )
    draft = EnrolmentDraft(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        invite_id=check.invite.id,
        step=Step.PSEUDONYM,
        # The program's home timezone, offered first when the person chooses theirs.
        timezone=default_timezone,
        language=language,
        tags="",
        created_at=now,
    )
    session.add(draft)
    await edit_text(
        session, chat_id, message_id, t(texts.CONSENT_ACCEPTED), now=now, language=language
    )
    await _ask_for_step(session, draft, check.invite.role, now)


def _language(session: AsyncSession, draft: EnrolmentDraft) -> str:
    language = draft.language
    return language if supported(language) else program_language(session)


async def draft_for(session: AsyncSession, telegram_user_id: int) -> EnrolmentDraft | None:
    return await session.get(EnrolmentDraft, lookup(telegram_user_id))


def pseudonym_problem(raw: str) -> str | None:
    """Why a pseudonym can't be used (a text constant), or None. Works on the normalised
    form."""
    name = normalise_pseudonym(raw)
    if len(name) < PSEUDONYM_MIN:
        return texts.PSEUDONYM_TOO_SHORT
    if len(name) > PSEUDONYM_MAX:
        return texts.PSEUDONYM_TOO_LONG
    if not all(ch.isalnum() or ch in PSEUDONYM_PUNCTUATION for ch in name):
        return texts.PSEUDONYM_BAD_CHARS
    if not any(ch.isalpha() for ch in name):
        return texts.PSEUDONYM_NEEDS_LETTER
    # As typed and as it will be kept: a look-alike can hide in either ("Staſf", with a long
    # s, looks like "Staff" as typed, though it is kept as "Stasf").
    for form in dict.fromkeys((" ".join(raw.split()), name)):
        words = {_reserved_form(word) for word in re.split(r"[ ._-]+", form)}
        whole = _reserved_form(form)
        if (
            words & _reserved_words()
            or whole in _reserved_words()
            or any(word in whole for word in _reserved_anywhere())
            or any(_looks_like_short_id(word) for word in re.split(r"[ ._]+", form))
        ):
            return texts.PSEUDONYM_RESERVED
    return None


def normalise_pseudonym(raw: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", raw).split())


# Digits people write for letters ("St4ff"), which Unicode does not count as look-alikes.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})


def _reserved_form(text: str) -> str:
    """The Latin letters a name looks like: 'Ѕt4ff' (Cyrillic Ѕ) and 'a.d.m.i.n' read as staff
    and admin. Compared only with the same form of the reserved words."""
    decomposed = unicodedata.normalize("NFKD", name_key(text.translate(_LEET)))
    return "".join(ch for ch in decomposed if ch.isalpha() and ch.isascii())


@lru_cache(maxsize=1)
def _reserved_words() -> frozenset[str]:
    return frozenset(_reserved_form(word) for word in RESERVED_WORDS)


@lru_cache(maxsize=1)
def _reserved_anywhere() -> tuple[str, ...]:
    return tuple(_reserved_form(word) for word in RESERVED_ANYWHERE)


@lru_cache(maxsize=1)
def _short_id_look() -> re.Pattern[str]:
    """A word that looks like a short id (M-0001, М-0001 with a Cyrillic М, M-OOO1) once
    reduced to its skeleton."""
    letter = re.escape(name_key("M"))
    dash = re.escape(name_key("-"))
    digits = "|".join(sorted({re.escape(name_key(d)) for d in "0123456789"}, key=len)[::-1])
    return re.compile(rf"{letter}(?P<dash>{dash})?(?:{digits})+")


def _looks_like_short_id(word: str) -> bool:
    # "Mo" and "Mol" are names: without a dash or a digit a word is not taken for an id.
    match = _short_id_look().fullmatch(name_key(word))
    return match is not None and (
        match.group("dash") is not None or any(unicodedata.category(ch) == "Nd" for ch in word)
    )


@lru_cache(maxsize=1)
def _timezones() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def canonical_timezone(raw: str) -> str | None:
    """The IANA name for what someone typed (case-insensitive), or None if unknown."""
    name = _timezones().get(raw.strip().casefold())
    if name is None:
        return None
    ZoneInfo(name)
    return name


async def answer_text_step(
    session: AsyncSession, *, draft: EnrolmentDraft, text: str, now: datetime
) -> None:
    """Take a typed answer for the pseudonym or timezone step."""
    invite = await session.get(Invite, draft.invite_id)
    assert invite is not None
    if draft.step == Step.PSEUDONYM:
        problem = pseudonym_problem(text)
        name = normalise_pseudonym(text)
        if problem is None and await _pseudonym_taken(session, name):
            problem = texts.PSEUDONYM_TAKEN
        if problem is not None:
            await send_text(
                session,
                draft.chat_id,
                t(texts.PSEUDONYM_INVALID, reason=t(problem)),
                now=now,
                language=_language(session, draft),
            )
            return
        draft.pseudonym = name
        draft.step = Step.TIMEZONE
    elif draft.step == Step.TIMEZONE:
        zone = canonical_timezone(text)
        if zone is None:
            await send_text(
                session,
                draft.chat_id,
                t(texts.TIMEZONE_INVALID),
                now=now,
                language=_language(session, draft),
            )
            return
        draft.timezone = zone
        draft.step = Step.TAGS  # the language was chosen first
        # Typed, so no button shows it: say which zone was understood.
        await send_text(
            session,
            draft.chat_id,
            t(texts.CHOSEN, choice=h(zone)),
            now=now,
            language=_language(session, draft),
        )
    else:
        # A typed message while buttons are expected: show the buttons again.
        pass
    await _ask_for_step(session, draft, invite.role, now)


async def choose_timezone(
    session: AsyncSession, *, draft: EnrolmentDraft, zone: str, message_id: int, now: datetime
) -> bool:
    canonical = canonical_timezone(zone)
    if draft.step != Step.TIMEZONE or canonical is None:
        return False
    draft.timezone = canonical
    draft.step = Step.TAGS  # the language was chosen first
    await edit_text(
        session,
        draft.chat_id,
        message_id,
        t(texts.CHOSEN, choice=h(canonical)),
        now=now,
        language=_language(session, draft),
    )
    invite = await session.get(Invite, draft.invite_id)
    assert invite is not None
    await _ask_for_step(session, draft, invite.role, now)
    return True


async def choose_language(
    session: AsyncSession,
    *,
    draft: EnrolmentDraft,
    language: str,
    message_id: int,
    now: datetime,
) -> bool:
    """The language step of a draft begun before the language was asked first."""
    if draft.step != Step.LANGUAGE or (language not in texts.LANGUAGES and language != "any"):
        return False
    draft.language = None if language == "any" else language
    draft.step = Step.TAGS
    chosen = texts.LANGUAGES[language] if language in texts.LANGUAGES else t(texts.LANGUAGE_SKIP)
    await edit_text(
        session,
        draft.chat_id,
        message_id,
        t(texts.CHOSEN, choice=chosen),
        now=now,
        language=_language(session, draft),
    )
    invite = await session.get(Invite, draft.invite_id)
    assert invite is not None
    await _ask_for_step(session, draft, invite.role, now)
    return True


async def toggle_tag(
    session: AsyncSession, *, draft: EnrolmentDraft, tag: str, message_id: int, now: datetime
) -> bool:
    if draft.step != Step.TAGS or tag not in texts.TAGS:
        return False
    tags = set(t for t in draft.tags.split(",") if t)
    tags.symmetric_difference_update({tag})
    draft.tags = ",".join(sorted(tags))
    invite = await session.get(Invite, draft.invite_id)
    assert invite is not None
    await edit_text(
        session,
        draft.chat_id,
        message_id,
        _tags_prompt(invite.role),
        now=now,
        buttons=_tag_buttons(tags),
        language=_language(session, draft),
    )
    return True


async def finish_enrolment(
    session: AsyncSession,
    *,
    draft: EnrolmentDraft,
    message_id: int,
    mentor_capacity: int,
    crisis_line: str,
    now: datetime,
) -> Member | None:
    """Claim the invite and create the member; refuse if the invite was used meanwhile."""
    if draft.step != Step.TAGS or draft.pseudonym is None or draft.timezone is None:
        return None
    invite = await session.get(Invite, draft.invite_id)
    assert invite is not None
    claimed = await session.execute(
        update(Invite)
        .where(
            Invite.id == invite.id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .values(used_at=now)
    )
    chat_id = draft.chat_id
    language = _language(session, draft)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await session.delete(draft)
        problem = (
            InviteProblem.USED
            if invite.used_at is not None
            else InviteProblem.REVOKED
            if invite.revoked_at is not None
            else InviteProblem.EXPIRED
        )
        await edit_text(
            session, chat_id, message_id, INVITE_PROBLEM_TEXT[problem], now=now, language=language
        )
        return None
    if await _pseudonym_taken(session, draft.pseudonym):
        # Someone took the name while this person was choosing; ask again, keep the invite.
        await session.execute(update(Invite).where(Invite.id == invite.id).values(used_at=None))
        draft.step = Step.PSEUDONYM
        await send_text(
            session,
            chat_id,
            t(texts.PSEUDONYM_INVALID, reason=t(texts.PSEUDONYM_TAKEN)),
            now=now,
            language=language,
        )
        return None
    member = Member(
        telegram_user_id=draft.telegram_user_id,
        chat_id=chat_id,
        role=invite.role,
        pseudonym=draft.pseudonym,
        pseudonym_key=draft.pseudonym.casefold(),
        timezone=draft.timezone,
        language=draft.language,
        tags=draft.tags,
        capacity=mentor_capacity if invite.role == "mentor" else None,
        reachable=True,
        created_at=now,
    )
    session.add(member)
    await session.flush()
    invite.used_by_member_id = member.id
    await session.delete(draft)
    chosen = join([t_item(texts.TAGS, tag) for tag in member.tag_list], ", ")
    await edit_text(
        session,
        chat_id,
        message_id,
        t(texts.CHOSEN, choice=chosen if member.tag_list else "—"),
        now=now,
        language=language,
    )
    welcome = texts.ENROLLED_MENTEE if member.role == "mentee" else texts.ENROLLED_MENTOR
    await send_text(
        session,
        chat_id,
        t(
            welcome,
            pseudonym=h(member.pseudonym),
            short_id=member.short_id,
            crisis_line=h(crisis_line),
        )
        + t(texts.ENROLLED_COMMANDS_HINT),
        now=now,
        language=language,
    )
    await refresh_menu(session, telegram_user_id=member.telegram_user_id, now=now)
    hint = t(texts.NEW_MENTEE_HINT, short_id=member.short_id) if member.role == "mentee" else ""
    for coordinator in await coordinator_ids(session):
        await send_text(
            session,
            coordinator,
            t(
                texts.NEW_MEMBER_FOR_COORDINATORS,
                role=t_item(texts.ROLE_NAMES, member.role),
                pseudonym=h(member.pseudonym),
                short_id=member.short_id,
                hint=hint,
            ),
            now=now,
        )
    return member


async def _pseudonym_taken(session: AsyncSession, name: str) -> bool:
    """Whether a member's name looks like this one (the database also refuses it)."""
    taken = await session.scalar(
        select(Member.id).where(Member.pseudonym_skeleton == name_key(name))
    )
    return taken is not None


def _tags_prompt(role: str) -> Text:
    return t(texts.ASK_TAGS_MENTEE) if role == "mentee" else t(texts.ASK_TAGS_MENTOR)


def _tag_buttons(chosen: set[str]) -> list[list[Button]]:
    items: list[Button] = [
        (
            t(texts.CHOSEN, choice=t_item(texts.TAGS, key))
            if key in chosen
            else t_item(texts.TAGS, key),
            f"tag:{key}",
        )
        for key in texts.TAGS
    ]
    rows = [items[i : i + 3] for i in range(0, len(items), 3)]
    rows.append([(t(texts.TAGS_DONE), "tag:done")])
    return rows


async def _ask_for_step(
    session: AsyncSession, draft: EnrolmentDraft, role: str, now: datetime
) -> None:
    chat_id = draft.chat_id
    language = _language(session, draft)
    if draft.step == Step.PSEUDONYM:
        await send_text(
            session,
            chat_id,
            t(texts.ASK_PSEUDONYM, other=t_item(texts.OTHER_ROLE, role)),
            now=now,
            language=language,
        )
    elif draft.step == Step.TIMEZONE:
        zones = list(dict.fromkeys([draft.timezone or "UTC", *texts.COMMON_TIMEZONES]))
        buttons: list[list[Button]] = [
            [(zone, f"tz:{zone}") for zone in zones[i : i + 2]] for i in range(0, len(zones), 2)
        ]
        await send_text(
            session,
            chat_id,
            t(texts.ASK_TIMEZONE, pseudonym=h(draft.pseudonym or "")),
            buttons=buttons,
            now=now,
            language=language,
        )
    elif draft.step == Step.LANGUAGE:  # a draft begun before the language was asked first
        buttons = [[(label, f"lang:{code}") for code, label in texts.LANGUAGES.items()]]
        buttons.append([(t(texts.LANGUAGE_SKIP), "lang:any")])
        await send_text(
            session,
            chat_id,
            t(texts.ASK_LANGUAGE, timezone=h(draft.timezone or "")),
            buttons=buttons,
            now=now,
            language=language,
        )
    else:
        chosen = set(tag for tag in draft.tags.split(",") if tag)
        await send_text(
            session,
            chat_id,
            _tags_prompt(role),
            buttons=_tag_buttons(chosen),
            now=now,
            language=language,
        )
