"""Every message a person reads, in one place (English).

Texts with placeholders are formatted with values already HTML-escaped by the caller
(see `bot.services.outbox.h`). All texts are sent with parse_mode HTML.
"""

from __future__ import annotations

NOT_INVITED = (
    "Hello. This bot is for a closed program where people in recovery help each other.\n\n"
    "To join, ask your program coordinator for an invite link. Then open it.\n"
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

# The consent screen for mentees (mentors: CONSENT_MENTOR). It must say exactly what the code
# sends to whom; changing it means a new bot.services.consent.CONSENT_VERSION and a
# CONSENT_CHANGES text.
CONSENT = (
    "<b>Welcome to the peer-mentoring program.</b> You were invited as a mentee. "
    "Please read what this means for you.\n\n<b>Your pseudonym.</b> A pseudonym is a "
    "made-up name that you choose. It is the only name people here see. Nobody here "
    "sees your Telegram name, username, phone number or id.\n\n<b>What your mentor "
    "gets:</b>\n• the messages you send here (as copies, with your pseudonym)\n• your "
    "check-in answers when you report use or a very high craving\n• how many "
    "check-ins in a row you missed\n• a chart of your mood and craving over the last "
    "30 days\n• your recovery milestones, like 30 days\n• a note when something you "
    "wrote may mean you are struggling or in danger\n• the goals you agree on "
    "together, and how you answer them in check-ins\n• which kinds of triggers you "
    "tagged before high cravings (never your notes)\n• your recovery plan, only if "
    "you choose to share it\n\n<b>What program staff get:</b>\n• your pseudonym, "
    "timezone, language, choices and who your mentor is\n• a note when you miss "
    "several check-ins in a row\n• your mentor's weekly answer on how you are doing\n• "
    "when a message may mean danger, or you press /sos: that message, the last 5 "
    "messages between you and your mentor, and both pseudonyms. The same when a "
    "message may mean you are struggling and your mentor cannot check in soon.\n\n"
    "<b>What is stored, and for how long:</b>\n• your pseudonym, timezone, language, "
    "choices, check-in answers, notes, goals, reminders and plan: until you erase "
    "them\n• which message went where (never the words): {retention_days} days\n• what "
    "an alarm said: {escalation_days} days, then only the fact of it stays\nYour "
    "Telegram id, notes, goals, reminders and plan are stored encrypted. The words "
    "you send stay in Telegram; the bot cannot delete them from your chats. /mydata "
    "sends you a copy of your data, /deleteme erases it, /privacy shows this again.\n\n"
    "<b>This is not an emergency service.</b> Nobody may be reading when you write. "
    "If you or someone else is in danger, call {crisis_line}.\n\nDo you agree to take "
    "part on these terms?"
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
PSEUDONYM_BAD_CHARS = "use only letters, numbers, spaces, dots (.), dashes (-) and lines (_)."
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
    "• A short check-in comes every day at your time. /checkin: one now. /schedule: change "
    "the time. /quiet: quiet hours. /pause and /resume: stop and start. /sober: your "
    "recovery start date. /progress: your day count and chart.\n"
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
    "Not sent. You replied to a message from a conversation that has ended. So nobody got "
    "your answer."
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
    "{time} is in your quiet hours ({quiet}). Pick another time, or change them with /quiet."
)
SCHEDULE_SET = "Your daily check-in is now at <b>{time}</b> ({timezone}). Next: {next}."
QUIET_USAGE = "Usage: <code>/quiet 22:00 08:00</code> (no check-ins between these times)"
QUIET_SET = "Quiet hours set to <b>{quiet}</b>."
PAUSE_USAGE = "Usage: <code>/pause 7</code> (days, 1 to 90)"
PAUSED = "Check-ins paused until {until}. Send /resume to start again sooner."
RESUMED = "Check-ins resumed. Next: {next}."
NOT_PAUSED = "Your check-ins are not paused. Next: {next}."
# A recovery start date fits every path: stopping, cutting down, or starting treatment such as
# methadone or buprenorphine. No wording here assumes abstinence.
SOBER_USAGE = (
    "Send <code>/sober 2026-01-31</code> with your recovery start date. It is the day you "
    "chose: when you stopped, cut down, or began treatment."
)
SOBER_SET = (
    "Your recovery start date is saved: <b>{date}</b>. That is {days} days. We will mark "
    "your milestones with you."
)
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
FLAG_DONE = "Thanks. Staff have been alerted (alarm #{id})."
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
    "Erase all data about <b>{pseudonym}</b> ({short_id})? The pairing ends, and the other "
    "side is told. Check-ins, notes and the record of where each message went are deleted. "
    "Alarms keep only the fact that they happened. This cannot be undone."
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
    "Nobody answered in time about <b>{mentee}</b>. So program staff have been alerted."
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
INVITE_TOO_MANY = "At most {limit} invite links at a time. Usage: <code>/invite mentee 40</code>"
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
    "\n/invite mentee 40 — many links at once (a CSV file when they don't fit one "
    "message)\n/invites — open invites, with Revoke buttons\n/id — your user id and "
    "this chat's id (for COORDINATOR_IDS and COORDINATOR_CHAT_ID)\n/reply "
    "<i>member</i> <i>text</i> — write to a member as program staff\n/oncall — who is "
    "on call; <code>/oncall me</code> to take it\n/stats, <code>/stats chart</code>, "
    "/export — the program's figures\n/graduate <i>mentee</i> — a mentee completes "
    "the program"
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

# ---- i16-remind: reminders (/remind, /reminders) and care for mentors ---------------------
COMMAND_DESCRIPTIONS["remind"] = "Set a reminder for yourself"
COMMAND_DESCRIPTIONS["reminders"] = "Your reminders, with Remove buttons"
REMINDER_ASK_WHAT = (
    "⏰ <b>New reminder</b>\n"
    "What should I remind you of? Write it in one message, up to {limit} characters. "
    "For example: NA meeting at the church hall, or take my evening dose."
)
REMINDER_ASK_WHEN = (
    "When? Send a date and a time, like <code>{example_date}</code>, or a day of the week "
    "and a time, like <code>mon 18:30</code>. You can also write <code>today 18:30</code> "
    "or <code>tomorrow 9:00</code>. Times are in your timezone ({timezone})."
)
REMINDER_ASK_REPEAT = "Just once, or every week at this time?"
REMINDER_ONCE = "Just once"
REMINDER_WEEKLY = "Every week"
REMINDER_TOO_LONG = (
    "That is a bit long for a reminder: please keep it to {limit} characters "
    "(yours has {length}). Try a shorter version."
)
REMINDER_EMPTY = "Please write what the reminder is about, in words."
REMINDER_BAD_WHEN = (
    "I couldn't read that time. Please send a date and a time, like "
    "<code>{example_date}</code>, or a day and a time, like <code>mon 18:30</code>."
)
REMINDER_IN_PAST = "That time has already passed. Please send a time in the future."
REMINDER_TOO_FAR = "Please choose a time within the next year."
REMINDER_TOO_MANY = (
    "You already have {limit} reminders, the most you can have. Send /reminders to remove "
    "one you no longer need, then try again."
)
REMINDER_SET = "✅ Reminder set: <b>{text}</b>\n{when}"
REMINDER_WHEN_ONCE = "On {weekday} {date} at {time}."
REMINDER_WHEN_WEEKLY = "Every {weekday} at {time}, starting {date}."
REMINDER_QUIET_NOTE = (
    "This time is in your quiet hours ({quiet}), so the reminder will come when they end."
)
REMINDER_FIRES = "⏰ <b>Reminder:</b> {text}"
REMINDER_LIST_TITLE = "⏰ <b>Your reminders</b>"
REMINDER_LIST_LINE = "{number}. {text}\n    {when}"
REMINDER_LIST_EMPTY = "You have no reminders. Send /remind to set one."
REMINDER_REMOVE_BUTTON = "Remove {number}"
REMINDER_REMOVED = "Reminder removed."
REMINDER_DRAFT_GONE = "This reminder is no longer being set up. Send /remind to start again."
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The one-tap "how are you" scale mentors answer (weekly, and the day after a hard moment).
WELLBEING_ANSWERS = {
    "good": "😊 Good",
    "ok": "🙂 OK",
    "low": "😕 Low",
    "struggling": "😣 Struggling",
}
WELLBEING_WEEKLY_PROMPT = (
    "🌱 <b>And how are you doing this week?</b>\n"
    "Mentors need care too. One tap; only your answer is kept."
)
MENTOR_DEBRIEF_PROMPT = (
    "🌱 <b>How are you doing?</b>\n"
    "Yesterday program staff closed the alert about <b>{mentee}</b>. Being there for someone "
    "in a hard moment can stay with you.\n\n"
    "If it helps, take a minute with these (just for you, nothing is saved):\n"
    "• What was the hardest part for you?\n"
    "• What did you do that helped, even a little?\n"
    "• What do you need now, and who can you lean on?\n\n"
    "To talk it over with program staff, send <code>/staff</code> and your message."
)
MENTOR_DEBRIEF_ASK = "How are you feeling today? One tap; only your answer is kept."
WELLBEING_RECORDED = "Thank you. You answered: {answer}."
WELLBEING_RECORDED_LOW = (
    "Thank you for telling us. You answered: {answer}.\n"
    "You don't have to carry this alone: send <code>/staff</code> and a message to talk with "
    "program staff, and look after yourself today. If you are in danger, press /sos."
)
WELLBEING_LOW_FOR_STAFF = (
    "🌱 Mentor <b>{pseudonym}</b> ({short_id}) answered the weekly wellbeing question: "
    "{answer}.\nNot an emergency. Maybe reach out to them when you can."
)
STATS_MENTOR_CARE_TITLE = (
    "Mentors (alerts about their mentees in 30 days · active mentees · latest wellbeing):"
)
STATS_MENTOR_CARE_LINE = "• {pseudonym} ({short_id}): {exposure} · {load} · {wellbeing}"
STATS_WELLBEING_NONE = "no answer yet"


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
    "<b>{mentee}</b> wrote before you were paired. Here is {count} message.",
    "<b>{mentee}</b> wrote before you were paired. Here are {count} messages.",
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

# ---- i14-care: consent kept and versioned, crisis help, plain language, accessibility -------
CONSENT_MENTOR = (
    "<b>Welcome to the peer-mentoring program.</b> You were invited as a mentor. "
    "Please read what this means for you.\n\n<b>Your pseudonym.</b> A pseudonym is a "
    "made-up name that you choose. It is the only name people here see. Nobody here "
    "sees your Telegram name, username, phone number or id.\n\n<b>What your mentees "
    "get:</b>\n• the messages you send them (as copies, with your pseudonym)\n• the "
    "goals you agree on together\n\n<b>What program staff get:</b>\n• your pseudonym, "
    "timezone, language, choices and who your mentees are\n• your weekly answers on "
    "how each mentee is doing\n• when you answer that you are low or struggling "
    "(weekly, or after an alarm): that answer\n• when you are away (/away) and who "
    "covers for you\n• when you use /flag: the message and your note\n• when a message "
    "of yours may mean you are struggling or in danger, or you press /sos: that "
    "message and your pseudonym. If it is about a mentee, also the last 5 messages "
    "between you.\n\n<b>What is stored, and for how long:</b>\n• your pseudonym, "
    "timezone, language, choices, weekly answers, how-are-you answers, goals and "
    "reminders: until you erase them\n• which message went where (never the words): "
    "{retention_days} days\n• what an alarm said: {escalation_days} days, then only "
    "the fact of it stays\nYour Telegram id, goals and reminders are stored "
    "encrypted. The words you send stay in Telegram; the bot cannot delete them from "
    "your chats. /mydata sends you a copy of your data, /deleteme erases it, "
    "/privacy shows this again.\n\n<b>This is not an emergency service.</b> Nobody may "
    "be reading when you write. If you or someone else is in danger, call "
    "{crisis_line}.\n\nDo you agree to take part on these terms?"
)
CONSENT_AGREED_ON = "You agreed to this on {date}."
CONSENT_CHANGED = (
    "📄 <b>Our privacy terms have changed.</b> What changed:\n{changes}\n\n"
    "Your message is kept. It goes on as soon as you agree. Please read the terms below."
)
# What changed in each consent version, for people who agreed to an older one.
CONSENT_CHANGES = (
    "• The terms now cover the new tools: goals, reminders and the recovery plan, "
    "and for mentors their answers on how they are.\n• They say who sees each one and "
    "how long it is kept.\n• You can read them again at any time with /privacy."
)
CONSENT_STILL_NEEDED = (
    "Your message is kept. It goes on once you agree to the new terms above (or send /privacy)."
)
CONSENT_AGREED_AGAIN = "✅ Thank you. You agreed to the new terms."
CONSENT_HELD_SENT = "Your kept messages are on their way."
CONSENT_DECLINED_AGAIN = (
    "OK. Your messages are not passed on while you have not agreed. They are kept for "
    "{retention_days} days. You can still use /sos and check-ins. To agree later, send "
    "/privacy. To leave and erase your data, send /deleteme."
)
# Check-in buttons: words as well as emoji (a screen reader says the words).
MOOD_BUTTONS = {1: "😞 very low", 2: "🙁 low", 3: "😐 okay", 4: "🙂 good", 5: "😄 great"}
CRAVING_BUTTONS = {0: "😌 none", 1: "🙂 low", 2: "😕 medium", 3: "😣 high", 4: "😫 very high"}
# The chart's caption says the trend in words.
TREND_LINE = "{mood}; {craving}."
TREND_MOOD = {"up": "Mood went up", "down": "Mood went down", "flat": "Mood stayed {level}"}
TREND_CRAVING = {
    "up": "craving went up",
    "down": "craving went down",
    "flat": "craving stayed {level}",
}
TREND_MOOD_LEVELS = {"low": "low", "medium": "okay", "high": "good"}
TREND_CRAVING_LEVELS = {"low": "low", "medium": "medium", "high": "high"}
PROGRESS_DAYS = "🌱 Day {days} since your recovery start date ({date})."
PROGRESS_NO_START = (
    "Tip: send <code>/sober 2026-01-31</code> with your recovery start date to see your day count."
)
# /mydata in plain words, never internal codes such as using_now_relapse.
MYDATA_CATEGORIES = {
    "suicide_self_harm": "suicide or self-harm",
    "overdose_medical": "overdose or medical emergency",
    "using_now_relapse": "using now",
    "harm_to_others_abuse": "violence or abuse",
    "sos": "you pressed /sos",
    "mentor_concern": "your mentor was worried",
}
MYDATA_SEVERITIES = {"critical": "urgent", "high": "high"}
MYDATA_STATUSES = {"open": "open", "acknowledged": "seen by staff", "resolved": "closed"}
MYDATA_OTHER = "other"

# ---- i16-goals: goals for the week, trigger tags, the weekly review ------------------------
GOALS_USAGE_FOR_MENTEE = (
    "To suggest a goal for this week, write it after the command, for example "
    "<code>/goals walk 20 minutes a day</code>. Your mentor is asked to agree to it. "
    "Up to {limit} goals a week."
)
GOALS_USAGE_FOR_MENTOR = (
    "To suggest a goal for this week, write it after the command, for example "
    "<code>/goals walk 20 minutes a day</code>. Your mentee is asked to agree to it. "
    "Up to {limit} goals a week."
)
GOALS_WHICH_MENTEE = (
    "You have more than one mentee. Put their name first, for example "
    "<code>/goals {pseudonym} walk 20 minutes a day</code>"
)
GOALS_NO_MENTOR = "Goals are agreed with your mentor. You can set them once you have a mentor."
GOALS_NO_MENTEE = "Goals are agreed with a mentee. You can set them once you are paired."
GOALS_TOO_LONG = "Please keep a goal short: {limit} characters at most."
GOALS_FULL = (
    "This week already has {limit} goals (agreed, or waiting for an answer). That is plenty: "
    "focus on those. You can add a new one when one of them ends."
)
GOAL_PROPOSAL_SENT = "Sent to <b>{pseudonym}</b>. I'll let you know when they answer."
GOAL_PROPOSED = (
    "🎯 <b>{pseudonym}</b> suggests a goal for this week:\n<i>{goal}</i>\n\nDo you agree to it?"
)
GOAL_ACCEPT = "Accept"
GOAL_DECLINE = "Decline"
GOAL_ACCEPTED = "🎯 Agreed goal for this week: <i>{goal}</i>"
GOAL_DECLINED = "Not taken on: <i>{goal}</i>"
GOAL_ACCEPTED_FOR_PROPOSER = (
    "🎯 <b>{pseudonym}</b> accepted your goal for this week: <i>{goal}</i>"
)
GOAL_DECLINED_FOR_PROPOSER = (
    "<b>{pseudonym}</b> would rather not take on this goal: <i>{goal}</i>. "
    "You could talk it over together and suggest another one."
)
GOAL_ALREADY_ANSWERED = "This goal has already been answered."
GOAL_PAIRING_ENDED = "This goal was from a talk that has ended. So nothing was changed."
GOALS_LIST_HEADER = "🎯 <b>Goals this week with {pseudonym}</b>"
GOALS_LIST_LINE = "• <i>{goal}</i> ({state})"
GOAL_STATES = {"accepted": "agreed", "proposed": "waiting for an answer"}
GOALS_LIST_EMPTY = "No goals this week with <b>{pseudonym}</b> yet."
GOAL_CHECK_QUESTION = "🎯 Your goal: <i>{goal}</i>\nHow did it go today?"
GOAL_ANSWERS = {"done": "Done", "partly": "Partly", "not_today": "Not today"}
GOAL_RECORDED_LINE = "🎯 <i>{goal}</i>: <b>{answer}</b>"
CHECKIN_TRIGGERS = (
    "Did anything stir up a craving today? Tap any that fit (more than one is fine), then Done."
)
TRIGGERS = {
    "people": "People",
    "places": "Places",
    "feelings": "Feelings",
    "times": "Times of day",
}
TRIGGER_NAMES = {
    "people": "people",
    "places": "places",
    "feelings": "feelings",
    "times": "times of day",
}
TRIGGER_CHOSEN = "✅ {label}"
TRIGGERS_TAGGED_LINE = "Tagged: <b>{triggers}</b>"
TRIGGER_COUNT = "{trigger} ({count})"
GOALS_REVIEW_FOR_MENTOR = "🗓 <b>Weekly goal review</b> with <b>{pseudonym}</b>:\n{lines}"
GOALS_REVIEW_FOR_MENTEE = (
    "🗓 <b>Your goals this week</b>, with your mentor <b>{pseudonym}</b>:\n{lines}\n\n"
    "Every step counts, even small ones. 💚"
)
GOALS_REVIEW_LINE = "• <i>{goal}</i>: days met: {done} · partly: {partly} · not today: {missed}"
PROGRESS_GOALS = "🎯 <b>{pseudonym}</b>: goals met per week\n{lines}"
PROGRESS_GOALS_LINE = "Week of {week}: {done} done, {partly} partly"
PROGRESS_TRIGGERS_OWN = "Before your high-craving days you most often tagged: {triggers}"
PROGRESS_TRIGGERS_MENTEE = (
    "Before {pseudonym}'s high-craving days they most often tagged: {triggers}"
)
PROGRESS_CAPTION_GOALS = "{pseudonym}: mood, craving and goals met, last 30 days"
CHART_LEGEND_GOALS = "goals met (per day)"
COMMAND_DESCRIPTIONS["goals"] = "Goals for this week with your mentor or mentee"

# ---- i16-cope: tools for the hard moments (/cope exercises, /plan) ---------------------
COMMAND_DESCRIPTIONS["cope"] = "Quick help when a craving hits"
COMMAND_DESCRIPTIONS["plan"] = "Your own recovery plan"
COPE_EXERCISES = {
    "urge": "🌊 Ride the urge",
    "ddd": "⏳ Delay, distract, decide",
    "halt": "🛑 HALT check",
    "breathe": "🌬 Slow breathing",
    "ground": "🖐 5-4-3-2-1 grounding",
    "tape": "🎞 Play the tape forward",
    "call": "📞 Call someone from my plan",
}
COPE_MENU = "🧰 <b>Tools for a hard moment</b>\nEach one takes 2 to 5 minutes. Pick one:"
COPE_OFFER_CRAVING = (
    "That sounds like a strong craving. It will pass, even if it doesn't feel that way right "
    "now. Would you like to try something for a few minutes? Pick one:"
)
COPE_OFFER_CONCERN = (
    "It sounds like things may be hard right now. If it helps, here are some short things "
    "you can try. Each one takes a few minutes:"
)
COPE_OFFER_SOS = (
    "If you are safe right now and want something to do while you wait, these take a few minutes:"
)
COPE_NEXT = "Next ➡️"
COPE_START = "Start"
COPE_STEPS_URGE = (
    "🌊 <b>Ride the urge</b> (about 5 minutes)\n\nA craving is like a wave. It rises, peaks "
    "and falls, often within 20 to 30 minutes. You don't have to fight it, and you don't "
    "have to act on it. You can ride it.\n\nSit comfortably and take one slow breath.",
    "Notice where you feel the urge in your body: your mouth, your chest, your stomach, your "
    "hands? Just watch it, the way you would watch the weather.\n\nHow strong is it, from 0 "
    "to 10?",
    "Breathe in slowly. As you breathe out, picture the urge as a wave and yourself riding "
    "on top of it. Stay with it for a few breaths. Notice how it changes: stronger, weaker, "
    "moving around.",
    "How strong is it now, from 0 to 10? Urges pass, even when it doesn't feel like they "
    "will. Each time you ride one out, the next one gets a little easier.",
)
COPE_STEPS_DDD = (
    "⏳ <b>Delay, distract, decide</b> (about 3 minutes)\n\n<b>Delay.</b> Tell yourself: "
    "“Not now. I'll wait 15 minutes and then see.” You are not saying never. Just not now.",
    (
        "<b>Distract.</b> Pick one thing to do for those 15 minutes: a walk around the "
        "block, a shower, music, a game, washing the dishes, texting a friend. Start it "
        "now."
    ),
    "<b>Decide.</b> When the time is up, ask yourself: what do I really want for tonight, "
    "and for tomorrow morning? Remember why you started. You can always wait another 15 "
    "minutes.",
)
COPE_STEPS_HALT = (
    "🛑 <b>HALT check</b> (about 2 minutes)\n\nCravings often come when we are hungry, "
    "angry, lonely or tired. Let's check each one.\n\n<b>Hungry?</b> When did you last eat? "
    "If it's been a while, have something small now, even a glass of milk or a piece of "
    "fruit.",
    "<b>Angry?</b> Is something or someone bothering you? Say it to yourself in one "
    "sentence. You don't have to fix it right now.",
    "<b>Lonely?</b> Who could you talk to today? Your mentor, a friend, someone from a "
    "meeting? Even one short message counts.",
    "<b>Tired?</b> Did you sleep well? If you can, rest for a few minutes, or plan an early "
    "night.\n\nWhatever you found, taking care of it can make the craving smaller.",
)
COPE_STEPS_BREATHE = (
    "🌬 <b>Slow breathing</b> (about 3 minutes)\n\nSit or stand so you are comfortable. Put "
    "one hand on your belly.\n\nBreathe in through your nose while you slowly count to 4.",
    "Now breathe out through your mouth while you count to 6. A long breath out tells your "
    "body it is safe to slow down.",
    "Keep going: in for 4, out for 6. Do it ten times. If your mind wanders, that's okay. "
    "Just come back to counting.",
    "Notice how your body feels now. Your heart may be a little slower, your shoulders a "
    "little lower. You can come back to this breathing any time.",
)
COPE_STEPS_GROUND = (
    "🖐 <b>5-4-3-2-1 grounding</b> (about 3 minutes)\n\nThis brings you back to the here "
    "and now. Look around you and name <b>5 things you can see</b>, out loud or in your "
    "head.",
    "Now <b>4 things you can touch</b>: your clothes, the chair, the floor under your feet, "
    "your phone. Notice how each one feels.",
    "Now <b>3 things you can hear</b>, near or far. Then <b>2 things you can smell</b> and "
    "<b>1 thing you can taste</b>.",
    "You are here, right now, and you got through this moment. Take one slow breath before "
    "you go on.",
)
COPE_STEPS_TAPE = (
    "🎞 <b>Play the tape forward</b> (about 3 minutes)\n\nA craving shows you only the first "
    "few minutes: the relief. Let's watch the whole film.\n\nImagine you use now. What "
    "happens in the first hour?",
    "What happens later tonight? And tomorrow morning, when you wake up? How do you feel? "
    "Who would you have to talk to, and what would you have to explain?",
    "Now watch the other film: you don't use tonight. How do you feel tomorrow morning? What "
    "are you proud of?\n\nWhich film do you want to be in?",
)
COPE_CALL_PEOPLE = (
    "📞 <b>Call someone</b> (a few minutes)\n\nThese are the people and places you wrote in "
    "your plan:\n{people}\n\nPick one person and call or text them now. You don't need to "
    "explain much. You can just say: “I'm having a hard time. Can we talk for a few "
    "minutes?”"
)
COPE_CALL_NO_PEOPLE = (
    "📞 <b>Call someone</b> (a few minutes)\n\nYour plan doesn't have anyone in it yet. You "
    "can add the people who help you with /plan.\n\nFor now, think of one person you trust: "
    "a friend, family, a sponsor, someone from a meeting. Call or text them now."
)
COPE_CALL_AFTER = (
    "If they don't answer, try the next person or leave a message. Reaching out is a strong "
    "step, whatever happens. If you are in danger, use /sos."
)
COPE_HELPED_QUESTION = "Did that help?"
COPE_HELPED = {"yes": "Yes", "bit": "A bit", "no": "No"}
COPE_HELPED_THANKS = {
    "yes": "I'm glad it helped. You can come back to it any time with /cope.",
    "bit": "Every bit counts. You can try another one any time with /cope.",
    "no": (
        "Thank you for trying. Not every tool works every time. You can try another one "
        "with /cope, or reach out to someone you trust. If you are in danger, use /sos."
    ),
}
COPE_HELPED_RECORDED = "Did that help? You said: <b>{answer}</b>"
COPE_MENTOR_PICK = "🧰 Send a short exercise to one of your mentees, or try one yourself:"
COPE_MENTOR_SELF = "🙋 For me"
COPE_MENTOR_PICK_EXERCISE = "Which exercise would you like to send to <b>{mentee}</b>?"
COPE_MENTOR_SENT = "Sent to <b>{mentee}</b>: {exercise}. They can start it when they are ready."
COPE_INVITE_FOR_MENTEE = (
    "🧰 Your mentor <b>{mentor}</b> sent you a short exercise: <b>{exercise}</b>. It takes a "
    "few minutes. Tap Start when you are ready."
)
COPE_NOT_YOUR_MENTEE = "This person is not your mentee any more."
PLAN_SECTIONS = {
    "warning": "Warning signs",
    "triggers": "Triggers",
    "coping": "What helps me",
    "people": "People and places that keep me safe",
    "reasons": "My reasons for recovery",
}
PLAN_ASK = {
    "warning": (
        "<b>Warning signs</b>\nWhat thoughts, feelings or situations tell you a hard time "
        "may be coming? For example: “I stop answering my phone”, “I can't sleep”."
    ),
    "triggers": (
        "<b>Triggers</b>\nWhat makes your cravings stronger? Think of people, places, "
        "feelings or times. For example: payday, a street, being alone on a Friday night."
    ),
    "coping": (
        "<b>What helps me</b>\nWhat can you do on your own to get through a hard moment? For "
        "example: a walk, a shower, music, prayer, the breathing exercise in /cope."
    ),
    "people": (
        "<b>People and places that keep me safe</b>\nWho can you call or text, and where can "
        "you go? Write the names the way you like, with a phone number if you want. For "
        "example: “Maria”, “my sponsor”, “the 7 pm meeting on Main Street”."
    ),
    "reasons": (
        "<b>My reasons for recovery</b>\nWhy does your recovery matter to you? Who or what "
        "are you doing it for?"
    ),
}
PLAN_INTRO = (
    "📋 <b>Your recovery plan</b>\nLet's write down, step by step, what helps you stay safe "
    "and well. It is yours: only you see it, unless you choose to share it with your mentor. "
    "You can skip any step and change it later."
)
PLAN_STEP = "Step {step} of {total}. Type your answer in one message, or tap Skip."
PLAN_EDIT_PROMPT = "Type the new text in one message, or keep what you have."
PLAN_CURRENT = "What you have now:\n{text}"
PLAN_SKIP = "Skip this step"
PLAN_KEEP = "Keep it as it is"
PLAN_SHOW = "📋 <b>Your recovery plan</b>\n\n{plan}"
PLAN_SHOW_NOW = "📋 <b>Your recovery plan</b>, in case it helps right now:\n\n{plan}"
PLAN_SECTION = "<b>{title}</b>\n{text}"
PLAN_NOT_WRITTEN = "(not written yet)"
PLAN_CRISIS_TITLE = "Crisis lines, any time"
PLAN_EDIT_BUTTON = "✏️ {section}"
PLAN_SHARE = "📤 Share with my mentor"
PLAN_SHARED = (
    "Your plan was sent to your mentor, <b>{mentor}</b>. If you change it later, tap Share "
    "again to send them the new version."
)
PLAN_SHARE_NO_MENTOR = "You don't have a mentor yet. You can share your plan once you are paired."
PLAN_FOR_MENTOR = "📋 <b>{mentee}</b> shared their recovery plan with you:\n\n{plan}"
PLAN_DONE = "That's your plan for now. You can see it and change it any time with /plan."
PLAN_SHARE_NOT_SENT = (
    "The bot can't reach your mentor right now, so your plan was not sent. You can try again "
    "later."
)
COPE_MENTOR_NOT_SENT = "The bot can't reach <b>{mentee}</b> right now, so nothing was sent."
HELP_TOOLS_MENTEE = (
    "\n• /cope: short exercises for a craving or a hard moment. /plan: your own "
    "recovery plan. /goals: goals for the week with your mentor. /remind: your own "
    "reminders.\n• /staff: write to program staff. /newmentor: ask staff for a "
    "different mentor."
)
HELP_TOOLS_MENTOR = (
    "\n• /cope: send a short exercise to a mentee, or try one yourself. /goals: goals "
    "for the week with a mentee. /remind: your own reminders.\n• /staff: write to "
    "program staff. /away 7: you are away, and staff find a cover."
)

# ---- i15-life: away and cover, /newmentor, idle pairings, graduation, erased topics ----
COMMAND_DESCRIPTIONS["away"] = "Going away: a cover mentor for your mentees"
COMMAND_DESCRIPTIONS["newmentor"] = "Ask staff for a different mentor, privately"
COMMAND_DESCRIPTIONS["graduate"] = "A mentee completed the program"
AWAY_USAGE = (
    "Send <code>/away 7</code> to be away for 7 days (up to {max_days}). Send "
    "<code>/away off</code> when you are back."
)
AWAY_SET = (
    "You are away until {until}. Program staff will choose a mentor to cover for your "
    "mentees, and your mentees will be told. Send <code>/away off</code> if you are back "
    "early. Take care of yourself."
)
AWAY_SET_NO_MENTEES = (
    "You are away until {until}. You have no mentees right now, so nobody needs a cover. "
    "Send <code>/away off</code> if you are back early."
)
AWAY_ALREADY = (
    "You are already away until {until}. Send <code>/away off</code> first to change it."
)
AWAY_NOT_AWAY = "You are not marked as away, so there is nothing to end."
AWAY_BACK = "Welcome back! Your mentees' messages come to you again."
AWAY_YOU_ARE_AWAY = (
    "Not sent: you are away, and another mentor is covering for your mentees. Send "
    "<code>/away off</code> when you are back."
)
COVER_CARD = (
    "🧳 <b>{mentor}</b> ({mentor_id}) is away until {until}. Who should cover for "
    "<b>{mentee}</b> ({mentee_id})? Best matches first:\n{lines}"
)
COVER_CARD_LINE = "{rank}. <b>{cover}</b> ({cover_id}): {reasons}"
COVER_CARD_NONE = (
    "🧳 <b>{mentor}</b> ({mentor_id}) is away until {until}. No other mentor has room to "
    "cover for <b>{mentee}</b> ({mentee_id}). Until someone does, their messages still go "
    "to {mentor}."
)
COVER_BUTTON = "Cover: {cover}"
COVER_CHOSEN_CARD = "✅ <b>{cover}</b> covers for <b>{mentee}</b> until {until}."
COVER_CHOSEN_TOAST = "Done: {cover} covers for {mentee}."
COVER_ALREADY_CHOSEN = "Someone already chose a cover for this mentee."
COVER_ENDED_BUTTON = "This cover has ended; nothing changed."
COVER_NOT_POSSIBLE = "That mentor can't cover right now; nothing changed."
COVER_MENTEE_TOLD = (
    "Your mentor <b>{mentor}</b> is away until {until}. Meanwhile <b>{cover}</b>, another "
    "mentor, is here for you: anything you write here reaches them. They see only your "
    "pseudonym."
)
COVER_MENTOR_TOLD = (
    "Thank you for covering! Until {until} you are also the mentor of <b>{mentee}</b> "
    "({mentee_id}), while <b>{mentor}</b> is away. Their messages come here as usual."
)
COVER_AWAY_MENTOR_TOLD = "<b>{cover}</b> is covering for <b>{mentee}</b> while you are away."
COVER_ENDED_MENTEE = "<b>{mentor}</b> is back. From now on, what you write reaches them again."
COVER_ENDED_COVER = (
    "Your cover for <b>{mentee}</b> has ended: <b>{mentor}</b> is back. Thank you! Their "
    "messages no longer come to you."
)
COVER_ENDED_REPLY = (
    "Not sent: your cover for <b>{mentee}</b> has ended, so your message was not passed on. "
    "<b>{mentor}</b> is their mentor again."
)
COVER_ENDED_STAFF = "🧳 <b>{mentor}</b> ({mentor_id}) is back; the covers for their mentees ended."
NEWMENTOR_ASK = (
    "This goes to program staff only. Your mentor is not told. What would you like to tell them?"
)
NEWMENTOR_DIFFERENT = "I'd like a different mentor"
NEWMENTOR_CONCERN = "A concern about my mentor"
NEWMENTOR_SENT = (
    "Thank you for telling us. Program staff will get back to you here. Your mentor has not "
    "been told."
)
NEWMENTOR_NO_MENTOR = (
    "You don't have a mentor right now. A coordinator is finding you one. To write to staff, "
    "use <code>/staff</code> and your message."
)
NEWMENTOR_FOR_STAFF_DIFFERENT = (
    "🔁 <b>{mentee}</b> ({mentee_id}) asks for a different mentor (now: <b>{mentor}</b>, "
    "{mentor_id}). The mentor has not been told."
)
NEWMENTOR_FOR_STAFF_CONCERN = (
    "⚠️ <b>{mentee}</b> ({mentee_id}) has a concern about their mentor <b>{mentor}</b> "
    "({mentor_id}). The mentor has not been told."
)
NEWMENTOR_FOR_STAFF_WORDS = "Their words:\n{text}"
NEWMENTOR_FOR_STAFF_HINT = "To change the pairing: /unpair {mentee_id}, then /match {mentee_id}."
IDLE_MENTOR = (
    "It has been a while: no messages with <b>{mentee}</b> for {days} days. A short hello can "
    "mean a lot. If something is wrong, you can tell staff with <code>/staff</code>."
)
IDLE_STAFF = (
    "💤 No messages between <b>{mentee}</b> ({mentee_id}) and their mentor <b>{mentor}</b> "
    "({mentor_id}) for {days} days. The mentor was reminded."
)
GRADUATE_USAGE = "Usage: <code>/graduate M-0007</code> (a mentee's short id or pseudonym)."
GRADUATE_ALREADY = "<b>{mentee}</b> ({mentee_id}) has already completed the program."
GRADUATED_COORDINATOR = (
    "🎓 <b>{mentee}</b> ({mentee_id}) completed the program. Their pairing has ended, and "
    "check-ins and reminders have stopped."
)
GRADUATED_MENTEE = (
    "🎓 Congratulations: you have completed the program! Your pairing with <b>{mentor}</b> "
    "has ended, and daily check-ins have stopped. You can still see your data with /mydata "
    "and your chart with /progress. If you are ever in danger, call {crisis_line}."
)
GRADUATED_MENTEE_NO_MENTOR = (
    "🎓 Congratulations: you have completed the program! Daily check-ins have stopped. You "
    "can still see your data with /mydata and your chart with /progress. If you are ever in "
    "danger, call {crisis_line}."
)
GRADUATED_MENTOR = (
    "🎓 <b>{mentee}</b> has completed the program, so your pairing has ended. Thank you for "
    "walking with them."
)
GRADUATED_NOT_SENT = (
    "You have completed the program, so this message was not passed on. To reach staff, use "
    "<code>/staff</code> and your message."
)
GRADUATED_CANNOT_PAIR = (
    "<b>{mentee}</b> ({mentee_id}) has completed the program and can't be paired again."
)
DESK_TOPIC_ERASED = "erased member #{member_id}"
DESK_MEMBER_ERASED = (
    "This person erased their data, so nothing written here reaches anyone. Nothing was sent."
)

# ---- issue 16: coping answers in /stats ------------------------------------------------------
STATS_COPING_TITLE = "Coping exercises in the last 30 days (did it help? yes · a bit · no):"
STATS_COPING_LINE = "• {exercise}: {yes} · {bit} · {no}"

# ---- branch hunt: attacks on the new features ----------------------------------------------
COVER_LEFT_MENTEE = (
    "<b>{cover}</b> can no longer cover for <b>{mentor}</b>. Staff will find someone else "
    "soon. Until then, what you write goes to <b>{mentor}</b>, who is away and may not read "
    "it soon. If you need help now, send /sos."
)
REMINDER_STOPPED = (
    "No reminder was set: that is not a time. That message went to nobody. What you write "
    "next goes on as usual. To try again, send /remind."
)
