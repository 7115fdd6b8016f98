"""Suggest codes for answers: a semi-supervised, multi-label scikit-learn estimator.

:class:`CodeSuggester` learns from three sources at once:

* the **codebook**: each code's keywords label the corpus weakly (an answer whose lemmas or compound parts
  match a keyword), its examples and counter-examples are labelled answers, and its reference answers
  (answers coded in full with it before) are labelled for every code;
* **human-coded answers**, when there are any: accepted codes are positives, rejected codes negatives (and
  every other code of an answer coded in full, as in a codes file); a keyword whose code they rejected
  votes less (:func:`keyword_reliability`);
* the **uncoded rest** of the corpus, by self-training: after a first fit the confident predictions on
  uncoded answers become pseudo-labels for the next fit.

Two views of an answer keep the weak labels from teaching only themselves (co-training in spirit): the
keyword view (does a codebook keyword match, negated or not) and the lexical view (TF-IDF over lemmas and
lemma bigrams, compound parts, negation-marked lemmas, and character n-grams). A logistic regression per code
learns the lexical view from the reference, weak and human labels, and scores every corpus answer out of
fold. The confidence combines, in logit space, the keyword votes, the lexical logit, how many other codes'
keywords match (competition), and the similarity to the nearest human-coded answers with and without the
code. The default weights were fitted by logistic regression on development sets whose answers the
keywords had not been chosen from, each scored with the reference answers of the other sets (never the
held-out or independent test sets); they are refitted by Platt scaling on the human-coded answers, shrunk
towards the defaults when there are few.

Each suggestion carries its evidence: the matched keywords, the terms that pushed the score most, and the
nearest codebook example or reference answer.

>>> from coder.codebook import load
>>> answers = ["Mangler omsorgsboliger", "Kort vei til alle"]
>>> suggester = CodeSuggester(load("codebooks/boligsosialt.yaml")).fit(answers)  # doctest: +SKIP
>>> suggester.suggest(answers[:1], ids=["r1"]).to_dict("records")  # doctest: +SKIP
[{'id': 'r1', 'code': 'adapted_housing', 'confidence': 0.9997, 'evidence': 'keywords: omsorgsbolig,
  mangl* bolig*; terms: bolig, omsorg; like: «Omsorgsboligene ligger langt fra sentrum og butikker»'}]
"""

from __future__ import annotations

import bisect
import os
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from coder.codebook import Codebook, find_keyword, keyword_matches, keyword_words
from coder.errors import CoderError
from coder.io import read_table, require_columns, spreadsheet_row
from coder.lexicon import get_lexicon
from coder.nlp import (
    NEGATION_CUES,
    AnswerToken,
    ProcessedAnswer,
    load_pipeline,
    normalize_text,
    preprocess,
)

DEFAULT_THRESHOLD = 0.45  # fitted weights put the best micro-F1 of 12 development sets here
UNLABELED = -1
NEGATED_PREFIX = "NEG_"  # marks a lemma in the scope of a negation among the lexical features
SUGGESTION_COLUMNS = ["id", "code", "confidence", "evidence"]
KEYWORD_PRIOR = 0.5  # pseudo-acceptances of a keyword before human decisions weigh it


# --------------------------------------------------------------------------------------------------------
# Keyword view
# --------------------------------------------------------------------------------------------------------


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
        self.keywords = {code.id: [k for k in code.keywords if k.strip()] for code in codebook.codes}
        words = {word for keywords in self.keywords.values() for k in keywords for word in keyword_words(k)}
        self._keyword_words = frozenset(words)
        self._fuzzy_targets = sorted(w for w in words if not w.endswith("*") and len(w) >= _MIN_FUZZY_LENGTH)
        # A prefix keyword forgives a slip in its stem («Husbnaken» for husbank*) when the stem is long.
        self._fuzzy_stems = sorted(
            w[:-1] for w in words if w.endswith("*") and len(w) > _MIN_FUZZY_LENGTH - 1
        )

    def matches(self, answer: ProcessedAnswer) -> dict[str, list[tuple[str, bool]]]:
        """Per code, the keywords found in ``answer`` and whether each stands in a negation scope.

        Where keywords of different codes match the same words, the more specific match wins: more words,
        then a whole word over a compound part, then the longer keyword. So «ledermøte» is a meeting
        (``ledermøte``), not leadership (its part ``leder``), and «helhetlig plan» is anchoring, not
        coordination (``helhetlig``).
        """
        tokens = answer.tokens
        # The lower-cased text joins the lemma and parts, so a lemmatizer slip does not hide a keyword.
        terms = [{t.text.lower(), *t.terms, *self._misspelt(t)} for t in tokens]
        vocabulary = sorted(set().union(*terms)) if terms else []
        candidates = []
        for code_id, keywords in self.keywords.items():
            for keyword in keywords:
                words = keyword_words(keyword)
                if not all(_word_present(word, vocabulary) for word in words):
                    continue  # a cheap test first: most keywords are absent from a short answer
                for start, end in find_keyword(keyword, terms):
                    whole = len(words) > 1 or any(
                        keyword_matches(keyword, term)
                        for term in (tokens[start].text.lower(), tokens[start].lemma)
                    )
                    specificity = (len(words), whole, len(keyword.rstrip("*")))
                    candidates.append((code_id, keyword, start, end, specificity))
        found: dict[str, list[tuple[str, bool]]] = {}
        for code_id, keyword, start, end, specificity in candidates:
            outranked = any(
                other != code_id and o_start <= start and end <= o_end and o_spec > specificity
                for other, _, o_start, o_end, o_spec in candidates
            )
            if outranked:
                continue
            hits = found.setdefault(code_id, [])
            negated = any(t.negated for t in tokens[start:end])
            if all(k != keyword for k, _ in hits):
                hits.append((keyword, negated))
        return found

    def _misspelt(self, token: AnswerToken) -> list[str]:
        """Keyword words (or prefix stems) one typing slip away from a long word the lexicon does not know
        («samarbied», «Husbnaken»)."""
        if not token.is_alpha or len(token.text) < _MIN_FUZZY_LENGTH or token.parts:
            return []
        if get_lexicon().is_known(token.text):
            return []
        forms = {token.text.lower(), token.lemma}
        if forms & self._keyword_words:  # a slip the codebook lists itself
            return []
        whole = [word for word in self._fuzzy_targets if any(one_edit_apart(form, word) for form in forms)]
        stems = [
            stem
            for stem in self._fuzzy_stems
            if any(one_edit_apart(form[: len(stem) + shift], stem) for form in forms for shift in (-1, 0, 1))
        ]
        return whole + stems

    def hit_matrix(self, answers: Sequence[ProcessedAnswer]) -> np.ndarray:
        """``(n_answers, n_codes)``: how many distinct keywords of each code an answer contains."""
        return self.hit_counts([self.matches(answer) for answer in answers])

    def hit_counts(
        self,
        matches: Sequence[dict[str, list[tuple[str, bool]]]],
        reliability: dict[tuple[str, str], float] | None = None,
    ) -> np.ndarray:
        """The :meth:`hit_matrix` of answers whose :meth:`matches` are known.

        ``reliability`` maps ``(code, keyword)`` to the weight of its vote (1 when absent): a keyword
        that human coders rejected counts less (see :func:`keyword_reliability`).
        """
        reliability = reliability or {}
        matrix = np.zeros((len(matches), len(self.code_ids)))
        for row, found in enumerate(matches):
            for code_id, hits in found.items():
                matrix[row, self.code_ids.index(code_id)] = sum(
                    reliability.get((code_id, keyword), 1.0) for keyword, _ in hits
                )
        return matrix


def keyword_reliability(
    matches: Sequence[dict[str, list[tuple[str, bool]]]],
    y: np.ndarray,
    code_ids: Sequence[str],
    prior: float = KEYWORD_PRIOR,
) -> dict[tuple[str, str], float]:
    """The weight of each keyword's vote that human decisions contradicted at least once.

    A keyword of a code that matched in answers where a coder rejected the code gets the weight
    ``(accepted + prior) / (accepted + rejected + prior)``; keywords never rejected keep weight 1. So one
    rejected suggestion of ``follow_up`` for «Hjemmetjenesten» stops the bare keyword from suggesting the
    code again, while a keyword accepted as often as rejected keeps about half its vote.

    >>> found = [{"follow_up": [("hjemmetjeneste", False)]}, {"follow_up": [("oppfølging", False)]}]
    >>> keyword_reliability(found, np.array([[0], [1]]), ["follow_up"])
    {('follow_up', 'hjemmetjeneste'): 0.3333333333333333}
    """
    return _reliability(*_keyword_decisions(matches, y, code_ids), prior)


def _keyword_decisions(
    matches: Sequence[dict[str, list[tuple[str, bool]]]], y: np.ndarray, code_ids: Sequence[str]
) -> tuple[Counter, Counter]:
    """How often each ``(code, keyword)`` matched in answers where the code was accepted, and rejected."""
    accepted: Counter = Counter()
    rejected: Counter = Counter()
    for found, decisions in zip(matches, y, strict=True):
        for code_id, hits in found.items():
            decision = decisions[code_ids.index(code_id)]
            if decision != UNLABELED:
                (accepted if decision == 1 else rejected).update((code_id, k) for k, _ in hits)
    return accepted, rejected


def _reliability(accepted: Counter, rejected: Counter, prior: float) -> dict[tuple[str, str], float]:
    return {
        key: (accepted[key] + prior) / (accepted[key] + n + prior) for key, n in rejected.items() if n > 0
    }


_MIN_FUZZY_LENGTH = 7  # shorter words are too often a different word one letter away


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by at most one insertion, deletion, substitution or swap of neighbours.

    >>> one_edit_apart("samarbied", "samarbeid"), one_edit_apart("bolig", "boliger")
    (True, False)
    """
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = a[i + 1 : i + 2] == b[i : i + 1] and a[i : i + 1] == b[i + 1 : i + 2]
        return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])
    return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]


def _word_present(word: str, vocabulary: list[str]) -> bool:
    """Whether a keyword word (``*`` for a prefix) can match a term of the sorted ``vocabulary``."""
    stem = word.removesuffix("*")
    position = bisect.bisect_left(vocabulary, stem)
    if position == len(vocabulary):
        return False
    return vocabulary[position] == stem or (word.endswith("*") and vocabulary[position].startswith(stem))


# --------------------------------------------------------------------------------------------------------
# Lexical view
# --------------------------------------------------------------------------------------------------------


def answer_terms(answer: ProcessedAnswer) -> list[str]:
    """The lexical features of an answer: content lemmas, compound parts, negation-marked lemmas, bigrams.

    >>> answer_terms(preprocess(["ingen boveiledning"])[0])  # doctest: +SKIP
    ['boveiledning', 'NEG_boveiledning', 'bo', 'veiledning']
    """
    terms: list[str] = []
    content = _content_tokens(answer)
    for token in content:
        terms.append(token.lemma)
        terms.extend(token.parts)
        if token.negated:
            terms.append(f"{NEGATED_PREFIX}{token.lemma}")
    terms.extend(f"{a.lemma} {b.lemma}" for a, b in zip(content, content[1:], strict=False))
    return terms


def _content_tokens(answer: ProcessedAnswer) -> list[AnswerToken]:
    """The words that can carry a theme: no stop words, no negation cues (their scope is marked instead).

    A bare «Ingen» then has no lexical features, so it cannot look like «ingen tar ansvar».
    """
    return [
        t
        for t in answer.tokens
        if t.is_alpha and not t.is_stop and len(t.lemma) > 1 and not _is_negation_cue(t)
    ]


def _is_negation_cue(token: AnswerToken) -> bool:
    return token.text.lower() in NEGATION_CUES or token.lemma in NEGATION_CUES


def _char_text(answer: ProcessedAnswer) -> str:
    """The text the character n-grams see: the content words, lower-cased (spelling variants of them)."""
    return " ".join(t.text.lower() for t in _content_tokens(answer))


def _same_text(text: str) -> str:
    """A key under which two answers count as the same text (case, spacing, quotes and dashes aside)."""
    return normalize_text(text).strip("\"' ").casefold()


def _unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length, so a dot product is a cosine similarity (an empty matrix stays empty)."""
    return normalize(matrix) if matrix.shape[0] else matrix


def _identity(terms: list[str]) -> list[str]:
    return terms


def _lexical_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    lemmas = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, lowercase=True
    )
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
        Logit added per distinct keyword of the code that matches, up to two (the keyword view's vote).
    lexical_weight : float
        Scale of the lexical classifier's logit in the combined confidence.
    competition_weight : float
        Logit taken off per other code whose keywords also match (up to two): an answer that matches
        several codes is less certain about each.
    neighbour_weight : float
        Weight of the human view: similarity to the nearest human-coded answer with the code minus the
        similarity to the nearest one without it.
    bias : float
        Logit of an answer with no keyword and a neutral lexical score.
    weak_weight : float
        Sample weight of keyword-labelled (weak) corpus answers relative to codebook examples.
    human_weight : float
        Sample weight of human-coded answers.
    reference_weight : float
        Sample weight of the codebook's reference answers (answers coded with it before); 0 ignores them.
    self_training_rounds : int
        Rounds of pseudo-labelling the uncoded answers with confident predictions.
    pseudo_label_above : float
        Confidence from which an uncoded answer becomes a pseudo-positive (and below ``1 -`` it a negative).
    n_folds : int
        Folds for the out-of-fold scores of the corpus answers.
    calibration_prior : float
        How many human-coded answers it takes for their calibration of the view weights to count half.
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
        keyword_weight: float = 2.1,
        lexical_weight: float = 1.8,
        competition_weight: float = 0.3,
        neighbour_weight: float = 4.0,
        bias: float = -0.75,
        weak_weight: float = 0.3,
        human_weight: float = 3.0,
        reference_weight: float = 1.0,
        self_training_rounds: int = 2,
        pseudo_label_above: float = 0.85,
        n_folds: int = 5,
        calibration_prior: float = 100.0,
        C: float = 4.0,
        random_state: int = 0,
        spacy_model: str | None = None,
    ) -> None:
        self.codebook = codebook
        self.threshold = threshold
        self.keyword_weight = keyword_weight
        self.lexical_weight = lexical_weight
        self.competition_weight = competition_weight
        self.neighbour_weight = neighbour_weight
        self.bias = bias
        self.weak_weight = weak_weight
        self.human_weight = human_weight
        self.reference_weight = reference_weight
        self.self_training_rounds = self_training_rounds
        self.pseudo_label_above = pseudo_label_above
        self.n_folds = n_folds
        self.calibration_prior = calibration_prior
        self.C = C
        self.random_state = random_state
        self.spacy_model = spacy_model

    # -- helpers ------------------------------------------------------------------------------------

    def _process(self, texts: Sequence[str]) -> list[ProcessedAnswer]:
        return preprocess(list(texts), load_pipeline(self.spacy_model))

    def _lexical(self, answers: Sequence[ProcessedAnswer]) -> sparse.csr_matrix:
        terms = [answer_terms(a) for a in answers]
        texts = [_char_text(a) for a in answers]
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
        reference = self.codebook.reference_answers if self.reference_weight > 0 else ()
        # A reference answer that the coders coded here too is theirs: their codes win, and calibration on
        # their answers must not see scores from a model that learned the same text.
        coded_here = {_same_text(text) for text, row in zip(X, y, strict=True) if (row != UNLABELED).any()}
        reference = [answer for answer in reference if _same_text(answer.text) not in coded_here]
        # The codebook's answers come first: examples (one code each), then reference answers (coded in full).
        prior = self._process([text for text, _, _ in examples] + [answer.text for answer in reference])
        corpus = self._process(X)
        every = [*prior, *corpus]

        self.lemma_vectorizer_, self.char_vectorizer_ = _lexical_vectorizers()
        try:
            self.lemma_vectorizer_.fit([answer_terms(a) for a in every])
            self.char_vectorizer_.fit([_char_text(a) for a in every])
        except ValueError:  # scikit-learn's "empty vocabulary"
            raise CoderError(
                "nothing to learn from: the answers and the codebook examples have no words"
            ) from None
        features = self._lexical(every)
        n_examples, n_prior = len(examples), len(prior)
        matches = [self.matcher_.matches(answer) for answer in every]
        # Keywords the coders rejected vote less, in the weak labels as in the confidence.
        self.keyword_reliability_ = keyword_reliability(matches[n_prior:], y, self.codebook.code_ids)
        hits = self.matcher_.hit_counts(matches, self.keyword_reliability_)

        # Labels and weights per code: examples and reference answers strong, keyword-labelled corpus weak,
        # human labels strongest.
        labels = (hits > 0).astype(int)
        weights = np.full(labels.shape, self.weak_weight)
        weights[:n_examples] = 0.5 * self.weak_weight  # an example of one code says little about the others
        for row, (_, index, value) in enumerate(examples):
            labels[row, index] = value
            weights[row, index] = 1.0
        for row, answer in enumerate(reference, start=n_examples):
            labels[row] = [code_id in answer.codes for code_id in self.classes_]
            weights[row] = self.reference_weight
        human = y != UNLABELED
        labels[n_prior:][human] = y[human]
        weights[n_prior:][human] = self.human_weight

        # Transductive: every corpus answer is scored out of fold, so its own weak label cannot vote for it;
        # self-training replaces the weak labels of uncoded cells by confident out-of-fold predictions.
        corpus_rows = np.arange(n_prior, len(every))
        for round_ in range(self.self_training_rounds + 1):
            oof = self._out_of_fold_logits(features, labels, weights, corpus_rows)
            if round_ == self.self_training_rounds:
                break
            views = self._view_features(oof, hits[n_prior:], np.zeros_like(oof))
            proba = self._combine(views, self._default_weights)
            sure_yes = ~human & (proba >= self.pseudo_label_above)
            sure_no = ~human & (proba <= 1 - self.pseudo_label_above)
            corpus_labels = labels[n_prior:]
            corpus_labels[sure_yes] = 1
            corpus_labels[sure_no] = 0
        self.models_ = [self._fit_code(features, labels[:, j], weights[:, j]) for j in range(n_codes)]
        self.transductive_logits_ = {a.normalized: oof[i] for i, a in enumerate(corpus)}
        coded = human.any(axis=1)
        self.human_vectors_ = _unit_rows(features[n_prior:][coded])
        self.human_labels_ = y[coded]
        neighbours = self._neighbour_view(self.human_vectors_, leave_self_out=True)
        own_hits = self._hits_left_out(matches[n_prior:], y, np.flatnonzero(coded))
        self.combination_ = self._calibrate(
            self._view_features(oof[coded], own_hits, neighbours), self.human_labels_
        )

        # Nearest-example evidence: the lemma TF-IDF of the codebook's examples and reference answers.
        carriers = [(row, index) for row, (_, index, value) in enumerate(examples) if value == 1]
        carriers += [
            (row, index)
            for row, answer in enumerate(reference, start=n_examples)
            for index, code_id in enumerate(self.classes_)
            if code_id in answer.codes
        ]
        rows = np.array([row for row, _ in carriers], dtype=int)
        self.example_texts_ = np.array([every[row].original for row in rows], dtype=object)
        self.example_codes_ = np.array([index for _, index in carriers], dtype=int)
        n_lemma = len(self.lemma_vectorizer_.vocabulary_)
        self.example_vectors_ = features[:, :n_lemma][rows]
        return self

    def _hits_left_out(
        self, matches: Sequence[dict[str, list[tuple[str, bool]]]], y: np.ndarray, rows: np.ndarray
    ) -> np.ndarray:
        """Keyword votes of the human-coded ``rows``, each weighted without its own decisions.

        Calibration must see a rejected keyword the way an answer not yet coded would see it.
        """
        code_ids = self.codebook.code_ids
        accepted, rejected = _keyword_decisions(matches, y, code_ids)
        out = np.zeros((len(rows), len(code_ids)))
        for position, row in enumerate(rows):
            own_accepted, own_rejected = _keyword_decisions([matches[row]], y[row : row + 1], code_ids)
            reliability = _reliability(accepted - own_accepted, rejected - own_rejected, KEYWORD_PRIOR)
            out[position] = self.matcher_.hit_counts([matches[row]], reliability)[0]
        return out

    def _fit_code(
        self, features: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray
    ) -> LogisticRegression | None:
        if labels.min() == labels.max():
            return None
        model = LogisticRegression(
            C=self.C, class_weight="balanced", solver="liblinear", random_state=self.random_state
        )
        model.fit(features, labels, sample_weight=weights)
        return model

    def _out_of_fold_logits(
        self, features: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray, rows: np.ndarray
    ) -> np.ndarray:
        """Lexical logits of ``rows`` from models that did not see them (``n_folds`` folds, seeded)."""
        folds = np.random.RandomState(self.random_state).permutation(len(rows)) % self.n_folds
        logits = np.zeros((len(rows), labels.shape[1]))
        for fold in range(self.n_folds):
            held = rows[folds == fold]
            if held.size == 0:
                continue
            keep = np.ones(features.shape[0], dtype=bool)
            keep[held] = False
            models = [
                self._fit_code(features[keep], labels[keep, j], weights[keep, j])
                for j in range(labels.shape[1])
            ]
            logits[folds == fold] = self._lexical_logits(features[held], models)
        return logits

    def _lexical_logits(self, features: sparse.csr_matrix, models: list | None = None) -> np.ndarray:
        columns = []
        for model in self.models_ if models is None else models:
            if model is None:  # one class only in training: the lexical view has nothing to say
                columns.append(np.zeros(features.shape[0]))
            else:
                columns.append(model.decision_function(features))
        return np.column_stack(columns)

    @property
    def _default_weights(self) -> np.ndarray:
        return np.array(
            [
                self.keyword_weight,
                self.lexical_weight,
                self.competition_weight,
                self.neighbour_weight,
                self.bias,
            ]
        )

    @staticmethod
    def _view_features(
        lexical_logits: np.ndarray, hits: np.ndarray, neighbours: np.ndarray
    ) -> list[np.ndarray]:
        """Per (answer, code): keyword votes, lexical logit, other codes matched, human-neighbour margin."""
        matched = hits > 0
        others = matched.sum(axis=1, keepdims=True) - matched
        return [np.minimum(hits, 2), lexical_logits, -np.minimum(others, 2), neighbours]

    def _neighbour_view(self, vectors: sparse.csr_matrix, *, leave_self_out: bool = False) -> np.ndarray:
        """Similarity to the nearest human-coded answer with each code minus the nearest one without it.

        ``vectors`` are L2-normalised lexical features; with ``leave_self_out`` they are the human-coded
        answers themselves, each compared with the others only.
        """
        margin = np.zeros((vectors.shape[0], len(self.classes_)))
        if self.human_vectors_.shape[0] == 0:
            return margin
        similarity = (vectors @ self.human_vectors_.T).toarray()
        if leave_self_out:
            np.fill_diagonal(similarity, -1.0)
        for index in range(len(self.classes_)):
            has_code = self.human_labels_[:, index] == 1
            lacks_code = self.human_labels_[:, index] == 0
            nearest_with = similarity[:, has_code].max(axis=1) if has_code.any() else 0.0
            nearest_without = similarity[:, lacks_code].max(axis=1) if lacks_code.any() else 0.0
            margin[:, index] = np.clip(nearest_with, 0, 1) - np.clip(nearest_without, 0, 1)
        return margin

    def _calibrate(self, views: list[np.ndarray], y: np.ndarray) -> np.ndarray:
        """The weights of the views and the bias, refitted on the human-coded answers.

        Platt scaling pooled over codes, shrunk towards the defaults by the number of human-coded answers,
        so three coded answers per code nudge the weights and a few hundred set them.
        """
        known = y.ravel() != UNLABELED  # a partly coded answer calibrates only its decided codes
        targets = y.ravel()[known]
        if targets.size == 0 or targets.min() == targets.max():
            return self._default_weights
        X = np.column_stack([view.ravel() for view in views])[known]
        platt = LogisticRegression(C=1.0, max_iter=1000).fit(X, targets)
        fitted = np.append(platt.coef_[0], platt.intercept_[0])
        share = len(y) / (len(y) + self.calibration_prior)
        return share * fitted + (1 - share) * self._default_weights

    def _combine(self, views: list[np.ndarray], weights: np.ndarray | None = None) -> np.ndarray:
        """Confidence per (answer, code): a logistic function of the views."""
        weights = self.combination_ if weights is None else weights
        logits = sum(w * view for w, view in zip(weights[:-1], views, strict=True)) + weights[-1]
        return 1.0 / (1.0 + np.exp(-logits))

    def _scores(
        self, answers: Sequence[ProcessedAnswer]
    ) -> tuple[np.ndarray, sparse.csr_matrix, list[dict[str, list[tuple[str, bool]]]]]:
        """Confidences of answers (out of fold for answers seen in :meth:`fit`), features, keyword matches."""
        features = self._lexical(answers)
        logits = self._lexical_logits(features)
        for row, answer in enumerate(answers):
            seen = self.transductive_logits_.get(answer.normalized)
            if seen is not None:
                logits[row] = seen
        matches = [self.matcher_.matches(answer) for answer in answers]
        neighbours = self._neighbour_view(_unit_rows(features))
        hits = self.matcher_.hit_counts(matches, self.keyword_reliability_)
        views = self._view_features(logits, hits, neighbours)
        return self._combine(views), features, matches

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Confidence per answer and code, shape ``(len(X), n_codes)`` in codebook order."""
        check_is_fitted(self, "models_")
        if len(X) == 0:
            return np.zeros((0, len(self.classes_)))
        return self._scores(self._process(X))[0]

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """0/1 per answer and code at :attr:`threshold`."""
        return (self.predict_proba(X) >= self.threshold).astype(int)

    # -- suggestions with evidence -------------------------------------------------------------------

    def suggest(self, X: Sequence[str], ids: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per suggested code at or above the threshold: ``id, code, confidence, evidence``."""
        check_is_fitted(self, "models_")
        ids = [str(i) for i in range(len(X))] if ids is None else list(ids)
        if len(X) == 0:
            return pd.DataFrame(columns=SUGGESTION_COLUMNS)
        answers = self._process(X)
        proba, features, matches = self._scores(answers)
        names = self.lemma_vectorizer_.get_feature_names_out()
        rows = []
        for row, found in enumerate(matches):
            for index in np.flatnonzero(proba[row] >= self.threshold):
                evidence = self._evidence(found, features[row], index, names)
                rows.append(
                    (ids[row], str(self.classes_[index]), round(float(proba[row, index]), 4), evidence)
                )
        return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)

    def _evidence(
        self,
        matches: dict[str, list[tuple[str, bool]]],
        features: sparse.csr_matrix,
        index: int,
        names: np.ndarray,
    ) -> str:
        """Why a code was suggested: matched keywords, the terms that pushed most, the nearest example."""
        parts = []
        keywords = [keyword for keyword, _ in matches.get(self.classes_[index], [])]
        if keywords:
            parts.append("keywords: " + ", ".join(keywords[:4]))
        model = self.models_[index]
        if model is not None:
            row = features[:, : len(names)].tocoo()
            contributions = sorted(
                ((model.coef_[0, j] * value, j) for j, value in zip(row.col, row.data, strict=True)),
                reverse=True,
            )
            terms = [
                names[j].replace(NEGATED_PREFIX, "ikke: ")
                for score, j in contributions[:3]
                if score > 0.05 and names[j] not in keywords
            ]
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
        return self.example_texts_[mask][best]


# --------------------------------------------------------------------------------------------------------
# The library function behind `coder suggest`
# --------------------------------------------------------------------------------------------------------


def label_matrix(ids: Sequence[str], labels: pd.DataFrame | None, codebook: Codebook) -> np.ndarray:
    """``y`` for :meth:`CodeSuggester.fit` from a long ``id, code[, present]`` table of human codes.

    Without a ``present`` column (a codes file) every id in ``labels`` is fully coded: its listed codes 1,
    all others 0, and ``code == ""`` means coded with no code. With ``present`` (decisions from a coding
    project) each row sets one (answer, code) to 1 or 0, and a row with ``code == ""`` closes the answer:
    its codes not set by another row are 0. Everything else is uncoded (-1).

    >>> from coder.codebook import Code, Codebook
    >>> book = Codebook("t", "nb", "1", (Code("a", "A"), Code("b", "B"), Code("c", "C")))
    >>> label_matrix(["x", "y"], pd.DataFrame({"id": ["x"], "code": ["b"]}), book).tolist()
    [[0, 1, 0], [-1, -1, -1]]
    >>> decisions = pd.DataFrame({"id": ["x", "y"], "code": ["b", "c"], "present": [1, 0]})
    >>> label_matrix(["x", "y"], decisions, book).tolist()
    [[-1, 1, -1], [-1, -1, 0]]
    """
    code_ids = codebook.code_ids
    y = np.full((len(ids), len(code_ids)), UNLABELED)
    if labels is None or labels.empty:
        return y
    position = {answer_id: row for row, answer_id in enumerate(ids)}
    codes = labels["code"].fillna("").astype(str).str.strip()
    present = (
        labels["present"].astype(int) if "present" in labels.columns else pd.Series(1, index=labels.index)
    )
    closed = set()
    for answer_id, code, value in zip(labels["id"].astype(str), codes, present, strict=True):
        row = position[answer_id]
        if "present" not in labels.columns or not code:
            closed.add(row)
        if code:
            y[row, code_ids.index(code)] = value
    for row in closed:
        y[row][y[row] == UNLABELED] = 0
    return y


def check_labels(
    labels: pd.DataFrame, ids: Sequence[str], codebook: Codebook, file: str | None = None
) -> None:
    """Raise a :class:`CoderError` for label rows whose id is not an answer or whose code is unknown."""
    known_ids, known_codes = set(ids), set(codebook.code_ids)
    for index, (answer_id, code) in enumerate(zip(labels["id"], labels["code"], strict=True)):
        row = spreadsheet_row(index)
        if str(answer_id) not in known_ids:
            raise CoderError(f"id '{answer_id}' is not in the answers", file=file, row=row, column="id")
        if str(code).strip() and str(code).strip() not in known_codes:
            raise CoderError(f"code '{code}' is not in the codebook", file=file, row=row, column="code")


def read_labels(path: str | os.PathLike[str], ids: Sequence[str], codebook: Codebook) -> pd.DataFrame:
    """Read human-coded answers (CSV/XLSX ``id,code``) and check them against the answers and codebook."""
    labels = read_table(path)
    require_columns(labels, ["id", "code"], path)
    labels = labels.assign(id=labels["id"].str.strip(), code=labels["code"].str.strip())
    check_labels(labels, ids, codebook, file=str(path))
    return labels


def suggest(
    answers: pd.DataFrame,
    codebook: Codebook,
    *,
    labels: pd.DataFrame | None = None,
    threshold: float | None = None,
    seed: int = 0,
    spacy_model: str | None = None,
    keep_human_codes: bool = True,
) -> pd.DataFrame:
    """Suggest codes for every answer: ``id, code, confidence, evidence`` at or above ``threshold``.

    ``answers`` has columns ``id`` and ``text``; ``labels`` (optional) is the long ``id, code`` table of
    human-coded answers, learned from together with the codebook and all uncoded answers. With
    ``keep_human_codes`` the output keeps what the coders decided: a code they gave has confidence 1 and
    the evidence ``coded by hand``, a code they rejected is not suggested, whatever the model says.
    """
    ids = answers["id"].astype(str).tolist()
    texts = answers["text"].fillna("").astype(str).tolist()
    if not ids:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    if labels is not None:
        check_labels(labels, ids, codebook)
    suggester = CodeSuggester(
        codebook,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        random_state=seed,
        spacy_model=spacy_model,
    )
    y = label_matrix(ids, labels, codebook)
    suggester.fit(texts, y)
    suggestions = suggester.suggest(texts, ids)
    return _with_human_codes(suggestions, ids, y, codebook) if keep_human_codes else suggestions


def _with_human_codes(
    suggestions: pd.DataFrame, ids: Sequence[str], y: np.ndarray, codebook: Codebook
) -> pd.DataFrame:
    """``suggestions`` with every decided (answer, code) set to the coder's decision, in answer order."""
    decided = {
        (answer_id, code_id): int(value)
        for answer_id, row in zip(ids, y, strict=True)
        for code_id, value in zip(codebook.code_ids, row, strict=True)
        if value != UNLABELED
    }
    if not decided:
        return suggestions
    keys = list(zip(suggestions["id"], suggestions["code"], strict=True))
    kept = suggestions[[key not in decided for key in keys]]
    given = pd.DataFrame(
        [(answer_id, code_id, 1.0, "coded by hand") for (answer_id, code_id), v in decided.items() if v == 1],
        columns=SUGGESTION_COLUMNS,
    )
    order = {answer_id: position for position, answer_id in enumerate(ids)}
    merged = pd.concat([kept, given], ignore_index=True)
    code_order = {code_id: position for position, code_id in enumerate(codebook.code_ids)}
    rank = merged["id"].map(order) * len(code_order) + merged["code"].map(code_order)
    return (
        merged.assign(_rank=rank)
        .sort_values("_rank", kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
