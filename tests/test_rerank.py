"""The re-ranking stage on its own: first-stage scores, text signals, ordering, and what it leaves alone."""

from __future__ import annotations

import Stemmer

from interviewer.knowledge.rerank import FirstStage, LexicalReranker, RerankWeights

STEM = Stemmer.Stemmer("english").stemWord

# 0 mentions every query word, but scattered over sentences about something else and with no figure;
# 1 states the answer in one sentence of an otherwise unrelated chunk.
TEXTS = [
    "Every IT team hires. An average salary review happens yearly. Each vacancy is posted on the board. "
    "Filling roles takes effort and the days are long. Recruiters take notes.",
    "Equity grants vary by stage. Bonuses are paid in March. Offices reopened in spring. "
    "An average IT vacancy took 17 days to fill over the last year. AI roles take longer.",
    "Quantization stores weights in 8 bits. Batching raises throughput on a GPU.",
    "A pilot group of about ten users got the first version. The stakeholder found eight edge cases.",
    "Teams discuss percentages and shares of work at length, without giving any figure at all.",
    "Prompting and retrieval are most of the work: one guide puts it at 95 percent.",
]


def reranker(**weights: float) -> LexicalReranker:
    return LexicalReranker(TEXTS, STEM, RerankWeights(**weights) if weights else None)


def test_the_sentence_that_states_the_fact_outranks_scattered_mentions() -> None:
    query = "How many days does an average IT vacancy take to fill?"
    fused = [(0, 0.0330), (1, 0.0325), (2, 0.0160)]  # the fusion put the scattered chunk first
    first = FirstStage(dense={0: 0.52, 1: 0.50, 2: 0.30}, lexical={0: 6.0, 1: 5.6, 2: 1.0})
    assert [i for i, _ in reranker().rerank(query, fused, first)] == [1, 0, 2]
    off = reranker(sentence=0.0, quantity=0.0, length=0.0)
    assert [i for i, _ in off.rerank(query, fused, first)] == [0, 1, 2]  # with no text signal the first stage decides


def test_a_clear_dense_winner_that_bm25_misses_beats_chunks_middling_on_both_sides() -> None:
    """RRF keeps ranks only: a paraphrase the embedding matches by a wide margin but BM25 does not find at all loses
    to chunks ranked fifth on both sides. The cosine margin and the dense rank keep it first."""
    query = "Why do stakeholders find edge cases in a first prototype?"
    fused = [(2, 2 / 65), (4, 2 / 66), (3, 1 / 61)]
    first = FirstStage(dense={3: 0.71, 2: 0.40, 4: 0.39}, lexical={2: 2.0, 4: 1.9})
    r = reranker(sentence=0.0, quantity=0.0, length=0.0)
    assert [i for i, _ in r.rerank(query, fused, first)][0] == 3


def test_quantity_signal_needs_a_number_in_the_asked_for_unit() -> None:
    r = reranker()
    share = r.signals("What percentage of the work is prompting rather than training?")
    assert share.units == ("share",)
    assert r.features(share, 5)[1] == 1.0  # "95 percent"
    assert r.features(share, 4)[1] == 0.0  # talks about percentages but states none
    days = r.signals("Within how many days is a typical IT vacancy filled?")
    assert "time" in days.units and r.features(days, 1)[1] == 1.0 and r.features(days, 0)[1] == 0.0
    users = r.signals("How many users got the first release?")
    assert users.counted == STEM("users") and r.features(users, 3)[1] == 1.0 and r.features(users, 2)[1] == 0.0


def test_queries_without_a_quantity_cue_get_no_quantity_signal() -> None:
    r = reranker()
    q = r.signals("Why do stakeholders find edge cases in a first prototype?")
    assert q.units == () and q.counted is None
    assert all(r.features(q, i)[1] == 0.0 for i in range(len(TEXTS)))


def test_only_the_first_depth_candidates_move_and_the_tail_keeps_its_order_below_them() -> None:
    fused = [(i, 1.0 / (61 + n)) for n, i in enumerate([2, 4, 0, 1, 3, 5])]
    first = FirstStage(dense={3: 0.9, 2: 0.3, 4: 0.2}, lexical={5: 9.0})
    out = reranker(depth=2).rerank("How many users got the first version?", fused, first)
    assert {i for i, _ in out[:2]} == {2, 4}
    assert [i for i, _ in out[2:]] == [0, 1, 3, 5]
    scores = [s for _, s in out]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_empty_candidates_and_ties_are_handled() -> None:
    assert reranker().rerank("anything", [], FirstStage()) == []
    tied = reranker(length=0.0).rerank("nothing here matches", [(3, 0.5), (1, 0.5)], FirstStage())
    assert [i for i, _ in tied] == [1, 3]  # equal scores: smaller index first, deterministic
