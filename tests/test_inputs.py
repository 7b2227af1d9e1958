"""Candidate input cleaning: untrusted text made safe and bounded, with a notice for every change."""

from __future__ import annotations

from interviewer.interview.inputs import clean_answer, parse_command


def test_commands() -> None:
    assert parse_command(" /SKIP ") == "/skip"
    assert parse_command("/end now") == "/end"
    assert parse_command("/unknown") is None
    assert parse_command("I would /skip nothing") is None


def test_plain_answer_untouched() -> None:
    c = clean_answer("Use a time-based split.\nThen check drift.", 1000)
    assert c.text == "Use a time-based split.\nThen check drift." and c.notices == []


def test_bytes_controls_html_and_length() -> None:
    c = clean_answer(b"caf\xe9 \x00ok", 1000)
    assert "\ufffd" in c.text and "\x00" not in c.text and c.notices
    c = clean_answer("<p>Shard the <i>data</i></p><script>x()</script>", 1000)
    assert c.text == "<p>Shard the <i>data</i></p><script>x()</script>" and c.notices == []
    c = clean_answer("x " * 5000, 300)
    assert len(c.text) <= 300 and "only the first" in c.notices[0]


def test_other_language_is_kept_and_noted() -> None:
    c = clean_answer("Использовать разбиение по времени", 1000)
    assert c.text == "Использовать разбиение по времени" and "English" in c.notices[0]


def test_empty() -> None:
    assert clean_answer("  \n\t ", 100).empty


def test_candidate_text_is_kept_exactly_as_typed() -> None:
    for typed in [
        "if latency<p99 and cost>budget then roll back",
        "Dict<String, List<int>> maps a key to token ids",
        "&lt;img src=x onerror=alert(1)&gt; is what the attacker sent",
        "def f(x):\n    return x  # indented code keeps its indentation\n\n\n\nand blank lines",
        "a  b\tc",
    ]:
        c = clean_answer(typed, 1000)
        assert c.text == typed and c.notices == []
