"""Two candidates on one hosted deployment, in real Chromium: each sees only their own interviews.

The app runs in trusted-header mode (as behind an auth proxy): each browser context sends its user's
`X-Forwarded-Email`, and the proxy address trusted is loopback, where the test's browser connects from.
"""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS
from tests.test_browser import launch, send_and_wait, start_interview, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HEADER = "X-Forwarded-Email"
ANSWER = "A time-based split, a baseline first, then a canary rollout with drift monitoring and a registry."


TIMEOUT_MS = 120_000  # the first page load waits for the embedding model; a loaded machine is slow


def user_page(browser, user: str | None):
    context = browser.new_context(extra_http_headers={HEADER: user} if user else {})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory, services):  # noqa: ARG001
    data = tmp_path_factory.mktemp("hosted-data")
    env = {"INTERVIEW_TRUSTED_USER_HEADER": HEADER, "INTERVIEW_TRUSTED_PROXIES": '["127.0.0.1/32", "::1/128"]'}
    # The Chroma index is reused from the session's shared one; the database is this test's own.
    env["INTERVIEW_DATABASE_URL"] = f"sqlite:///{data / 'hosted.sqlite3'}"
    with streamlit_server(tmp_path_factory.mktemp("streamlit-hosted"), services.settings.data_dir, env) as url:
        yield url


def test_two_users_see_only_their_own_history_and_cannot_open_each_other(hosted: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        alice = user_page(browser, "alice@example.org")
        bob = user_page(browser, "bob@example.org")

        start_interview(alice, hosted, 2)
        send_and_wait(alice, ANSWER)
        alice_url = alice.url
        assert "session=" in alice_url
        expect(alice.get_by_text("Signed in as alice@example.org")).to_be_visible()

        bob.goto(hosted)
        expect(bob.get_by_text("Signed in as bob@example.org")).to_be_visible()
        bob.get_by_text("History", exact=True).click()
        expect(bob.get_by_text("No interviews yet.")).to_be_visible()
        bob.goto(alice_url)  # Alice's interview link, opened by Bob
        expect(bob.get_by_text("That interview was not found among yours.")).to_be_visible()
        expect(bob.get_by_role("button", name="Start interview")).to_be_visible()
        bob.screenshot(path=str(ARTIFACTS / "accounts-bob.png"), full_page=True)

        alice.reload()  # a refresh keeps her in her interview
        expect(alice.get_by_text("Question 1 of 2")).to_be_visible()
        expect(alice.get_by_text("canary rollout", exact=False).first).to_be_visible()

        anonymous = user_page(browser, None)  # no proxy header: refused, not served as anyone
        anonymous.goto(hosted)
        expect(anonymous.get_by_text("No trusted user header", exact=False)).to_be_visible()
        browser.close()


def test_two_tabs_of_one_user_lose_no_answer(hosted: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    with sync_playwright() as pw:
        browser = launch(pw)
        first = user_page(browser, "carol@example.org")
        context = first.context
        start_interview(first, hosted, 3)
        second = context.new_page()
        second.set_default_timeout(TIMEOUT_MS)
        second.goto(first.url)
        expect(second.get_by_text("Question 1 of 3")).to_be_visible()

        send_and_wait(first, "Answer typed in the first tab about batching and caching.")
        send_and_wait(second, "Answer typed in the second tab about quantisation.")  # this tab was stale

        first.reload()
        for text in ("first tab about batching", "second tab about quantisation"):
            expect(first.get_by_text(text, exact=False).first).to_be_visible()
        browser.close()


def test_an_answer_sent_from_a_tab_after_another_tab_ended_the_interview_is_kept(hosted: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    late = "Typed in the stale tab: int8 quantisation halves the memory of the weights."
    with sync_playwright() as pw:
        browser = launch(pw)
        first = user_page(browser, "dave@example.org")
        start_interview(first, hosted, 3)
        second = first.context.new_page()
        second.set_default_timeout(TIMEOUT_MS)
        second.goto(first.url)
        expect(second.get_by_text("Question 1 of 3")).to_be_visible()

        send_and_wait(first, "/end")
        expect(first.get_by_test_id("stChatInput")).to_have_count(0)
        box = second.get_by_test_id("stChatInputTextArea")  # this tab still shows the interview as open
        box.fill(late)
        box.press("Enter")
        expect(second.get_by_text("arrived after the interview had ended")).to_be_visible()
        expect(second.get_by_test_id("stCode").get_by_text(late)).to_be_visible()
        expect(second.get_by_test_id("stChatInput")).to_have_count(0)
        browser.close()
