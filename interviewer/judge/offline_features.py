"""Text preparation, guards and token-level similarity for the offline answer scorer.

Everything here is deterministic and CPU-only. The similarity features are BERTScore-like: every
reference (or key-point) token is matched to its most similar answer token in the contextual
embedding space of the sentence model, weighted by an IDF proxy and with words that already appear
in the question demoted (Mohler answers, and interview answers, often restate the question).
"""

from __future__ import annotations

import contextlib
import copy
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from interviewer.text.rules import split_sentences, stop_words, strip_markup

_TRAILING = re.compile(r"(?:[\s.!?;:,\-–—*•]|\b(?:and|but|so|also|then|please|now|or)\b)+$", re.I)
_LEADING = re.compile(r"^[\s\-*•]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ALPHA_WORD = re.compile(r"[A-Za-z]+")
FILLER_RE = re.compile(
    r"\b(um+|uh+|erm|you know|i mean|kind of|sort of|basically|actually|literally|like i said|"
    r"as i said|blah|etc)\b",
    re.I,
)
NON_ANSWER_RE = re.compile(
    r"^\W*(no answer|not answered|(i )?(do not|don'?t) know|idk|no idea|pass|skip|n/?a|none|nothing|"
    r"(i'?m )?not sure|no clue)\W*$",
    re.I,
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "ed", "ly", "s")
HIT_SLOPE = 15.0
SPECIAL_PIECES = {"[CLS]", "[SEP]", "[PAD]", "<s>", "</s>", "<pad>"}


def clean_text(text: str | None) -> str:
    """Unescape HTML, drop tags and scripts, normalise whitespace (keeps line breaks as span cuts)."""
    text = strip_markup(str(text or ""))
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def normalise_span(span: str) -> str:
    """Trim bullets, trailing punctuation and dangling connectives so spans compare canonically."""
    return _TRAILING.sub("", _LEADING.sub("", span)).strip()


def split_spans(text: str) -> list[str]:
    """Sentence-like spans: cut at . ! ? ; line breaks and bullets."""
    spans = (normalise_span(s) for s in split_sentences(text, ends=".!?;", bullets=True))
    return [s for s in spans if re.search(r"\w", s)]


def join_spans(spans: list[str]) -> str:
    """The canonical text the model sees: identical spans always give identical text."""
    return " ".join(f"{s}." for s in spans)


def stem(word: str) -> str:
    """A crude suffix stripper, part of the fitted scorer's features (see offline_judge_params.json).

    Not `interviewer.text.rules.stem`: with Snowball the judge eval moved (gold dev QWK 0.871 -> 0.866, terse_correct
    pass 0.88 -> 0.62, gold test judge_design pass 0.67 -> 0.33): "queries" -> "query" is a vocabulary word for
    `plausible_word`, "queri" is not, and Snowball keeps acronym plurals ("gpus"). Switch only with a refit."""
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)] + ("y" if suf == "ies" else "")
    return word


def content_stems(text: str) -> list[str]:
    stop = stop_words()
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in stop]


def is_gibberish(text: str, word_ok: Callable[[str], bool], known: set[str]) -> bool:
    """Keyboard mash or non-words: most Latin-script words are neither plausible words (see
    `TokenEncoder.plausible_word`) nor in the question/reference. Other scripts are left to the
    similarity checks."""
    words = [w.lower() for w in _ALPHA_WORD.findall(text)]
    if not words:
        return not re.search(r"[^\W\d_]", text) and not re.search(r"\d", text)

    def real(w: str) -> bool:
        return len(w) <= 2 or w in known or stem(w) in known or word_ok(w)

    share = sum(real(w) for w in words) / len(words)
    return share < 0.5 or (len(words) >= 4 and len(set(words)) == 1)


def filler_share(text: str) -> float:
    words = _WORD.findall(text.lower())
    return len(FILLER_RE.findall(text)) / max(1, len(words))


def dedupe_spans(spans: list[str], threshold: float = 0.85) -> tuple[list[str], int]:
    """Drop spans whose content words repeat an earlier span (Jaccard >= threshold)."""
    kept: list[str] = []
    seen: list[set[str]] = []
    for span in spans:
        words = set(content_stems(span)) or {span.lower()}
        if any(len(words & s) / len(words | s) >= threshold for s in seen):
            continue
        kept.append(span)
        seen.append(words)
    return kept, len(spans) - len(kept)


@dataclass
class Encoded:
    """One text through the sentence model: pooled vector, unit-norm token vectors, word pieces."""

    vec: np.ndarray
    toks: np.ndarray
    pieces: list[str]


class TokenEncoder:
    """Encodes texts once (deduplicated, one batch) and keeps token-level outputs.

    Uses the sentence-transformers model inside `Embedder` for token embeddings; any other
    embedder (only `.encode`) still works, with one pseudo-token per text.
    """

    CACHE_SIZE = 4096  # questions, references and key points recur every turn: encode them once

    _LAZY = frozenset({"model", "_tokenizer", "vocab", "whole_words", "_the", "_lock"})

    def __init__(self, embedder: object) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, Encoded] = OrderedDict()  # least recently used first
        self._cache_lock = threading.Lock()
        self._tok_lock = threading.Lock()
        self._setup_lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        """The model's side is read on first use: the embedder may still be loading in the background."""
        if name not in TokenEncoder._LAZY:
            raise AttributeError(name)
        with self.__dict__["_setup_lock"]:
            if "vocab" not in self.__dict__:
                self._setup()
        return self.__dict__[name]

    def _setup(self) -> None:
        embedder = self.embedder
        self.model = getattr(embedder, "_model", None)
        tok = getattr(self.model, "tokenizer", None)
        # Thread safety (one scorer serves every session of the app): the model's tokenizer is mutable (each call
        # sets its padding and truncation), and the model reconfigures it inside `encode`, so token counting here
        # uses a private copy under its own lock and never touches the model's while another thread encodes.
        self._tokenizer = copy.deepcopy(tok) if tok is not None else None
        self._lock = getattr(embedder, "_lock", None)  # the embedder's: one model inference at a time
        vocab: dict[str, int] = dict(tok.get_vocab()) if tok is not None else {}
        self._the = vocab.get("the", 0)
        self.whole_words = {w for w in vocab if w.isalpha()}
        self.vocab = vocab  # last: its presence marks the setup done

    @property
    def token_level(self) -> bool:
        """True for a sentence-transformers model (token embeddings); False for a plain `.encode` embedder."""
        return self.model is not None and hasattr(self.model, "tokenizer")

    def encode(self, texts: list[str]) -> dict[str, Encoded]:
        """Each distinct text's encoding: from the LRU cache, or encoded now (outside the cache's lock)."""
        wanted = set(texts)
        with self._cache_lock:
            hits = {t: self._cache[t] for t in wanted if t in self._cache}
            for text in hits:
                self._cache.move_to_end(text)
        fresh = self._encode(sorted(wanted - hits.keys()))
        with self._cache_lock:
            for text, enc in fresh.items():
                self._cache[text] = enc
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return {**hits, **fresh}

    def _pieces(self, ids: list[int]) -> list[str]:
        with self._tok_lock:
            return self._tokenizer.convert_ids_to_tokens(ids)

    def _encode(self, uniq: list[str]) -> dict[str, Encoded]:
        if not uniq:
            return {}
        if not self.token_level:
            vecs = np.asarray(self.embedder.encode(uniq), dtype=np.float32)
            return {t: Encoded(v, v[None, :], ["[TEXT]"]) for t, v in zip(uniq, vecs, strict=True)}
        with self._lock or contextlib.nullcontext():
            outs = self.model.encode(uniq, batch_size=64, output_value=None, show_progress_bar=False)
        result = {}
        for text, out in zip(uniq, outs, strict=True):
            vec = out["sentence_embedding"].float().numpy()
            # Only the text's own tokens: a batch pads every text to its longest one, and a padding position's
            # vector would otherwise count as a token, making a verdict depend on which texts (possibly another
            # candidate's answer) were encoded in the same batch or cached from one.
            n = int(out["attention_mask"].sum())
            toks = out["token_embeddings"][:n].float().numpy()
            toks = toks / np.linalg.norm(toks, axis=1, keepdims=True).clip(1e-9)
            pieces = self._pieces(out["input_ids"][:n].tolist())
            result[text] = Encoded(vec / max(float(np.linalg.norm(vec)), 1e-9), toks, pieces)
        return result

    def plausible_word(self, word: str) -> bool:
        """In the vocabulary, or split into WordPieces of >= 2.2 letters on average, with a vowel and
        no long consonant run: keyboard mash ('asdfghjkl' -> as ##df ##gh ##jk ##l) shatters."""
        word = word.lower()
        if word in self.whole_words or stem(word) in self.whole_words:
            return True
        if not re.search(r"[aeiouy]", word) or re.search(r"[^aeiouy]{5,}", word):
            return False
        if self._tokenizer is None:
            return True
        with self._tok_lock:
            pieces = self._tokenizer.tokenize(word)
        glued = len(pieces[0]) >= 3 and 2 * len(pieces[0]) >= len(word)  # 'logn', 'pushinsert'
        return glued or len(word) / len(pieces) >= 2.2

    def idf(self, word: str, n_pieces: int) -> float:
        """IDF proxy: WordPiece vocabularies are roughly frequency-ordered after the specials,
        so a whole word's rank stands in for its corpus frequency; split words are rare."""
        if word.isdigit():
            return 0.5
        if n_pieces > 1 or word not in self.vocab or not self._the:
            return 1.0
        rank = max(self.vocab[word] - self._the + 6, 1)
        return float(np.clip(np.log(rank) / np.log(20000), 0.0, 1.0))

    def weights(self, enc: Encoded, question_stems: set[str], demotion: float) -> np.ndarray:
        """Per-token weights: IDF proxy, question words x `demotion`, 0 for specials/punctuation."""
        w = np.zeros(len(enc.pieces))
        if enc.pieces == ["[TEXT]"]:
            return np.ones(1)
        for word, idx in word_groups(enc.pieces):
            if not re.search(r"[a-z0-9]", word):
                continue
            v = self.idf(word, len(idx))
            if word not in stop_words() and stem(word) in question_stems:
                v *= demotion
            w[idx] = v / len(idx)
        return w

    def n_tokens(self, span: str) -> int:
        if self._tokenizer is None:
            return 1
        with self._tok_lock:
            return len(self._tokenizer(f"{span}.", add_special_tokens=False)["input_ids"])

    def chunk_spans(self, spans: list[str], limit: int = 200) -> list[list[str]]:
        """Group consecutive spans into chunks under the model's length limit, so nothing in a long
        answer is truncated away (each chunk is encoded separately, then `merge`d)."""
        chunks: list[list[str]] = [[]]
        used = 0
        for span in spans:
            n = self.n_tokens(span)
            if chunks[-1] and used + n > limit:
                chunks.append([])
                used = 0
            chunks[-1].append(span)
            used += n
        return [c for c in chunks if c]

    @staticmethod
    def merge(parts: list[Encoded]) -> Encoded:
        """One Encoded from chunk encodings: inner tokens concatenated between the outer specials."""
        if len(parts) == 1:
            return parts[0]
        inner = [p.toks[slice(*inner_range(p))] for p in parts]
        pieces = [pc for p in parts for pc in p.pieces[slice(*inner_range(p))]]
        vec = sum(len(i) * p.vec for i, p in zip(inner, parts, strict=True))
        toks = np.vstack([parts[0].toks[:1], *inner, parts[-1].toks[-1:]])
        return Encoded(vec / max(float(np.linalg.norm(vec)), 1e-9), toks, ["[CLS]", *pieces, "[SEP]"])

    def span_ranges(self, spans: list[str], n_tokens: int) -> list[tuple[int, int]]:
        """Token index ranges of each span inside the encoding of `join_spans(spans)`."""
        if self.model is None or not hasattr(self.model, "tokenizer"):
            return [(0, n_tokens)] * len(spans)
        ranges, pos = [], 1  # after [CLS]
        for span in spans:
            n = self.n_tokens(span)
            ranges.append((min(pos, n_tokens - 1), min(pos + n, n_tokens - 1)))
            pos += n
        return ranges


def word_groups(pieces: list[str]) -> list[tuple[str, list[int]]]:
    """Merge WordPiece continuations (##x) into words, skipping special tokens."""
    groups: list[tuple[str, list[int]]] = []
    for i, p in enumerate(pieces):
        if p in SPECIAL_PIECES:
            continue
        if p.startswith("##") and groups:
            groups[-1] = (groups[-1][0] + p[2:], [*groups[-1][1], i])
        else:
            groups.append((p, [i]))
    return groups


def recall(
    src: Encoded, w_src: np.ndarray, tgt: Encoded, tgt_range: tuple[int, int] | None = None, hit_at: float | None = None
) -> float:
    """Weighted mean over `src` tokens of their best cosine to any `tgt` token (in `tgt_range`).

    With `hit_at`, each best cosine first goes through a steep logistic centred there, so only
    strong (near-lexical) matches count: a "hit rate" that does not credit vaguely related wording.
    """
    if tgt_range is None:
        tgt_range = inner_range(tgt)
    toks = tgt.toks[tgt_range[0] : tgt_range[1]]
    if not len(toks) or w_src.sum() <= 0:
        return 0.0
    best = (src.toks @ toks.T).max(axis=1)
    if hit_at is not None:
        best = 1.0 / (1.0 + np.exp(-HIT_SLOPE * (best - hit_at)))
    return float(best @ w_src / w_src.sum())


def inner_range(enc: Encoded) -> tuple[int, int]:
    """Token range without the leading/trailing special tokens."""
    lo = 1 if enc.pieces and enc.pieces[0] in SPECIAL_PIECES else 0
    hi = len(enc.pieces) - (1 if len(enc.pieces) > lo and enc.pieces[-1] in SPECIAL_PIECES else 0)
    return lo, max(hi, lo)
