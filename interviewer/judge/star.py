"""STAR structure in a behavioral answer: situation, task, action, result (measurable?), reflection.

Deterministic cue patterns, sentence by sentence. What it reports is structure, not quality: the
judge still grades the content against the question's signal. The engine uses the gaps to probe
for specifics ("what changed, and by how much?"), and `kinds.py` caps answers that lack a result
or the candidate's own actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.judge.numbers import normalise
from interviewer.text.rules import split_sentences

_I = re.IGNORECASE
SITUATION = re.compile(
    r"\b(situation|context|background|at stake|at (my|our|a|the) (last |previous |former |current |first )?(job|"
    r"company|team|role|employer|startup|org\w*|client|bank|shop)|when I (was|joined|worked|started)|(last|this|"
    r"that) (year|quarter|summer|spring|autumn|fall|winter|month)|in (19|20)\d\d|we (were|had) (a|an|been|just|"
    r"about)|I was (working|leading|on|part of|the|one of|responsible)|our ([\w-]+ )?(team|product|company|model|"
    r"system|service|pipeline|assistant|platform|feature)s?\b|(a|one) (project|time) (where|when)|we had (a|an)|at "
    r"the time|used by|I (owned|led|ran) the)\b",
    _I,
)
TASK = re.compile(
    r"\b(task|my (goal|job|responsibility|role|mandate|remit|brief|problem)|responsib(le|ility) for|I (was|had been|"
    r"got) (asked|tasked|assigned|expected|supposed|given)|I had to|we (needed|had) to|I needed to|the (goal|"
    r"challenge|problem|ask|objective|aim) was|(a|the|tight) deadline|needed to (ship|deliver|fix|decide|reduce|"
    r"improve|cut|get|choose|find)|it was (on )?me to|I owned|owner of|my assigned work|belonged to|not (formally "
    r"|officially )?my (job|problem|area|work)|I (chose|decided) to (act|own|take|step)|due (in|by|on))\b",
    _I,
)
_NOT_ACTIONS = set(
    "was had have am think thought feel felt believe guess would will could should can might mean meant know knew "
    "like liked learned learnt realised realized hope wish want wanted need needed needs guess suppose assume "
    "did do don dont didn just also really still then first personally".split()
)
_IRREGULAR = set(
    "built wrote ran led set made took began chose sent spoke met drew brought found gave put sat went got told "
    "sought dug held kept cut split shipped rewrote undertook redid broke caught fed fought hid hit let lost paid "
    "quit read rode sold shut spent stood struck swept taught threw understood won withdrew drove".split()
)
_FIRST_PERSON = re.compile(r"\bI\s+(?:(?:then|first|also|personally|quickly|immediately|finally|just)\s+)?([a-z]+)\b")
_WE = re.compile(r"\bwe\s+(?:(?:then|first|also|quickly|immediately|finally|just)\s+)?([a-z]+)\b", _I)
RESULT = re.compile(
    r"\b(as a result|the result|results? (was|were)|in the end|ended up|outcome|resulted in|led to|which (led|"
    r"meant|cut|reduced|raised|improved|saved|brought)|afterwards|after (that|the change|launch|the fix|rollout)|"
    r"(we|it|this|that|the change|the fix) (shipped|launched|cut|reduced|saved|improved|hit|reached|dropped|"
    r"raised|increased|halved|doubled|brought|went|lowered|removed|caught|stopped|prevented|recovered)|"
    r"(went|dropped|fell|rose|grew|climbed) (from|to|by)|by \d|(reduc|improv|increas|decreas|cut|lower|rais|"
    r"sav|shrank|shrunk|halv|doubl)\w* [^.]{0,40}\bby\b)",
    _I,
)
_CHANGE = re.compile(
    r"\b(reduc|cut|improv|increas|decreas|sav|drop|rais|grew|grow|lift|boost|lower|halv|doubl|shr[iau]nk|fell|"
    r"rose|went|from|shipped|launched|hit|reached|caught|prevented)\w*",
    _I,
)
_QUANTITY = re.compile(
    r"(\d+(\.\d+)?\s*(%|x\b|×|ms\b|s\b|seconds|minutes|hours|days|weeks|months|k\b|K\b|M\b|points|pp\b|"
    r"users|customers|tickets|incidents|requests|engineers|people|teams|\$)|\$\s?\d|\d+(\.\d+)?\s*(to|->|→)\s*\d|"
    r"\b\d{2,}\b(?!\s*(19|20)\d\d)|\d+(\.\d+)?\s+\w+\s+(in|of|per|out of)\s+\d|"
    r"\bfrom\b[^.]{0,40}\d[^.]{0,40}\bto\b\s+(none|zero|nothing|\d))"
)
_YEAR = re.compile(r"\b(19|20)\d\d\b")
REFLECTION = re.compile(
    r"\b(reflection|lessons?|I learn(ed|t)|learned that|in hindsight|looking back|next time|(I would|I'd) (do|have|"
    r"now|change|push|start|involve|ask|write|set|raise|bring|spend|check|pick|go)|differently|since then|takeaway|"
    r"took away|if I (did|were to do|had to do|could do) it again|what I'd change|now I|I now|taught me|"
    r"retrospective|what I took from|I realised|I realized|changed how I)\b",
    _I,
)

WEIGHTS = {"situation": 0.15, "task": 0.15, "action": 0.3, "result": 0.25, "reflection": 0.15}
TITLES = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action (yours)",
    "result": "Result, measured",
    "reflection": "Reflection",
}
PROBES = {
    "result": "What was the outcome, concretely: what changed, and by how much? A number, a metric or a date.",
    "action": "What did you do yourself, step by step, as opposed to the team?",
    "reflection": "Looking back, what would you do differently, and what did you take from it?",
    "situation": "Set the scene for me: where was this, and what exactly were you responsible for?",
    "task": "Set the scene for me: where was this, and what exactly were you responsible for?",
}
PROBE_ORDER = ("result", "action", "reflection", "situation", "task")


@dataclass
class StarReport:
    situation: bool = False
    task: bool = False
    actions: list[str] = field(default_factory=list)  # first-person action verbs
    team_actions: list[str] = field(default_factory=list)  # "we ..." action verbs
    result: bool = False
    measurable: bool = False
    reflection: bool = False
    evidence: dict[str, str] = field(default_factory=dict)

    def credit(self, part: str) -> float:
        """0..1 for one STAR part: a result without a number is half, team-only actions are half."""
        if part == "action":
            return 1.0 if self.actions else (0.5 if self.team_actions else 0.0)
        if part == "result":
            return 1.0 if self.measurable else (0.5 if self.result else 0.0)
        return 1.0 if getattr(self, part) else 0.0

    @property
    def completeness(self) -> float:
        return sum(w * self.credit(p) for p, w in WEIGHTS.items())

    def gaps(self) -> list[str]:
        """Parts to probe, in the order an interviewer would push: result, action, reflection, context."""
        return [p for p in PROBE_ORDER if self.credit(p) < 1.0]


def _is_action(verb: str) -> bool:
    verb = verb.lower()
    if verb in _NOT_ACTIONS:
        return False
    return verb in _IRREGULAR or (verb.endswith("ed") and len(verb) > 4)


def analyse(text: str) -> StarReport:
    report = StarReport()
    for sentence in split_sentences(normalise(text, threshold=0)):  # "one run in three" is a measure too
        if not report.situation and SITUATION.search(sentence):
            report.situation, report.evidence["situation"] = True, sentence
        if not report.task and TASK.search(sentence):
            report.task, report.evidence["task"] = True, sentence
        mine = [v for v in _FIRST_PERSON.findall(sentence) if _is_action(v)]
        if mine:
            report.actions += mine
            report.evidence.setdefault("action", sentence)
        report.team_actions += [v for v in _WE.findall(sentence) if _is_action(v)]
        if RESULT.search(sentence) or (_CHANGE.search(sentence) and _QUANTITY.search(_YEAR.sub("", sentence))):
            report.result = True
            report.evidence.setdefault("result", sentence)
            if _QUANTITY.search(_YEAR.sub("", sentence)):
                report.measurable = True
                report.evidence["result"] = sentence
        if not report.reflection and REFLECTION.search(sentence):
            report.reflection, report.evidence["reflection"] = True, sentence
    return report
