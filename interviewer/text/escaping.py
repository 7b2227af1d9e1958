"""Candidate text is kept exactly as typed and escaped at each boundary it crosses, by these functions only.

- `for_markdown`: shown in the app or written to a Markdown export, it reads literally: no emphasis, no
  links, no remote images, no raw HTML, entities shown as typed, line breaks kept.
- `for_html`: inside an HTML report.
- `for_prompt`: inside a model prompt's `<tag>...</tag>` delimiters, it cannot close or open our tags.
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of them is the
# simple rule that leaves nothing for a Markdown renderer to interpret (links, images, HTML, entities).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&\"'=:$%@^,;?/])")


def for_markdown(text: str) -> str:
    """Candidate text as Markdown that renders literally, line breaks included."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    # Leading spaces would make a code block and be collapsed; keep indentation with no-break spaces.
    lines = [re.sub(r"^( +)", lambda m: "\u00a0" * len(m.group(1)), line) for line in escaped.split("\n")]
    return "  \n".join(lines)  # two trailing spaces: a hard line break


def for_markdown_quote(text: str) -> str:
    """Candidate text as a Markdown block quote (the report's answers)."""
    return "\n".join("> " + line for line in for_markdown(text).split("\n"))


def for_html(text: str) -> str:
    return html.escape(text, quote=True)


PROMPT_TAGS = (
    "candidate_answer",
    "answer",
    "question",
    "key_points",
    "score_anchors",
    "red_flags",
    "reference",
    "rubric",
    "passages",
    "system",
    "user",
    "assistant",
    "instructions",
    "examples",
    "example",
    "transcript",
)


def for_prompt(text: str) -> str:
    """Candidate text for a prompt's tagged data block: it can neither close nor open a delimiter.

    Every closing tag (`</anything>`) and every opening tag named like a prompt section (`<question>`,
    `<system>`, ...) gets look-alike brackets; `a<b`, `cost>budget` and `Dict<String, List<int>>` reach the
    model exactly as written."""
    names = "|".join(PROMPT_TAGS)
    closing = re.sub(r"<(\s*/[^<>]{0,200})>", "\u2039\\1\u203a", text)
    return re.sub(rf"<(\s*(?:{names})\b[^<>]{{0,200}})>", "\u2039\\1\u203a", closing, flags=re.I)
