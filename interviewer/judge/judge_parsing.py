"""Reading an LLM judge's reply: the last JSON verdict in it, and evidence quotes matched fragment by fragment.

Models write their verdict in many styles: bare JSON, fenced JSON, reasoning first and JSON last, JSON with
trailing commas, capitalised labels. `last_verdict_json` takes the last complete JSON object that looks like
a verdict, so text before it (the model's reasoning, or a fake verdict quoted from the candidate's answer)
cannot win; an object copied verbatim from the answer is never taken.

Models also shorten their evidence: "profile the request ... the forward pass", "first part; second part",
"[...]". `evidence_found` accepts such a quote when every fragment is in the answer, and nothing else.
"""

from __future__ import annotations

import json
import re

from interviewer.judge.guards import quote_in_answer


def _balanced_end(text: str, start: int) -> int | None:
    """Index just after the JSON object starting at `start` (string-aware brace matching), or None."""
    depth, in_string, escaped = 0, False, False
    for i in range(start, len(text)):
        c = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _without_trailing_commas(text: str) -> str:
    """`{"a": 1,}` -> `{"a": 1}`, outside strings only."""
    out, in_string, escaped = [], False, False
    for i, c in enumerate(text):
        if in_string:
            escaped = (c == "\\") and not escaped
            if c == '"' and not escaped:
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "," and re.match(r"\s*[}\]]", text[i + 1 :]):
            continue
        out.append(c)
    return "".join(out)


def _squash(text: str) -> str:
    return " ".join(text.split())


def last_verdict_json(text: str, answer: str = "", required: str = "key_points") -> str:
    """The last JSON object in `text` that has the key `required` and was not copied from `answer`."""
    copied = _squash(answer)
    for start in reversed([m.start() for m in re.finditer(r"\{", text)]):
        end = _balanced_end(text, start)
        if end is None:
            continue
        candidate = text[start:end]
        if copied and _squash(candidate) in copied:
            continue
        try:
            obj = json.loads(_without_trailing_commas(candidate))
        except ValueError:
            continue
        if isinstance(obj, dict) and required in obj:
            return json.dumps(obj)
    raise ValueError("no JSON verdict object in the response")


_SEPARATOR = re.compile(r"\s*(?:\[\s*(?:\.{3}|…)\s*\]|\(\s*(?:\.{3}|…)\s*\)|\.{3,}|…|;|\s/\s|\s\|\s)\s*")
_WRAPPING = " \"'“”‘’«»`,."


def evidence_found(quote: str, answer: str) -> bool:
    """True when the quote is in the answer, or when it was shortened or joined ("a ... b", "a; b", "a […] b")
    and every fragment is (each of at least two words or six characters, at least three words in all)."""
    text = quote.strip().strip(_WRAPPING)
    if not text:
        return False
    if not _SEPARATOR.search(text):
        return quote_in_answer(text, answer)
    parts = [p.strip(_WRAPPING) for p in _SEPARATOR.split(text)]
    parts = [p for p in parts if p]
    if not parts:
        return False
    if sum(len(p.split()) for p in parts) < 3:
        return False
    return all((len(p.split()) >= 2 or len(p) >= 6) and quote_in_answer(p, answer) for p in parts)
