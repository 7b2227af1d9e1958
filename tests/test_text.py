"""The shared text rules (interviewer/text/rules.py): each splitter option does what its callers rely on."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from interviewer.text.rules import split_sentences, stem, stop_words, strip_markup


def test_default_cuts_after_end_marks_and_at_every_line_break() -> None:
    text = "Shard it. Then replicate!\nWhy? Latency 3.5 ms\n\n  last"
    assert split_sentences(text) == ["Shard it.", "Then replicate!", "Why?", "Latency 3.5 ms", "last"]


def test_closers_after_an_end_mark_still_end_the_sentence() -> None:
    text = 'He asked "why?" Then left. (It was late.) Done'
    assert split_sentences(text) == ['He asked "why?" Then left.', "(It was late.) Done"]
    # the closers go with the cut, as the voice guard has always had it (its `is_ask` looks at the end mark)
    assert split_sentences(text, closers="\"')") == ['He asked "why?', "Then left.", "(It was late.", "Done"]


def test_starts_keeps_abbreviations_and_numbered_items_together() -> None:
    text = "Use a cache, e.g. redis. It helps; Another clause"
    expected = ["Use a cache, e.g. redis.", "It helps;", "Another clause"]
    assert split_sentences(text, ends=".!?;", starts="A-Z") == expected
    assert split_sentences(text) == ["Use a cache, e.g.", "redis.", "It helps; Another clause"]


def test_newline_modes() -> None:
    text = "one\ntwo\n \nthree\n- four"
    assert split_sentences(text, newlines="paragraph") == ["one\ntwo", "three\n- four"]
    assert split_sentences(text, newlines="block") == ["one\ntwo", "three", "- four"]
    assert split_sentences(text, newlines="none") == [text]


def test_inline_bullets_and_unstripped_pieces() -> None:
    assert split_sentences("points - first - second", bullets=True) == ["points", "- first", "- second"]
    assert split_sentences(" a.  b\nc \n\nd", strip=False, newlines="paragraph") == [" a.", "b\nc ", "d"]


def test_stop_words_and_stems() -> None:
    assert {"the", "and", "which"} <= stop_words() and "gradient" not in stop_words()
    assert [stem(w) for w in ("tokens", "leakage", "running")] == ["token", "leakag", "run"]
    words = [f"batching{i % 7}s" for i in range(2000)] + ["evaluations"] * 2000
    with ThreadPoolExecutor(4) as pool:  # one stemmer per thread: concurrent calls agree with a serial run
        assert list(pool.map(stem, words)) == [stem(w) for w in words]


def test_strip_markup() -> None:
    assert strip_markup("<p>a &lt; b</p><script>alert(1)</script>c") == " a < b  c"
    assert strip_markup("Dict<String, int>") == "Dict "  # for scoring only: stored answers keep their markup
