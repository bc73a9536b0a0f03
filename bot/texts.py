"""Every message a person reads, in one place (English).

Texts with placeholders are formatted with values already HTML-escaped by the caller
(see `bot.services.outbox.h`). All texts are sent with parse_mode HTML.
"""

from __future__ import annotations

NOT_INVITED = (
    "Hello. This bot serves a closed peer-mentoring program for people in recovery.\n\n"
    "To join, ask your program coordinator for an invite link, then open it.\n"
    "If you are in danger right now, call {crisis_line}."
)
INVITE_UNKNOWN = (
    "This invite link is not valid. Please ask your program coordinator for a new one."
)
INVITE_USED = "This invite link has already been used. Please ask your coordinator for a new one."
INVITE_EXPIRED = "This invite link has expired. Please ask your coordinator for a new one."
ALREADY_MEMBER = (
    "You are already enrolled as <b>{pseudonym}</b> ({short_id}). "
    "Send /help to see what you can do."
)

CONSENT = (
    "<b>Welcome to the peer-mentoring program</b> (you were invited as a {role}).\n\n"
    "<b>What this bot stores:</b> the pseudonym you choose, your timezone and language, "
    "your matching preferences, who you are paired with, your daily check-in answers, and "
    "the ids and times of the messages it passes on (not their content). Your Telegram id and "
    "your notes are stored encrypted. Send /mydata for a copy, /deleteme to erase it.\n\n"
    "<b>Who sees what:</b> your {other} sees only your pseudonym, never your Telegram name, "
    "username, number or id. Program coordinators see your pseudonym and your pairing; if a "
    "message suggests someone may be in danger, they also see it and the few messages "
    "before it. Messages travel through Telegram, and the bot cannot delete them from your "
    "chats.\n\n"
    "<b>This is not an emergency service.</b> Nobody may be reading at the moment you write. "
    "If you or someone else is in danger, call {crisis_line}.\n\n"
    "Do you agree to take part on these terms?"
)
CONSENT_AGREE = "I agree"
CONSENT_DECLINE = "No, thanks"
CONSENT_ACCEPTED = "✅ You agreed to take part."
CONSENT_DECLINED = (
    "No problem. Nothing about you has been stored. If you change your mind, open the invite "
    "link again while it is valid."
)
ASK_PSEUDONYM = (
    "Choose a <b>pseudonym</b>: the only name your {other} will ever see. "
    "2–24 letters, digits, spaces, dots, dashes or underscores. "
    "Please don't use your real full name."
)
PSEUDONYM_INVALID = "That pseudonym can't be used: {reason} Please send another one."
PSEUDONYM_TOO_SHORT = "it must be at least 2 characters."
PSEUDONYM_TOO_LONG = "it must be at most 24 characters."
PSEUDONYM_BAD_CHARS = "use only letters, digits, spaces, dots, dashes and underscores."
PSEUDONYM_NEEDS_LETTER = "it must contain at least one letter."
PSEUDONYM_RESERVED = "it could be mistaken for program staff or the bot."
PSEUDONYM_TAKEN = "someone else already uses it."
ASK_TIMEZONE = (
    "Thanks, <b>{pseudonym}</b>. Which <b>timezone</b> do you live in? Pick one below or type "
    "its name, for example <code>Europe/Madrid</code> or <code>America/Chicago</code>."
)
TIMEZONE_INVALID = (
    "I don't know that timezone. Type a name like <code>America/New_York</code> or "
    "<code>Europe/London</code>, or pick one of the buttons."
)
ASK_LANGUAGE = "Timezone set to <b>{timezone}</b>. Which language would you prefer to talk in?"
LANGUAGE_SKIP = "No preference"
ASK_TAGS_MENTEE = (
    "Optional: what would help in a mentor? Tap any that apply, then <b>Done</b>. "
    "Coordinators use this to find a good match."
)
ASK_TAGS_MENTOR = (
    "Optional: what can you speak to from your own experience? Tap any that apply, then "
    "<b>Done</b>. Coordinators use this to match you with mentees."
)
TAGS_DONE = "Done"
ENROLLED_MENTEE = (
    "You're enrolled as <b>{pseudonym}</b> ({short_id}). 🌱\n\n"
    "A coordinator will pair you with a mentor soon. Anything you write here after that goes "
    "to your mentor, who sees only your pseudonym. You can write before then too: your "
    "messages are kept for your mentor.\n\n"
    "If you are in danger right now, call {crisis_line}."
)
ENROLLED_MENTOR = (
    "You're enrolled as a mentor, <b>{pseudonym}</b> ({short_id}). Thank you for walking "
    "beside someone.\n\nA coordinator will pair you with mentees. Their messages arrive "
    "here labelled with their pseudonym; reply to a message to answer that person."
)
ENROLMENT_RESUME = "You're part-way through joining. Let's continue."
NEW_MEMBER_FOR_COORDINATORS = "New {role} enrolled: <b>{pseudonym}</b> ({short_id}).{hint}"
NEW_MENTEE_HINT = " Find a mentor with /match {short_id}"

HELP_MENTEE = (
    "<b>How this works</b>\n"
    "• A short check-in comes every day at your time: /checkin for one now, /schedule to "
    "change the time, /quiet for quiet hours, /pause and /resume, /sober to set your "
    "recovery start, /progress for your chart.\n"
    "• /mydata sends you everything stored about you; /deleteme erases it.\n"
    "• Write here to talk to your mentor: text, photos, voice notes, videos, files, stickers "
    "and locations all go through. They see only your pseudonym.\n"
    "• Reply to a message to answer it directly.\n"
    "• /sos alerts program staff at once.\n"
    "• If you are in danger right now, call {crisis_line}."
)
HELP_MENTOR = (
    "<b>How this works</b>\n"
    "• Once a week you're asked how each mentee is doing; /progress shows their charts.\n"
    "• Your mentees' messages arrive labelled with their pseudonym.\n"
    "• Reply (swipe or long-press → Reply) to a message to answer that mentee.\n"
    "• With several mentees, a plain message asks you whom it is for.\n"
    "• Reply /flag (and a note) to a mentee's message to alert program staff.\n"
    "• You matter too: /sos alerts program staff at once if you are in trouble yourself.\n"
    "• Nobody sees your Telegram name or number, and you don't see theirs."
)
HELP_COORDINATOR = (
    "<b>Coordinator commands</b>\n"
    "/invite mentee — a one-time link for a new mentee (or <code>/invite mentor</code>)\n"
    "/members — everyone enrolled\n"
    "/match <i>mentee</i> — suggested mentors for a mentee\n"
    "/pair <i>mentee</i> <i>mentor</i> — pair by pseudonym or id (M-0007)\n"
    "/unpair <i>mentee</i> — end a pairing\n"
    "/pairs — current pairings\n"
    "/health — delivery health: outbox depth, undeliverable messages\n"
    "/escalations — open escalations; /escalation <i>id</i> — its audit trail\n"
    "/resolve <i>id</i> <i>note</i> — resolve with an outcome note; /cancel — drop a pending "
    "note or staff message\n"
    "/erase <i>member</i> — erase a member's data when they ask in person\n"
    "/coordinators — list, add or remove coordinators"
)

INVITE_CREATED = (
    "One-time invite for a <b>{role}</b>, valid until {expires} UTC:\n{link}\n\n"
    "Give it to the person privately. It works once."
)
PAIR_USAGE = "Usage: <code>/pair mentee mentor</code> (pseudonyms or ids such as M-0007)"
UNPAIR_USAGE = "Usage: <code>/unpair mentee</code>"
MATCH_USAGE = "Usage: <code>/match mentee</code>"
MEMBER_NOT_FOUND = "I can't find a member called <b>{ref}</b>. See /members."
MEMBER_AMBIGUOUS = "<b>{ref}</b> matches more than one member; use the id (M-0007)."
NOT_A_MENTEE = "<b>{pseudonym}</b> ({short_id}) is not a mentee."
NOT_A_MENTOR = "<b>{pseudonym}</b> ({short_id}) is not a mentor."
ALREADY_PAIRED = (
    "<b>{mentee}</b> is already paired with <b>{mentor}</b>. Use /unpair {mentee_id} first."
)
MENTOR_FULL = "<b>{mentor}</b> already has {load} of {capacity} mentees."
PAIRED_COORDINATOR = (
    "Paired mentee <b>{mentee}</b> ({mentee_id}) with mentor <b>{mentor}</b> ({mentor_id})."
)
PAIRED_MENTEE = (
    "You now have a mentor: <b>{mentor}</b>. 🤝 Anything you write here reaches them, "
    "and their answers come here. They see only your pseudonym."
)
PAIRED_MENTOR = (
    "You have a new mentee: <b>{mentee}</b> ({mentee_id}). Their messages arrive here labelled "
    "with their pseudonym; reply to a message to answer them."
)
NOT_PAIRED = "<b>{mentee}</b> has no mentor at the moment."
UNPAIRED_COORDINATOR = "Ended the pairing of <b>{mentee}</b> with <b>{mentor}</b>."
UNPAIRED_MENTEE = (
    "Your pairing with <b>{mentor}</b> has ended. A coordinator will find you a new mentor; "
    "what you write meanwhile is kept for them."
)
UNPAIRED_MENTOR = "Your pairing with <b>{mentee}</b> ({mentee_id}) has ended."
PAIRS_NONE = "No active pairings."
PAIRS_HEADER = "<b>Active pairings</b>"
PAIRS_LINE = "• {mentee} ({mentee_id}) ↔ {mentor} ({mentor_id}), since {since}"
MEMBERS_NONE = "Nobody is enrolled yet. Start with /invite."
MEMBERS_HEADER = "<b>Members</b>"
MEMBER_LINE_MENTEE = "• {short_id} {pseudonym}, mentee, {tz}: {status}"
MEMBER_LINE_MENTOR = "• {short_id} {pseudonym}, mentor, {tz}: {load}/{capacity} mentees"
MENTEE_STATUS_PAIRED = "paired with {mentor}"
MENTEE_STATUS_WAITING = "waiting for a mentor"
UNREACHABLE_SUFFIX = " (unreachable)"
MATCH_NONE = "No mentor has room for <b>{mentee}</b> right now."
MATCH_HEADER = "<b>Suggested mentors for {mentee}</b> ({mentee_id})"
MATCH_LINE = "{rank}. <b>{mentor}</b> ({mentor_id}): {reasons}"
MATCH_BUTTON = "Pair with {mentor}"
REASON_LANGUAGE = "speaks {language}"
REASON_NO_LANGUAGE = "different language"
REASON_TZ_SAME = "same time of day"
REASON_TZ_DIFF = "{hours} h apart"
REASON_LOAD = "{load}/{capacity} mentees"
REASON_TAGS = "shares: {tags}"

NOT_ALLOWED = "That command is for program coordinators."
UNKNOWN_COMMAND = "I don't know that command. Send /help to see what you can do."
GROUP_NOT_SUPPORTED = "I only work in private chats. Please message me directly."
WAITING_FOR_MENTOR = (
    "A coordinator is finding you a mentor. Your message is kept and will reach them."
)
NO_MENTEES = "You have no mentees at the moment, so there is nobody to send this to."
CHOOSE_RECIPIENT = "You have several mentees. Whom is this message for?"
CHOOSE_RECIPIENT_REPLY = (
    "I can't tell which conversation the message you replied to belongs to. Whom is this "
    "message for?"
)
CHOOSE_CANCEL = "Don't send"
SENT_TO = "✅ Sent to <b>{mentee}</b>."
SENT_TO_TOAST = "Sent to {mentee}."
NOT_SENT = "Not sent."
CHOICE_STALE = "That choice is no longer available."
EDIT_NOT_RELAYED = (
    "Only edits of text messages can be passed on. If it matters, send a new message."
)
UNREACHABLE_FOR_COORDINATORS = (
    "⚠️ The bot can no longer reach {role} <b>{pseudonym}</b> ({short_id}): they blocked the "
    "bot or deleted their account. Messages for them are kept until they come back."
)
UNREACHABLE_FOR_MENTOR = (
    "The bot can't reach <b>{pseudonym}</b> at the moment (they may have blocked it). "
    "Coordinators have been told. What you write is kept for them."
)
REACHABLE_AGAIN_FOR_COORDINATORS = "<b>{pseudonym}</b> ({short_id}) can be reached again."
RECIPIENT_UNREACHABLE = (
    "<b>{pseudonym}</b> can't be reached by the bot at the moment. Your message is kept and "
    "will reach them when they come back; coordinators know."
)
HEALTH_HEADER = "<b>Delivery health</b>"
HEALTH_OUTBOX = "Outbox: {pending} waiting, oldest waiting {oldest}"
HEALTH_DEAD = "Parked as undeliverable: {dead}"
HEALTH_DEAD_LINE = "  • #{id} {method} ({when} UTC): {error}"
HEALTH_UNREACHABLE = "Members the bot cannot reach: {count}"
HEALTH_INBOX = "Updates waiting to be processed: {waiting}; failed: {failed}"
NOT_DELIVERED = (
    "⚠️ This message could not be passed on (Telegram refused it). Please send it again, "
    "or in another form."
)
LABEL = "💬 {pseudonym}"
LABEL_HINT = "Reply to this message to answer {pseudonym}."
LABEL_ENDED = "This conversation has ended. Replies to its messages are not passed on."
REPLY_TO_ENDED_PAIRING = (
    "Not sent: the message you replied to is from a conversation that has ended, so your "
    "answer was not passed on to anyone."
)
UNSUPPORTED_MESSAGE = (
    "Sorry, I can't pass this kind of message on. Text, photos, voice notes, videos, files, "
    "stickers and locations work."
)
NOT_YOUR_BUTTON = "This button isn't for you."
STALE_BUTTON = "This button has expired."
SOMETHING_BROKE = "Sorry, something went wrong on our side. Please try again in a moment."

# ---- check-ins ---------------------------------------------------------------------------
CHECKIN_MOOD = "🌱 <b>Daily check-in</b>\nHow is your mood right now?"
CHECKIN_CRAVING = "How strong is any craving right now?"
CHECKIN_USED = "Have you used since your last check-in?"
CHECKIN_NOTE = (
    "Thank you, that's recorded. If you like, type a short note now (it stays with your "
    "check-in), or tap Skip."
)
CHECKIN_DONE = "Thank you for checking in. 💚"
CHECKIN_NOTE_SAVED = "Note saved with your check-in. 💚"
CHECKIN_RECORDED_LINE = "{label}: <b>{value}</b>"
CHECKIN_ALREADY = "Already recorded."
CHECKIN_CLOSED = "This check-in is closed; a newer one is waiting."
CHECKIN_SKIP = "Skip"
MOOD_LABEL = "Mood"
CRAVING_LABEL = "Craving"
USED_LABEL = "Used since last check-in"
MOODS = {1: "😞 very low", 2: "🙁 low", 3: "😐 okay", 4: "🙂 good", 5: "😄 great"}
CRAVINGS = {0: "none", 1: "low", 2: "medium", 3: "high", 4: "very high"}
USED = {0: "no", 1: "yes"}
CHECKIN_RISK_FOR_MENTOR = (
    "⚠️ <b>{pseudonym}</b>'s check-in needs your attention: {answers}. Consider reaching out."
)
MISSED_NUDGE_FOR_MENTOR = (
    "<b>{pseudonym}</b> hasn't answered the last {count} check-ins. A gentle hello might help."
)
MISSED_ALERT_FOR_COORDINATORS = (
    "ℹ️ Low urgency: <b>{pseudonym}</b> ({short_id}) has missed {count} check-ins in a row."
)
MILESTONE_MENTEE = "🎉 <b>{days} days</b> in recovery today. That is yours; be proud of it."
MILESTONE_MENTOR = "🎉 <b>{pseudonym}</b> reaches <b>{days} days</b> in recovery today."
SCHEDULE_USAGE = "Usage: <code>/schedule 19:00</code> (your local time, {timezone})"
SCHEDULE_IN_QUIET_HOURS = (
    "{time} is inside your quiet hours ({quiet}); pick another time or change them with /quiet."
)
SCHEDULE_SET = "Your daily check-in is now at <b>{time}</b> ({timezone}). Next: {next}."
QUIET_USAGE = "Usage: <code>/quiet 22:00 08:00</code> (no check-ins between these times)"
QUIET_SET = "Quiet hours set to <b>{quiet}</b>."
PAUSE_USAGE = "Usage: <code>/pause 7</code> (days, 1 to 90)"
PAUSED = "Check-ins paused until {until}. Send /resume to start again sooner."
RESUMED = "Check-ins resumed. Next: {next}."
NOT_PAUSED = "Your check-ins are not paused. Next: {next}."
SOBER_USAGE = "Usage: <code>/sober 2026-01-31</code> (the day your recovery started)"
SOBER_SET = "Recovery start saved: <b>{date}</b> ({days} days). Milestones will be celebrated."
MENTEES_ONLY = "That command is for mentees."
MENTORS_ONLY = "That command is for mentors."
SLOW_DOWN = (
    "You're sending messages faster than {limit} a minute. Nothing is lost: the rest will "
    "reach {pseudonym} a little later, in order."
)
MEMBERS_ONLY = "That command is for enrolled mentees and mentors."
PRIVATE_CHAT_ONLY = "Please use that command in a private chat with me."
ALREADY_ENROLLED = "You are already enrolled."
BUTTON_FOR_COORDINATORS = "That button is for program coordinators."
BUTTON_FOR_MENTEES = "That button is for mentees."
BUTTON_FOR_MENTORS = "That button is for mentors."
BUTTON_FOR_MEMBERS = "That button is for enrolled mentees and mentors."
BUTTON_PRIVATE_ONLY = "That button works only in a private chat with me."
PROGRESS_NONE = "No check-ins recorded in the last 30 days yet."
PROGRESS_CAPTION = "{pseudonym}: mood and craving, last 30 days"
MENTOR_REPORT_PROMPT = "📋 <b>Weekly check-in</b>: how is <b>{pseudonym}</b> doing?"
MENTOR_REPORT_ANSWERS = {
    "on_track": "On track",
    "concern": "Some concern",
    "no_contact": "Haven't heard from them",
    "worried": "Worried, needs staff now",
}
MENTOR_REPORT_RECORDED = "📋 {pseudonym}: <b>{answer}</b>. Thank you."

# ---- escalations --------------------------------------------------------------------------
REDISCLOSURE = (
    "<i>Confidential: this may contain substance-use treatment information protected by "
    "federal law (42 CFR Part 2). Do not share it beyond the staff who need it.</i>"
)
ESCALATION_CARD = (
    "🚨 <b>Escalation #{id}</b> ({severity})\n"
    "Category: {category}\n"
    "Mentee: {mentee} · Mentor: {mentor}\n"
    "{writer}"
    "{at_risk}"
    "Raised: {raised_by}, {when} UTC\n"
    "{why}"
    "{flagged}"
    "{context}\n\n{notice}"
)
ESCALATION_REMINDER = "⏰ Not yet acknowledged (reminder {round}):\n"
ESCALATION_EDITED = "✏️ The writer edited the flagged message; the card below shows it now.\n"
ESCALATION_FLAGGED = "\nFlagged message:\n<blockquote>{text}</blockquote>\n"
ESCALATION_NO_CONTEXT = ""
ESCALATION_ACK = "Acknowledge"
ESCALATION_RESOLVE = "Resolve"
ESCALATION_ACKED = "Acknowledged by you. Escalation #{id} stays open until resolved."
ESCALATION_ACKED_ALREADY = "Already acknowledged."
ESCALATION_MESSAGE = "Message the mentee"
ASK_OUTCOME = (
    "Resolving escalation #{id}: send the outcome note (what happened, what was done) as your "
    "next message here. /cancel to stop."
)
ASK_STAFF_MESSAGE = (
    "Your next message here goes to <b>{mentee}</b> through the bot, labelled as program "
    "staff (escalation #{id}). /cancel to stop."
)
STAFF_MESSAGE = "🛟 <b>Program staff</b>:\n{text}"
STAFF_MESSAGE_SENT = "Sent to <b>{mentee}</b> as program staff."
ACTION_TOAST = "Check your private chat with the bot."
ACTION_CANCELLED = "Cancelled."
NOTHING_TO_CANCEL = "Nothing to cancel."
ESCALATION_NO_MENTEE = "Escalation #{id} has nobody to write to."
ESCALATION_WRITER = "Written by: {role} {who}\n"
STAFF_MESSAGE_NOT_SENT = (
    "Not sent: the bot cannot reach <b>{mentee}</b> at the moment (they blocked the bot or "
    "deleted their account). You will be told when they can be reached again."
)
STAFF_NO_LONGER_COORDINATOR = (
    "You are no longer a program coordinator, so this was not taken as a staff action."
)
ESCALATION_RESOLVED = "Escalation #{id} resolved. Outcome recorded."
ESCALATION_ALREADY_RESOLVED = "Escalation #{id} is already resolved."
ESCALATION_NOT_FOUND = "There is no escalation #{id}."
RESOLVE_USAGE = "Usage: <code>/resolve 12 outcome note</code> (the note is required)"
ESCALATION_USAGE = "Usage: <code>/escalation 12</code>"
ESCALATIONS_NONE = "No open escalations."
ESCALATIONS_HEADER = "<b>Open escalations</b> (oldest first)"
ESCALATIONS_LINE = "• #{id} {severity}, {category}: {mentee}, opened {when} UTC, {status}"
ESCALATION_TRAIL_HEADER = "<b>Escalation #{id}</b> ({severity}, {category}, {status})"
ESCALATION_TRAIL_LINE = "• {when} UTC: {kind}{actor}{detail}"
MENTOR_TOLD_OF_ESCALATION = (
    "⚠️ Something <b>{mentee}</b> wrote may mean they are in danger. Program staff have been "
    "alerted and will follow up; please reach out to them too if you can."
)
FLAG_USAGE = (
    "Reply <code>/flag</code> (and an optional note) to your mentee's message to alert staff."
)
FLAG_DONE = "Thank you. Staff have been alerted (escalation #{id})."
SEVERITY_NAMES = {"critical": "CRITICAL", "high": "high"}
CATEGORY_NAMES = {
    "suicide_self_harm": "suicide or self-harm",
    "overdose_medical": "overdose or medical emergency",
    "using_now_relapse": "using now, with danger",
    "harm_to_others_abuse": "harm to others or abuse",
    "sos": "SOS: the writer asked for help",
    "mentor_concern": "mentor's concern",
}
RAISED_BY = {
    "detected": "detected in a message",
    "sos": "/sos pressed",
    "flag": "flagged by the mentor",
    "mentor_report": "mentor's weekly check-in: worried, needs staff now",
    "checkin": "detected in a check-in note",
    "ladder": "a concern that climbed to staff",
    "concern": "a mentor's message that may mean someone is struggling",
}

MYDATA_NONE = "Nothing about you is stored here."
ERASE_CONFIRM = (
    "Erase all data about <b>{pseudonym}</b> ({short_id})? Any pairing ends (the other side is "
    "told, by pseudonym), and messages' routing records, check-ins and notes are deleted. "
    "Escalations keep only the fact that they happened. This cannot be undone."
)
ERASE_YES = "Yes, erase"
ERASE_NO = "Cancel"
ERASE_CANCELLED = "Nothing was erased."
ERASED = (
    "Your data has been erased. Thank you for being part of the program. If you ever want to "
    "come back, ask a coordinator for a new invite."
)
ERASED_FOR_COORDINATOR = "The data of <b>{pseudonym}</b> has been erased."
PARTNER_LEFT = "<b>{pseudonym}</b> has left the program. A coordinator will be in touch."
ERASE_USAGE = "Usage: <code>/erase M-0007</code> (for a member who asks in person)"
MYDATA_CAPTION = (
    "Everything this program stores about you, and whom it was shown to. Confidential: "
    "do not share it further unless you choose to."
)

COORDINATORS_USAGE = (
    "Usage: <code>/coordinators</code> to list, <code>/coordinators add 123456789</code> or "
    "<code>/coordinators remove 123456789</code> (Telegram user ids)"
)
COORDINATORS_HEADER = "<b>Coordinators</b>"
COORDINATOR_LINE = "• {id}, since {since} ({origin})"
COORDINATOR_FROM_SETTINGS = "from COORDINATOR_IDS"
COORDINATOR_ADDED_BY = "added by {actor}"
COORDINATOR_CHANGES_HEADER = "<b>Recent changes</b>"
COORDINATOR_CHANGE_LINE = "• {when} UTC: {actor} {action} {target}"
COORDINATOR_ADDED = "{id} is now a coordinator. They should send /start to the bot."
COORDINATOR_ALREADY = "{id} is already a coordinator."
COORDINATOR_REMOVED = "{id} is no longer a coordinator."
COORDINATOR_NOT_FOUND = "{id} is not a coordinator."
COORDINATOR_CONFIGURED = (
    "{id} is a coordinator through the COORDINATOR_IDS setting; change the setting to remove them."
)

ROLE_NAMES = {"mentee": "mentee", "mentor": "mentor"}
OTHER_ROLE = {"mentee": "mentor", "mentor": "mentees"}
LANGUAGES = {"en": "English", "es": "Español"}
TAGS = {
    "alcohol": "Alcohol",
    "opioids": "Opioids",
    "stimulants": "Stimulants",
    "cannabis": "Cannabis",
    "parenting": "Parenting",
    "faith": "Faith-based",
    "lgbtq": "LGBTQ+",
    "women": "Women's recovery",
    "justice": "Justice system",
}
COMMON_TIMEZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Madrid",
    "America/Mexico_City",
    "Asia/Tokyo",
)


# --- fix-names ---
MEMBER_ERASED = "{short_id} is no longer in the program (their data was erased): nothing changed."


# --- fix-keys: storage and key problems, handler failures, key checks ---
INTAKE_REASONS = {
    "storage": "the database cannot be written (disk full or failing?)",
    "keys": "stored data cannot be decrypted with the configured keys",
    "error": "an unexpected error (see the server log)",
}
INTAKE_BLOCKED_FOR_COORDINATORS = (
    "⚠️ The bot cannot take in members' messages right now: {reason}. Nothing is lost: they "
    "wait and are handled as soon as this is fixed. /health shows the state."
)
INTAKE_RESUMED_FOR_COORDINATORS = (
    "✅ The bot is taking in messages again (it could not from {start} to {end} UTC: "
    "{reason}). Messages that waited are being handled now."
)
HEALTH_INTAKE_BLOCKED = "⚠️ Taking in messages is blocked since {since} UTC: {reason}"
HEALTH_INTAKE_LAST_OUTAGE = "Last intake outage: {start} to {end} UTC ({reason})"
HEALTH_HANDLER_FAILURES = (
    "Updates set aside after an error since start: {count} ({unpaged} not yet reported)"
)
BOT_ERRORS_FOR_COORDINATORS = (
    "⚠️ The bot hit an error while handling an update ({ref}); {count} updates failed since "
    "the last notice like this. Details are in the server log; /health counts them."
)


# ---- fix-delivery ---------------------------------------------------------------------------
HEALTH_TOKEN_REJECTED = (
    "⚠️ <b>Telegram rejected the bot token</b> (401) since {since} UTC: nothing is being sent. "
    "Every message is kept and goes out by itself once the token works again (check it with "
    "@BotFather and <code>TELEGRAM_BOT_TOKEN</code>)."
)
HEALTH_STAFF_CHAT_BROKEN = (
    "⚠️ <b>Staff chat (COORDINATOR_CHAT_ID) is broken</b> since {since} UTC: {error}. "
    "Escalation cards go to each coordinator privately and to the fallback chat instead; add "
    "the bot back to the group or correct the setting."
)
# Who was shown an escalation: roles, never Telegram ids (members see these in /mydata).
DISCLOSED_STAFF_CHAT = "program staff chat"
DISCLOSED_COORDINATOR = "coordinator (private)"
DISCLOSED_FALLBACK = "fallback chat"
DISCLOSED_STAFF = "program staff"
CARD_NOT_IN_CHAT = "the bot is not in that chat or was blocked there"


# --- The concern tier (issue 12) ---
CONCERN_CARD = (
    "💛 <b>{mentee}</b>'s last message may mean they are struggling. Can you check in with "
    "them? (Not an emergency alert: staff are told if nobody answers here.)"
)
CONCERN_ON_IT = "I'm on it"
CONCERN_OK = "They're OK"
CONCERN_NEEDS_STAFF = "Needs staff now"
CONCERN_DONE_ON_IT = "Thank you for checking in with {mentee}."
CONCERN_DONE_OK = "Noted: {mentee} is OK. Thank you."
CONCERN_DONE_STAFF = "Program staff have been alerted about {mentee}."
CONCERN_ALREADY_ANSWERED = "This was already answered."
CONCERN_CLIMBED_FOR_MENTOR = (
    "Nobody answered the check-in request about <b>{mentee}</b> in time, so program staff "
    "have been alerted."
)
CONCERN_WHY_NO_MENTOR = "the mentee has no mentor"
CONCERN_WHY_UNREACHABLE = "the bot cannot reach their mentor"
CONCERN_WHY_QUIET_HOURS = "it is their mentor's quiet hours"
CONCERN_WHY_NO_ANSWER = "their mentor did not answer within {minutes} minutes"
CONCERN_WHY_MENTOR_ASKED = "their mentor pressed 'Needs staff now'"
ESCALATION_AT_RISK = {
    "writer": "At risk: the writer\n",
    "other": "At risk: someone the writer wrote about\n",
}
ESCALATION_WHY = "Why: {evidence}{probability}\n"
ESCALATION_PROBABILITY = " (models' estimate {percent}%)"
ESCALATION_ALSO_SOS = "🆘 The writer has also pressed /sos; the card below is the same alarm.\n"
ESCALATION_ALSO_MESSAGE = (
    "🆘 A message from the writer was flagged minutes after their /sos; the card below is the "
    "same alarm.\n"
)
ASK_OUTCOME_KIND = "\nHow did it end? (For the program's reports; counts only.)"
OUTCOME_KINDS = {
    "real_danger": "Real danger",
    "support_needed": "Support needed",
    "false_alarm": "False alarm",
}
OUTCOME_RECORDED = "Escalation #{id}: recorded as “{kind}”."
OUTCOME_NOT_RESOLVED = "Escalation #{id} is not resolved yet."


# --- i13-staff: /id, bulk invites, /invites, command menus ---
ID_ANSWER = (
    "Your user id: {user_id}\n"
    "(to make someone a coordinator, put their user id in <code>COORDINATOR_IDS</code>)\n\n"
    "This chat's id: {chat_id}\n"
    "(to send escalation cards to a staff group, put that group's chat id in "
    "<code>COORDINATOR_CHAT_ID</code>)"
)
INVITE_BULK_USAGE = (
    "Usage: <code>/invite mentee</code> or <code>/invite mentor</code>, optionally with how "
    "many links (1 to 200): <code>/invite mentee 40</code>"
)
INVITE_TOO_MANY = (
    "At most {limit} invite links at a time. Usage: <code>/invite mentee 40</code>"
)
ROLE_PLURALS = {"mentee": "mentees", "mentor": "mentors"}
INVITES_CREATED = (
    "<b>{count} one-time invites for {role}</b>, valid until {expires} UTC. Give each link "
    "privately to one person; each works once. /invites lists the open ones.\n\n"
)
INVITES_CSV_CAPTION = (
    "{count} one-time invites for {role}, valid until {expires} UTC (one link per line; too "
    "many for one message). Give each link privately to one person; each works once."
)
INVITE_REVOKED = (
    "This invite link is no longer valid. Please ask your program coordinator for a new one."
)
INVITES_NONE = "No open invites. Make one with /invite mentee or /invite mentor."
INVITES_HEADER = "<b>Open invites</b>: {count} open (page {page} of {pages})"
INVITES_LINE = "• {short_id} {role}, valid until {expires} UTC"
INVITE_REVOKE = "Revoke {short_id}"
INVITES_PREVIOUS = "◀ Previous"
INVITES_NEXT = "Next ▶"
INVITE_REVOKED_TOAST = "{short_id} revoked: its link no longer works."
INVITE_NOT_OPEN = "That invite is no longer open (used, expired or revoked)."
# Telegram's command menu: the order here is the menu's order (each role sees its own).
COMMAND_DESCRIPTIONS = {
    "start": "Start, or join with an invite link",
    "help": "How this works and what you can do",
    "sos": "Alert program staff now",
    "checkin": "A check-in now",
    "progress": "Your mood and craving chart",
    "schedule": "Change your daily check-in time",
    "quiet": "Set your quiet hours",
    "pause": "Pause check-ins for some days",
    "resume": "Resume check-ins",
    "sober": "Set the day your recovery started",
    "flag": "Reply to a mentee's message to alert staff",
    "mydata": "A copy of everything stored about you",
    "deleteme": "Erase your data",
    "invite": "One-time invite links (mentee or mentor, how many)",
    "invites": "Open invites, with Revoke buttons",
    "members": "Everyone enrolled",
    "match": "Suggested mentors for a mentee",
    "pair": "Pair a mentee with a mentor",
    "unpair": "End a mentee's pairing",
    "pairs": "Current pairings",
    "escalations": "Open escalations",
    "escalation": "An escalation's audit trail",
    "resolve": "Resolve an escalation with a note",
    "cancel": "Drop a pending note or staff message",
    "health": "Delivery health",
    "coordinators": "List, add or remove coordinators",
    "erase": "Erase a member's data (they asked in person)",
    "id": "Your Telegram user id and this chat's id",
    "language": "Change the language (English or Spanish)",
    "staff": "Write to program staff (not an emergency)",
    "reply": "Write to a member through the bot, as staff",
    "oncall": "Who is on call, or take a shift",
    "stats": "The program's figures (or a chart)",
    "export": "Per-member counts as a CSV file",
}
ENROLLED_COMMANDS_HINT = (
    "\n\nSend /help to see what you can do here, and /sos at any time to alert program staff "
    "at once. Your commands are also in the menu next to the message box."
)
COORDINATOR_GREETING_HINT = (
    "\n\n/help shows this list again. When a mentee or mentor presses /sos, or a message "
    "suggests danger, the alert comes to the staff chat (or to you privately) with buttons."
)
HELP_COORDINATOR_EXTRA = (
    "\n/invite mentee 40 — many links at once (a CSV file when they don't fit one message)\n"
    "/invites — open invites, with Revoke buttons\n"
    "/id — your user id and this chat's id (for COORDINATOR_IDS and COORDINATOR_CHAT_ID)"
)

# ---- i15-reports: /stats, /stats chart, /export and the weekly digest ----------------------
STATS_TITLE = "📊 <b>Program report</b> ({when} UTC)"
STATS_MEMBERS = (
    "Members: {mentees} mentees, {mentors} mentors; {pairings} active pairings; "
    "{waiting} mentees waiting for a mentor"
)
STATS_LOAD = "Mentor load: {average} mentees per mentor; {full} mentors full, {idle} with none"
STATS_ADHERENCE = "Check-ins answered: last 7 days {week}; last 30 days {month}"
STATS_ENGAGEMENT = "Engagement: paired mentees who wrote to their mentor in the last 7 days {rate}"
STATS_RATE = "{part}/{whole} ({percent}%)"
STATS_NONE = "none due"
STATS_ESCALATIONS = "Escalations in the last 30 days: {count}"
STATS_CATEGORY = "• {category}: {outcomes}"
STATS_OUTCOME_REAL_DANGER = "real danger"
STATS_OUTCOME_SUPPORT_NEEDED = "support needed"
STATS_OUTCOME_FALSE_ALARM = "false alarm"
STATS_OUTCOME_UNRECORDED = "resolved, outcome not recorded"
STATS_OUTCOME_OPEN = "not resolved yet"
STATS_TO_ACKNOWLEDGE = "Time to acknowledge: median {median}, 90th percentile {p90} ({count})"
STATS_TO_RESOLVE = "Time to resolve: median {median}, 90th percentile {p90} ({count})"
STATS_SECONDS = "{n} s"
STATS_MINUTES = "{n} min"
STATS_HOURS = "{n} h"
STATS_LADDERS = (
    "Concerns in the last 30 days: {answered} answered by mentors, {climbed} climbed to staff"
)
STATS_USAGE = "Use <code>/stats</code> for the figures or <code>/stats chart</code> for a chart."
STATS_CHART_TITLE = "Check-ins answered, engagement (%) and escalations per week"
STATS_CHART_CAPTION = "The program by week (weeks start on Monday, UTC)."
EXPORT_CAPTION = (
    "Per member and per week, counts only (columns in the README). Members by short id. "
    "Redisclosure of these records is restricted by 42 CFR Part 2."
)
STATS_DIGEST_TITLE = "🗓 <b>Weekly digest</b>"

# ---- i15-reports: the mentor's view heard, /staff ----------------------------------------
WEEKLY_ANSWER_FOR_STAFF = (
    "📋 Mentor's weekly check-in: <b>{mentor}</b> ({mentor_id}) answered "
    "“{answer}” about <b>{mentee}</b> ({mentee_id}). No alarm; for your follow-up."
)
RAISED_BY_WEEKLY = "mentor's weekly check-in"
WEEKLY_WHY_WORRIED = "the mentor answered “worried, needs staff now”"
WEEKLY_WHY_SILENT = "the mentor has not heard from them two weeks in a row"
ALERT_ACKNOWLEDGED_FOR_MENTOR = (
    "✅ Program staff have acknowledged the alert about <b>{mentee}</b> and are on it."
)
ALERT_RESOLVED_FOR_MENTOR = "✅ Program staff have resolved the alert about <b>{mentee}</b>."
TO_STAFF_MESSAGE_USAGE = (
    "Write <code>/staff</code> and your message, for example "
    "<code>/staff can someone call me about my housing form?</code> It goes to program staff, "
    "not to your {other}. In an emergency, use /sos."
)
TO_STAFF_MESSAGE_SENT = "Sent to program staff. They will get back to you here."
TO_STAFF_MESSAGE_FOR_STAFF = "✉️ To staff from {role} <b>{pseudonym}</b> ({short_id}):\n\n{text}"
RAISED_BY["weekly"] = RAISED_BY_WEEKLY

# ---- i15-desk: the coordinator's desk (topics per person, claiming, on-call) ----
DESK_STAFF_NOTE = "📝 Staff wrote to <b>{member}</b>:\n{text}"
DESK_RISKY_CHECKIN = "⚠️ <b>{member}</b> ({short_id}): risky check-in: {answers}."
DESK_TEXT_ONLY = "Only text written here is passed on to the person; nothing was sent."
DESK_REPLY_USAGE = "Usage: <code>/reply M-0007 your message</code> (a short id or a pseudonym)"
DESK_REPLY_NOBODY = "Nobody enrolled is called “{ref}”."
DESK_CLAIM = "Claim"
DESK_TAKE_OVER = "Take over"
DESK_CLAIMED_BY = "🙋 Claimed by <b>{name}</b>\n"
DESK_CLAIMED = "Escalation #{id} is yours: reminders now go to you only."
DESK_CLAIMED_ALREADY_YOURS = "You have already claimed it."
DESK_CLAIMED_BY_OTHER = "{name} has claimed it. Press “Take over” on the card to take it."
DESK_OUT_OF_HOURS = (
    "Program staff are away right now; they are back on {back}.\n"
    "If you are in danger, do not wait:\n{crisis}"
)
DESK_ONCALL_NOW = "On call now: <b>{name}</b> (until {until})."
DESK_ONCALL_NOBODY = "Nobody is on call now."
DESK_ONCALL_SET = "On call: <b>{name}</b>, from {start} to {end}."
DESK_ONCALL_USAGE = (
    "Usage: <code>/oncall</code> (who is on call), <code>/oncall me</code> (you, until staff "
    "are next at their desks) or <code>/oncall 1001 18:00-09:00</code>."
)
DESK_ONCALL_NOT_COORDINATOR = "{who} is not a coordinator."
DESK_DAILY_SUMMARY = "📋 <b>Daily summary</b>: alarms nobody has acknowledged yet:\n{lines}"
DESK_DAILY_SUMMARY_LINE = "#{id} {severity} · {category} · {who} · opened {when}"

# ---- i14-i18n: catalogs and language ---------------------------------------------------------
class Plural:
    """A text with a form per number: `one` and `other` in English. Each catalog gives its
    language's forms (msgid_plural, msgstr[n]); `{count}` is the number, formatted for the
    language."""

    __slots__ = ("one", "other")

    def __init__(self, one: str, other: str) -> None:
        self.one = one
        self.other = other


HELD_DELIVERED_MENTOR_PLURAL = Plural(
    "<b>{mentee}</b> wrote while waiting for a mentor; {count} message follows.",
    "<b>{mentee}</b> wrote while waiting for a mentor; {count} messages follow.",
)
MENTEE_STATUS_HELD_PLURAL = Plural(
    "waiting for a mentor, {count} message kept",
    "waiting for a mentor, {count} messages kept",
)
ESCALATION_CONTEXT_PLURAL = Plural(
    "\nThe last relayed message of this pairing follows this card.",
    "\nThe last {count} relayed messages of this pairing follow this card.",
)
CHOOSE_LANGUAGE = (
    "Hello! Which language do you want to use here?\n¡Hola! ¿En qué idioma quieres usar el bot?"
)
CHOSEN = "✅ {choice}"
LANGUAGE_SET = "From now on I write to you in English. /language changes it."
LANGUAGE_USAGE = "Which language do you want me to use?"
MYDATA_RELAYED_NOTE = "only ids and times are stored, never the content"
CHART_MOOD = "mood (1–5)"
CHART_CRAVING = "craving (0–4)"
