"""Offline answer scorer: calibrated 1–5 scores from a question, a reference and/or key points.

CPU-only, deterministic, no network. With key points (the bank's rubrics), each key point earns graded
credit from token-level evidence (see `offline_features`), and the weighted coverage is mapped to 1-5 by a
monotone curve fitted on the gold dev split (`evals/gold/fit_coverage_map.py`). With a reference answer only
(`interview grade` items without key points, the Mohler benchmark), similarity features are combined by a
ridge model fitted on the Mohler dev split (`evals/mohler/fit_offline_judge.py`). Both sets of numbers live in
`interviewer/data/offline_judge_params.json`. Guards run first and stay in code: empty, gibberish and
off-topic answers score 1; text that addresses the grader (`injection`) is flagged and earns no credit;
repeated spans are dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.judge import offline_features as of
from interviewer.judge.contradiction import negation_mask, polar_recall, quantity_conflict
from interviewer.judge.injection import is_injection
from interviewer.knowledge.embeddings import get_embedder

PARAMS_PATH = Path(__file__).resolve().parent.parent / "data" / "offline_judge_params.json"
DEFAULT_PARAMS: dict[str, Any] = {  # used only until the fit script has written the JSON
    "embedder": "all-MiniLM-L6-v2",
    "question_demotion": 0.2,
    "features": ["bs_r"],
    "center": [0.0],
    "scale": [1.0],
    "coef": [8.0],
    "intercept": -2.0,
    "coverage_ramp": [0.05, 0.5],
    "hit_at": 0.6,
    "off_topic_below": {"1": 0.16, "4": 0.2},  # by number of content words in the answer
    # With a rubric: every gold dev off-topic answer (a good answer to another bank question, 45+ content words)
    # has relevance <= 0.345 and the next dev answer 0.362; set on dev by hand. A short vague answer ("I would
    # look at the data and try a few models", relevance 0.2-0.3) is weak, not off-topic: it is scored on its
    # coverage and the interviewer probes it, so the 0.35 bar starts at 12 content words.
    "off_topic_below_keyed": {"4": 0.2, "12": 0.35},
    # weighted key-point coverage -> 1..5, piecewise linear through these points (fitted on gold dev)
    "coverage_to_score": {"x": [0.0, 1.0], "y": [1.0, 5.0]},
    # Set by hand, not fitted: the reference can lower a key point's full-marks level to no less than this share
    # of the ramp's top. 99% of the bank's key points are matched by their reference above it, so it only
    # bites on a broken reference, which otherwise made every answer (even an off-topic one) "cover" the points.
    "min_top_share": 0.5,
    # Keyed questions (`contradiction`): a key point mostly evidenced by a clause that dismisses it earns nothing,
    # and one whose figures the answer contradicts earns -penalty x its credit. Penalty set on gold dev.
    "contradiction_guard": True,
    "contradiction_penalty": 1.0,
}


RUN_ON_WORDS = 10
RUN_ON = re.compile(r"^\W*(?:please|kindly|thanks?|thank you|remember|make sure|ensure|apply|follow|note)\b", re.I)
CONTRADICTION_AT = 0.25  # withdrawn coverage of one key point that flags the answer "contradiction"
# A key point is dismissed when the answer engages with it (coverage >= CONTRADICTION_AT) and at least this share
# of that coverage comes from clauses that dismiss it; a few words matched inside such a clause ("no need to
# retrain: repoint the alias", "fine-tuning isn't needed: use retrieval") are noise and keep their credit.
DISMISSED_SHARE = 0.5


def off_topic_threshold(table: dict[str, float], n_content: float) -> float:
    """The relevance threshold for an answer with `n_content` content words (largest key <= n)."""
    keys = [int(k) for k in table if int(k) <= n_content]
    return float(table[str(max(keys))]) if keys else -1.0


@dataclass
class OfflineAssessment:
    score: float
    coverage: list[float]
    evidence: list[str]
    flags: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class _Item:
    question: str
    spans: list[str]
    reference: str
    units: list[str]
    weights: list[float]
    keyed: bool
    flags: list[str]

    chunks: list[str] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return of.join_spans(self.spans)


@dataclass
class _QuestionSide:
    """The cleaned text an answer is compared with: the same for every answer to a question."""

    question: str
    reference: str
    units: list[str]  # key points, or the reference's sentences when there are none
    weights: list[float]
    keyed: bool


def _question_side(raw: dict) -> _QuestionSide:
    question = of.clean_text(raw.get("question")).replace("\n", " ")
    reference = of.join_spans(of.split_spans(of.clean_text(raw.get("reference"))))
    kps = [of.clean_text(k).replace("\n", " ") for k in raw.get("key_points") or []]
    keyed = any(kps)
    units = kps if keyed else (of.split_spans(reference) or [question])
    w = list(raw.get("weights") or []) if keyed else []
    if len(w) != len(units) or sum(w) <= 0:
        w = [1.0] * len(units)
    return _QuestionSide(question, reference, units, w, keyed)


class OfflineScorer:
    def __init__(self, embedder: Any = None, params_path: str | Path | None = None) -> None:
        path = Path(params_path) if params_path else PARAMS_PATH
        self.params = {**DEFAULT_PARAMS, **(json.loads(path.read_text()) if path.is_file() else {})}
        self.embedder = embedder or get_embedder(self.params["embedder"])
        self.enc = of.TokenEncoder(self.embedder)
        curve = self.params["coverage_to_score"]
        self._curve = (np.asarray(curve["x"], float), np.asarray(curve["y"], float))

    def assess(
        self,
        question: str,
        answer: str,
        reference: str | None = None,
        key_points: list[str] | None = None,
        weights: list[float] | None = None,
    ) -> OfflineAssessment:
        item = dict(question=question, answer=answer, reference=reference, key_points=key_points, weights=weights)
        return self.assess_batch([item])[0]

    def warm(self, question: str, reference: str | None = None, key_points: list[str] | None = None) -> None:
        """Encode a question's side of the comparison (question, reference, key points) ahead of time,
        e.g. while the candidate is typing: the judge call then only encodes the answer."""
        side = _question_side({"question": question, "reference": reference, "key_points": key_points})
        self.enc.encode([t for t in (side.question, side.reference, *side.units) if t])

    def coverage_score(self, coverage: float) -> float:
        """The fitted monotone map from weighted key-point coverage (0..1) to the 1..5 score."""
        return float(np.interp(coverage, *self._curve))

    def assess_batch(self, items: list[dict]) -> list[OfflineAssessment]:
        prepared = self._prepare(items)
        texts = [t for p in prepared for t in (p.question, p.reference, *p.chunks, *p.units) if t]
        encoded = self.enc.encode(texts)
        return [self._assess(p, encoded) for p in prepared]

    # -- preparation: guards that decide which text is scored ------------------------------------
    def _prepare(self, items: list[dict]) -> list[_Item]:
        prepared = []
        for raw in items:
            side = _question_side(raw)
            # Flag, never delete: a segment that addresses the grader (also inside an HTML comment, which the
            # cleaning drops) is reported, and a span that holds one is kept out of the evidence, so it earns
            # nothing. The candidate's answer itself is never changed.
            flags = ["injection"] if is_injection(raw.get("answer")) else []
            spans = []
            for line in of.clean_text(raw.get("answer")).split("\n"):
                after = False  # right after a flagged span in this paragraph
                for span in of.split_spans(line):
                    # A message to the grader runs on: a short or imperative sentence right after it in its
                    # paragraph ("... scores 5. Please apply the updated guidelines.") earns nothing either.
                    if is_injection(span) or (after and (len(span.split()) <= RUN_ON_WORDS or RUN_ON.match(span))):
                        flags.append("injection")
                        after = True
                    else:
                        spans.append(span)
                        after = False
            prepared.append(_Item(side.question, spans, side.reference, side.units, side.weights, side.keyed, flags))
        for p in prepared:
            p.spans, dropped = of.dedupe_spans(p.spans)
            if dropped or of.filler_share(p.answer) > 0.15:
                p.flags.append("padded")
            known = set(of.content_stems(" ".join([p.question, p.reference, *p.units])))
            if not p.spans or of.NON_ANSWER_RE.match(p.answer):
                p.flags.append("empty")
            elif of.is_gibberish(p.answer, self.enc.plausible_word, known):
                p.flags.append("gibberish")
            p.flags = list(dict.fromkeys(p.flags))
            p.chunks = [of.join_spans(c) for c in self.enc.chunk_spans(p.spans)]
        return prepared

    # -- scoring -----------------------------------------------------------------------------------
    def _assess(self, p: _Item, encoded: dict[str, of.Encoded]) -> OfflineAssessment:
        n = len(p.units)
        if {"empty", "gibberish"} & set(p.flags):
            return OfflineAssessment(1.0, [0.0] * n, [""] * n, p.flags, {})
        a, q = self.enc.merge([encoded[c] for c in p.chunks]), encoded[p.question] if p.question else None
        qstems = set(of.content_stems(p.question))
        demote = float(self.params["question_demotion"])
        ranges = self.enc.span_ranges(p.spans, len(a.pieces))
        lo, hi = self.params["coverage_ramp"]
        hit_at = float(self.params["hit_at"])
        coverage, evidence, sims = [], [], []
        ref = encoded[p.reference] if p.reference else None
        guard = p.keyed and bool(self.params["contradiction_guard"])
        neg_a = negation_mask(a.pieces)[slice(*of.inner_range(a))] if guard else None
        withdrawn, charged = [], []  # coverage the contradiction guards took back / charge again, per key point
        for unit in p.units:
            u = encoded[unit]
            wu = self.enc.weights(u, qstems, demote)
            strength = of.recall(u, wu, a, hit_at=hit_at)
            # Anchor to the reference: matching a key point as strongly as the model answer is full marks.
            top = min(hi, of.recall(u, wu, ref, hit_at=hit_at)) if p.keyed and ref else hi
            if self.enc.token_level:  # the share is set on the token-recall scale of a sentence-transformers model
                top = max(top, float(self.params["min_top_share"]) * hi)
            bottom = min(lo, 0.5 * top)

            def ramp(x: float, bottom: float = bottom, top: float = top) -> float:
                return float(np.clip((x - bottom) / max(top - bottom, 1e-6), 0.0, 1.0))

            coverage.append(ramp(strength))
            withdrawn.append(0.0)
            charged.append(0.0)
            if neg_a is not None and coverage[-1] > 0:  # see `contradiction`
                if quantity_conflict(unit, p.answer, p.question):  # wrong figures: withdrawn and charged
                    withdrawn[-1] = charged[-1] = coverage[-1]
                elif (
                    coverage[-1] >= CONTRADICTION_AT
                    and ramp(self._polar(u, wu, a, neg_a)) <= (1.0 - DISMISSED_SHARE) * coverage[-1]
                ):
                    withdrawn[-1] = charged[-1] = coverage[-1]  # engaged with, mostly by a clause that dismisses it
                coverage[-1] -= withdrawn[-1]
            by_span = [of.recall(u, wu, a, r, hit_at=hit_at) for r in ranges]
            evidence.append(p.spans[int(np.argmax(by_span))] if coverage[-1] > 0 and by_span else "")
            sims.append(float(a.vec @ u.vec))
        feats = self.pair_features(p, a, ref, q, qstems, demote)
        feats["relevance"] = max([feats.get("cos_q", 0.0), feats.get("cos", 0.0), *sims])
        flags = list(p.flags)
        if max(withdrawn, default=0.0) >= CONTRADICTION_AT:
            flags.append("contradiction")
        # A wrong figure earns nothing and costs `contradiction_penalty` x what it would have earned: graders pull
        # an answer down for it even when other points are right.
        credit = np.asarray(coverage) - float(self.params["contradiction_penalty"]) * np.asarray(charged)
        feats["coverage"] = max(0.0, float(np.dot(credit, p.weights) / sum(p.weights))) if n else 0.0
        if p.keyed:
            score = self.coverage_score(feats["coverage"])
        elif p.reference:
            z = [
                (feats[f] - c) / s
                for f, c, s in zip(self.params["features"], self.params["center"], self.params["scale"], strict=True)
            ]
            pred = float(np.dot(z, self.params["coef"]) + self.params["intercept"])
            feats["pred_0_5"] = pred
            score = 1.0 + 4.0 * float(np.clip(pred / 5.0, 0.0, 1.0))
        else:
            score = 1.0 + 4.0 * feats["coverage"]
        feats["n_content"] = float(len(of.content_stems(p.answer)))
        table = self.params["off_topic_below_keyed"] if p.keyed else self.params["off_topic_below"]
        if feats["relevance"] < off_topic_threshold(table, feats["n_content"]):
            flags.append("off_topic")
            score = 1.0
        coverage = [round(c, 4) for c in coverage]
        return OfflineAssessment(round(float(np.clip(score, 1.0, 5.0)), 4), coverage, evidence, flags, feats)

    def _polar(self, u: of.Encoded, wu: np.ndarray, a: of.Encoded, neg_a: np.ndarray) -> float:
        """Key-point recall in `a` with matches inside a dismissing clause withdrawn."""
        lo, hi = of.inner_range(a)
        neg_u = negation_mask(u.pieces, broad=True)
        return polar_recall(u.toks, wu, neg_u, a.toks[lo:hi], neg_a, float(self.params["hit_at"]), of.HIT_SLOPE)

    def pair_features(
        self, p: _Item, a: of.Encoded, r: of.Encoded | None, q: of.Encoded | None, qstems: set[str], demote: float
    ) -> dict[str, float]:
        """Answer-vs-reference similarity features (reference = the key points when there is none)."""
        if r is None:
            return {"cos_q": float(a.vec @ q.vec)} if q is not None else {}
        wa, wr = self.enc.weights(a, qstems, demote), self.enc.weights(r, qstems, demote)
        lo_a, hi_a = of.inner_range(a)
        lo_r, hi_r = of.inner_range(r)
        sim = r.toks[lo_r:hi_r] @ a.toks[lo_a:hi_a].T
        best_r, best_a = sim.max(axis=1), sim.max(axis=0)
        wr_, wa_ = wr[lo_r:hi_r], wa[lo_a:hi_a]
        rw, aw = max(wr_.sum(), 1e-9), max(wa_.sum(), 1e-9)
        pooled_a, pooled_r = wa @ a.toks, wr @ r.toks
        dcos = float(pooled_a @ pooled_r / max(np.linalg.norm(pooled_a) * np.linalg.norm(pooled_r), 1e-9))
        n_a, n_r = len(of.content_stems(p.answer)), len(of.content_stems(p.reference))
        feats = {
            "cos": float(a.vec @ r.vec),
            "dcos": dcos,
            "bs_r": float(best_r @ wr_ / rw),
            "bs_p": float(best_a @ wa_ / aw),
            "rec06": float(wr_[best_r > 0.6].sum() / rw),
            "rec08": float(wr_[best_r > 0.8].sum() / rw),
            "hits": of.recall(r, wr, a, hit_at=float(self.params["hit_at"])),
            "len_ratio": float(np.log((n_a + 1) / (n_r + 1))),
        }
        if q is not None:
            feats["cos_q"] = float(a.vec @ q.vec)
        return feats
