"""The risk assessor: thresholds on the shared labelled set, and phrasings written here
(none of them from that set) for each category, slang, typos, Spanish and hard negatives."""

from __future__ import annotations

import json

import pytest

from bot.risk import Category, Severity
from bot.risk import assess_rules as assess
from tests.shared import SHARED_RISK, needs_shared

DEV_SET = SHARED_RISK / "dev.jsonl"


@needs_shared("dev.jsonl")
def test_dev_set_recall_and_false_alarms() -> None:
    """The rules alone, on the set they were tuned on (so these figures are optimistic)."""
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    positives = [r for r in rows if r["escalate"]]
    negatives = [r for r in rows if not r["escalate"]]
    recall = sum(assess(r["text"]).escalate for r in positives) / len(positives)
    false_alarms = sum(assess(r["text"]).escalate for r in negatives) / len(negatives)
    assert recall >= 0.95
    assert false_alarms <= 0.08


COORDINATOR_NOW = [
    ("honestly thinking about ending my life tonight", Category.SUICIDE_SELF_HARM),
    ("i want to kms so bad rn", Category.SUICIDE_SELF_HARM),
    ("cant do this anymore. goodbye everyone", Category.SUICIDE_SELF_HARM),
    ("i keep thinking everyone would be better off without me", Category.SUICIDE_SELF_HARM),
    ("ya no quiero vivir, perdón por todo", Category.SUICIDE_SELF_HARM),
    ("i cut myself again last night and it wont stop", Category.SUICIDE_SELF_HARM),
    ("sat on the tracks for an hour. i want to dissapear", Category.SUICIDE_SELF_HARM),
    ("my roommate isnt breathing and his lips are blue", Category.OVERDOSE_MEDICAL),
    ("i think i OD'd, everything is spinning and my chest hurts", Category.OVERDOSE_MEDICAL),
    ("she took all her xanax with vodka and wont wake up", Category.OVERDOSE_MEDICAL),
    ("mi hermano no respira, que hago", Category.OVERDOSE_MEDICAL),
    ("where is the narcan?? he's turning grey", Category.OVERDOSE_MEDICAL),
    ("i took way too many pills, cant feel my legs", Category.OVERDOSE_MEDICAL),
    ("im about to shoot up, the needle is ready", Category.USING_NOW_RELAPSE),
    ("im so high rn and still going", Category.USING_NOW_RELAPSE),
    ("plug is on his way, i already have the cash", Category.USING_NOW_RELAPSE),
    ("voy a consumir esta noche, no me importa nada", Category.USING_NOW_RELAPSE),
    ("my boyfriend choked me last night and hes coming back", Category.HARM_TO_OTHERS_ABUSE),
    ("if he touches my daughter again im going to kill him", Category.HARM_TO_OTHERS_ABUSE),
    ("mi pareja me golpea y tengo miedo", Category.HARM_TO_OTHERS_ABUSE),
    ("left the baby alone to go score, be back soon", Category.HARM_TO_OTHERS_ABUSE),
]


@pytest.mark.parametrize(("text", "category"), COORDINATOR_NOW)
def test_danger_reaches_a_coordinator(text: str, category: Category) -> None:
    result = assess(text)
    assert result.severity == Severity.COORDINATOR, (text, result)
    assert result.evidence


@pytest.mark.parametrize(("text", "category"), COORDINATOR_NOW)
def test_danger_is_put_in_the_right_category(text: str, category: Category) -> None:
    assert assess(text).category == category


MENTOR_SHOULD_KNOW = [
    "i slipped on saturday and had a few beers, back at my meeting tonight, can we talk",
    "relapsed over the weekend. im ok now and called my sponsor",
    "consumí el viernes en una fiesta, ya estoy bien, hablamos mañana?",
]


@pytest.mark.parametrize("text", MENTOR_SHOULD_KNOW)
def test_a_calm_lapse_is_for_the_mentor_not_an_emergency(text: str) -> None:
    result = assess(text)
    assert result.severity == Severity.MENTOR and result.category == Category.USING_NOW_RELAPSE


NOT_DANGER = [
    "killing it at work this week, got a raise",
    "im not going to use, i called my sponsor and we went for a walk",
    "two years ago i overdosed. today i got my chip",
    "got my flu shot and a chocolate bar after",
    "high school reunion is this weekend, nervous",
    "cleaned the kitchen and cooked dinner for my kids",
    "this heat is killing me lol",
    "my knees are killing me after the hike",
    "that movie had me dying 😂",
    "we talked about narcan training at group, really useful",
    "me muero de hambre, vamos por tacos",
    "a guy at my meeting relapsed last month, praying for him",
    "i used to drink every day. 400 days sober now",
    "smashed it at the interview!!",
    "hit the gym at 6 then work",
    "no quiero volver a consumir nunca, hoy cumplo 90 días",
]


@pytest.mark.parametrize("text", NOT_DANGER)
def test_idioms_negations_and_recovered_past_do_not_alarm(text: str) -> None:
    result = assess(text)
    assert result.severity == Severity.NONE, (text, result)


def test_repeated_letters_and_case_are_handled() -> None:
    assert assess("I WANT TO DIEEEEE").escalate
    assert assess("pleeease help he is not breathiiing").escalate
