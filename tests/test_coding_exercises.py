"""The coding exercises as data: schema, the required four, and hidden tests strong enough to grade.

Every reference solution passes its examples and hidden tests in the real sandbox; every starter stub
fails every hidden test; known-wrong solutions of the required exercises fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.coding.grading import CodeRunner, compare
from interviewer.coding.sandbox import choose
from interviewer.knowledge.bank import load_bank
from interviewer.knowledge.coding_exercises import ExerciseError, call_inputs, expected_outputs, load_exercises
from tests.conftest import REPO

EXERCISES = load_exercises(REPO / "question_bank")
REQUIRED = {
    "softmax": "softmax(x, axis=-1)",
    "roc_auc": "roc_auc(y_true, scores) -> float",
    "attention": "attention(q, k, v, causal=False)",
    "ndcg_at_k": "ndcg_at_k(relevances, k) -> float",
}


@pytest.fixture(scope="module")
def runner() -> CodeRunner:
    choice = choose("auto", None)
    assert choice.backend == "bwrap", f"bubblewrap is required for the exercise checks: {choice.note}"
    return CodeRunner(choice)


def test_at_least_sixteen_exercises_across_both_loops_and_levels() -> None:
    assert len(EXERCISES) >= 16
    for loop in ("mle", "llm"):
        for level in ("junior", "mid", "senior"):
            assert [e for e in EXERCISES.values() if loop in e.loops and level in e.levels], (loop, level)
    for exercise_id, signature in REQUIRED.items():
        assert EXERCISES[exercise_id].signature == signature


def test_the_bank_keeps_exercises_apart_from_questions() -> None:
    bank = load_bank(REPO / "question_bank")
    assert not bank.errors and set(bank.exercises) == set(EXERCISES)
    assert not any(q.stage == "coding" for q in bank.questions.values())
    for loop in ("mle", "llm"):
        assert "coding" in bank.loops[loop].stages
        assert bank.stage_counts(loop)["coding"] == len(bank.exercises_for(loop))


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_hand_checked_values_agree_with_the_reference(exercise_id: str) -> None:
    exercise = EXERCISES[exercise_id]
    for which in ("examples", "hidden"):
        for test, want in zip(exercise.tests(which), expected_outputs(exercise, which), strict=True):
            if test.raises:
                assert want.raises == test.raises, test.name
            else:
                assert want.raises is None, f"{test.name}: the reference raised {want.raises}"
            if test.expected is not None:
                hand = eval(test.expected, {"np": __import__("numpy")})  # noqa: S307  (our own bank data)
                assert compare(hand, want.value, 1e-9, 1e-12) is None, test.name
            call_inputs(test, exercise.function)  # evaluates


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_reference_passes_and_starter_fails(exercise_id: str, runner: CodeRunner) -> None:
    exercise = EXERCISES[exercise_id]
    for which in ("examples", "hidden"):
        report = runner.run(exercise, exercise.reference_solution, which)
        assert report.status == "ok" and report.passed == report.total, report.message
    stub = runner.run(exercise, exercise.starter, "hidden")
    assert stub.passed == 0 and stub.score == 0.0, stub.message


WRONG = {
    "softmax": [
        "import numpy as np\ndef softmax(x, axis=-1):\n    e = np.exp(x)\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n",
        "import numpy as np\ndef softmax(x, axis=-1):\n    e = np.exp(x - x.max())\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n",
        "import numpy as np\ndef softmax(x, axis=-1):\n    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
        "    return e / e.sum(axis=-1, keepdims=True)\n",
    ],
    "roc_auc": [
        "import numpy as np\ndef roc_auc(y_true, scores):\n    y = np.asarray(y_true).astype(bool)\n"
        "    pos, neg = scores[y], scores[~y]\n    return float((pos[:, None] > neg[None, :]).mean())\n",
        "import numpy as np\ndef roc_auc(y_true, scores):\n    y = np.asarray(y_true).astype(bool)\n"
        "    pos, neg = scores[y], scores[~y]\n    if len(pos) == 0 or len(neg) == 0:\n        return 0.5\n"
        "    gt = (pos[:, None] > neg[None, :]).mean()\n    eq = (pos[:, None] == neg[None, :]).mean()\n"
        "    return float(gt + eq / 2)\n",
    ],
    "attention": [
        "import numpy as np\ndef attention(q, k, v, causal=False):\n    s = q @ np.swapaxes(k, -1, -2)\n"
        "    if causal:\n        s = np.where(np.triu(np.ones(s.shape[-2:], bool), 1), -np.inf, s)\n"
        "    w = np.exp(s - s.max(-1, keepdims=True))\n    return (w / w.sum(-1, keepdims=True)) @ v\n",
        "import numpy as np\ndef attention(q, k, v, causal=False):\n"
        "    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])\n"
        "    w = np.exp(s - s.max(-1, keepdims=True))\n    return (w / w.sum(-1, keepdims=True)) @ v\n",
        "import numpy as np\ndef attention(q, k, v, causal=False):\n    s = q @ k.T / np.sqrt(q.shape[-1])\n"
        "    if causal:\n        s = np.where(np.triu(np.ones(s.shape[-2:], bool), 1), -np.inf, s)\n"
        "    w = np.exp(s - s.max(-1, keepdims=True))\n    return (w / w.sum(-1, keepdims=True)) @ v\n",
    ],
    "ndcg_at_k": [
        "import numpy as np\ndef ndcg_at_k(relevances, k):\n    r = np.asarray(relevances, float)[:k]\n"
        "    disc = np.log2(np.arange(2, r.size + 2))\n    ideal = np.sort(r)[::-1]\n"
        "    d = ((2**ideal - 1) / disc).sum()\n    return float(((2**r - 1) / disc).sum() / d) if d else 0.0\n",
        "import numpy as np\ndef ndcg_at_k(relevances, k):\n    r = np.asarray(relevances, float)\n"
        "    def dcg(x):\n        x = x[:k]\n        return (x / np.log2(np.arange(2, x.size + 2))).sum()\n"
        "    return float(dcg(r) / dcg(np.sort(r)[::-1]))\n",
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(WRONG))
def test_known_wrong_solutions_fail_hidden_tests(exercise_id: str, runner: CodeRunner) -> None:
    for code in WRONG[exercise_id]:
        report = runner.run(EXERCISES[exercise_id], code, "hidden")
        assert report.passed < report.total, code


def test_schema_problems_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "coding"
    folder.mkdir()
    good = (REPO / "question_bank" / "coding" / "psi.yaml").read_text()
    (folder / "psi.yaml").write_text(good)
    (folder / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    (folder / "renamed.yaml").write_text(good)  # id does not match the file name
    bad_call = good.replace("id: psi", "id: bad_call").replace("call: psi(", "call: os.system(")
    (folder / "bad_call.yaml").write_text(bad_call)
    errors: list[str] = []
    loaded = load_exercises(tmp_path, errors)
    assert set(loaded) == {"psi"}
    assert any("broken.yaml: not valid YAML" in e for e in errors)
    assert any("renamed.yaml: id 'psi' does not match" in e for e in errors)
    assert any("bad_call.yaml" in e and "must be a call of psi()" in e for e in errors)
    with pytest.raises(ExerciseError):
        load_exercises(tmp_path)
