"""The coding round on the real page: Chromium writes a solution in the editor, runs the examples, submits,
sees the results and the interviewer's follow-up, explains, and gets the score."""

from __future__ import annotations

import pytest

from interviewer.knowledge.coding_exercises import load_exercises
from tests.conftest import ARTIFACTS, REPO
from tests.test_browser import launch, server  # noqa: F401  (the module-scoped `streamlit run` fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_coding_round_in_chromium(server: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=120_000)  # a loaded 2-core machine can take a while between reruns
    exercises = {e.signature: e for e in load_exercises(REPO / "question_bank").values()}
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        page.set_default_timeout(300_000)
        try:
            page.goto(server)
            page.get_by_text("A quick mix").click()  # n questions across the loop (the default is a full loop)
            number = page.get_by_label("Number of questions")
            number.fill("1")
            number.press("Enter")
            page.get_by_text("Include a coding round").click()
            expect(page.get_by_role("checkbox", name="Include a coding round")).to_be_checked()
            page.wait_for_timeout(1500)  # let the rerun the checkbox started finish before the next click
            page.get_by_role("button", name="Start interview").click()
            expect(page.get_by_text("Question 1 of 1")).to_be_visible()
            panel = page.locator(".st-key-coding_panel")
            signature = panel.locator("code").first.inner_text()
            exercise = exercises[signature]
            editor = panel.locator("textarea")
            page.wait_for_function("window.__interviewCodeTab === true")  # Tab indents in the editor
            editor.click()
            editor.press("Control+End")
            editor.press("Tab")
            assert editor.input_value().endswith("\n    ") and editor.evaluate("e => document.activeElement === e")
            editor.fill(exercise.reference_solution)
            editor.press("Control+Enter")  # Streamlit commits a text area on Ctrl+Enter or blur
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="Run examples").click()
            n_examples, n_hidden = len(exercise.examples), len(exercise.hidden)
            expect(page.get_by_text(f"Examples: {n_examples} of {n_examples} passed")).to_be_visible()
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="Submit").click()
            expect(page.get_by_text(f"passed {n_hidden} of {n_hidden} hidden tests")).to_be_visible()
            expect(page.get_by_text(exercise.probes[0]).first).to_be_visible()
            expect(page.get_by_role("button", name="Submit")).to_be_disabled()
            for _ in range(3):
                if page.get_by_text("Interview complete").count():
                    break
                before = page.get_by_test_id("stChatMessage").count()
                box = page.get_by_test_id("stChatInputTextArea")
                box.fill(exercise.reference_explanation)
                box.press("Enter")
                page.wait_for_function(
                    "n => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= n", arg=before + 2
                )
                page.wait_for_timeout(500)
            expect(page.get_by_text("Interview complete").first).to_be_visible()
            expect(page.get_by_text("Score:").first).to_be_visible()
            expect(page.get_by_text("Reference solution").first).to_be_visible()
        finally:
            page.screenshot(path=str(ARTIFACTS / "browser-coding.png"), full_page=True)
            browser.close()
