"""The coding round in the app: the setup toggle, the editor, Run examples / Submit and the output panel.

The editor is `st.text_area` in a monospace font with a syntax-highlighted view beside it: the maintained
editor components checked (streamlit-code-editor, last release 2024-12; streamlit-ace, 2021) are stale,
and a plain text area is what Playwright and AppTest can drive reliably. Candidate output is shown with
`st.code` and `st.dataframe`, never as Markdown.
"""

from __future__ import annotations

import streamlit as st

from interviewer.coding.flow import md_escape
from interviewer.coding.grading import CodeRunner
from interviewer.coding.record import RunReport

EDITOR_CSS = """<style>
[class*="st-key-code_editor"] textarea {
  font-family: "Source Code Pro", ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.88rem; line-height: 1.45; tab-size: 4; white-space: pre; overflow-wrap: normal;
}
</style>"""


# Tab indents inside the code editor (4 spaces); Esc then Tab moves the focus on, as in code editors.
TAB_JS = """
export default function () {
  if (window.__interviewCodeTab) return;
  window.__interviewCodeTab = true;
  let escaped = false;
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest('[class*="st-key-code_editor"]')) return;
    if (event.key === "Escape") { escaped = true; return; }
    const plainTab = event.key === "Tab" && !(event.shiftKey || event.ctrlKey || event.altKey || event.metaKey);
    if (!plainTab || escaped) { escaped = false; return; }
    event.preventDefault();
    document.execCommand("insertText", false, "    ");
  }, true);
}
"""
_tab_indent = None


def _tab_key() -> None:
    global _tab_indent
    if _tab_indent is None:
        _tab_indent = st.components.v2.component("interview_code_tab", js=TAB_JS)
    _tab_indent(key="code_tab_indent")


def runner(settings) -> CodeRunner:
    """Where code may run, given where this server listens (unset means every interface)."""
    address = st.get_option("server.address") or "0.0.0.0"
    return CodeRunner.for_address(settings.code_sandbox, address)


def setup_toggle(bank, coder: CodeRunner, loop: str, level: str) -> bool:
    """'Include a coding round': off where code may not run, with the reason."""
    available = len(bank.exercises_for(loop, level))
    refused = coder.choice.backend is None
    include = st.checkbox(
        "Include a coding round",
        value=False,
        key="setup_coding",
        disabled=refused or available == 0,
        help="One ML coding exercise: write a function in the browser, run it on examples, submit it to hidden "
        "tests, then explain it. The score combines tests passed and your explanation.",
    )
    if refused:
        st.warning(coder.choice.note)
    elif not coder.choice.isolated:
        st.caption(coder.choice.note)
    return include and not refused and available > 0


def panel(interview) -> list | None:
    """The editor and results for the open coding question; returns new messages when code was run."""
    state = interview.state
    record = state.current
    if state.status != "active" or record is None or record.code is None:
        return None
    work = record.code
    exercise = interview.bank.exercises[work.exercise_id]
    choice = interview.coder.choice if interview.coder is not None else None
    st.markdown(EDITOR_CSS, unsafe_allow_html=True)  # static CSS only
    _tab_key()
    out = None
    with st.container(border=True, key="coding_panel"):
        st.markdown(f"**Your code** · `{exercise.signature}`")
        if choice is None or choice.backend is None:
            st.error(choice.note if choice is not None else "Code cannot run in this session.")
        elif not choice.isolated:
            st.warning(choice.note)
        key = f"code_editor_{state.id}_{work.exercise_id}"
        if key not in st.session_state:
            st.session_state[key] = work.draft
        code = st.text_area(
            "Code editor",
            key=key,
            height=340,
            label_visibility="collapsed",
            on_change=lambda: interview.save_code(st.session_state[key]),
            help="Tab indents by four spaces (Esc, then Tab, moves on). Ctrl+Enter keeps your edits.",
        )
        with st.expander("Syntax-highlighted view"):
            st.code(code, language="python", line_numbers=True)
        blocked = choice is None or choice.backend is None
        left = max(0, work.allowed - len(work.submissions))
        c1, c2, c3 = st.columns([1, 1, 2])
        run = c1.button("Run examples", key="code_run", disabled=blocked, help="Runs the visible examples.")
        submit = c2.button(
            "Submit", key="code_submit", type="primary", disabled=blocked or not work.can_submit, help="Hidden tests."
        )
        c3.caption(f"Submissions left: {left}. Examples run as often as you like.")
        if run or submit:
            with st.spinner("Running your code in the sandbox…"):
                out = interview.run_code(code, "examples" if run else "hidden")
        if work.runs:
            results(work.runs[-1])
    return out


def results(report: RunReport) -> None:
    """The output panel for one run: summary, per-test table, and printed output for the examples."""
    label = "Examples" if report.kind == "examples" else "Submission (hidden tests)"
    with st.container(key="code_results"):
        if report.status == "sandbox_unavailable":
            st.error(f"{label}: not run. {md_escape(report.message)}")
            return
        summary = f"**{label}: {report.passed} of {report.total} passed** · status `{report.status}`"
        (st.success if report.passed == report.total else st.warning)(summary)
        if report.status != "ok" and not any(t.status != "skipped" for t in report.tests):
            st.error(md_escape(report.message))
        rows = [{"test": t.name, "result": t.status, "details": t.message} for t in report.tests]
        st.dataframe(rows, hide_index=True, key=f"code_tests_{report.ts}")
        if report.kind == "examples" and report.output:
            with st.expander("Printed output"):
                st.code(report.output, language="text")
