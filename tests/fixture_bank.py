"""A small question bank with every kind (open, numeric, behavioral, case) in both loops, for tests that
must not depend on the real bank's current counts. `write_fixture_bank(root)` writes it as YAML with the
real `loops.yaml` (so stage ids and their order are the real ones)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def _anchors(topic: str, level: str) -> dict[int, str]:
    return {
        1: f"Wrong or no answer about {topic}.",
        2: f"Names {topic} terms without the reasoning a {level} engineer needs.",
        3: f"Gets the main idea of {topic} right but misses half of the key points.",
        4: f"Covers most of {topic} correctly with some specifics for a {level} engineer.",
        5: f"Covers every key point of {topic} with the depth expected at {level} level.",
    }


def _points(*items: tuple[str, float, str]) -> list[dict]:
    return [{"point": p, "weight": w, "probe": probe} for p, w, probe in items]


def _by_level(topic: str, references: dict[str, str]) -> dict:
    return {lv: {"anchors": _anchors(topic, lv), "reference_answer": ref} for lv, ref in references.items()}


FUNDAMENTALS = [
    {
        "id": "mle-fundamentals-01",
        "loop": "mle",
        "stage": "fundamentals",
        "kind": "open",
        "levels": ["junior", "mid", "senior"],
        "difficulty": 1,
        "question": "Your churn classifier has 97% accuracy but only 3% of users churn. Is it any good, "
        "and how would you evaluate it instead?",
        "key_points": _points(
            (
                "Accuracy is meaningless with 3% positives: predicting no churn for everyone already scores 97%.",
                0.35,
                "What would a model that always predicts the majority class score?",
            ),
            (
                "Use precision, recall and the precision-recall curve or PR-AUC for the rare churn class.",
                0.35,
                "Which metrics focus on the rare class?",
            ),
            (
                "Choose the decision threshold from the cost of a missed churner versus a wasted retention offer.",
                0.3,
                "How would you pick the threshold?",
            ),
        ),
        "scenario": "churn",
        "by_level": _by_level(
            "imbalanced evaluation",
            {
                "junior": "Accuracy is meaningless here: with 3% churners, a model that predicts no churn for "
                "everyone already scores 97%, so the number says nothing. I would look at precision and recall "
                "for the churn class and the precision-recall curve or PR-AUC, and pick the decision threshold "
                "from the cost of a missed churner versus the cost of a wasted retention offer.",
                "mid": "Accuracy is meaningless with 3% positives: predicting no churn for everyone already scores "
                "97%. I would evaluate the rare class with precision, recall and the precision-recall curve or "
                "PR-AUC, on a time-based holdout, and choose the decision threshold from the cost of a missed "
                "churner versus a wasted retention offer, checking precision at the capacity the retention team "
                "can actually call each week.",
                "senior": "Accuracy is meaningless with 3% positives: predicting no churn for everyone already "
                "scores 97%. I would evaluate the rare class with precision, recall and the precision-recall curve "
                "or PR-AUC on a time-based holdout, and choose the decision threshold from the cost of a missed "
                "churner versus a wasted retention offer. Then I would tie it to money: expected saved revenue per "
                "offer at the chosen operating point, checked in an online experiment because offline lift on "
                "churn rarely transfers one to one.",
            },
        ),
    },
    {
        "id": "mle-fundamentals-02",
        "loop": "mle",
        "stage": "fundamentals",
        "kind": "open",
        "levels": ["junior", "mid", "senior"],
        "difficulty": 2,
        "question": "Your model scores far better on the training set than on the validation set. What is "
        "happening and what would you try?",
        "key_points": _points(
            (
                "The gap between training and validation performance is overfitting: high variance.",
                0.3,
                "What does the gap between the two scores tell you?",
            ),
            (
                "Regularise: stronger L2 or dropout, simpler model, early stopping on the validation loss.",
                0.4,
                "Which knobs reduce the model's variance?",
            ),
            ("Get more or more varied training data, or augment it.", 0.3, "What would you do about the data?"),
        ),
        "by_level": _by_level(
            "overfitting",
            {
                "junior": "The gap between training and validation performance means the model is overfitting: "
                "high variance, it memorises the training set. I would regularise with stronger L2 or dropout, "
                "try a simpler model, and use early stopping on the validation loss. I would also get more or more "
                "varied training data, or augment the data I have.",
                "mid": "A large gap between training and validation performance is overfitting, high variance. I "
                "would first check the split is sound, then regularise: stronger L2 or dropout, a simpler model, "
                "early stopping on the validation loss. More or more varied training data, or augmentation, attacks "
                "the same problem from the data side, and learning curves show which of the two helps more.",
                "senior": "A large train-validation gap is overfitting, high variance, unless the split leaks or "
                "the distributions differ, which I would rule out first. Then regularise: stronger L2 or dropout, a "
                "simpler model, early stopping on the validation loss. More or more varied training data, or "
                "augmentation, attacks it from the data side; learning curves tell me whether data or capacity is "
                "the better investment before I spend on either.",
            },
        ),
    },
]

STATS = {
    "id": "mle-stats-01",
    "loop": "mle",
    "stage": "stats",
    "kind": "numeric",
    "levels": ["mid", "senior"],
    "difficulty": 2,
    "question": "Checkout converts at 5%. You want to detect a lift to 5.5% with a two-sided test at alpha 0.05 "
    "and 80% power. Roughly how many users do you need per arm?",
    "answer": 31000,
    "unit": "users per arm",
    "tolerance": 3000,
    "key_points": _points(
        (
            "Use the two-proportion sample size formula: n = (z_alpha/2 + z_beta)^2 (p1(1-p1) + p2(1-p2)) / delta^2.",
            0.35,
            "Which formula gives the sample size for comparing two proportions?",
        ),
        (
            "z values 1.96 for alpha 0.05 two-sided and 0.84 for 80% power, so the factor is about 7.84.",
            0.3,
            "Which z values go in for this alpha and power?",
        ),
        (
            "Variance terms 0.0475 + 0.052 and delta squared 0.000025 give about 31,000 users per arm.",
            0.35,
            "What do the variance terms and the effect size come to?",
        ),
    ),
    "scenario": "checkout",
    "by_level": _by_level(
        "A/B test sample size",
        {
            "mid": "I use the two-proportion sample size formula: n = (z_alpha/2 + z_beta)^2 (p1(1-p1) + "
            "p2(1-p2)) / delta^2. The z values are 1.96 for alpha 0.05 two-sided and 0.84 for 80% power, so the "
            "factor is about 7.84. The variance terms are 0.0475 + 0.052 = 0.0997 and delta squared is 0.000025, "
            "so n = 7.84 x 0.0997 / 0.000025, about 31,000 users per arm.",
            "senior": "I use the two-proportion sample size formula: n = (z_alpha/2 + z_beta)^2 (p1(1-p1) + "
            "p2(1-p2)) / delta^2. The z values are 1.96 for alpha 0.05 two-sided and 0.84 for 80% power, so the "
            "factor is about 7.84. The variance terms are 0.0475 + 0.052 = 0.0997 and delta squared is 0.000025, "
            "so n = 7.84 x 0.0997 / 0.000025, about 31,000 users per arm, 62,000 in all. With weekly seasonality "
            "I would run whole weeks and check that traffic can supply that within the test window.",
        },
    ),
}

PHASES_DESIGN = [
    {
        "id": "requirements",
        "title": "Requirements and metrics",
        "prompt": "What would you clarify first, and which metrics would you hold the ranking system to?",
        "weight": 1.0,
        "key_points": _points(
            (
                "Clarify the objective: engagement versus purchases, and the latency budget for ranking.",
                0.5,
                "What is the system optimising for, and how fast must it answer?",
            ),
            (
                "Offline NDCG or recall at k, online click-through and conversion in an A/B test.",
                0.5,
                "How would you measure ranking quality offline and online?",
            ),
        ),
    },
    {
        "id": "modelling",
        "title": "Data and modelling",
        "prompt": "What data and what model would you start with?",
        "weight": 1.0,
        "key_points": _points(
            (
                "Two stages: candidate retrieval with embeddings, then a learned ranker on user and item features.",
                0.5,
                "How would you keep ranking fast over millions of items?",
            ),
            (
                "Labels from clicks and purchases with position bias corrected, split by time.",
                0.5,
                "Where do the labels come from and what is biased about them?",
            ),
        ),
    },
    {
        "id": "serving",
        "title": "Serving and monitoring",
        "prompt": "How would you serve it and know when it breaks?",
        "weight": 1.0,
        "key_points": _points(
            (
                "Precompute item embeddings, approximate nearest neighbour index, cache features for low latency.",
                0.5,
                "What would you precompute to meet the latency budget?",
            ),
            (
                "Monitor feature drift, click-through by segment, and roll out behind a canary with rollback.",
                0.5,
                "How would you notice and undo a bad model?",
            ),
        ),
    },
]

DESIGN = {
    "id": "mle-system_design-01",
    "loop": "mle",
    "stage": "system_design",
    "kind": "case",
    "levels": ["mid", "senior"],
    "difficulty": 2,
    "question": "Design the product ranking system for an online shop with two million items.",
    "phases": PHASES_DESIGN,
    "scenario": "ecommerce-ranking",
    "by_level": _by_level(
        "ranking system design",
        {
            "mid": "First I would clarify the objective, engagement versus purchases, and the latency budget for "
            "ranking. I would measure offline NDCG or recall at k and online click-through and conversion in an A/B "
            "test. I would build two stages: candidate retrieval with embeddings, then a learned ranker on user and "
            "item features, with labels from clicks and purchases, position bias corrected, split by time. To serve "
            "it I would precompute item embeddings in an approximate nearest neighbour index and cache features "
            "for low latency, monitor feature drift and click-through by segment, and roll out behind a canary "
            "with rollback.",
            "senior": "First I would clarify the objective, engagement versus purchases and margin, and the "
            "latency budget for ranking. I would measure offline NDCG or recall at k and online click-through and "
            "conversion in an A/B test with guardrail metrics. I would build two stages: candidate retrieval with "
            "embeddings, then a learned ranker on user and item features, with labels from clicks and purchases, "
            "position bias corrected, split by time. To serve it I would precompute item embeddings in an "
            "approximate nearest neighbour index and cache features for low latency, monitor feature drift and "
            "click-through by segment, and roll out behind a canary with rollback, trading freshness of the "
            "index against cost.",
        },
    ),
}

MLE_BEHAVIORAL = {
    "id": "mle-behavioral-01",
    "loop": "mle",
    "stage": "behavioral",
    "kind": "behavioral",
    "signal": "conflict",
    "levels": ["junior", "mid", "senior"],
    "difficulty": 2,
    "question": "Tell me about a time you disagreed with a teammate about a technical decision. What happened?",
    "key_points": _points(
        ("Explains the teammate's reasons for the other option fairly.", 0.3, "What was your teammate's reasoning?"),
        (
            "Settled the disagreement with evidence: built an experiment and wrote a comparison.",
            0.4,
            "How did the two of you decide?",
        ),
        (
            "Kept working well together and both committed to the decision.",
            0.3,
            "How did you work together afterwards?",
        ),
    ),
    "by_level": _by_level(
        "conflict",
        {
            "junior": "At my last job our team was building a fraud feature pipeline, and my task was the "
            "aggregation job. A teammate wanted to compute features in a nightly batch; I thought they had to be "
            "streamed. His reasons were fair: batch was simpler to test. I proposed a small experiment, I built "
            "both versions on one week of data and I wrote a one-page comparison. The result: streaming caught "
            "30% more fraud within the first hour, so we both committed to the decision and he reviewed my code. "
            "We kept working well together. I learned to settle disagreements with evidence instead of opinions.",
            "mid": "At my last company our team was building a fraud feature pipeline, and I was responsible for "
            "the aggregation job. A teammate wanted a nightly batch; I thought the features had to be streamed. "
            "His reasons were fair: batch was simpler to test and cheaper. I proposed an experiment, I built both "
            "versions on one week of data and I wrote a comparison of catch rate, cost and on-call load. The "
            "result: streaming caught 30% more fraud within the first hour at 20% more cost, so we both "
            "committed to the decision, kept working well together, and he owned its test plan. Looking back, I "
            "would write the comparison before arguing.",
            "senior": "At my last company our team was building a fraud feature pipeline, and I was responsible "
            "for its design. A senior teammate wanted a nightly batch; I thought the features had to be streamed. "
            "His reasons were fair: batch was simpler to test and cheaper to run. I proposed that we decide with "
            "evidence: I built both versions on one week of data and I wrote a comparison of catch rate, cost and "
            "on-call load, and I asked him to set the success bar. The result: streaming caught 30% more fraud "
            "within the first hour at 20% more cost, so we both committed to the decision and kept working "
            "well together; he owned its test plan. Looking back, I learned to agree on the decision criteria "
            "before debating the options.",
        },
    ),
}

LLM_INTERNALS = {
    "id": "llm-llm_internals-01",
    "loop": "llm",
    "stage": "llm_internals",
    "kind": "numeric",
    "levels": ["mid", "senior"],
    "difficulty": 2,
    "question": "A model has 32 layers, 8 key-value heads of dimension 128, and keeps its KV cache in FP16. "
    "How much GPU memory does the KV cache take for a batch of 16 sequences of 8,192 tokens?",
    "answer": 17.2,
    "unit": "GB",
    "tolerance": 1.5,
    "key_points": _points(
        (
            "Per token the cache holds keys and values: 2 x layers x KV heads x head dimension values.",
            0.35,
            "What does the cache store for each token?",
        ),
        (
            "At 2 bytes per FP16 value that is 2 x 32 x 8 x 128 x 2 = 131,072 bytes, 128 KiB per token.",
            0.35,
            "How many bytes is that per token?",
        ),
        (
            "16 x 8,192 = 131,072 tokens, so 131,072 x 131,072 bytes, about 17.2 GB (16 GiB).",
            0.3,
            "How many tokens are cached in total?",
        ),
    ),
    "scenario": "serving",
    "by_level": _by_level(
        "KV cache memory",
        {
            "mid": "Per token the cache holds keys and values: 2 x layers x KV heads x head dimension values. At 2 "
            "bytes per FP16 value that is 2 x 32 x 8 x 128 x 2 = 131,072 bytes, 128 KiB per token. The batch has "
            "16 x 8,192 = 131,072 tokens, so the cache is 131,072 x 131,072 bytes, about 17.2 GB.",
            "senior": "Per token the cache holds keys and values: 2 x layers x KV heads x head dimension values. "
            "At 2 bytes per FP16 value that is 2 x 32 x 8 x 128 x 2 = 131,072 bytes, 128 KiB per token; grouped "
            "query attention with 8 KV heads is what keeps it that small. The batch has 16 x 8,192 = 131,072 "
            "tokens, so the cache is 131,072 x 131,072 bytes, about 17.2 GB, which is why paged attention and an "
            "FP8 KV cache matter for serving.",
        },
    ),
}

PROMPTING = {
    "id": "llm-prompting-01",
    "loop": "llm",
    "stage": "prompting",
    "kind": "open",
    "levels": ["junior", "mid", "senior"],
    "difficulty": 1,
    "question": "How would you get a model to return valid JSON that your code can parse every time?",
    "key_points": _points(
        (
            "Use the provider's structured output or JSON schema mode rather than asking nicely in the prompt.",
            0.4,
            "What does the API offer beyond the prompt?",
        ),
        (
            "Validate the reply against a schema, for example with pydantic, and retry with the error on failure.",
            0.35,
            "What happens when the reply does not parse?",
        ),
        (
            "Give one example of the exact format and keep the schema small.",
            0.25,
            "What would you put in the prompt itself?",
        ),
    ),
    "by_level": _by_level(
        "structured output",
        {
            "junior": "I would use the provider's structured output or JSON schema mode rather than only asking "
            "in the prompt. I would validate every reply against a schema, for example with pydantic, and retry "
            "with the validation error when it fails. In the prompt I would give one example of the exact format "
            "and keep the schema small.",
            "mid": "I would use the provider's structured output or JSON schema mode rather than only asking in "
            "the prompt, since constrained decoding guarantees the syntax. I would still validate every reply "
            "against a schema with pydantic, because valid JSON can break business rules, and retry with the "
            "validation error on failure. In the prompt I would give one example of the exact format and keep "
            "the schema small and flat.",
            "senior": "I would use the provider's structured output or JSON schema mode rather than only asking "
            "in the prompt: constrained decoding guarantees the syntax, not the meaning. I would validate every "
            "reply against a schema with pydantic and retry with the validation error, capped and logged so the "
            "failure rate is a metric. In the prompt I would give one example of the exact format and keep the "
            "schema small, and I would track parse failures per model version in the eval suite.",
        },
    ),
}

PHASES_DIVE = [
    {
        "id": "overview",
        "title": "The system",
        "prompt": "Walk me through an LLM system you shipped: what did it do and for whom?",
        "weight": 1.0,
        "key_points": _points(
            (
                "Names the support agents it served and the LLM parts: retrieval over articles, the model, its tools.",
                0.5,
                "Who used it, and what were its parts?",
            ),
            (
                "States how many agents used it and the limits on the model: seconds per answer and dollars "
                "per request.",
                0.5,
                "How much traffic, and under which latency and cost limits?",
            ),
        ),
    },
    {
        "id": "evaluation",
        "title": "Evaluation",
        "prompt": "How did you know it worked before and after launch?",
        "weight": 1.0,
        "key_points": _points(
            (
                "An offline eval set built from real queries with graded answers and a regression suite.",
                0.5,
                "What did you test it on before launch?",
            ),
            (
                "Online signals after launch: user feedback, escalation rate, sampled human review.",
                0.5,
                "What did you watch once it was live?",
            ),
        ),
    },
    {
        "id": "failures",
        "title": "Failures and trade-offs",
        "prompt": "What broke, and what would you do differently?",
        "weight": 1.0,
        "key_points": _points(
            (
                "A concrete failure of the assistant's answers, its root cause and the fix.",
                0.5,
                "What was the worst failure?",
            ),
            (
                "A trade-off between a smaller, faster model and answer quality on long questions.",
                0.5,
                "What did you give up to ship it?",
            ),
        ),
    },
]

DEEP_DIVE = {
    "id": "llm-deep_dive-01",
    "loop": "llm",
    "stage": "deep_dive",
    "kind": "case",
    "levels": ["junior", "mid", "senior"],
    "difficulty": 2,
    "question": "Let's do a deep dive on a system you built with a language model.",
    "phases": PHASES_DIVE,
    "by_level": _by_level(
        "LLM project deep dive",
        {
            "junior": "I built an internal search assistant for our support agents: retrieval over the help centre, "
            "a hosted model, and one tool to open tickets. It served about 200 agents with a two second latency "
            "budget and a cost limit per request. Before launch we tested it on an offline eval set of real "
            "queries with graded answers and a regression suite; after launch we watched user feedback, the "
            "escalation rate and sampled human review. The worst failure was stale articles; the root cause was a "
            "missing re-index job and the fix was a nightly re-index. The trade-off was a smaller model for "
            "latency, which cost some answer quality.",
            "mid": "I built an assistant for support agents: retrieval over the help centre, a hosted model and a "
            "ticket tool, used by 200 agents with a two second latency budget and a cost limit per request. "
            "Before launch we tested on an offline eval set of 300 real queries with graded answers and a "
            "regression suite in CI; after launch we watched user feedback, the escalation rate and weekly sampled "
            "human review. The worst failure was stale answers: the root cause was a missing re-index job, fixed "
            "with incremental re-indexing. The trade-off was a smaller model for latency, which cost some quality "
            "on long questions.",
            "senior": "I led an assistant for support agents: retrieval over the help centre, a hosted model and "
            "a ticket tool, serving 200 agents at peak with a two second latency budget and a cost limit per "
            "request. Before launch we tested on an offline eval set of 300 real queries with graded answers and "
            "a regression suite gating every prompt change; after launch we watched user feedback, the escalation "
            "rate and weekly sampled human review calibrated against our graders. The worst failure was stale "
            "answers after a policy change: the root cause was a missing re-index job, fixed with incremental "
            "re-indexing and a freshness alert. The trade-off was a smaller model for latency, which cost quality "
            "on long questions, so we routed those to a larger one.",
        },
    ),
}

LLM_BEHAVIORAL = {
    "id": "llm-behavioral-01",
    "loop": "llm",
    "stage": "behavioral",
    "kind": "behavioral",
    "signal": "ownership",
    "levels": ["junior", "mid", "senior"],
    "difficulty": 2,
    "question": "Tell me about a time you took ownership of a problem nobody was assigned to.",
    "key_points": _points(
        (
            "Noticed a problem nobody was assigned to and took it on, although the task was elsewhere.",
            0.3,
            "Why did you pick it up when it was not yours?",
        ),
        (
            "Found the root cause and fixed it, agreeing the approach with the people who owned the code.",
            0.4,
            "Who else did you bring in, and how?",
        ),
        (
            "Made the fix stick with a check, a note or an owner so the problem does not come back.",
            0.3,
            "How did you stop it from coming back?",
        ),
    ),
    "by_level": _by_level(
        "ownership",
        {
            "junior": "At my first job our team had an eval suite that failed randomly, and nobody was assigned to "
            "it. My task was a different feature, but the flaky suite blocked everyone. Nobody was assigned to it, "
            "so I took it on: I ran it "
            "twenty times, I found the root cause, two tests that depended on a live model, and I fixed them with "
            "recorded replies, agreeing the approach with the people who owned the code. The result: failures "
            "dropped from 15% of runs to zero, and I wrote a note and added a check so the problem does not come "
            "back. I learned that owning small shared problems earns trust.",
            "mid": "At my last company our team's eval suite failed in about 15% of CI runs, and nobody was "
            "assigned to it. My task was a different feature, but it blocked every merge. Nobody was assigned, so I "
            "took it on: I ran it fifty times, I found the root cause, three tests calling a live model, and I "
            "fixed them with recorded replies after agreeing the approach with the people who owned the code. The "
            "result: flaky failures dropped from 15% to zero and merge time fell by a day. I added a lint check "
            "so the problem does not come back. Looking back, I would "
            "have raised it in planning sooner.",
            "senior": "At my last company the eval suite of three teams failed in about 15% of CI runs, and nobody "
            "owned it. My task was elsewhere, but it blocked every merge. Nobody was assigned, so I took it on: I "
            "ran it fifty times, I found the root cause, three tests calling a live model, and I fixed them with "
            "recorded replies, agreeing the approach with the people who owned the code and their leads. The "
            "result: flaky failures dropped from 15% to zero and median merge time fell by a day. I added a lint "
            "check and an owner for the suite so the problem does not come back. Looking back, "
            "I learned to make ownership explicit in planning instead of heroics.",
        },
    ),
}

QUESTIONS = {
    ("mle", "fundamentals"): FUNDAMENTALS,
    ("mle", "stats"): [STATS],
    ("mle", "system_design"): [DESIGN],
    ("mle", "behavioral"): [MLE_BEHAVIORAL],
    ("llm", "llm_internals"): [LLM_INTERNALS],
    ("llm", "prompting"): [PROMPTING],
    ("llm", "deep_dive"): [DEEP_DIVE],
    ("llm", "behavioral"): [LLM_BEHAVIORAL],
}


def write_fixture_bank(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "question_bank" / "loops.yaml", root / "loops.yaml")
    shutil.copy(REPO / "question_bank" / "claim_rules.yaml", root / "claim_rules.yaml")
    for (loop, stage), questions in QUESTIONS.items():
        (root / loop).mkdir(exist_ok=True)
        text = yaml.safe_dump({"questions": questions}, sort_keys=False, allow_unicode=True, width=110)
        (root / loop / f"{stage}.yaml").write_text(text, encoding="utf-8")
    return root
