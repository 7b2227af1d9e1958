"""The maintainers' eval suite: metric functions on hand-computed examples, pass rules, gates, reports, and the
offline judge and the interviewer held to the checked-in thresholds (so a regression fails CI)."""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from interviewer.config import Settings
from interviewer.evaluation import gates, metrics
from interviewer.evaluation.datasets import Sample, load_gold
from interviewer.evaluation.probes import PROBE_KINDS, load_probes
from interviewer.evaluation.runner import JudgeEvalOptions, run_judge_eval, write_run
from interviewer.evaluation.scorers import GOLD_RULES, PROBE_RULES, passed
from interviewer.evaluation.solver import Judged
from interviewer.judge.verdict import JudgeMeta, KeyPointVerdict, Verdict
from interviewer.knowledge.bank import load_bank
from tests.conftest import REPO

# -- metrics: small examples computed by hand -----------------------------------------------------------------


def test_qwk_matches_a_hand_computed_value() -> None:
    # Observed disagreement: one item off by one -> sum w*O = 1/16. Expected under independence:
    # sum over h in {1,2,3,4}, j in {1,2,3,5} of (h-j)^2 = 56, so sum w*E = 56 / (16 * 4). kappa = 1 - 4/56 = 13/14.
    assert metrics.qwk([1, 2, 3, 4], [1, 2, 3, 5]) == pytest.approx(13 / 14)
    assert metrics.qwk([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    assert metrics.qwk([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == pytest.approx(-1.0)


def test_scores_round_half_up_to_labels() -> None:
    assert metrics.to_labels([1.49, 1.5, 2.5, 4.51, 0.2, 7]).tolist() == [1, 2, 3, 5, 1, 5]
    assert metrics.qwk([1, 2, 3, 4], [1, 2, 2.5, 4]) == pytest.approx(1.0)  # 2.5 -> 3, not 2


def test_exact_and_within_one() -> None:
    human, judge = [1, 2, 3, 4, 5], [1, 3, 5, 4, 2]  # differences 0, 1, 2, 0, 3
    assert metrics.exact(human, judge) == pytest.approx(2 / 5)
    assert metrics.within_one(human, judge) == pytest.approx(3 / 5)


def test_smd_is_mean_difference_over_pooled_sd() -> None:
    assert metrics.smd([1, 2, 3], [2, 3, 4]) == pytest.approx(1.0)  # both SDs 1, judge one point higher
    # means 3 and 3.8, variances 2.5 and 1.7 -> 0.8 / sqrt(2.1)
    assert metrics.smd([1, 2, 3, 4, 5], [2, 3, 4, 5, 5]) == pytest.approx(0.8 / math.sqrt(2.1))
    assert metrics.smd([3, 2, 1], [2, 1, 1]) < 0  # a harsher judge is negative
    assert math.isnan(metrics.smd([3, 3], [3, 3]))


def test_confusion_matrix_is_5x5_rows_human() -> None:
    cm = metrics.confusion([1, 2, 4, 4], [1, 3, 5, 4.4])
    assert np.array(cm).shape == (5, 5) and sum(map(sum, cm)) == 4
    assert cm[3][4] == 1 and cm[3][3] == 1 and cm[1][2] == 1 and cm[0][0] == 1


def test_bootstrap_ci_contains_the_point_estimate_and_is_reproducible() -> None:
    rng = np.random.default_rng(7)
    human = rng.integers(1, 6, size=80).astype(float)
    judge = np.clip(human + rng.normal(0, 0.8, size=80), 1, 5)
    for statistic in (metrics.qwk, metrics.pearson, metrics.exact):
        low, high = metrics.bootstrap_ci(statistic, human, judge, n_resamples=500)
        assert low <= statistic(human, judge) <= high and high - low > 0
        assert (low, high) == metrics.bootstrap_ci(statistic, human, judge, n_resamples=500)


def test_agreement_block_and_json_cleaning() -> None:
    block = metrics.agreement([1, 2, 3, 4, 5, 2, 3], [1, 2, 3, 5, 5, 1, 3], n_resamples=200)
    assert block["n_scored"] == 7 and block["exact"] == pytest.approx(5 / 7)
    assert set(block["ci"]) == {"qwk", "pearson", "spearman", "exact", "within_one", "mae"}
    assert metrics.clean({"a": math.nan, "b": [np.float64(0.123456)], "c": (1, 2)}) == {
        "a": None,
        "b": [0.1235],
        "c": [1, 2],
    }


# -- pass rules and pairs -------------------------------------------------------------------------------------


def _sample(bank, kind: str, human: float | None = None, compare_to: str | None = None, margin: float = 0.0) -> Sample:
    q = bank.questions["mle-serving-02"]
    return Sample(
        id=kind,
        suite="t",
        split="dev",
        kind=kind,
        question=q,
        answer="x",
        gold=human,
        compare_to=compare_to,
        max_above=margin,
    )


def _judged(sid: str, score: float | None) -> Judged:
    return Judged(id=sid, status="ok" if score is not None else "error", score=score)


def test_pass_rules_per_kind(bank) -> None:
    rows = {
        "off_topic": (1.5, True),
        "buzzword_salad": (2.6, False),
        "confidently_wrong": (2.5, True),
        "empty_gibberish": (1.6, False),
        "terse_correct": (2.9, False),
        "genuine": (3.0, True),
    }
    for kind, (score, expected) in rows.items():
        s = _sample(bank, kind, human=4.0)
        assert passed(s, {kind: _judged(kind, score)}, GOLD_RULES) is expected, kind
    padded = _sample(bank, "padded", human=2.0)
    assert passed(padded, {"padded": _judged("padded", 2.5)}, GOLD_RULES)
    assert not passed(padded, {"padded": _judged("padded", 2.51)}, GOLD_RULES)
    errored = _sample(bank, "off_topic")
    assert passed(errored, {"off_topic": _judged("off_topic", None)}, GOLD_RULES) is False  # errors never pass


def test_injection_rule_compares_with_the_stripped_answer(bank) -> None:
    s = _sample(bank, "injection", human=2.0, compare_to="clean", margin=0.01)
    assert passed(s, {"injection": _judged("injection", 3.01), "clean": _judged("clean", 3.0)}, GOLD_RULES)
    assert not passed(s, {"injection": _judged("injection", 3.02), "clean": _judged("clean", 3.0)}, GOLD_RULES)
    unpaired = _sample(bank, "injection", human=2.0)  # no stripped twin: at most half a point above the human
    assert passed(unpaired, {"injection": _judged("injection", 2.5)}, GOLD_RULES)
    assert not passed(unpaired, {"injection": _judged("injection", 2.6)}, GOLD_RULES)


def test_injection_pairs_come_from_the_hand_written_clean_text(bank) -> None:
    """The injection rule compares with the answer minus its injected text as written in the data by hand, so no
    detector under test defines the reference; every gold injection item has one."""
    samples, problems = load_gold(bank, {"dev", "test"})
    assert problems == []
    injected = [s for s in samples if s.kind == "injection"]
    by_id = {s.id: s for s in samples}
    assert len(injected) >= 20 and all(s.compare_to in by_id for s in injected)
    for s in injected:
        clean = by_id[s.compare_to].answer
        assert clean and clean != s.answer and not by_id[s.compare_to].scored
    kinds = {s.kind for s in samples}
    assert {"judge_design", "injection", "genuine"} <= kinds


def test_probes_are_deterministic_and_paired(bank) -> None:
    first, second = load_probes(bank, 6), load_probes(bank, 6)
    assert [(s.id, s.answer) for s in first] == [(s.id, s.answer) for s in second]
    ids = {s.id for s in first}
    assert {s.kind for s in first} == set(PROBE_KINDS) | {"strong"}
    assert set(PROBE_RULES) == set(PROBE_KINDS) - {"reference"} | {"strong"}  # "reference" only anchors pairs
    assert all(s.answer != " ".join(s.question.reference_answer.split()) for s in first if s.kind == "strong")
    assert all(s.compare_to in ids for s in first if s.compare_to)
    assert {s.question.loop for s in first} == {"mle", "llm"}
    off = [s for s in first if s.kind == "off_topic"]
    assert all(s.answer != " ".join(s.question.reference_answer.split()) for s in off)


# -- gates and reports ----------------------------------------------------------------------------------------


def test_thresholds_and_baseline(tmp_path: Path) -> None:
    toml = tmp_path / "t.toml"
    toml.write_text(
        "[offline.pins.gold.test]\nqwk = 0.6\nabs_smd = { max = 0.3 }\n[offline.pins.gold.test.pass]\n"
        "injection = 0.9\n[offline.pins.mohler.test]\npearson = 0.4\n[offline.targets.gold.test]\nqwk = 0.9\n",
        encoding="utf-8",
    )
    assert [b.key for b in gates.load_bounds("offline", toml, "targets")] == ["gold.test.qwk"]
    bounds = gates.load_bounds("offline", toml)
    assert {b.key for b in bounds} == {
        "gold.test.qwk",
        "gold.test.abs_smd",
        "gold.test.pass.injection",
        "mohler.test.pearson",
    }
    flat = {"gold.test.qwk": 0.55, "gold.test.abs_smd": 0.31, "gold.test.pass.injection": 0.95}
    failures = gates.check_thresholds(flat, bounds, {"gold"})
    assert len(failures) == 2 and any("gold.test.qwk" in f and "below" in f for f in failures)
    assert any("abs_smd" in f and "above" in f for f in failures)  # mohler did not run: not checked
    assert gates.compare(flat, {}, {"gold"}) == []  # no baseline, nothing to compare
    gates.write_baseline("offline", "m", {"gold.test.qwk": 0.6, "gold.test.abs_smd": 0.31}, tmp_path)
    moved = gates.compare(flat, gates.load_baseline("offline", tmp_path), {"gold"})
    assert [(m.key, m.delta) for m in moved] == [
        ("gold.test.pass.injection", None),
        ("gold.test.qwk", pytest.approx(-0.05)),
    ]


def test_checked_in_thresholds_parse_for_both_judges() -> None:
    for judge in ("offline", "llm"):
        for section in ("pins", "targets"):
            bounds = gates.load_bounds(judge, section=section)
            assert bounds and all(b.min is not None or b.max is not None for b in bounds)
            assert {b.key.split(".")[0] for b in bounds} <= {"gold", "probes", "mohler"}
    pinned = {b.key for b in gates.load_bounds("offline")}
    assert not any(k.endswith("consistency") for k in pinned)  # a deterministic judge has no consistency gate


def test_no_pin_sits_below_the_measured_value_by_more_than_its_ci_half_width() -> None:
    baseline = json.loads(gates.baseline_path("offline").read_text())
    metrics, widths = baseline["metrics"], baseline["half_widths"]
    for b in gates.load_bounds("offline"):
        if b.key.split(".")[0] == "mohler":
            continue  # not in the default run (needs --mohler-dir)
        measured = metrics[b.key]
        width = widths.get(b.key, 0.0)
        if b.min is not None:
            assert measured - width - 1e-9 <= b.min <= measured + 1e-9, (b.key, b.min, measured, width)
        if b.max is not None:
            assert measured - 1e-9 <= b.max <= measured + width + 1e-9, (b.key, b.max, measured, width)


def test_mohler_runs_only_when_asked(tmp_path: Path) -> None:
    from interviewer.evaluation.runner import _suites

    assert "mohler" not in _suites(JudgeEvalOptions(suite="all"))
    assert _suites(JudgeEvalOptions(suite="all", mohler_dir=tmp_path))[-1] == "mohler"
    with pytest.raises(FileNotFoundError, match="--mohler-dir"):
        _suites(JudgeEvalOptions(suite="mohler"))


class ConstantJudge:
    """Scores every answer 3.0: agreeable, lenient on garbage, so it must fail the probe thresholds."""

    kind = "constant"

    def judge(self, question, answer: str) -> Verdict:
        points = [KeyPointVerdict(point=kp.point, status="partial", weight=kp.weight) for kp in question.key_points]
        return Verdict(status="ok", score=3.0, key_points=points, meta=JudgeMeta(judge="offline", model="constant"))


def test_a_bad_judge_fails_the_gate_and_the_report_is_self_contained(tmp_path: Path, capsys) -> None:
    from interviewer.evaluation.cli import cmd_eval_judge

    args = argparse.Namespace(
        suite="probes", probe_questions=4, out=tmp_path / "run", baseline_dir=tmp_path, resamples=200
    )
    code = cmd_eval_judge(args, Settings(_env_file=None, data_dir=tmp_path), judge=ConstantJudge())
    err = capsys.readouterr().err
    assert code == 1 and "THRESHOLD FAILED probes.all.pass.empty" in err
    run = tmp_path / "run"
    results = json.loads((run / "results.json").read_text())
    assert results["suites"]["probes"]["splits"]["all"]["pass"]["empty"] == 0.0
    page = (run / "report.html").read_text()
    assert "<script" not in page.lower() and "http" not in page and "<table" in page and "width:" in page
    assert "## Probes" in (run / "report.md").read_text()
    strong = len([s for s in load_probes(load_bank(Settings(_env_file=None).bank_dir), 4) if s.kind == "strong"])
    assert len((run / "items.jsonl").read_text().splitlines()) == 4 * len(PROBE_KINDS) + strong


def test_report_renders_confusion_heatmap(tmp_path: Path) -> None:
    split = {
        "n": 3,
        "errors": 0,
        "qwk": 0.5,
        "ci": {"qwk": [0.1, 0.9]},
        "confusion": [[1, 0, 0, 0, 0]] + [[0] * 5] * 4,
        "kinds": {"padded": {"n": 2, "passed": 1, "rate": 0.5, "rule": "r", "mean_judge": 2.0}},
    }
    results = {
        "run": {
            "judge": "offline",
            "model": "m",
            "started": "now",
            "suites": ["gold"],
            "split": "test",
            "wall_s": 1.0,
            "judge_wall_s": 0.5,
            "calls": 3,
            "cached_calls": 0,
            "concurrency": 1,
            "cost_usd": 0.0,
        },
        "suites": {"gold": {"splits": {"test": split}}},
        "thresholds": {"failures": ["gold.test.qwk: 0.5 is below the minimum 0.6"]},
        "baseline": {"path": "b.json", "exists": False, "moved": []},
    }
    write_run(tmp_path, results, [])
    page = (tmp_path / "report.html").read_text()
    assert 'class="cm"' in page and "rgba(46,125,50,0.93)" in page and "width:50.0%" in page
    assert "FAIL gold.test.qwk" in (tmp_path / "report.md").read_text()


# -- the real offline judge against the checked-in thresholds -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("suite", "split"), [("gold", "test"), ("probes", "all")])
def test_offline_judge_meets_checked_in_thresholds(suite: str, split: str, tmp_path: Path) -> None:
    options = JudgeEvalOptions(suite=suite, split=split, out=tmp_path / "run", resamples=200)
    outcome = run_judge_eval(options, Settings(_env_file=None, data_dir=tmp_path))
    assert outcome.failures == [], outcome.failures
    assert gates.load_bounds("offline") and outcome.results["suites"][suite]["splits"]


def test_llm_judge_without_a_model_fails_fast() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "interviewer.evaluation", "judge", "--judge", "llm", "--suite", "probes"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("INTERVIEW_")},
            "INTERVIEW_JUDGE_MODEL": "offline",
            "INTERVIEW_CONFIG": str(REPO / "absent.toml"),
        },
    )
    assert done.returncode == 2
    assert "--judge llm needs a model" in done.stderr and "INTERVIEW_JUDGE_MODEL" in done.stderr


def test_llm_judge_runs_with_bounded_concurrency_cache_and_cost(tmp_path: Path) -> None:
    from tests.fake_openai import FakeOpenAI, Reply

    body = json.dumps(
        {
            "key_points": [{"index": 1, "evidence": "", "status": "missed"}],
            "criteria": [
                {"criterion": "accuracy", "reasoning": "r", "score": 2},
                {"criterion": "depth", "reasoning": "r", "score": 2},
            ],
            "injection_attempt": False,
            "feedback": "f",
        }
    )
    with FakeOpenAI([Reply(body)]) as srv:
        settings = Settings(
            _env_file=None,
            data_dir=tmp_path,
            judge_model="openai/fake-judge",
            api_base=srv.api_base,
            api_key="x",
            max_retries=0,
        )
        options = JudgeEvalOptions(
            judge="llm",
            suite="probes",
            probe_questions=2,
            concurrency=3,
            repeats=2,
            out=tmp_path / "a",
            baseline_dir=tmp_path,
            resamples=200,
        )
        first = run_judge_eval(options, settings)
        calls = len(srv.requests)
        again = run_judge_eval(options.model_copy(update={"out": tmp_path / "b"}), settings)
    strong = len([s for s in load_probes(load_bank(settings.bank_dir), 2) if s.kind == "strong"])
    n = 2 * len(PROBE_KINDS) + strong
    assert first.results["run"]["calls"] == 2 * n and first.results["run"]["model"] == "openai/fake-judge"
    # first and repeat pass, each through its own cache: every distinct prompt reaches the model in both passes;
    # an injection probe's stripped twin can equal another probe's answer and is then usually served from the
    # cache (not when both are in flight at once on the 3 threads)
    sent = Counter(json.dumps(body["messages"], sort_keys=True) for body in srv.requests[:calls])
    assert min(sent.values()) >= 2 and calls <= 2 * n
    assert len(srv.requests) == calls and again.results["run"]["cached_calls"] == 2 * n  # the rerun is free
    assert "cost_usd" in first.results["run"] and first.results["suites"]["probes"]["splits"]["all"]["n"] == n


def test_interviewer_eval_model_flag_runs_the_llm_voice_and_its_guards_hold(tmp_path: Path) -> None:
    """--model swaps in the LLM voice. The model's acknowledgements ask a question; the voice cuts them
    before the question, so the run passes. (LeakyVoice below shows the checks bite on an unguarded voice.)"""
    from interviewer.evaluation.cli import cmd_eval_interviewer
    from tests.fake_openai import FakeOpenAI, Reply

    with FakeOpenAI([Reply("Thanks. Shall we go deeper on that?")]) as srv:
        settings = Settings(_env_file=None, data_dir=tmp_path, api_base=srv.api_base, api_key="x", max_retries=0)
        args = argparse.Namespace(loop="mle", questions=1, persona=["strong"], out=tmp_path, model="openai/fake-voice")
        code = cmd_eval_interviewer(args, settings)
        assert len(srv.requests) >= 2, "the LLM voice was not called for the question and the acknowledgement"
    body = json.loads((tmp_path / "interviewer.json").read_text())
    assert body["interviewer_model"] == "openai/fake-voice"
    assert code == 0 and all(r["problems"] == [] for r in body["runs"])


# The developer's model configuration, captured at collection time (the autouse fixture clears INTERVIEW_*).
MODEL_ENV = {k: v for k, v in os.environ.items() if k.startswith("INTERVIEW_")}


def configured_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    from interviewer.config import get_settings

    monkeypatch.delenv("INTERVIEW_CONFIG", raising=False)  # back to ./interview.toml unless it was set
    for key, value in MODEL_ENV.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    settings = get_settings()
    if settings.offline_judge:
        pytest.skip("--run-llm needs INTERVIEW_JUDGE_MODEL (or interview.toml) naming a litellm model")
    return settings


@pytest.mark.llm
def test_llm_judge_meets_its_thresholds_on_gold_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = configured_settings(monkeypatch)
    options = JudgeEvalOptions(judge="llm", suite="gold", split="test", out=tmp_path / "run", concurrency=4)
    outcome = run_judge_eval(options, settings)
    assert outcome.failures == [], outcome.failures


@pytest.mark.llm
def test_interviewer_eval_passes_with_the_configured_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.evaluation.cli import cmd_eval_interviewer

    settings = configured_settings(monkeypatch)
    args = argparse.Namespace(loop="both", questions=2, persona=None, out=tmp_path)
    assert cmd_eval_interviewer(args, settings) == 0


# -- the interviewer, with scripted personas ------------------------------------------------------------------


@pytest.mark.slow
def test_interviewer_eval_passes_for_both_loops_offline(tmp_path: Path, capsys) -> None:
    from interviewer.evaluation.cli import cmd_eval_interviewer

    args = argparse.Namespace(loop="both", questions=2, persona=None, out=tmp_path)
    code = cmd_eval_interviewer(args, Settings(_env_file=None, data_dir=tmp_path))
    out = capsys.readouterr()
    assert code == 0, out.err
    body = json.loads((tmp_path / "interviewer.json").read_text())
    assert body["passed"] and {r["loop"] for r in body["runs"]} == {"mle", "llm"}
    runs = {(r["loop"], r["persona"]): r for r in body["runs"]}
    assert runs[("mle", "silent")]["checks"]["skip_respected"] is True
    assert runs[("llm", "quitter")]["checks"]["end_respected"] is True
    assert runs[("mle", "weak")]["followups"] >= 1  # the follow-up check had something to check


class LeakyVoice:
    """Says the key point out loud and asks two questions at once: the checks must catch both."""

    kind = "llm"

    def intro(self, loop_title: str, level: str, n: int) -> str:
        return "Hello."

    def ask(self, question, stage_title: str, number: int, total: int):
        yield question.question

    def follow_up(self, question, answer: str, point, passage: str) -> str:
        return f"The answer is: {point.point} Does that make sense? Why? Why not?"

    def acknowledge(self, question, answer: str, next_stage: str | None):
        return iter(["Thanks. Shall we move on?"])


def test_interviewer_checks_catch_a_leaky_voice(bank) -> None:
    from interviewer.evaluation.interviewer_eval import PERSONAS, run_persona
    from interviewer.judge import GroundedJudge
    from tests.conftest import FakeJudge

    weak = next(p for p in PERSONAS if p.name == "weak")
    run = run_persona(weak, "mle", bank, GroundedJudge(FakeJudge(lambda _a: 2.0), None), LeakyVoice(), n_questions=2)
    assert run.checks["no_leak"] is False and run.checks["one_question_per_turn"] is False
    assert any("acknowledgement asks a question" in p for p in run.problems)
    assert run.checks["terminates"] is True and not run.passed
    assert any("(followup)" in p and ("key point" in p or "reference" in p) for p in run.problems)


def test_interviewer_eval_drives_an_llm_voice_that_keeps_questions_out_of_acknowledgements(tmp_path: Path) -> None:
    from interviewer.evaluation.cli import interviewer_voice, run_interviewer_eval
    from tests.fake_openai import FakeOpenAI, Reply

    judge = GroundedJudgeFor(lambda _a: 2.0)
    with FakeOpenAI([Reply("Thanks, that is a fair start. What would you check first?")]) as srv:
        settings = Settings(
            _env_file=None,
            data_dir=tmp_path,
            interviewer_model="openai/fake-voice",
            api_base=srv.api_base,
            api_key="x",
            max_retries=0,
        )
        runs = run_interviewer_eval(
            ["mle"],
            settings,
            n_questions=2,
            personas=["weak", "silent"],
            parts=lambda loop: (judge, interviewer_voice(settings, loop)),
        )
        assert srv.requests  # the voice really went through the model
    by_name = {r.persona: r for r in runs}
    # the model's "What would you check first?" is cut from every acknowledgement, so the turn asks one question
    assert by_name["weak"].checks["one_question_per_turn"] is True and by_name["weak"].passed
    assert by_name["silent"].passed  # skipped questions get no acknowledgement


def GroundedJudgeFor(script):  # noqa: N802 - reads like the class it builds
    from interviewer.judge import GroundedJudge
    from tests.conftest import FakeJudge

    return GroundedJudge(FakeJudge(script), None)


def test_gold_answers_still_answer_the_questions_they_were_graded_against() -> None:
    """A bank edit that changes a graded question's text under the same id silently invalidates its gold grades
    (and stored interviews): a changed question gets a new id. The lock holds a hash of each graded text."""
    import hashlib

    from interviewer.knowledge.bank import load_bank

    bank = load_bank(REPO / "question_bank")
    lock = json.loads((REPO / "evals" / "gold" / "questions.lock.json").read_text())
    graded = {json.loads(line)["question_id"] for line in (REPO / "evals" / "gold" / "answers.jsonl").open()}
    assert graded == set(lock)
    changed = [
        qid
        for qid, digest in lock.items()
        if qid not in bank.questions
        or hashlib.sha256(bank.questions[qid].question.strip().encode()).hexdigest()[:16] != digest
    ]
    assert changed == [], f"graded questions changed under the same id: {changed}"
