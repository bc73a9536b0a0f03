"""Who may do what: one table of role -> allowed actions, checked once per command and button.

The gate in `handlers.common` looks up the action an update asks for (a command, or a button
by its callback prefix), the roles of the person asking, and where they ask from, and lets the
update through only if this table allows it. Handlers and services then check the object of
the action (is this *your* check-in, *your* mentee, an escalation that exists): the table says
what a role may do at all, the services say on what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot import texts
from bot.i18n import Text, t


class Role(StrEnum):
    STRANGER = "stranger"  # anyone not enrolled: someone with an invite, or nobody
    MENTEE = "mentee"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"


class Where(StrEnum):
    PRIVATE = "private"  # a private chat with the bot
    STAFF_CHAT = "staff_chat"  # COORDINATOR_CHAT_ID or the escalation fallback chat
    OTHER_GROUP = "other_group"  # any other group: only /id is answered there


class Action(StrEnum):
    START = "start"
    HELP = "help"
    ID = "id"  # your Telegram user id and this chat's id, for setting the bot up
    MESSAGE = "message"  # plain messages: relayed, a check-in note, an enrolment answer
    # mentees
    CHECKIN = "checkin"
    SCHEDULE = "schedule"
    QUIET = "quiet"
    PAUSE = "pause"
    RESUME = "resume"
    SOBER = "sober"
    CHECKIN_ANSWER = "checkin_answer"
    # mentees and mentors
    PROGRESS = "progress"
    SOS = "sos"
    MYDATA = "mydata"
    DELETEME = "deleteme"
    # mentors
    FLAG = "flag"
    MENTOR_REPORT = "mentor_report"
    CHOOSE_RECIPIENT = "choose_recipient"
    CONCERN_ANSWER = "concern_answer"
    LABEL = "label"
    # people enrolling
    CONSENT = "consent"
    ENROL_STEP = "enrol_step"
    # coordinators
    INVITE = "invite"
    INVITES = "invites"
    INVITE_BUTTON = "invite_button"  # revoke an open invite, or page through them
    PAIR = "pair"
    UNPAIR = "unpair"
    PAIRS = "pairs"
    MEMBERS = "members"
    MATCH = "match"
    PAIR_BUTTON = "pair_button"
    HEALTH = "health"
    COORDINATORS = "coordinators"
    ERASE = "erase"
    ESCALATIONS = "escalations"
    ESCALATION = "escalation"
    RESOLVE = "resolve"
    CANCEL = "cancel"
    ESCALATION_BUTTON = "escalation_button"
    OUTCOME_BUTTON = "outcome_button"
    STATS = "stats"
    STAFF_MESSAGE = "staff_message"
    EXPORT = "export"
    REPLY = "reply"  # write to a member as program staff
    ONCALL = "oncall"
    # the member erasing their own data, or a coordinator erasing a member's
    ERASE_CONFIRM = "erase_confirm"
    # members and coordinators: the language the bot writes to them in
    LANGUAGE = "language"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    where: frozenset[Where] = frozenset({Where.PRIVATE})


_EVERYONE = frozenset(Role)
_MEMBERS = frozenset({Role.MENTEE, Role.MENTOR})
_MENTEES = frozenset({Role.MENTEE})
_MENTORS = frozenset({Role.MENTOR})
_STRANGERS = frozenset({Role.STRANGER})
_STAFF = frozenset({Role.COORDINATOR})
_STAFF_ANYWHERE = frozenset({Where.PRIVATE, Where.STAFF_CHAT})
_ANYWHERE = frozenset(Where)

RULES: Mapping[Action, Rule] = {
    Action.START: Rule(_EVERYONE),
    Action.HELP: Rule(_EVERYONE, _STAFF_ANYWHERE),
    # Answers with ids the asker already knows; stores nothing (setting up the staff group).
    Action.ID: Rule(_EVERYONE, _ANYWHERE),
    Action.MESSAGE: Rule(_EVERYONE),
    Action.CHECKIN: Rule(_MENTEES),
    Action.SCHEDULE: Rule(_MENTEES),
    Action.QUIET: Rule(_MENTEES),
    Action.PAUSE: Rule(_MENTEES),
    Action.RESUME: Rule(_MENTEES),
    Action.SOBER: Rule(_MENTEES),
    Action.CHECKIN_ANSWER: Rule(_MENTEES),
    Action.PROGRESS: Rule(_MEMBERS),
    Action.SOS: Rule(_MEMBERS),
    Action.MYDATA: Rule(_MEMBERS),
    Action.DELETEME: Rule(_MEMBERS),
    Action.FLAG: Rule(_MENTORS),
    Action.MENTOR_REPORT: Rule(_MENTORS),
    Action.CHOOSE_RECIPIENT: Rule(_MENTORS),
    Action.CONCERN_ANSWER: Rule(_MENTORS),
    Action.LABEL: Rule(_MENTORS),
    Action.CONSENT: Rule(_STRANGERS),
    Action.ENROL_STEP: Rule(_STRANGERS),
    Action.INVITE: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.INVITES: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.INVITE_BUTTON: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.PAIR: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.UNPAIR: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.PAIRS: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.MEMBERS: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.MATCH: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.PAIR_BUTTON: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.HEALTH: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.COORDINATORS: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.ERASE: Rule(_STAFF),  # the confirmation names the member: not in a group
    Action.ESCALATIONS: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.ESCALATION: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.RESOLVE: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.CANCEL: Rule(_STAFF),
    Action.ESCALATION_BUTTON: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.OUTCOME_BUTTON: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.STATS: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.STAFF_MESSAGE: Rule(_MEMBERS),
    Action.EXPORT: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.REPLY: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.ONCALL: Rule(_STAFF, _STAFF_ANYWHERE),
    Action.ERASE_CONFIRM: Rule(_MEMBERS | _STAFF),
    Action.LANGUAGE: Rule(_MEMBERS | _STAFF),
}

COMMANDS: Mapping[str, Action] = {
    "start": Action.START,
    "help": Action.HELP,
    "id": Action.ID,
    "language": Action.LANGUAGE,
    "checkin": Action.CHECKIN,
    "schedule": Action.SCHEDULE,
    "quiet": Action.QUIET,
    "pause": Action.PAUSE,
    "resume": Action.RESUME,
    "sober": Action.SOBER,
    "progress": Action.PROGRESS,
    "sos": Action.SOS,
    "mydata": Action.MYDATA,
    "deleteme": Action.DELETEME,
    "flag": Action.FLAG,
    "invite": Action.INVITE,
    "invites": Action.INVITES,
    "pair": Action.PAIR,
    "unpair": Action.UNPAIR,
    "pairs": Action.PAIRS,
    "members": Action.MEMBERS,
    "match": Action.MATCH,
    "health": Action.HEALTH,
    "coordinators": Action.COORDINATORS,
    "erase": Action.ERASE,
    "escalations": Action.ESCALATIONS,
    "escalation": Action.ESCALATION,
    "resolve": Action.RESOLVE,
    "cancel": Action.CANCEL,
    "stats": Action.STATS,
    "staff": Action.STAFF_MESSAGE,
    "export": Action.EXPORT,
    "reply": Action.REPLY,
    "oncall": Action.ONCALL,
}

# Callback data is "<prefix>:<ids...>"; the prefix names the action.
BUTTONS: Mapping[str, Action] = {
    "ci": Action.CHECKIN_ANSWER,
    "mr": Action.MENTOR_REPORT,
    "to": Action.CHOOSE_RECIPIENT,
    "cc": Action.CONCERN_ANSWER,
    "lbl": Action.LABEL,
    "cn": Action.CONSENT,
    "cl": Action.CONSENT,  # the language chosen before consent
    "ln": Action.LANGUAGE,
    "tz": Action.ENROL_STEP,
    "lang": Action.ENROL_STEP,
    "tag": Action.ENROL_STEP,
    "pm": Action.PAIR_BUTTON,
    "iv": Action.INVITE_BUTTON,
    "esc": Action.ESCALATION_BUTTON,
    "out": Action.OUTCOME_BUTTON,
    "del": Action.ERASE_CONFIRM,
}


def command_action(text: str) -> Action | None:
    """The action a command message asks for; None for text that is no known command."""
    if not text.startswith("/"):
        return None
    name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    return COMMANDS.get(name)


def button_action(data: str) -> Action | None:
    return BUTTONS.get(data.split(":", 1)[0])


def allowed(action: Action, roles: frozenset[Role], where: Where) -> bool:
    rule = RULES[action]
    return where in rule.where and not rule.roles.isdisjoint(roles)


def refusal(action: Action, roles: frozenset[Role], where: Where, *, button: bool) -> Text:
    """What to tell someone the table turns away, by whom the action is for."""
    rule = RULES[action]
    if where not in rule.where and not rule.roles.isdisjoint(roles):
        return t(texts.BUTTON_PRIVATE_ONLY) if button else t(texts.PRIVATE_CHAT_ONLY)
    if action in (Action.MYDATA, Action.DELETEME) and Role.STRANGER in roles:
        return t(texts.MYDATA_NONE)
    if rule.roles == _STRANGERS:
        return t(texts.ALREADY_ENROLLED)
    if rule.roles == _STAFF:
        return t(texts.BUTTON_FOR_COORDINATORS) if button else t(texts.NOT_ALLOWED)
    if rule.roles == _MENTEES:
        return t(texts.BUTTON_FOR_MENTEES) if button else t(texts.MENTEES_ONLY)
    if rule.roles == _MENTORS:
        return t(texts.BUTTON_FOR_MENTORS) if button else t(texts.MENTORS_ONLY)
    return t(texts.BUTTON_FOR_MEMBERS) if button else t(texts.MEMBERS_ONLY)
