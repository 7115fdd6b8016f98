"""Suggest codes for answers: a semi-supervised, multi-label scikit-learn estimator.

:class:`CodeSuggester` learns from three sources at once:

* the **codebook**: each code's keywords label the corpus weakly (an answer whose lemmas or compound parts
  match a keyword), and its examples and counter-examples are labelled answers;
* **human-coded answers**, when there are any: accepted codes are positives, every other code a negative;
* the **uncoded rest** of the corpus, by self-training: after a first fit the confident predictions on
  uncoded answers become pseudo-labels for the next fit.

Two views of an answer keep the weak labels from teaching only themselves (co-training in spirit): the
keyword view (does a codebook keyword match, negated or not) and the lexical view (TF-IDF over lemmas and
lemma bigrams, compound parts, negation-marked lemmas, and character n-grams). A logistic regression per code
learns the lexical view from the weak and human labels; the confidence combines it with the keyword view in
logit space, with weights set on the development split of ``examples/coded`` (never its held-out part).

Each suggestion carries its evidence: the matched keywords, the terms that pushed the score most, and the
nearest codebook example.

>>> from coder.codebook import load
>>> suggester = CodeSuggester(load("codebooks/boligsosialt.yaml")).fit(["Mangler omsorgsboliger"])  # doctest: +SKIP
>>> suggester.suggest(["Mangler omsorgsboliger"], ids=["r1"])  # doctest: +SKIP
   id             code  confidence                         evidence
0  r1  adapted_housing        0.93  keyword: bolig; terms: omsorgsbolig
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from coder.codebook import Codebook
from coder.errors import CoderError
from coder.nlp import ProcessedAnswer, load_pipeline, preprocess

DEFAULT_THRESHOLD = 0.5
UNLABELED = -1
SUGGESTION_COLUMNS = ["id", "code", "confidence", "evidence"]


# --------------------------------------------------------------------------------------------------------
# Keyword view
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keyword:
    text: str
    terms: tuple[str, ...]  # one term per word; a term ending in "*" is a prefix

    def matches_term(self, position: int, candidates: Sequence[str]) -> bool:
        term = self.terms[position]
        if term.endswith("*"):
            stem = term[:-1]
            return any(candidate.startswith(stem) for candidate in candidates)
        return term in candidates


class KeywordMatcher:
    """Finds a codebook's keywords in preprocessed answers.

    A one-word keyword matches a token whose lower-cased text, lemma or any compound part equals it (or
    starts with it, for ``bolig*``); a multi-word keyword (``mangel på bolig``) matches consecutive tokens.

    >>> from coder.codebook import Code, Codebook
    >>> codebook = Codebook("t", "nb", "1", (Code("adapted_housing", "Boliger", keywords=("bolig",)),))
    >>> KeywordMatcher(codebook).matches(preprocess(["Mangler omsorgsboliger"])[0])  # doctest: +SKIP
    {'adapted_housing': [('bolig', True)]}
    """

    def __init__(self, codebook: Codebook) -> None:
        self.code_ids = codebook.code_ids
        self.keywords = {
            code.id: [_Keyword(k, tuple(k.lower().split())) for k in code.keywords if k.strip()]
            for code in codebook.codes
        }

    def matches(self, answer: ProcessedAnswer) -> dict[str, list[tuple[str, bool]]]:
        """Per code, the keywords found in ``answer`` and whether each stands in a negation scope."""
        tokens = [t for t in answer.tokens if t.is_alpha or "-" in t.text]
        candidates = [(t.text.lower(), *t.terms) for t in tokens]
        found: dict[str, list[tuple[str, bool]]] = {}
        for code_id, keywords in self.keywords.items():
            for keyword in keywords:
                width = len(keyword.terms)
                for start in range(len(tokens) - width + 1):
                    if all(keyword.matches_term(j, candidates[start + j]) for j in range(width)):
                        negated = any(t.negated for t in tokens[start : start + width])
                        found.setdefault(code_id, []).append((keyword.text, negated))
                        break
        return found

    def hit_matrix(self, answers: Sequence[ProcessedAnswer]) -> np.ndarray:
        """``(n_answers, n_codes)``: how many distinct keywords of each code an answer contains."""
        matrix = np.zeros((len(answers), len(self.code_ids)))
        for row, answer in enumerate(answers):
            for code_id, hits in self.matches(answer).items():
                matrix[row, self.code_ids.index(code_id)] = len(hits)
        return matrix


# --------------------------------------------------------------------------------------------------------
# Lexical view
# --------------------------------------------------------------------------------------------------------


def answer_terms(answer: ProcessedAnswer) -> list[str]:
    """The lexical features of an answer: content lemmas, compound parts, negation-marked lemmas, bigrams.

    >>> answer_terms(preprocess(["ingen boveiledning"])[0])  # doctest: +SKIP
    ['boveiledning', 'NEG_boveiledning', 'bo', 'veiledning']
    """
    terms: list[str] = []
    content = [t for t in answer.tokens if t.is_alpha and not t.is_stop and len(t.lemma) > 1]
    for token in content:
        terms.append(token.lemma)
        terms.extend(token.parts)
        if token.negated:
            terms.append(f"NEG_{token.lemma}")
    terms.extend(f"{a.lemma} {b.lemma}" for a, b in zip(content, content[1:], strict=False))
    return terms


def _identity(terms: list[str]) -> list[str]:
    return terms


def _lexical_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    lemmas = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, lowercase=True)
    return lemmas, chars


# --------------------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------------------


class CodeSuggester(BaseEstimator):
    """Multi-label, semi-supervised code suggester for one codebook.

    Parameters are stored untouched; learned state ends in ``_``.

    Parameters
    ----------
    codebook : Codebook
        The codes, their keywords, examples and counter-examples.
    threshold : float
        Confidence at or above which :meth:`predict` and :meth:`suggest` assign a code.
    keyword_weight : float
        Logit added when a code's keyword matches (the keyword view's vote).
    lexical_weight : float
        Scale of the lexical classifier's logit in the combined confidence.
    weak_weight : float
        Sample weight of keyword-labelled (weak) corpus answers relative to codebook examples.
    human_weight : float
        Sample weight of human-coded answers.
    self_training_rounds : int
        Rounds of pseudo-labelling the uncoded answers with confident predictions.
    C : float
        Inverse regularisation strength of the per-code logistic regressions.
    random_state : int
        Seed; the same inputs and seed give the same suggestions.
    spacy_model : str or None
        Pipeline for :func:`coder.nlp.load_pipeline`.
    """

    def __init__(
        self,
        codebook: Codebook,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        keyword_weight: float = 2.5,
        lexical_weight: float = 1.0,
        bias: float = -1.5,
        weak_weight: float = 0.3,
        human_weight: float = 3.0,
        self_training_rounds: int = 2,
        C: float = 4.0,
        random_state: int = 0,
        spacy_model: str | None = None,
    ) -> None:
        self.codebook = codebook
        self.threshold = threshold
        self.keyword_weight = keyword_weight
        self.lexical_weight = lexical_weight
        self.bias = bias
        self.weak_weight = weak_weight
        self.human_weight = human_weight
        self.self_training_rounds = self_training_rounds
        self.C = C
        self.random_state = random_state
        self.spacy_model = spacy_model

    # -- helpers ------------------------------------------------------------------------------------

    def _process(self, texts: Sequence[str]) -> list[ProcessedAnswer]:
        return preprocess(list(texts), load_pipeline(self.spacy_model))

    def _lexical(self, answers: Sequence[ProcessedAnswer]) -> sparse.csr_matrix:
        terms = [answer_terms(a) for a in answers]
        texts = [a.normalized.lower() for a in answers]
        return sparse.hstack(
            [self.lemma_vectorizer_.transform(terms), 0.5 * self.char_vectorizer_.transform(texts)]
        ).tocsr()

    # -- scikit-learn API ---------------------------------------------------------------------------

    def fit(self, X: Sequence[str], y: np.ndarray | None = None) -> CodeSuggester:
        """Learn from the codebook, the labelled rows of ``y`` and all of ``X``.

        ``X`` is every answer of the corpus (coded and uncoded). ``y`` has shape ``(len(X), n_codes)`` in
        codebook order, with 1 (carries the code), 0 (does not) and -1 (not coded); ``None`` means no
        answer is coded.
        """
        codes = self.codebook.codes
        self.classes_ = np.array(self.codebook.code_ids)
        n_codes = len(codes)
        y = np.full((len(X), n_codes), UNLABELED) if y is None else np.asarray(y)
        if y.shape != (len(X), n_codes):
            raise ValueError(f"y has shape {y.shape}, expected {(len(X), n_codes)}")
        self.matcher_ = KeywordMatcher(self.codebook)

        examples = [(text, index, 1) for index, code in enumerate(codes) for text in code.examples]
        examples += [(text, index, 0) for index, code in enumerate(codes) for text in code.counter_examples]
        example_answers = self._process([text for text, _, _ in examples])
        corpus = self._process(X)
        every = [*example_answers, *corpus]

        self.lemma_vectorizer_, self.char_vectorizer_ = _lexical_vectorizers()
        self.lemma_vectorizer_.fit([answer_terms(a) for a in every])
        self.char_vectorizer_.fit([a.normalized.lower() for a in every])
        features = self._lexical(every)
        hits = self.matcher_.hit_matrix(every) > 0

        n_examples = len(example_answers)
        # Labels and weights per code: examples strong, keyword-labelled corpus weak, human labels strongest.
        labels = hits.astype(int)
        weights = np.full(labels.shape, self.weak_weight)
        weights[:n_examples] = 0.5 * self.weak_weight  # an example of one code says little about the others
        for row, (_, index, value) in enumerate(examples):
            labels[row, index] = value
            weights[row, index] = 1.0
        human = y != UNLABELED
        labels[n_examples:][human] = y[human]
        weights[n_examples:][human] = self.human_weight
        # A human-coded answer is coded for every code: rows with any label are complete.

        self.models_ = []
        for index in range(n_codes):
            self.models_.append(self._fit_code(features, labels[:, index], weights[:, index]))
        for _ in range(self.self_training_rounds):
            proba = self._combine(features[n_examples:], hits[n_examples:])
            uncoded = ~human.any(axis=1)
            for index in range(n_codes):
                column = labels[n_examples:, index]
                sure = uncoded & ((proba[:, index] >= 0.8) | (proba[:, index] <= 0.1))
                column[sure] = (proba[sure, index] >= 0.8).astype(int)
                labels[n_examples:, index] = column
                self.models_[index] = self._fit_code(features, labels[:, index], weights[:, index])

        # Nearest-example evidence: the lemma TF-IDF of the codebook's examples.
        self.example_texts_ = [text for text, _, value in examples if value == 1]
        self.example_codes_ = np.array([index for _, index, value in examples if value == 1])
        self.example_vectors_ = self.lemma_vectorizer_.transform(
            [answer_terms(a) for a, (_, _, value) in zip(example_answers, examples, strict=True) if value == 1]
        )
        return self

    def _fit_code(self, features: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray):
        if labels.min() == labels.max():  # one class only: a constant model
            return float(labels[0])
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state)
        model.fit(features, labels, sample_weight=weights)
        return model

    def _lexical_logits(self, features: sparse.csr_matrix) -> np.ndarray:
        columns = []
        for model in self.models_:
            if isinstance(model, float):
                columns.append(np.full(features.shape[0], 10.0 if model else -10.0))
            else:
                columns.append(model.decision_function(features))
        return np.column_stack(columns)

    def _combine(self, features: sparse.csr_matrix, hits: np.ndarray) -> np.ndarray:
        logits = self.lexical_weight * self._lexical_logits(features) + self.keyword_weight * hits + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Confidence per answer and code, shape ``(len(X), n_codes)`` in codebook order."""
        answers = self._process(X)
        return self._combine(self._lexical(answers), self.matcher_.hit_matrix(answers) > 0)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """0/1 per answer and code at :attr:`threshold`."""
        return (self.predict_proba(X) >= self.threshold).astype(int)

    # -- suggestions with evidence -------------------------------------------------------------------

    def suggest(self, X: Sequence[str], ids: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per suggested code at or above the threshold: ``id, code, confidence, evidence``."""
        ids = [str(i) for i in range(len(X))] if ids is None else list(ids)
        answers = self._process(X)
        features = self._lexical(answers)
        proba = self._combine(features, self.matcher_.hit_matrix(answers) > 0)
        rows = []
        for row, answer in enumerate(answers):
            for index in np.flatnonzero(proba[row] >= self.threshold):
                evidence = self._evidence(answer, features[row], index)
                rows.append((ids[row], self.classes_[index], round(float(proba[row, index]), 4), evidence))
        return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)

    def _evidence(self, answer: ProcessedAnswer, features: sparse.csr_matrix, index: int) -> str:
        code_id = self.classes_[index]
        parts = []
        keywords = [k for k, _ in self.matcher_.matches(answer).get(code_id, [])]
        if keywords:
            parts.append("keywords: " + ", ".join(keywords[:4]))
        model = self.models_[index]
        if not isinstance(model, float):
            n_lemma = len(self.lemma_vectorizer_.vocabulary_)
            row = features[:, :n_lemma].tocoo()
            contributions = sorted(
                ((model.coef_[0, j] * value, j) for j, value in zip(row.col, row.data, strict=True)),
                reverse=True,
            )
            names = self.lemma_vectorizer_.get_feature_names_out()
            terms = [names[j] for score, j in contributions[:3] if score > 0.05 and names[j] not in keywords]
            if terms:
                parts.append("terms: " + ", ".join(terms))
        similar = self._nearest_example(features, index)
        if similar:
            parts.append(f"like: «{similar}»")
        return "; ".join(parts)

    def _nearest_example(self, features: sparse.csr_matrix, index: int) -> str | None:
        mask = self.example_codes_ == index
        if not mask.any():
            return None
        n_lemma = len(self.lemma_vectorizer_.vocabulary_)
        similarity = (self.example_vectors_[mask] @ features[:, :n_lemma].T).toarray().ravel()
        best = int(np.argmax(similarity))
        if similarity[best] < 0.25:
            return None
        return np.array(self.example_texts_, dtype=object)[mask][best]


# --------------------------------------------------------------------------------------------------------
# The library function behind `coder suggest`
# --------------------------------------------------------------------------------------------------------


def label_matrix(ids: Sequence[str], labels: pd.DataFrame | None, codebook: Codebook) -> np.ndarray:
    """``y`` for :meth:`CodeSuggester.fit` from a long ``id, code`` table of human-coded answers.

    Every id in ``labels`` is fully coded (its listed codes 1, all others 0); ``code == ""`` means coded with
    no code; ids not in ``labels`` are uncoded (-1).
    """
    code_ids = codebook.code_ids
    y = np.full((len(ids), len(code_ids)), UNLABELED)
    if labels is None or labels.empty:
        return y
    position = {answer_id: row for row, answer_id in enumerate(ids)}
    for answer_id, code in zip(labels["id"].astype(str), labels["code"].fillna("").astype(str), strict=True):
        row = position[answer_id]
        y[row][y[row] == UNLABELED] = 0
        if code.strip():
            y[row, code_ids.index(code.strip())] = 1
    return y


def check_labels(labels: pd.DataFrame, ids: Sequence[str], codebook: Codebook, file: str | None = None) -> None:
    """Raise a :class:`CoderError` for label rows whose id is not an answer or whose code is unknown."""
    known_ids, known_codes = set(ids), set(codebook.code_ids)
    for index, (answer_id, code) in enumerate(zip(labels["id"], labels["code"], strict=True)):
        row = index + 2
        if str(answer_id) not in known_ids:
            raise CoderError(f"id '{answer_id}' is not in the answers", file=file, row=row, column="id")
        if str(code).strip() and str(code).strip() not in known_codes:
            raise CoderError(f"code '{code}' is not in the codebook", file=file, row=row, column="code")


def suggest(
    answers: pd.DataFrame,
    codebook: Codebook,
    *,
    labels: pd.DataFrame | None = None,
    threshold: float | None = None,
    seed: int = 0,
    spacy_model: str | None = None,
) -> pd.DataFrame:
    """Suggest codes for every answer: ``id, code, confidence, evidence`` at or above ``threshold``.

    ``answers`` has columns ``id`` and ``text``; ``labels`` (optional) is the long ``id, code`` table of
    human-coded answers, learned from together with the codebook and all uncoded answers.
    """
    ids = answers["id"].astype(str).tolist()
    texts = answers["text"].fillna("").astype(str).tolist()
    if labels is not None:
        check_labels(labels, ids, codebook)
    suggester = CodeSuggester(
        codebook,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        random_state=seed,
        spacy_model=spacy_model,
    )
    suggester.fit(texts, label_matrix(ids, labels, codebook))
    return suggester.suggest(texts, ids)


