"""What the LLM interviewer may say: pure checks on a whole reply, shared by the voice and the interviewer eval.

A reply is first cleaned of words meant for us rather than the candidate (a "Here's how I'd ask it:" preamble,
wrapping quotes, a role label, a note about the rephrasing). Then:

- `asks` counts the requests in a text: each question or imperative ("Walk me through ...") and each clause
  of a compound one ("How would you get there, and how would you check ...?" asks two things), so a model
  that splits a compound question into two sentences asks no more than the bank does, and one that drops a
  clause is noticed (`drops_clause`).
- `leak` looks for the rubric in what the model added: a key point's substance, an 8-word run of the
  reference, a hint marker ("for example", "think about") the source did not have, or the rubric's own
  specific words (rare across the bank) that neither the source nor the candidate used. The candidate's
  own words are never a leak: a follow-up may restate what they said.
- `voice_verdicts.verdict` finds praise or criticism of the answer: the judge scores it, the interviewer does not.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

from interviewer.knowledge.bank import Question
from interviewer.text.rules import split_sentences, stem, stop_words

_TOKEN = re.compile(r"[a-z0-9][a-z0-9'’\-]*")
# Stop words: the shared list without the words that carry a rubric's substance (numbers, "system", "detail", ...)
# and with the words every interview question uses (and the contractions a spoken reply has).
_KEEP = frozenset(
    "amoungst amount becoming bill bottom call cant co con couldnt cry de describe detail due eight eleven empty "
    "fifteen fifty fill find fire five forty found four front full hasnt hereafter hereby herein hereupon hundred "
    "inc interest latterly ltd mill move name nine noone serious side sincere six sixty system ten thick thin third "
    "three top twelve twenty two un".split()
)
_INTERVIEW_WORDS = frozenset(
    "did does doing just i'd you'd you'll you're you've we'd we'll i'm it's that's let's what's how's don't can't "
    "won't isn't like say said says tell walk want need let use using used way ways approach think know sure really "
    "actually going gone new time times good right make thing things".split()
)


@cache
def _stop() -> frozenset[str]:
    return (stop_words() - _KEEP) | _INTERVIEW_WORDS


SPECIFIC_DF = 0.12  # a rubric word found in at most this share of the bank's questions is specific to its topic


def stems(text: str) -> set[str]:
    words = [w.strip("'’-") for w in _TOKEN.findall(text.lower().replace("’", "'"))]
    stop = _stop()
    return {stem(w) for w in words if w and w not in stop and (len(w) > 2 or any(c.isdigit() for c in w))}


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _related(stem: str, pool: set[str]) -> bool:
    """`stem` or another form of the same word is in `pool` (leak ~ leakag, regist ~ registri, convert ~ convers:
    one is a prefix of the other, or they share a prefix of 5+ letters covering 80% of the shorter)."""
    if stem in pool:
        return True
    if len(stem) < 4:
        return False
    for p in pool:
        if len(p) < 4:
            continue
        common = _common_prefix(stem, p)
        if common == min(len(stem), len(p)) or (common >= 5 and common >= 0.8 * min(len(stem), len(p))):
            return True
    return False


# -- cleaning: words for us, not for the candidate ------------------------------------------------------------
_LEAD = re.compile(  # "Sure! Here's how I'd ask it:", not "Here's a tabular problem: ..." (that is the question)
    r"^\s*(?:(?:sure|certainly|of course|absolutely|okay|ok|alright|got it)\s*[!,.:\-—]*\s*)?"
    r"(?:here(?:'s| is| are)|below is|this is)\b[^\n:]{0,60}?\b(?:question|rephras\w*|reword\w*|paraphras\w*|"
    r"version|phras\w*|ways?|ask|acknowledge?ment|follow-up|transition|response|reply|options?|attempt|take)\b"
    r"[^\n:]{0,40}:\s*",
    re.I,
)
_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?(?:rephrased |reworded |follow-up |my )?(?:question|interviewer|follow-up|acknowledge?ment|"
    r"transition|response|reply)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*",
    re.I,
)
_ROLE_TAIL = re.compile(r"\n\s*(?:\*\*)?(?:candidate|interviewee|user|you|answer)(?:\*\*)?\s*:.*\Z", re.I | re.S)
_META_TAIL = re.compile(
    r"(?:^|(?<=[.!?)\n]))\s*\(?[^.!?\n]*\b(?:rephras|reword|paraphras|this phrasing|this version|original (?:question|"
    r"meaning|wording)|more conversational|let me know if|hope this helps|i kept|i've kept|keeps the (?:full|original))"
    r"[^\n]*\Z",
    re.I,
)
_QUOTES = {'"': '"', "“": "”", "«": "»"}
_TAG = re.compile(r"</?\s*(question|candidate_answer|probe|answer|key_points?)\s*>", re.I)


def clean(text: str) -> tuple[str, list[str]]:
    """The candidate-facing words of a reply, and what was removed (empty when nothing was)."""
    removed: list[str] = []
    out = text.strip()
    for pattern, what in ((_LEAD, "a preamble about the reply"), (_LABEL, "a role or section label")):
        cut = pattern.sub("", out, count=1)
        if cut != out:
            removed.append(what)
            out = cut.strip()
    for pattern, what in ((_ROLE_TAIL, "a turn for the candidate"), (_META_TAIL, "a note about the rephrasing")):
        cut = pattern.sub("", out, count=1).strip()
        if cut != out and cut:
            removed.append(what)
            out = cut
    if len(out) > 2 and out[0] in _QUOTES and out.endswith(_QUOTES[out[0]]) and out.count(out[0]) <= 2:
        out = out[1:-1].strip()
        removed.append("quotation marks")
    return out, removed


def echoes_prompt(text: str) -> bool:
    """The prompt's own delimiters in the reply (small models parrot "<question> ...")."""
    return bool(_TAG.search(text))


def alternatives(text: str) -> bool:
    """Several numbered or bulleted versions of the question, each asking."""
    items = re.findall(r"(?m)^\s*(?:\d+[.)]|[-*•])\s+(.+)$", text)
    return sum("?" in item or bool(_IMPERATIVE.match(item.strip(" \"'“"))) for item in items) >= 2


# -- asks --------------------------------------------------------------------------------------------------------
_IMPERATIVE = re.compile(
    r"^\W*(?:(?:so|now|okay|ok|alright|first|finally|then|and|please|next)\b[\s,]*)*"
    r"(?:(?:walk|talk|take|run) me through|tell me|describe|explain|design|estimate|sketch|outline|defend|"
    r"compare|give me|share|help me understand|go through|lay out|i'?d (?:like|love) (?:you to|to hear)|"
    r"i want (?:you to|to hear)|i'?m curious (?:how|what|about|whether|why)|let'?s hear)\b",
    re.I,
)
_AUX = r"(?:would|could|can|do|does|did|is|are|was|were|should|will|might|you|we|i|to)\b"
# a new clause: "..., and how would you ...", "..., what would you ...", "... — what did you ..."; "where", "when",
# "which" and "who" start one only when a verb or a person follows (", where the forecasts feed" is a relative clause)
_CLAUSE = re.compile(
    r",?\s+(?:and|or|but|then|plus)\s+(?=(?:how|what|why|whether|would|could|can|do|does|did|is|are|should|will)\b"
    rf"|(?:where|when|which|who)\s+{_AUX})"
    rf"|(?:,\s*|\s[—–]\s*)(?=(?:how|what|why|whether)\b|(?:where|when|which|who)\s+{_AUX})",
    re.I,
)


def sentences(text: str) -> list[str]:
    return split_sentences(text, closers="\"”')]")


def is_ask(sentence: str) -> bool:
    return sentence.rstrip(" \"'”)*_").endswith("?") or bool(_IMPERATIVE.match(sentence))


def ask_clauses(text: str) -> list[str]:
    """Each thing the text asks for: the clauses of its questions and imperative requests."""
    return [c for s in sentences(text) if is_ask(s) for c in _CLAUSE.split(s) if c and c.strip()]


def asks(text: str) -> int:
    return len(ask_clauses(text))


def asks_more(text: str, source: str) -> bool:
    """The reply asks more things than the source, and at least one of them is not the source's (its own words
    are mostly not in the source). "How do you diagnose this and stop it?" asked as two questions is not more."""
    clauses = ask_clauses(text)
    if len(clauses) <= max(1, asks(source)):
        return False
    known = stems(source)
    for clause in clauses:
        words = stems(clause)
        new = [w for w in words if not _related(w, known)]
        wh = re.match(r"\W*(?:and |or |but )?(how|what|why|where|when|which|who|whether)\b", clause, re.I)
        if (not words and not (wh and wh.group(1).lower() in source.lower())) or len(new) > len(words) / 2:
            return True
    return False


def drops_clause(text: str, source: str) -> bool:
    """The reply asks fewer things than the source and leaves one of them out entirely (none of the words
    that only that clause of the source uses, nor its question word, appear in the reply)."""
    clauses = ask_clauses(source)
    if asks(text) >= len(clauses):
        return False
    said = stems(text)
    context = stems(" ".join(s for s in sentences(source) if not is_ask(s)))
    words = [stems(c) for c in clauses]
    for i, clause in enumerate(clauses):
        others = context.union(*(w for j, w in enumerate(words) if j != i))
        own = words[i] - others
        if own and not any(_related(s, said) for s in own):
            return True
        wh = re.match(r"\W*(?:and |or )?(how|what|why|where|when|which|who|whether)\b", clause, re.I)
        if not own and wh and wh.group(1).lower() not in text.lower():
            return True
    return False


# -- facts -------------------------------------------------------------------------------------------------------
_NUMBER = re.compile(
    r"(?<![\w.])\$?(\d[\d,]*(?:\.\d+)?)\s*([km])?(?![\w])|(?<![\w.])\$?(\d[\d,]*(?:\.\d+)?)(?=[kmb%-])", re.I
)
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
          "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}  # fmt: skip
_FREQUENCY = re.compile(r"\b(hourly|daily|nightly|weekly|monthly|quarterly|yearly|annual(?:ly)?|next-day|same-day)\b")


def numbers(text: str) -> set[float]:
    found: set[float] = set()
    for m in _NUMBER.finditer(text):
        raw, suffix = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), None)
        value = float(raw.replace(",", ""))
        found.add(value * {"k": 1e3, "m": 1e6}.get((suffix or "").lower(), 1))
    found |= {float(v) for w, v in _WORDS.items() if re.search(rf"\b{w}\b", text, re.I)}
    return found


def changes_facts(text: str, source: str, *, added_only: bool = False) -> bool:
    """A number the source does not have, a number of the source left out (unless `added_only`), or a new
    frequency ("weekly" for "next-day")."""
    mine, theirs = numbers(text), numbers(source)
    if mine - theirs or (theirs - mine and not added_only):
        return True
    return bool(set(_FREQUENCY.findall(text.lower())) - set(_FREQUENCY.findall(source.lower())))


# -- leaks -------------------------------------------------------------------------------------------------------
_HINT = re.compile(
    r"\b(hint|for example|for instance|e\.g\.|such as|think about|consider(?:ing)?|feel free to (?:mention|bring up|"
    r"talk about|discuss|cover|touch on)|a (?:strong|good|great|complete) answer (?:would|should|might|will)|"
    r"you (?:might|may|could) (?:want to )?(?:mention|consider|think about|look at|start)|keep in mind|"
    r"remember (?:to|that)|don'?t forget|worth (?:noting|remembering|mentioning|adding|knowing)|note that|to be clear|"
    r"the key (?:issue|is|point|thing|idea)|(?:is|are) key\b|it'?s important to|best practice)\b",
    re.I,
)


@lru_cache(maxsize=4)
def bank_document_frequency(bank_dir: Path) -> tuple[Counter, int]:
    """How many of the bank's questions use each stem (question, rubric and reference): a word many questions
    share is generic, one few questions use is specific to a topic."""
    from interviewer.knowledge.bank import load_bank

    bank = load_bank(bank_dir)
    df: Counter = Counter()
    for q in bank.questions.values():
        df.update(stems(rubric_text(q) + " " + q.question))
    return df, max(1, len(bank.questions))


def rubric_text(question: Question) -> str:
    return " ".join([*(kp.point for kp in question.key_points), question.reference_answer, *question.red_flags])


def specific_rubric_words(text: str, question: Question, allowed: str, bank_dir: Path) -> list[str]:
    """Stems of `text` that come from the question's rubric, are rare across the bank, and are not in
    `allowed` (the source the model was given and the candidate's own words)."""
    df, n = bank_document_frequency(bank_dir)
    rubric, ok = stems(rubric_text(question)), stems(allowed)
    return sorted(
        s
        for s in stems(text)
        if s in rubric and not _related(s, ok) and df.get(s, 0) <= max(1, SPECIFIC_DF * n) and not s.isdigit()
    )


def leak(text: str, question: Question, allowed: str, bank_dir: Path, *, strict: bool = True) -> str | None:
    """Why `text` gives part of the answer away, or None. `allowed` holds what the model may repeat (its source,
    the candidate's answer). A hint marker the source lacks ("for example", "think about") is refused when
    `strict`, otherwise only when it comes with a specific rubric word; two specific rubric words always are."""
    mine = stems(text) - stems(allowed)
    for i, kp in enumerate(question.key_points, 1):
        point = stems(kp.point) - stems(allowed)
        if len(point) >= 4 and len(mine & point) / len(point) >= 0.5:
            return f"states key point {i}"
    words, ok = re.findall(r"[a-z0-9]+", text.lower()), " ".join(re.findall(r"[a-z0-9]+", allowed.lower()))
    reference = " ".join(re.findall(r"[a-z0-9]+", question.reference_answer.lower()))
    for i in range(len(words) - 7):
        run = " ".join(words[i : i + 8])
        if run in reference and run not in ok:
            return "repeats the reference answer"
    specific = specific_rubric_words(text, question, allowed, bank_dir)
    hint = _HINT.search(text)
    if hint and not re.search(rf"\b{re.escape(hint.group(1))}\b", allowed, re.I) and (strict or specific):
        return f"adds a hint ({hint.group(1)!r})"
    if len(specific) >= 2:
        return f"uses the rubric's words ({', '.join(specific)})"
    return None
