"""Setup-screen inputs for tailoring an interview to a job posting and a résumé, and the 'why' panel.

`tailoring_inputs` draws the inputs and returns what the candidate gave (None when nothing); the setup
screen passes it to `start_tailored`. A bad résumé file is said plainly and the interview starts without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from interviewer.tailoring.documents import DocumentError, read_document
from interviewer.tailoring.session import build_plan, uses_a_model
from interviewer.text.escaping import for_markdown

MAX_GENERATED = 5


@dataclass
class TailoringChoice:
    posting: str = ""
    resume: str = ""
    resume_name: str | None = None
    consent: bool = False
    generate: int = 0
    notices: list[str] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        return {
            "posting": self.posting,
            "resume": self.resume,
            "resume_name": self.resume_name,
            "consent": self.consent,
            "generate": self.generate,
            "notices": list(self.notices),
        }


@st.cache_data(show_spinner=False, max_entries=8)
def _read_upload(data: bytes, name: str) -> tuple[str, str | None]:
    try:
        return read_document(data, name), None
    except DocumentError as err:
        return "", str(err)


def tailoring_inputs(svc: Any, loop: str, level: str, n: int) -> TailoringChoice | None:
    """The job-posting and résumé inputs; None when the candidate gave neither."""
    with st.expander("Tailor to a job (optional): paste the job description, add your résumé"):
        st.caption(
            "Both stay in your session and your own saved interview; deleting the interview deletes them. "
            + (
                "They are sent to the configured model only if you tick the box below."
                if uses_a_model(svc.settings)
                else "Offline mode: nothing leaves this machine."
            )
        )
        posting = st.text_area("Job description", key="tailor_jd", height=180, placeholder="Paste the posting here")
        upload = st.file_uploader("Résumé (PDF, DOCX, TXT or MD)", type=["pdf", "docx", "txt", "md"], key="tailor_cv")
        choice = TailoringChoice(posting=posting or "")
        if upload is not None:
            text, problem = _read_upload(upload.getvalue(), upload.name)
            if problem:
                st.warning(f"{problem} The interview will start without your résumé.")
                choice.notices.append(f"Résumé not used: {problem}")
            else:
                choice.resume, choice.resume_name = text, upload.name
        if uses_a_model(svc.settings):
            model = svc.settings.interviewer_model if not svc.settings.offline_interviewer else svc.settings.judge_model
            choice.consent = st.checkbox(
                f"Send my job description and résumé to the configured model ({model})", key="tailor_consent"
            )
            if choice.consent and not svc.settings.offline_interviewer:
                choice.generate = int(
                    st.number_input(
                        "New questions written for this posting by the model", 0, MAX_GENERATED, 0, key="tailor_gen"
                    )
                )
        if not choice.posting.strip() and not choice.resume.strip():
            return None
        plan, dives = build_plan(svc, loop, level, choice.posting, choice.resume, n)
        if plan.skills:
            st.markdown("**The posting asks for:** " + ", ".join(s.label for s in plan.skills[:8]))
        st.markdown("**Questions chosen, and why**")
        for q in plan.questions:
            st.markdown(f"- *{svc.bank.loops[loop].stages.get(q.stage, q.stage)}*: {for_markdown(q.reason)}")
        for dive in dives[:2]:
            st.markdown(f"- *Deep dive on your résumé*: {for_markdown(dive.prompt)}")
    return choice


def why_panel(state: Any) -> None:
    """Why each question of a tailored interview was chosen (the chat screen)."""
    tailoring = getattr(state, "tailoring", None)
    if tailoring is None or not tailoring.reasons:
        return
    with st.expander("Why these questions (tailored to your job description)"):
        for notice in tailoring.notices:
            st.info(notice)
        for n, qid in enumerate(state.fixed_questions, 1):
            st.markdown(f"{n}. {for_markdown(tailoring.reasons.get(qid, ''))}")
