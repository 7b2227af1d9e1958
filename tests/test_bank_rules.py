"""The bank check's rules on small fixture banks: counts per stage and level, per-level rubrics, scenarios,
kind sanity, known-wrong claims. (The real bank's counts are content; these are the rules.)"""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from interviewer.evaluation.bank_rules import (
    MIN_PER_LEVEL,
    count_rules,
    kind_counts,
    kind_rules,
    rubric_rules,
    scenario_rules,
)
from interviewer.knowledge.bank import load_bank
from interviewer.knowledge.claim_rules import ClaimRule, load_rules, scan
from tests.conftest import REPO
from tests.fixture_bank import write_fixture_bank


def _bank(tmp_path: Path, mutate=None):
    root = write_fixture_bank(tmp_path / "bank")
    if mutate is not None:
        for path in root.glob("*/*.yaml"):
            data = yaml.safe_load(path.read_text())
            mutate(path.parent.name, path.stem, data["questions"])
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return load_bank(root)


def _clone(questions: list, n: int) -> None:
    """Grow a stage's question list to n with renumbered copies."""
    base = copy.deepcopy(questions[0])
    prefix = base["id"].rsplit("-", 1)[0]
    while len(questions) < n:
        clone = copy.deepcopy(base)
        clone["id"] = f"{prefix}-{len(questions) + 1:02d}"
        questions.append(clone)


def test_counts_are_per_stage_at_each_level_it_serves(tmp_path: Path) -> None:
    bank = _bank(tmp_path)
    errors, _ = count_rules(bank, [])
    text = "\n".join(errors)
    assert f"mle/fundamentals: 2 question(s) at level junior, needs at least {MIN_PER_LEVEL}" in text
    assert "mle/stats: 0 question(s) at level junior" in text and "mle/stats: 1 question(s) at level mid" in text
    assert "mle/system_design: 1 question(s) at level mid" in text
    assert "system_design: 0 question(s) at level junior" not in text  # the stage does not serve junior
    assert "mle/coding: 0 exercise(s) at level junior" in text
    assert "mle: 5 questions (coding exercises included), needs at least 60" in text

    def grow(loop: str, stage: str, questions: list) -> None:
        if (loop, stage) == ("mle", "fundamentals"):
            _clone(questions, 5)

    grown = _bank(tmp_path / "grown", grow)
    errors, _ = count_rules(grown, [])
    assert not [e for e in errors if e.startswith("mle/fundamentals")]
    # exercises count for the coding stage, per loop and level
    exercises = [
        SimpleNamespace(id=f"ex{i}", title="x", loops=["mle"], levels=["junior", "mid", "senior"], signature="f()")
        for i in range(5)
    ]
    errors, _ = count_rules(bank, exercises)
    assert not [e for e in errors if e.startswith("mle/coding")] and [e for e in errors if e.startswith("llm/coding")]
    assert kind_counts(bank, exercises)["mle"] == {"open": 2, "numeric": 1, "behavioral": 1, "case": 1, "code": 5}
    assert kind_counts(bank, exercises)["llm"] == {"open": 1, "numeric": 1, "behavioral": 1, "case": 1, "code": 0}


def test_a_question_tagged_for_a_level_its_stage_does_not_serve_is_a_warning(tmp_path: Path) -> None:
    def tag(loop: str, stage: str, questions: list) -> None:
        if stage == "system_design":
            questions[0]["levels"] = ["junior", "mid", "senior"]
            questions[0]["by_level"]["junior"] = copy.deepcopy(questions[0]["by_level"]["mid"])
            questions[0]["by_level"]["junior"]["reference_answer"] += " Junior."

    _, warnings = count_rules(_bank(tmp_path, tag), [])
    assert warnings == ["mle-system_design-01: tagged junior but stage system_design serves only mid, senior"]


def test_per_level_rubrics_are_required_and_must_differ(tmp_path: Path) -> None:
    def break_rubrics(loop: str, stage: str, questions: list) -> None:
        if stage == "fundamentals":
            del questions[0]["by_level"]["senior"]
            questions[1]["by_level"]["mid"] = copy.deepcopy(questions[1]["by_level"]["junior"])

    bank = _bank(tmp_path, break_rubrics)
    errors = rubric_rules(sorted(bank.questions.values(), key=lambda q: q.id))
    assert errors == [
        "mle-fundamentals-01: serves junior, mid, senior but by_level lacks senior",
        "mle-fundamentals-02: two levels share the same reference answer (a junior 5 and a senior 5 differ)",
    ]


def test_no_scenario_in_more_than_a_fifth_of_a_loop(tmp_path: Path) -> None:
    # mle: one question in five per scenario, exactly 20%, is allowed; llm: one in four is not
    assert scenario_rules(_bank(tmp_path)) == ["llm: scenario 'serving' is used by 1 of 4 questions (more than 20%)"]

    def crowd(loop: str, stage: str, questions: list) -> None:
        if loop == "llm":
            for q in questions:
                q["scenario"] = "support-bot"

    errors = scenario_rules(_bank(tmp_path / "crowd", crowd))
    assert errors == ["llm: scenario 'support-bot' is used by 4 of 4 questions (more than 20%)"]


def test_kind_field_sanity(tmp_path: Path) -> None:
    def break_kinds(loop: str, stage: str, questions: list) -> None:
        q = questions[0]
        if stage == "stats":
            q["tolerance"] = 40000  # accepts zero
            q["by_level"]["mid"]["reference_answer"] = "I would use the two-proportion formula and simulate it."
        if stage == "behavioral" and loop == "mle":
            ref = q["by_level"]["mid"]["reference_answer"]
            q["by_level"]["mid"]["reference_answer"] = ref.split(" The result")[0] + " Looking back, it went fine."
        if stage == "prompting":
            q["unit"] = "GB"
        if stage == "system_design":
            q["phases"][0]["prompt"] = "What would you clarify? And which metrics?"

    bank = _bank(tmp_path, break_kinds)
    text = "\n".join(kind_rules(sorted(bank.questions.values(), key=lambda q: q.id)))
    assert "mle-stats-01: tolerance 40000 is not smaller than the answer 31000" in text
    assert "mle-stats-01: the mid reference answer lands on no number" in text
    assert "mle-stats-01: the senior reference" not in text
    assert "mle-behavioral-01: the mid reference answer lacks STAR part(s): result" in text
    assert "llm-prompting-01: answer/unit/tolerance are for numeric questions" in text
    assert "mle-system_design-01: phase requirements prompt asks 2 questions" in text
    assert (
        kind_rules(sorted(load_bank(write_fixture_bank(tmp_path / "clean")).questions.values(), key=lambda q: q.id))
        == []
    )


RULES = load_rules(REPO / "question_bank" / "claim_rules.yaml")


@pytest.mark.parametrize(
    ("rule_id", "wrong", "right"),
    [
        (
            "ce-float-targets",
            "CrossEntropyLoss expects raw logits and class indices, so passing one-hot targets stalls learning.",
            "Since PyTorch 1.10 CrossEntropyLoss also accepts float one-hot targets; the bugs are a softmax before "
            "the loss and integer one-hot tensors.",
        ),
        (
            "gbt-calibration",
            "Gradient-boosted trees are the strong default: cheap, fast, calibrated and easy to explain.",
            "Gradient-boosted trees are not inherently calibrated, so check a reliability curve.",
        ),
        (
            "linear-lr-scaling",
            "With 16 GPUs the global batch grows, so apply the linear scaling rule with warmup.",
            "The linear scaling rule is an SGD heuristic; with AdamW use square-root scaling or re-tune.",
        ),
        (
            "autogen-succeeded",
            "Production agents run on LangGraph, AutoGen and CrewAI.",
            "AutoGen was succeeded by Microsoft Agent Framework.",
        ),
        (
            "unattributed-consensus",
            "A widely quoted bar is a rollback in under five minutes.",
            "One practitioner's blog post sets the bar at a rollback in under five minutes.",
        ),
        (
            "pnl-three-quarters",
            "A strong ML engineer's work may need about three quarters to appear on the P&L.",
            "One recruiter claims ML work takes about three quarters to appear on the P&L.",
        ),
        (
            "calculus-optional",
            "Calculus is largely optional because the model is treated as a black box.",
            "Strong loops probe attention and training dynamics, so calculus is not optional.",
        ),
        (
            "stopped-training",
            "After 2023 most companies stopped training models altogether.",
            "Companies with their own tabular data still train models.",
        ),
        (
            "fraud-accuracy",
            "For fraud, a 3-point accuracy lift can be worth millions.",
            "For fraud, a gain in recall at a fixed precision can be worth millions; accuracy is misleading.",
        ),
    ],
)
def test_claim_rules_catch_the_wrong_claim_not_the_correction(rule_id: str, wrong: str, right: str) -> None:
    rule = next(r for r in RULES if r.id == rule_id)
    assert rule.fires(wrong) and not rule.fires(right)


def test_claim_rules_scan_bank_and_corpus_and_required_mentions(tmp_path: Path) -> None:
    bank = load_bank(write_fixture_bank(tmp_path / "bank"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.md").write_text(
        "---\ntitle: Doc\ntags: [autogen]\n---\n# Doc\n\n## Frameworks\nTeams build agents on AutoGen.\n\n"
        "## Pay\nSenior engineers earn $180K to $240K.\n"
    )
    rules = [*RULES, ClaimRule(id="needs-fp8", question="llm-llm_internals-01", match=["FP8"], explanation="x")]
    rules.append(ClaimRule(id="needs-int4", question="llm-llm_internals-01", match=["INT4"], explanation="say INT4"))
    hits = scan(rules, bank, corpus)
    assert any(h.startswith("claim rule autogen-succeeded: corpus/doc.md:") for h in hits)
    assert any(h.startswith("claim rule pay-band-source: corpus/doc.md:") for h in hits)
    assert "claim rule needs-int4: llm-llm_internals-01: say INT4" in hits
    assert not any("needs-fp8" in h for h in hits)  # its senior reference says FP8
    assert not any("tags" in h for h in hits)  # front matter is not prose
    # red flags state wrong claims on purpose and are not scanned
    q = bank.questions["mle-stats-01"].model_copy(update={"red_flags": ["Gradient-boosted trees are calibrated."]})
    flagged = type(bank)(loops=bank.loops, questions={q.id: q})
    assert scan(RULES, flagged, None) == []


def test_off_topic_partners_come_from_unrelated_stages_never_a_whole_system_walkthrough() -> None:
    from interviewer.evaluation.bank_rules import FOREIGN_PARTNERS, WHOLE_SYSTEM_STAGES, _foreign, _related

    questions = sorted(load_bank(REPO / "question_bank").questions.values(), key=lambda q: q.id)
    for i, q in enumerate(questions):
        partners = _foreign(questions, i)
        assert len(partners) == FOREIGN_PARTNERS and len({p.id for p in partners}) == FOREIGN_PARTNERS
        for p in partners:
            assert p.stage not in WHOLE_SYSTEM_STAGES and not _related(p.stage, q.stage)


def test_content_yaml_parses_the_same_with_the_fast_parser() -> None:
    from interviewer.resources import read_yaml

    for path in sorted((REPO / "question_bank").rglob("*.yaml")):
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path
