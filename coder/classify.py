"""Suggest codes for answers: a semi-supervised, multi-label scikit-learn estimator.

:class:`CodeSuggester` is two models, fitted in turn.

The **codebook model** learns from the codebook and the whole corpus, never from the coders, so it is fitted
once per corpus and reused while they code:

* each code's keywords label the corpus weakly (an answer whose lemmas or compound parts match a keyword);
  its examples and counter-examples (for a code without examples: the phrases of its label, description and
  include guidance), and the codebook's reference answers (answers coded in full with it before) are
  labelled answers;
* the **uncoded corpus** takes part by self-training: confident out-of-fold predictions replace the weak
  labels for the next round.

Two views of an answer keep the weak labels from teaching only themselves (co-training in spirit): the
keyword view (does a codebook keyword match, negated or not) and the lexical view (TF-IDF over lemmas and
lemma bigrams, compound parts, negation-marked lemmas, and character n-grams). A logistic regression per code
learns the lexical view and scores every corpus answer out of fold. The codebook model's logit combines the
keyword votes, the lexical logit and how many other codes' keywords match (competition), with weights fitted
by logistic regression on development sets whose answers the keywords had not been chosen from, each
scored with the reference answers of the other sets (never the held-out or independent test sets).

The **coders' model** learns from the human-coded answers (accepted and added codes positive, rejected and
removed codes negative, and every other code of an answer coded in full negative): a logistic regression
over the character n-grams whose offset is the codebook model's logit and which has no intercept
(:func:`fit_offset_logistic`), its logits scaled by how well it predicts held-out decisions
(:func:`human_scale`). The coders' codes thus correct the codebook where they disagree, more the more
codes there are, while how common a code is stays the codebook model's view of the whole corpus (coded
answers are no random sample). Given the question each answer answers, the coders' model also learns which
codes go with which question (centred on the corpus, with a cross-validated scale of its own). A keyword
whose code the coders rejected votes less (:func:`keyword_reliability`). :meth:`CodeSuggester.update`
refits the coders' model alone.

Each suggestion carries its evidence: the matched keywords, the terms that pushed the score most, the terms
the coders' codes made strong, the question where their codes tie the code to it, and the nearest codebook
example or reference answer.

>>> from coder.codebook import Code, Codebook
>>> codebook = Codebook("t", "nb", "1", (
...     Code("housing", "Boliger", keywords=("bolig",), examples=("for få boliger",)),
...     Code("economy", "Økonomi", keywords=("startlån",), examples=("startlån fungerer",)),
... ))
>>> answers = ["Mangler omsorgsboliger", "Startlån brukes aktivt", "Godt samarbeid med NAV"]
>>> suggester = CodeSuggester(codebook, spacy_model="embedded").fit(answers)
>>> suggestions = suggester.suggest(answers[:1], ids=["r1"])
>>> suggestions[["id", "code"]].to_dict("records")
[{'id': 'r1', 'code': 'housing'}]
>>> suggestions["evidence"].iloc[0]
'keywords: bolig; terms: omsorgsbolig, omsorg'
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Memory
from scipy import sparse
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils import Tags
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)
from sklearn.utils.validation import check_is_fitted, check_memory
from threadpoolctl import threadpool_limits

from coder import __version__, progress
from coder.codebook import (
    Code,
    Codebook,
    as_codebook,
    check_coded_answers,
    find_keyword,
    ids_of_labels,
    keyword_matches,
    keyword_words,
    label_seeds,
)
from coder.errors import CoderError
from coder.io import answer_ids, provenance, read_table, require_columns, spreadsheet_row
from coder.lexicon import cache_dir, get_lexicon
from coder.nlp import (
    AnswerToken,
    ProcessedAnswer,
    load_pipeline,
    pipeline_info,
    preprocess,
    text_list,
)
from coder.reliability import HAND_CODED, long_codes, parse_present, split_codes

DEFAULT_THRESHOLD = 0.45  # fitted weights put the best micro-F1 of 12 development sets here
UNLABELED = -1
NEGATED_PREFIX = "NEG_"  # marks a lemma in the scope of a negation among the lexical features
SUGGESTION_COLUMNS = ["id", "code", "confidence", "evidence"]


def _suggestion_table(rows: list[tuple[str, str, float, str]] | None = None) -> pd.DataFrame:
    """Suggestions as a table: ``confidence`` a float also when there are none (a program concatenating
    or averaging the tables of several runs gets one type)."""
    return pd.DataFrame(rows or [], columns=SUGGESTION_COLUMNS).astype({"confidence": float})


KEYWORD_PRIOR = 0.5  # pseudo-acceptances of a keyword before human decisions weigh it
# The suggester's linear algebra is on small vectors: BLAS threads only spin and fight for the two cores
# (measured: a liblinear fit took 12x longer with them on a busy machine). Results do not change.
_one_blas_thread = threadpool_limits.wrap(limits=1, user_api="blas")


# --------------------------------------------------------------------------------------------------------
# Keyword view
# --------------------------------------------------------------------------------------------------------


class KeywordMatcher:
    """Finds a codebook's keywords in preprocessed answers.

    A one-word keyword matches a token whose lower-cased text, lemma or any compound part equals it (or
    starts with it, for ``bolig*``); a multi-word keyword (``mangel på bolig``) matches consecutive tokens.
    A code without keywords and examples is matched by :func:`coder.codebook.label_seeds`.

    >>> from coder.codebook import Code, Codebook
    >>> codebook = Codebook("t", "nb", "1", (Code("adapted_housing", "Boliger", keywords=("bolig",)),))
    >>> answer = preprocess(["Mangler omsorgsboliger"], load_pipeline("embedded"))[0]
    >>> KeywordMatcher(codebook).matches(answer)
    {'adapted_housing': [('bolig', True)]}
    """

    def __init__(self, codebook: Codebook) -> None:
        self.code_ids = codebook.code_ids
        # A code of a label alone (as NVivo, Taguette or QualCoder export it) gets its label's words as weak
        # seeds, so it is suggested from the start.
        self.keywords = {
            code.id: [k for k in code.keywords if k.strip()]
            or ([] if code.examples else list(label_seeds(code)))
            for code in codebook.codes
        }
        words = {word for keywords in self.keywords.values() for k in keywords for word in keyword_words(k)}
        self._keyword_words = frozenset(words)
        # By length: a word one edit away from another is at most one letter longer or shorter.
        self._fuzzy_targets: dict[int, list[str]] = {}
        for word in sorted(w for w in words if not w.endswith("*") and len(w) >= _MIN_FUZZY_LENGTH):
            self._fuzzy_targets.setdefault(len(word), []).append(word)
        # A prefix keyword forgives a slip in its stem («Husbnaken» for husbank*) when the stem is long.
        self._fuzzy_stems = sorted(
            w[:-1] for w in words if w.endswith("*") and len(w) > _MIN_FUZZY_LENGTH - 1
        )
        # The index: which keywords an answer's terms can complete, so the cost is per term, not per
        # keyword x answer. Keywords keep their codebook order (it decides the order of the hits).
        self._ordered = [
            (code_id, keyword, tuple(keyword_words(keyword)))
            for code_id, keywords in self.keywords.items()
            for keyword in keywords
        ]
        self._by_word: dict[str, list[int]] = {}
        for position, (_, _, kw_words) in enumerate(self._ordered):
            for word in set(kw_words):
                self._by_word.setdefault(word, []).append(position)
        self._stems = {w[:-1] for w in self._by_word if w.endswith("*")}
        self._stem_lengths = sorted({len(stem) for stem in self._stems})
        self._misspelt_memo: dict[tuple, list[str]] = {}

    def matches(self, answer: ProcessedAnswer) -> dict[str, list[tuple[str, bool]]]:
        """Per code, the keywords found in ``answer`` and whether each stands in a negation scope.

        Where keywords of different codes match the same words, the more specific match wins: more words,
        then a whole word over a compound part, then the longer keyword. So «ledermøte» is a meeting
        (``ledermøte``), not leadership (its part ``leder``), and «helhetlig plan» is anchoring, not
        coordination (``helhetlig``).
        """
        if answer.is_non_answer:  # «Kjenner ikke til det» is no answer about knowing everyone
            return {}
        tokens = answer.tokens
        # The lower-cased text joins the lemma and parts, so a lemmatizer slip does not hide a keyword.
        terms = [{t.text.lower(), *t.terms, *self._misspelt(t)} for t in tokens]
        candidates = []
        for code_id, keyword, words in self._candidates(set().union(*terms) if terms else set()):
            for start, end in self._spans(keyword, terms):
                first = tokens[start]
                whole = len(words) > 1 or any(
                    keyword_matches(keyword, term) for term in (first.text.lower(), first.lemma)
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

    def matches_of(self, answers: Sequence[ProcessedAnswer]) -> list[dict[str, list[tuple[str, bool]]]]:
        """:meth:`matches` of each answer; an answer given twice (one object from preprocessing) is matched
        once."""
        found: dict[int, dict[str, list[tuple[str, bool]]]] = {}
        for answer in progress.track(answers, "matching keywords"):
            if id(answer) not in found:
                found[id(answer)] = self.matches(answer)
        return [found[id(answer)] for answer in answers]

    @staticmethod
    def _spans(keyword: str, terms: list[set[str]]) -> list[tuple[int, int]]:
        """:func:`coder.codebook.find_keyword`, with a short cut for the common one-word keyword."""
        if " " in keyword:
            return find_keyword(keyword, terms)
        if keyword.endswith("*"):  # the terms are lower case (lemmas, parts, lower-cased text)
            stem = keyword[:-1]
            found = (any(t.startswith(stem) for t in token) for token in terms)
        else:
            found = (keyword in token for token in terms)
        return [(i, i + 1) for i, hit in enumerate(found) if hit]

    def _candidates(self, vocabulary: set[str]) -> list[tuple[str, str, tuple[str, ...]]]:
        """The keywords whose every word matches a term of ``vocabulary``, in codebook order.

        Only these can match the answer (:func:`coder.codebook.find_keyword` then checks order and gaps).
        """
        present = {term for term in vocabulary if term in self._by_word}
        for term in vocabulary:  # a prefix keyword word (``bolig*``) matches every term it begins
            for length in self._stem_lengths:
                if length > len(term):
                    break
                if term[:length] in self._stems:
                    present.add(term[:length] + "*")
        positions = {position for word in present for position in self._by_word[word]}
        return [
            self._ordered[position]
            for position in sorted(positions)
            if all(word in present for word in self._ordered[position][2])
        ]

    def _misspelt(self, token: AnswerToken) -> list[str]:
        """Keyword words (or prefix stems) one typing slip away from a long word the lexicon does not know
        («samarbied», «Husbnaken»)."""
        if not token.is_alpha or len(token.text) < _MIN_FUZZY_LENGTH or token.parts:
            return []
        key = (token.text, token.lemma)  # answers repeat words: look each up once per matcher
        if key not in self._misspelt_memo:
            self._misspelt_memo[key] = self._one_slip_away(token)
        return self._misspelt_memo[key]

    def _one_slip_away(self, token: AnswerToken) -> list[str]:
        if get_lexicon().is_known(token.text):
            return []
        forms = {token.text.lower(), token.lemma}
        if forms & self._keyword_words:  # a slip the codebook lists itself
            return []
        near = {
            word
            for form in forms
            for length in (len(form) - 1, len(form), len(form) + 1)
            for word in self._fuzzy_targets.get(length, ())
            if one_edit_apart(form, word)
        }
        whole = sorted(near)
        stems = [
            stem
            for stem in self._fuzzy_stems
            if any(one_edit_apart(form[: len(stem) + shift], stem) for form in forms for shift in (-1, 0, 1))
        ]
        return whole + stems

    def hit_matrix(self, answers: Sequence[ProcessedAnswer]) -> np.ndarray:
        """``(n_answers, n_codes)``: how many distinct keywords of each code an answer contains."""
        return self.hit_counts(self.matches_of(answers))

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


# --------------------------------------------------------------------------------------------------------
# Lexical view
# --------------------------------------------------------------------------------------------------------


def answer_terms(answer: ProcessedAnswer) -> list[str]:
    """The lexical features of an answer: content lemmas, compound parts, negation-marked lemmas, bigrams.

    >>> answer_terms(preprocess(["ingen boveiledning"], load_pipeline("embedded"))[0])
    ['boveiledning', 'bo', 'veiledning', 'NEG_boveiledning']
    """
    terms: list[str] = []
    content = content_tokens(answer)
    for token in content:
        terms.append(token.lemma)
        terms.extend(token.parts)
        if token.negated:
            terms.append(f"{NEGATED_PREFIX}{token.lemma}")
    terms.extend(f"{a.lemma} {b.lemma}" for a, b in zip(content, content[1:], strict=False))
    return terms


def definition_phrases(code: Code) -> list[str]:
    """The label and the clauses of a code's description and include guidance, as short answer-like texts.

    >>> code = Code("x", "Uklart ansvar", description="Ingen eier helheten, saker faller mellom.")
    >>> definition_phrases(code)
    ['Uklart ansvar', 'Ingen eier helheten', 'saker faller mellom']
    """
    phrases = [code.label]
    for text in (code.description, code.include):
        phrases += [part.strip(" -–«»\"'()") for part in re.split(r"[.;:,!?()\n]+", text)]
    return [phrase for phrase in dict.fromkeys(phrases) if len(phrase) > 2]


def content_tokens(answer: ProcessedAnswer) -> list[AnswerToken]:
    """The words that can carry a theme: no stop words, no negation cues (their scope is marked instead).

    A bare «Ingen» then has no lexical features, so it cannot look like «ingen tar ansvar»; nor has a
    non-answer («Kjenner ikke til det», «Se over»: :attr:`~coder.nlp.ProcessedAnswer.is_non_answer`).
    """
    if answer.is_non_answer:
        return []
    return [
        t
        for t in answer.tokens
        if t.is_alpha and not t.is_stop and len(t.lemma) > 1 and not t.is_negation_cue
    ]


def char_text(answer: ProcessedAnswer) -> str:
    """The text the character n-grams see: the content words, lower-cased (spelling variants of them)."""
    return " ".join(t.text.lower() for t in content_tokens(answer))


def identity(terms: list[str]) -> list[str]:
    return terms


def _stack(lemma_features: sparse.csr_matrix, char_features: sparse.csr_matrix) -> sparse.csr_matrix:
    """The lexical view: lemma features beside character n-grams at half weight (spelling is weaker)."""
    return sparse.hstack([lemma_features, 0.5 * char_features]).tocsr()


def _lexical_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    lemmas = TfidfVectorizer(analyzer=identity, sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, lowercase=True
    )
    return lemmas, chars


# --------------------------------------------------------------------------------------------------------
# The coders' model
# --------------------------------------------------------------------------------------------------------


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))


def fit_offset_logistic(
    X: sparse.csr_matrix,
    y: np.ndarray,
    offsets: np.ndarray,
    *,
    C: float = 1.0,
    positive_weight: float = 1.0,
) -> sparse.csr_matrix:
    """Weights ``W`` (``n_features × n_codes``) of a logistic regression with a fixed offset per cell.

    Minimises ``Σ s · log-loss(y, offsets + X W) + ||W||² / 2C`` over the decided cells (``y`` 1 or 0; -1 is
    undecided and ignored; ``s`` is ``positive_weight`` for a 1, else 1), one column per code, with no
    intercept: the offsets (another model's logits) carry how common a code is, and the weights say only
    where the decisions differ from them. scikit-learn's ``LogisticRegression`` takes no offsets, so the
    convex problem is solved with SciPy's L-BFGS.

    >>> X = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> W = fit_offset_logistic(X, np.array([[1], [0]]), np.zeros((2, 1)), C=10.0)
    >>> bool(W[0, 0] > 1 > -1 > W[1, 0])
    True
    """
    n_features, n_codes = X.shape[1], y.shape[1]
    decided = y != UNLABELED
    if not decided.any():
        return sparse.csr_matrix((n_features, n_codes))
    # Only the features of decided answers can get a weight (the others have a zero gradient): solve there.
    used = np.flatnonzero(np.asarray(abs(X[decided.any(axis=1)]).sum(axis=0)).ravel())
    Xu = X[:, used]
    targets = np.where(decided, y, 0).astype(float)
    mask = np.where(y == 1, positive_weight, 1.0) * decided

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        W = flat.reshape(len(used), n_codes)
        logits = offsets + Xu @ W
        value = (mask * (np.logaddexp(0.0, logits) - targets * logits)).sum() + (W**2).sum() / (2 * C)
        gradient = Xu.T @ (mask * (_sigmoid(logits) - targets)) + W / C
        return float(value), np.asarray(gradient).ravel()

    result = minimize(loss, np.zeros(len(used) * n_codes), jac=True, method="L-BFGS-B")
    weights = np.zeros((n_features, n_codes))
    weights[used] = result.x.reshape(len(used), n_codes)
    return sparse.csr_matrix(weights)


HUMAN_SCALES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
# At most 1: the coded answers are no random sample of a question's answers (the queue offers the uncertain
# ones, a benchmark draws carriers), so the question may count as far as the decisions show, never further.
QUESTION_SCALES = (0.0, 0.5, 1.0)


def human_scale(
    X: sparse.csr_matrix,
    y: np.ndarray,
    offsets: np.ndarray,
    *,
    n_question_features: int = 0,
    C: float = 1.0,
    positive_weight: float = 1.0,
    n_folds: int = 5,
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """How far the coders' model may move the codebook model's logits, per code: the smallest scale of its
    logits (one of ``HUMAN_SCALES``) that predicts decisions it did not see within one standard error of the
    best, cross-validated over the coded answers (the one-standard-error rule; Hastie et al. 2009, 7.10).

    A codebook the coders mostly agree with gets a small scale (their few codes would only add noise to
    it); one they correct often, such as a codebook of labels and a few keywords, a large one. Only codes
    with both kinds of decision (present and absent) show what a scale costs in false positives: the
    scale is chosen on them, and a code decided one way only gets at most 1 (coders who accept 20
    suggestions of a code and reject none must not make it spread). Fewer coded answers than folds, or no
    code decided both ways, keep every scale 1. The standard error is that of the difference in held-out
    log-loss per answer, so a scale the coded answers do not clearly prefer gives way to a smaller one: a
    few codes move the codebook model only as far as they clearly predict better. Arguments as for
    :func:`fit_offset_logistic`.

    The last ``n_question_features`` columns of ``X`` say which question an answer answers: their logits get
    a scale of their own (one of ``QUESTION_SCALES``), chosen with the other on the same held-out decisions,
    the smaller question scale first. Where the question tells the codes apart (answers to «Who is
    responsible?»), it counts; where the answers' words already do, it gives way. A code decided one way
    only gets none: coders who accept its suggestions in one question and decide nothing else have not
    shown that the question tells it apart, and it must not spread to every answer of that question.

    Returns ``(scale, question_scale)``, each of shape ``(n_codes,)``.

    References
    ----------
    Hastie, T., Tibshirani, R. & Friedman, J. (2009). *The Elements of Statistical Learning*, 2nd ed.,
    section 7.10 (the one-standard-error rule). Springer.

    Examples
    --------
    A word that marks the code where the codebook model saw nothing, and one that marks nothing where the
    codebook model was right already:

    >>> y = np.array([[1], [1], [1], [0], [0], [0]])
    >>> X = sparse.csr_matrix(np.array([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 3))
    >>> human_scale(X, y, np.zeros((6, 1)), C=10.0, n_folds=3)[0].tolist()
    [2.0]
    >>> right = np.array([[3.0]] * 3 + [[-3.0]] * 3)
    >>> human_scale(sparse.csr_matrix(np.ones((6, 1))), y[[0, 3, 1, 4, 2, 5]], right[[0, 3, 1, 4, 2, 5]],
    ...             C=10.0, n_folds=3)[0].tolist()
    [0.0]
    """
    n_answers, n_codes = y.shape
    decided = y != UNLABELED
    both_ways = (decided & (y == 1)).any(axis=0) & (decided & (y == 0)).any(axis=0)
    if n_answers < n_folds or not both_ways.any():
        # the question counts only where held-out decisions show it
        return np.ones(n_codes), np.zeros(n_codes)
    n_words = X.shape[1] - n_question_features
    words = X[:, :n_words]
    order = np.random.RandomState(random_state).permutation(n_answers)
    # Question scale 0 is the model without the question features, not the joint one with them ignored.
    held_out, held_out_joint, held_out_questions = np.zeros(y.shape), np.zeros(y.shape), np.zeros(y.shape)
    settings = {"C": C, "positive_weight": positive_weight}
    for fold in range(n_folds):
        test = order[fold::n_folds]
        train = np.sort(np.setdiff1d(order, test))
        weights = fit_offset_logistic(words[train], y[train], offsets[train], **settings)
        held_out[test] = (words[test] @ weights).toarray()
        if n_question_features:
            weights = fit_offset_logistic(X[train], y[train], offsets[train], **settings)
            held_out_joint[test] = (words[test] @ weights[:n_words]).toarray()
            held_out_questions[test] = (X[test][:, n_words:] @ weights[n_words:]).toarray()
    judged = decided & both_ways
    targets = np.where(decided, y, 0)
    question_scales = QUESTION_SCALES if n_question_features else (0.0,)
    candidates = [(question, words) for question in question_scales for words in HUMAN_SCALES]

    def answer_losses(question: float, words: float) -> np.ndarray:
        if question == 0:
            logits = offsets + words * held_out
        else:
            logits = offsets + words * held_out_joint + question * held_out_questions
        return (judged * (np.logaddexp(0.0, logits) - targets * logits)).sum(axis=1)

    losses = np.array([answer_losses(*candidate) for candidate in candidates])
    totals = losses.sum(axis=1)
    best = int(np.argmin(totals))
    standard_errors = np.sqrt(n_answers) * (losses - losses[best]).std(axis=1)
    question, words = candidates[int(np.flatnonzero(totals - totals[best] <= standard_errors + 1e-9)[0])]
    return np.where(both_ways, words, min(words, 1.0)), np.where(both_ways, question, 0.0)


def _checked_y(y: Any, shape: tuple[int, int], code_ids: Sequence[str]) -> np.ndarray:
    """``y`` of :meth:`CodeSuggester.fit` as an integer array, or a ``ValueError`` saying what is wrong.

    A DataFrame whose columns are the code ids is taken by name (a table built by hand seldom keeps the
    codebook's order); with other column names it would be read by position, so it is refused.
    """
    rows: Sequence[Any] = range(shape[0])  # how a row is named in an error: its index label in a table
    if isinstance(y, pd.DataFrame):
        if not isinstance(y.columns, pd.RangeIndex):
            columns = [str(column) for column in y.columns]
            if set(columns) != set(code_ids):
                unknown = sorted(set(columns) - set(code_ids))
                missing = [code for code in code_ids if code not in columns]
                raise ValueError(
                    f"y's columns must be the codes {list(code_ids)}; unknown: {unknown}, missing: {missing}"
                )
            y = y.set_axis(columns, axis=1)[list(code_ids)]
        rows = y.index
        try:  # pandas' own «missing» (pd.NA of a nullable column) becomes NaN, refused below
            y = y.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            y = y.to_numpy()
    array = np.asarray(y)
    if array.shape != shape:
        raise ValueError(f"y has shape {array.shape}, expected {shape}")
    if array.dtype == bool:
        return array.astype(int)
    try:
        numbers = array.astype(float)
    except (TypeError, ValueError):
        raise ValueError("y must hold 1 (carries the code), 0 (does not) or -1 (not coded)") from None
    wrong = ~np.isin(numbers, (1, 0, UNLABELED))  # NaN is wrong too
    if wrong.any():
        row, column = (int(i) for i in np.argwhere(wrong)[0])
        raise ValueError(
            f"y must hold 1 (carries the code), 0 (does not) or -1 (not coded); row {rows[row]}, code "
            f"{code_ids[column]!r} holds {array[row, column]}"
        )
    return numbers.astype(int)


# --------------------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------------------


class CodeSuggester(BaseEstimator):
    """Multi-label, semi-supervised code suggester for one codebook.

    Two models, fitted in turn. The **codebook model** learns from the codebook (keywords, examples,
    reference answers) and the whole corpus (keyword weak labels, self-training) and never from the
    coders, so it is fitted once per corpus and reused. The **coders' model** is fitted on the human
    decisions with the codebook model's logit as a fixed offset: a logistic regression over the character
    n-grams without an intercept, scaled per code by :func:`human_scale`, so the coders' codes correct the
    codebook where they disagree (their strength grows with the number of codes, through the
    regularisation) while how common a code is stays the codebook model's view of the whole corpus.
    :meth:`update` refits the coders' model alone.

    Given the question each answer answers (``questions`` in :meth:`fit`), the coders' model also weighs
    the question: coders who code the answers to «Who is responsible?» as fragmented responsibility teach
    it to suggest that code sooner there. Only the questions the coded answers cover count (two or more),
    their indicators centred on the corpus answers of those questions, so they move a code between
    questions but cannot make it more common (that stays the codebook model's view); how far they count
    (0 to 1; 0 is the model without them) is chosen by cross-validation over the coded answers with the
    scale of the rest (:func:`human_scale`).

    Parameters are stored untouched; learned state ends in ``_``. :meth:`fit` checks them against
    :attr:`_parameter_constraints` and raises scikit-learn's ``InvalidParameterError`` (a ``ValueError``)
    naming the first one out of range.

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
    bias : float
        Logit of an answer with no keyword and a neutral lexical score.
    weak_weight : float
        Sample weight of keyword-labelled (weak) corpus answers relative to codebook examples.
    reference_weight : float
        Sample weight of the codebook's reference answers (answers coded with it before); 0 ignores them.
    definition_weight : float
        Sample weight of the phrases of the label, description and include guidance of a code without
        examples, learned as short examples of it (what a lean codebook has to teach); 0 ignores them.
    self_training_rounds : int
        Rounds of pseudo-labelling the uncoded answers with confident predictions.
    pseudo_label_above : float
        Confidence from which an uncoded answer becomes a pseudo-positive (and below ``1 -`` it a negative).
    n_folds : int
        Folds for the out-of-fold scores of the corpus answers, and for the coded answers when choosing how
        far the coders' model moves the suggestions (``human_scale_``).
    max_training_answers : int or None
        The lexical models of a larger corpus train on a seeded sample of this many of its answers (the
        rest are scored like new answers), so the fit's cost stops growing with the corpus; ``None``: all.
    human_C : float
        Inverse regularisation strength of the coders' model: larger lets fewer codes move the suggestions
        further from the codebook model.
    human_positive_weight : float
        Weight of a code the coders gave against one they decided absent: most decided cells are absent (an
        answer carries one or two of the codes), so a given code counts more.
    question_weight : float
        Size of the question features of the coders' model (which question an answer answers, centred
        on the corpus, see :meth:`fit`) against their regularisation: larger lets fewer codes tie a code
        to a question (before ``question_scale_``); 0 leaves the question out.
    C : float
        Inverse regularisation strength of the per-code logistic regressions of the codebook model.
    random_state : int
        Seed; the same inputs and seed give the same suggestions.
    spacy_model : str or None
        Pipeline for :func:`coder.nlp.load_pipeline`.
    memory : str, path, joblib.Memory or None
        Where to cache the fitted codebook model (as in scikit-learn's ``Pipeline``): a second fit on the
        same corpus, codebook, settings, coder version and pipeline loads it instead of fitting. ``None``:
        no cache. :func:`suggest` caches in :func:`model_cache_dir`.

    Attributes
    ----------
    classes_ : ndarray of str, shape (n_codes,)
        The code ids in codebook order: the column order of ``y`` in :meth:`fit` and of the arrays
        :meth:`predict_proba` and :meth:`predict` return (as in scikit-learn's multi-label classifiers).
    models_ : list
        The codebook model's per-code classifiers over the lexical features, one per entry of ``classes_``.
    human_coef_ : sparse matrix of shape (n_features, n_codes)
        The coders' model: per-code weights of the character n-grams learned from the decisions with the
        codebook model as offset, times ``human_scale_`` (all zero before any decision, and on the lemma
        features always). :meth:`update` refits it alone.
    human_scale_ : ndarray of shape (n_codes,)
        How far the coders' model moves the codebook model per code (:func:`human_scale`), chosen by
        cross-validation over the coded answers: small where the codebook already agrees with them. Before
        any decision it is 1 and moves nothing, since ``human_coef_`` is zero.
    question_coef_ : ndarray of shape (n_questions, n_codes)
        The coders' model's weight of each question of ``questions_`` per code, times ``question_scale_``.
    question_scale_ : ndarray of shape (n_codes,)
        How far the question moves the codebook model (0 to 1, :func:`human_scale`).
    questions_ : ndarray of str
        The questions the coded answers cover, sorted: the ones the coders' model weighs (empty unless
        two or more).
    keyword_reliability_ : dict
        ``(code, keyword) -> weight`` of the keyword's vote, below 1 when coders rejected the code where
        the keyword matched.
    example_texts_ : ndarray of str
        The codebook examples and reference answers the evidence of a suggestion can name as nearest.

    See Also
    --------
    suggest : the function behind ``coder suggest``, fitting this estimator with the model cache.

    Examples
    --------
    A tiny codebook keeps the example fast (a fit on the full default codebook takes tens of seconds):

    >>> from coder.codebook import Code, Codebook
    >>> codebook = Codebook("t", "nb", "1", (
    ...     Code("housing", "Boliger", keywords=("bolig",), examples=("for få boliger",)),
    ...     Code("cooperation", "Samarbeid", keywords=("samarbeid",), examples=("godt samarbeid",)),
    ... ))
    >>> model = CodeSuggester(codebook, spacy_model="embedded")
    >>> model = model.fit(["For få boliger", "Godt samarbeid med NAV", "Mangler omsorgsboliger"])
    >>> list(model.classes_) == codebook.code_ids
    True
    >>> model.predict_proba(["Trenger flere boliger"]).shape
    (1, 2)
    >>> model.predict(["Trenger flere boliger"]).tolist()
    [[1, 0]]
    """

    _parameter_constraints: dict = {
        "codebook": [Codebook],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        # Weights are votes and sample weights: negative ones would turn evidence around; 0 switches one off.
        "keyword_weight": [Interval(Real, 0, None, closed="left")],
        "lexical_weight": [Interval(Real, 0, None, closed="left")],
        "competition_weight": [Interval(Real, 0, None, closed="left")],
        "bias": [Interval(Real, None, None, closed="neither")],
        "weak_weight": [Interval(Real, 0, None, closed="left")],
        "reference_weight": [Interval(Real, 0, None, closed="left")],
        "definition_weight": [Interval(Real, 0, None, closed="left")],
        "self_training_rounds": [Interval(Integral, 0, None, closed="left")],
        # At or below 0.5 an answer would be a pseudo-positive and a pseudo-negative at once.
        "pseudo_label_above": [Interval(Real, 0.5, 1, closed="right")],
        # One fold would score the corpus with models that never saw a corpus answer (KFold needs 2 too).
        "n_folds": [Interval(Integral, 2, None, closed="left")],
        "max_training_answers": [Interval(Integral, 1, None, closed="left"), None],
        "human_C": [Interval(Real, 0, None, closed="neither")],
        "human_positive_weight": [Interval(Real, 0, None, closed="neither")],
        "question_weight": [Interval(Real, 0, None, closed="left")],
        "C": [Interval(Real, 0, None, closed="neither")],
        # A seed, as numpy's RandomState takes it (the folds, the training sample): not a RandomState object.
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both")],
        "spacy_model": [str, os.PathLike, None],
        "memory": [str, os.PathLike, HasMethods(["cache"]), None],
    }

    def __init__(
        self,
        codebook: Codebook,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        keyword_weight: float = 2.1,
        lexical_weight: float = 1.8,
        competition_weight: float = 0.3,
        bias: float = -0.75,
        weak_weight: float = 0.3,
        reference_weight: float = 1.0,
        definition_weight: float = 0.5,
        self_training_rounds: int = 2,
        pseudo_label_above: float = 0.85,
        n_folds: int = 5,
        max_training_answers: int | None = 10_000,
        human_C: float = 30.0,
        human_positive_weight: float = 4.0,
        question_weight: float = 0.3,
        C: float = 4.0,
        random_state: int = 0,
        spacy_model: str | None = None,
        memory: str | os.PathLike[str] | Memory | None = None,
    ) -> None:
        self.codebook = codebook
        self.threshold = threshold
        self.keyword_weight = keyword_weight
        self.lexical_weight = lexical_weight
        self.competition_weight = competition_weight
        self.bias = bias
        self.weak_weight = weak_weight
        self.reference_weight = reference_weight
        self.definition_weight = definition_weight
        self.self_training_rounds = self_training_rounds
        self.pseudo_label_above = pseudo_label_above
        self.n_folds = n_folds
        self.max_training_answers = max_training_answers
        self.human_C = human_C
        self.human_positive_weight = human_positive_weight
        self.question_weight = question_weight
        self.C = C
        self.random_state = random_state
        self.spacy_model = spacy_model
        self.memory = memory

    def __sklearn_tags__(self) -> Tags:
        """What scikit-learn's tools may assume: texts in, a 2-D ``y`` of -1/0/1 (one column per code).

        Not tagged a classifier: -1 in ``y`` means «not coded», not a class, and there is no ``score``.
        (``cross_val_predict(method="predict_proba")`` re-encodes ``y`` as classes, -1, 0, 1 as 0, 1, 2, and
        is refused by :meth:`fit`; ``method="predict"`` keeps it.)
        """
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = False  # no y: the codebook alone
        tags.target_tags.two_d_labels = True
        tags.target_tags.multi_output = True
        return tags

    # -- helpers ------------------------------------------------------------------------------------

    def _process(self, texts: Sequence[str]) -> list[ProcessedAnswer]:
        return preprocess(list(texts), load_pipeline(self.spacy_model))

    def _lexical(self, answers: Sequence[ProcessedAnswer]) -> sparse.csr_matrix:
        terms = [answer_terms(a) for a in answers]
        texts = [char_text(a) for a in answers]
        return _stack(self.lemma_vectorizer_.transform(terms), self.char_vectorizer_.transform(texts))

    # -- scikit-learn API ---------------------------------------------------------------------------

    # The parameters are checked first (before the long fit); nested scikit-learn estimators skip their own
    # checks, as scikit-learn's estimators do (the settings passed to them are checked here).
    @_fit_context(prefer_skip_nested_validation=True)
    @_one_blas_thread
    def fit(
        self, X: Sequence[str], y: np.ndarray | None = None, *, questions: Sequence[str] | None = None
    ) -> CodeSuggester:
        """Learn from the codebook, all of ``X``, and the decided cells of ``y``.

        ``X`` is every answer of the corpus (coded and uncoded). ``y`` has shape ``(len(X), n_codes)`` in
        codebook order, with 1 (carries the code), 0 (does not) and -1 (not coded); ``None`` means no
        answer is coded. ``questions`` (optional) names the question each answer of ``X`` answers: the
        coders' model learns from the decisions which codes go with which question. A parameter out of
        range raises ``InvalidParameterError`` (a ``ValueError``).
        """
        X = text_list(X)  # one text or a table would be coded letter by letter, or by column name
        if y is not None:  # checked before the long fit of the codebook model
            y = _checked_y(y, (len(X), len(self.codebook.codes)), self.codebook.code_ids)
        corpus_questions = _question_list(questions, len(X))  # checked before the long fit
        if self.memory is None:
            self._fit_codebook_model(X)
        else:  # the codebook model depends on the codebook, the corpus and the settings below, not on y
            fingerprint = pipeline_info(load_pipeline(self.spacy_model)).fingerprint
            settings = {name: getattr(self, name) for name in _CODEBOOK_MODEL_PARAMS}
            # Keyed on what the codebook holds, not where it was read from: the codebook a project stores
            # (no path) shares the model fitted from the YAML file.
            settings["codebook"] = dataclasses.replace(self.codebook, path=None, reference_file=None)
            memory = os.fspath(self.memory) if isinstance(self.memory, os.PathLike) else self.memory
            fitted = check_memory(memory).cache(_fitted_codebook_model)
            # The pipeline's fingerprint holds a digest of coder's code (lexicon.code_digest): a change to
            # how a model is fitted fits it anew (joblib sees only the cached function's own source).
            arguments = (settings, list(X), __version__, fingerprint)
            try:
                learned = pickle.loads(fitted(*arguments))
            except (AttributeError, ImportError, pickle.UnpicklingError):
                # A model cached by another build of coder (a renamed function it refers to): fit anew.
                learned = pickle.loads(fitted.call(*arguments)[0])
            for name, value in learned.items():
                setattr(self, name, value)
        # Not part of the cached codebook model: the codebook model never sees the question.
        self.corpus_questions_ = corpus_questions
        return self.update(y)

    def _question_indicators(self, questions: Sequence[str] | None, has_words: np.ndarray) -> np.ndarray:
        """One column per question of ``questions_``: 1 where the answer answers it and has words.

        An answer without words (a non-answer, «-», «nei») says nothing the question could tie to a code;
        it gets no 1, as an answer to a question not in ``questions_`` (or to none) does not.
        """
        indicators = np.zeros((len(has_words), len(self.questions_)))
        column = {question: j for j, question in enumerate(self.questions_)}
        for row, question in enumerate(questions or ()):
            if question in column and has_words[row]:
                indicators[row, column[question]] = 1.0
        return indicators

    def _question_logits(self, questions: Sequence[str] | None, has_words: np.ndarray) -> np.ndarray:
        """What the coders' model adds to each code's logit for the question of each answer: its indicators
        centred as in :meth:`update`, times ``question_coef_``; a row without a 1 gets nothing."""
        indicators = self._question_indicators(questions, has_words)
        known = indicators.any(axis=1)
        indicators[known] -= self.question_means_
        return indicators @ self.question_coef_

    def _has_words(self, features: sparse.csr_matrix) -> np.ndarray:
        """Which answers of the corpus have words (lemma features; the vocabulary is the corpus's)."""
        return features[:, : len(self.lemma_vectorizer_.vocabulary_)].getnnz(axis=1) > 0

    def _fit_codebook_model(self, X: Sequence[str]) -> None:
        """The codebook model: keywords, examples, reference answers and the uncoded corpus; no coders."""
        codes = self.codebook.codes
        self.classes_ = np.array(self.codebook.code_ids)
        self.matcher_ = KeywordMatcher(self.codebook)

        examples = [(text, index, 1, 1.0) for index, code in enumerate(codes) for text in code.examples]
        examples += [
            (text, index, 0, 1.0) for index, code in enumerate(codes) for text in code.counter_examples
        ]
        # A code's own examples teach better than its definition (measured on the development sets);
        # a code without examples (a lean codebook, labels alone) learns from the phrases of its definition.
        if self.definition_weight > 0:
            examples += [
                (text, index, 1, self.definition_weight)
                for index, code in enumerate(codes)
                if not code.examples
                for text in definition_phrases(code)
            ]
        # Every reference answer teaches, also one that is an answer of this corpus (an earlier survey coded
        # again): it is the codebook's knowledge. Where the coders code it otherwise, the coders' model
        # corrects it, and `suggest` keeps their codes.
        reference = self.codebook.reference_answers if self.reference_weight > 0 else ()
        # The codebook's answers come first: examples (one code each), then reference answers (coded in full).
        prior = self._process([text for text, *_ in examples] + [answer.text for answer in reference])
        given = self._process(X)
        # The corpus is fitted in the order of its texts, not of the rows: the folds and the training sample
        # are seeded by position, and the same answers in another order gave other confidences (0.81 and
        # 0.27 on a small corpus). The rows are put back in the caller's order below.
        order = np.array(sorted(range(len(given)), key=lambda row: given[row].normalized), dtype=int)
        corpus = [given[row] for row in order]
        every = [*prior, *corpus]

        self.lemma_vectorizer_, self.char_vectorizer_ = _lexical_vectorizers()
        try:
            lemma_features = self.lemma_vectorizer_.fit_transform([answer_terms(a) for a in every])
            char_features = self.char_vectorizer_.fit_transform([char_text(a) for a in every])
        except ValueError:  # scikit-learn's "empty vocabulary"
            raise CoderError(
                "nothing to learn from: the answers and the codebook examples have no words"
            ) from None
        features = _stack(lemma_features, char_features)
        n_examples, n_prior = len(examples), len(prior)
        matches = self.matcher_.matches_of(every)
        hits = self.matcher_.hit_counts(matches)

        # Labels and weights per code: examples and reference answers strong, keyword-labelled corpus weak.
        labels = (hits > 0).astype(int)
        weights = np.full(labels.shape, self.weak_weight)
        weights[:n_examples] = 0.5 * self.weak_weight  # an example of one code says little about the others
        for row, (_, index, value, weight) in enumerate(examples):
            labels[row, index] = value
            weights[row, index] = weight
        # A code no reference answer carries was added after they were coded (a code merged from `coder
        # discover`): they say nothing of it, so for it they stay corpus-like, weakly labelled by its
        # keywords. Taken as 3,659 negatives, they kept the new code below 0.01 where its keywords match.
        coded_with = np.array(
            [any(code_id in answer.codes for answer in reference) for code_id in self.classes_]
        )
        for row, answer in enumerate(reference, start=n_examples):
            labels[row, coded_with] = [code_id in answer.codes for code_id in self.classes_[coded_with]]
            weights[row, coded_with] = self.reference_weight

        # Transductive: every corpus answer is scored out of fold, so its own weak label cannot vote for it;
        # self-training replaces the weak labels of the corpus by confident out-of-fold predictions.
        # A large corpus trains on a seeded sample of its answers (the cost of a fit grows with the rows);
        # the others are scored by the final models, as new answers are.
        sample = self._training_sample(len(corpus))
        train = np.arange(len(every)) if sample is None else np.r_[np.arange(n_prior), n_prior + sample]
        train_features = features if sample is None else features[train]
        labels, weights, train_hits = labels[train], weights[train], hits[train][n_prior:]
        corpus_rows = np.arange(n_prior, len(train))
        n_fits = ((self.self_training_rounds + 1) * self.n_folds + 1) * len(codes)
        with progress.step("fitting the codebook model", total=n_fits) as bar:
            for round_ in range(self.self_training_rounds + 1):
                oof = self._out_of_fold_logits(train_features, labels, weights, corpus_rows, bar)
                if round_ == self.self_training_rounds:
                    break
                proba = _sigmoid(self._codebook_logits(oof, train_hits))
                corpus_labels = labels[n_prior:]
                corpus_labels[proba >= self.pseudo_label_above] = 1
                corpus_labels[proba <= 1 - self.pseudo_label_above] = 0
            self.models_ = self._fit_codes(train_features, labels, weights, bar)
        sorted_features = features[n_prior:]
        if sample is None:
            sorted_logits = oof
        else:
            sorted_logits = self._lexical_logits(sorted_features)
            sorted_logits[sample] = oof
        back = np.argsort(order)  # the caller's row -> its row in text order
        self.corpus_rank_ = back  # the coders' model takes its coded answers in text order too
        self.corpus_features_ = sorted_features[back]
        self.corpus_matches_ = [matches[n_prior + row] for row in back]
        self.corpus_lexical_logits_ = sorted_logits[back]
        self.transductive_rows_ = {answer.normalized: row for row, answer in enumerate(given)}
        # An answer given twice gets one suggestion: the scores of its last copy, as `suggest` gives it.
        self.corpus_canonical_rows_ = np.array([self.transductive_rows_[a.normalized] for a in given], int)

        # Nearest-example evidence: the lemma TF-IDF of the codebook's examples and reference answers.
        carriers = [(row, index) for row, (_, index, value, weight) in enumerate(examples) if value == 1]
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

    def _learned(self) -> dict[str, object]:
        return {name: value for name, value in vars(self).items() if name.endswith("_")}

    @_one_blas_thread
    def update(self, y: np.ndarray | None) -> CodeSuggester:
        """Refit the coders' model on the decisions ``y`` for the answers given to :meth:`fit`.

        The codebook model is kept, so this takes a fraction of a second: ``coder review`` calls it every
        few decisions. ``y`` is as in :meth:`fit`.
        """
        check_is_fitted(self, "models_")
        n_codes = len(self.classes_)
        shape = (self.corpus_features_.shape[0], n_codes)
        y = (
            np.full(shape, UNLABELED)
            if y is None
            else _checked_y(y, shape, [str(code) for code in self.classes_])
        )
        # Keywords the coders rejected vote less; a coded answer sees them as if it were not coded yet.
        self.keyword_reliability_ = keyword_reliability(self.corpus_matches_, y, self.codebook.code_ids)
        coded = np.flatnonzero((y != UNLABELED).any(axis=1))
        coded = coded[np.argsort(self.corpus_rank_[coded], kind="stable")]  # folds by text, not by row
        own_hits = self._hits_left_out(self.corpus_matches_, y, coded)
        offsets = self._codebook_logits(self.corpus_lexical_logits_[coded], own_hits)
        # Character n-grams only: from a few codes they carry over to spelling variants, nynorsk and
        # compounds, where lemma weights stay on the words coded (measured in benchmarks/learning.py).
        n_lemma = len(self.lemma_vectorizer_.vocabulary_)
        chars = self.corpus_features_[coded][:, n_lemma:]
        questions = self._question_design(coded)
        design = sparse.hstack([chars, questions], format="csr")
        settings = {"C": self.human_C, "positive_weight": self.human_positive_weight}
        self.human_scale_, self.question_scale_ = human_scale(
            design,
            y[coded],
            offsets,
            n_question_features=questions.shape[1],
            n_folds=self.n_folds,
            random_state=self.random_state,
            **settings,
        )
        # A code whose question scale is 0 gets the weights of the model without the question: a question
        # that does not count must not take weight from the words either.
        weights = fit_offset_logistic(chars, y[coded], offsets, **settings).toarray()
        with_question = self.question_scale_ > 0
        question_weights = np.zeros((questions.shape[1], n_codes))
        if with_question.any():
            joint = fit_offset_logistic(design, y[coded], offsets, **settings).toarray()
            weights[:, with_question] = joint[: chars.shape[1], with_question]
            question_weights = joint[chars.shape[1] :] * self.question_scale_
        char_weights = sparse.csr_matrix(weights * self.human_scale_)
        self.human_coef_ = sparse.vstack([sparse.csr_matrix((n_lemma, n_codes)), char_weights]).tocsr()
        # question_weight is folded in here: predictions use the centred indicators alone
        self.question_coef_ = self.question_weight * question_weights
        return self

    def _question_design(self, coded: np.ndarray) -> sparse.csr_matrix:
        """The question features of the ``coded`` answers, and ``questions_`` and ``question_means_``.

        Only the questions the coded answers (with words) cover count, and only if they are two or more:
        with one, the centred column would be an intercept fitted on coded answers, which are no random
        sample; a question nobody coded gets no push (it is no mirror of the coded ones). The indicators
        are centred on the corpus answers of those questions, so the question moves a code between them but
        cannot make it more common over them (that stays the codebook model's view).
        """
        has_words = self._has_words(self.corpus_features_)
        listed = self.corpus_questions_ or []
        covered = sorted({listed[row] for row in coded if has_words[row] and listed[row]}) if listed else []
        self.questions_ = np.array(covered if len(covered) > 1 else [], dtype=str)
        indicators = self._question_indicators(listed, has_words)
        counted = indicators.any(axis=1)
        self.question_means_ = (
            indicators[counted].mean(axis=0) if counted.any() else np.zeros(len(self.questions_))
        )
        indicators[counted] -= self.question_means_
        return sparse.csr_matrix(self.question_weight * indicators[coded])

    def _hits_left_out(
        self, matches: Sequence[dict[str, list[tuple[str, bool]]]], y: np.ndarray, rows: np.ndarray
    ) -> np.ndarray:
        """Keyword votes of the human-coded ``rows``, each weighted without its own decisions.

        The coders' model must see a rejected keyword the way an answer not yet coded would see it.
        """
        code_ids = self.codebook.code_ids
        accepted, rejected = _keyword_decisions(matches, y, code_ids)
        out = np.zeros((len(rows), len(code_ids)))
        for position, row in enumerate(rows):
            own_accepted, own_rejected = _keyword_decisions([matches[row]], y[row : row + 1], code_ids)
            reliability = _reliability(accepted - own_accepted, rejected - own_rejected, KEYWORD_PRIOR)
            out[position] = self.matcher_.hit_counts([matches[row]], reliability)[0]
        return out

    def _training_sample(self, n_answers: int) -> np.ndarray | None:
        """The corpus answers the lexical models train on (sorted), or ``None`` for all of them."""
        cap = self.max_training_answers
        if cap is None or n_answers <= cap:
            return None
        return np.sort(np.random.RandomState(self.random_state).choice(n_answers, cap, replace=False))

    def _fit_codes(
        self,
        features: sparse.csr_matrix,
        labels: np.ndarray,
        weights: np.ndarray,
        bar: progress.Step,
    ) -> list:
        """One lexical model per code (column of ``labels``), each a step of ``bar``.

        In turn, not in parallel: liblinear corrupts memory when two threads fit at once, and worker
        processes took longer than one process on two cores (the matrices travel to them for each fit).
        """
        models = []
        for j in range(labels.shape[1]):
            models.append(self._fit_code(features, labels[:, j], weights[:, j]))
            bar.advance()
        return models

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
        self,
        features: sparse.csr_matrix,
        labels: np.ndarray,
        weights: np.ndarray,
        rows: np.ndarray,
        bar: progress.Step,
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
            models = self._fit_codes(features[keep], labels[keep], weights[keep], bar)
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

    def _codebook_logits(self, lexical_logits: np.ndarray, hits: np.ndarray) -> np.ndarray:
        """The codebook model's logit per (answer, code): keyword votes (up to two), the lexical logit,
        and the other codes whose keywords match (up to two), weighted and biased."""
        matched = hits > 0
        others = matched.sum(axis=1, keepdims=True) - matched
        return (
            self.keyword_weight * np.minimum(hits, 2)
            + self.lexical_weight * lexical_logits
            - self.competition_weight * np.minimum(others, 2)
            + self.bias
        )

    def _scores(
        self, answers: Sequence[ProcessedAnswer], questions: list[str] | None
    ) -> tuple[np.ndarray, sparse.csr_matrix, list[dict[str, list[tuple[str, bool]]]], np.ndarray]:
        """Confidences of answers (out of fold for answers seen in :meth:`fit`), features, keyword matches,
        and what their questions add to the logits."""
        features = self._lexical(answers)
        logits = self._lexical_logits(features)
        for row, answer in enumerate(answers):
            seen = self.transductive_rows_.get(answer.normalized)
            if seen is not None:
                logits[row] = self.corpus_lexical_logits_[seen]
        matches = self.matcher_.matches_of(answers)
        has_words = np.array([bool(answer_terms(answer)) for answer in answers], dtype=bool)
        by_question = self._question_logits(questions, has_words)
        return self._confidence(logits, features, matches, by_question), features, matches, by_question

    def _confidence(
        self,
        lexical_logits: np.ndarray,
        features: sparse.csr_matrix,
        matches: Sequence[dict[str, list[tuple[str, bool]]]],
        by_question: np.ndarray,
    ) -> np.ndarray:
        """The codebook model's logit as the offset plus the coders' model, as a probability."""
        hits = self.matcher_.hit_counts(matches, self.keyword_reliability_)
        offsets = self._codebook_logits(lexical_logits, hits)
        return _sigmoid(offsets + (features @ self.human_coef_).toarray() + by_question)

    @_one_blas_thread
    def predict_proba(self, X: Sequence[str], questions: Sequence[str] | None = None) -> np.ndarray:
        """Confidence (0 to 1) per answer and code; ``questions`` as in :meth:`fit` (optional).

        Returns
        -------
        ndarray of shape (len(X), n_codes)
            Column ``j`` is the confidence that an answer carries the code ``classes_[j]``.
        """
        check_is_fitted(self, "models_")
        X = text_list(X)
        if len(X) == 0:
            return np.zeros((0, len(self.classes_)))
        return self._scores(self._process(X), _question_list(questions, len(X)))[0]

    def predict(self, X: Sequence[str], questions: Sequence[str] | None = None) -> np.ndarray:
        """0/1 per answer and code at :attr:`threshold`, columns in the order of ``classes_``.

        The confidence is compared as :meth:`suggest` writes it (rounded to ``CONFIDENCE_DECIMALS``), so a
        code is predicted exactly where it is suggested.
        """
        shown = np.round(self.predict_proba(X, questions), CONFIDENCE_DECIMALS)
        return (shown >= self.threshold).astype(int)

    # -- suggestions with evidence -------------------------------------------------------------------

    @_one_blas_thread
    def suggest(
        self, X: Sequence[str], ids: Sequence[str] | None = None, questions: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """One row per suggested code at or above the threshold: ``id, code, confidence, evidence``."""
        check_is_fitted(self, "models_")
        X = text_list(X)
        ids = [str(i) for i in range(len(X))] if ids is None else list(ids)
        if len(ids) != len(X):
            raise ValueError(f"{len(ids)} ids for {len(X)} answers")
        if len(X) == 0:
            return _suggestion_table()
        listed = _question_list(questions, len(X))
        proba, features, matches, by_question = self._scores(self._process(X), listed)
        return self._suggestions(ids, proba, features, matches, self.threshold, listed, by_question)

    @_one_blas_thread
    def predict_proba_corpus(self) -> np.ndarray:
        """:meth:`predict_proba` of the answers given to :meth:`fit`, from what ``fit`` kept (fast)."""
        check_is_fitted(self, "models_")
        return self._corpus_scores()[0]

    def _corpus_scores(self) -> tuple[np.ndarray, np.ndarray]:
        """Confidences of the corpus answers, and what their questions add to the logits."""
        logits = self.corpus_lexical_logits_[self.corpus_canonical_rows_]
        by_question = self._question_logits(self.corpus_questions_, self._has_words(self.corpus_features_))
        return self._confidence(logits, self.corpus_features_, self.corpus_matches_, by_question), by_question

    @_one_blas_thread
    def suggest_corpus(self, ids: Sequence[str], threshold: float | None = None) -> pd.DataFrame:
        """:meth:`suggest` for the answers given to :meth:`fit`, in that order, from what ``fit`` kept.

        Nothing is processed again, so after :meth:`update` this is fast (``coder review`` re-ranks with it).
        """
        check_is_fitted(self, "models_")
        if len(ids) != self.corpus_features_.shape[0]:
            raise ValueError(f"{len(ids)} ids for {self.corpus_features_.shape[0]} answers")
        threshold = self.threshold if threshold is None else threshold
        proba, by_question = self._corpus_scores()
        return self._suggestions(
            list(ids),
            proba,
            self.corpus_features_,
            self.corpus_matches_,
            threshold,
            self.corpus_questions_,
            by_question,
        )

    def _suggestions(
        self,
        ids: list[str],
        proba: np.ndarray,
        features: sparse.csr_matrix,
        matches: Sequence[dict[str, list[tuple[str, bool]]]],
        threshold: float,
        questions: Sequence[str] | None,
        by_question: np.ndarray,
    ) -> pd.DataFrame:
        """One row per (answer, code) at or above ``threshold``, with the evidence for it."""
        evidence = _Evidence(self, features)
        rows = []
        starts = range(0, len(matches), _EVIDENCE_BATCH)
        for start in progress.track(starts, f"suggesting codes ({_EVIDENCE_BATCH:,} answers a step)"):
            batch = range(start, min(start + _EVIDENCE_BATCH, len(matches)))
            similarity = evidence.similarity(batch)
            for row in batch:
                # Compared as shown: a confidence printed as 1.0 passes a threshold of 1.
                shown = np.round(proba[row], CONFIDENCE_DECIMALS)
                for index in np.flatnonzero(shown >= threshold):
                    rows.append(
                        (
                            ids[row],
                            str(self.classes_[index]),
                            float(shown[index]),
                            "; ".join(
                                part
                                for part in (
                                    evidence.describe(row, index, matches[row], similarity[row - start]),
                                    _question_evidence(questions, by_question, row, index),
                                )
                                if part
                            ),
                        )
                    )
        return _suggestion_table(rows)


CONFIDENCE_DECIMALS = 4  # a suggestion's confidence as written and as compared with the threshold
QUESTION_EVIDENCE = 0.5  # a question that adds this much to a code's logit is named in its evidence


def _question_list(questions: Sequence[Any] | None, n_answers: int) -> list[str] | None:
    """``questions`` as strings, a missing one (None, NaN) as "" (no question), one per answer."""
    if questions is None:
        return None
    listed = ["" if question is None or pd.isna(question) else str(question) for question in questions]
    if len(listed) != n_answers:
        raise ValueError(f"{len(listed)} questions for {n_answers} answers")
    return listed


def _question_evidence(questions: Sequence[str] | None, by_question: np.ndarray, row: int, index: int) -> str:
    """``question: ID`` when the coders' codes tie the code to the answer's question, else nothing."""
    if questions is None or by_question[row, index] < QUESTION_EVIDENCE:
        return ""
    return f"question: {questions[row]}"


# What the codebook model depends on besides the codebook and the corpus (the coders' model's settings and
# the threshold are left out: changing them reuses a cached codebook model).
_CODEBOOK_MODEL_PARAMS = (
    "codebook",
    "keyword_weight",
    "lexical_weight",
    "competition_weight",
    "bias",
    "weak_weight",
    "reference_weight",
    "definition_weight",
    "self_training_rounds",
    "pseudo_label_above",
    "n_folds",
    "max_training_answers",
    "C",
    "random_state",
    "spacy_model",
)


MODEL_CACHE_ITEMS = 8  # fitted codebook models kept (the most recently used): a few surveys and codebooks


def model_cache_dir() -> Path:
    """Where :func:`suggest` caches fitted codebook models: ``models/`` in :func:`coder.lexicon.cache_dir`."""
    return cache_dir() / "models"


def model_cache() -> Memory:
    """The cache of fitted codebook models for ``CodeSuggester(memory=...)`` (``suggest``, ``review``),
    trimmed to the :data:`MODEL_CACHE_ITEMS` most recently used."""
    memory = Memory(model_cache_dir(), verbose=0)
    memory.reduce_size(items_limit=MODEL_CACHE_ITEMS)
    return memory


def model_cache_info() -> dict[str, str]:
    """What the model cache holds, for ``coder info``: how many fitted codebook models, their size."""
    directory = model_cache_dir()
    files = list(directory.rglob("output.pkl")) if directory.exists() else []
    size = sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) if files else 0
    return {"fitted codebook models": f"{len(files)} ({size / 1e6:.1f} MB) in {directory}"}


def _fitted_codebook_model(settings: dict, X: list[str], version: str, pipeline_fingerprint: str) -> bytes:
    """The learned attributes of a codebook model, pickled: what ``CodeSuggester(memory=...)`` caches.

    ``version`` and ``pipeline_fingerprint`` only key the cache (another coder or pipeline fits anew). The
    attributes are pickled here, by the C pickler: joblib's own pickler takes seconds over the keyword
    matches of a large corpus (a dict per answer).
    """
    model = CodeSuggester(**settings)
    model._fit_codebook_model(X)
    return pickle.dumps(model._learned(), protocol=pickle.HIGHEST_PROTOCOL)


_EVIDENCE_BATCH = 1000  # answers whose similarities to the examples are computed at once (bounded memory)


class _Evidence:
    """Why a code was suggested: matched keywords, the terms that pushed most (in the codebook model and in
    the coders' model), the nearest example. The weights and examples are laid out once per call of
    :meth:`CodeSuggester.suggest`, so each suggestion costs a few array lookups."""

    def __init__(self, model: CodeSuggester, features: sparse.csr_matrix) -> None:
        self.model = model
        self.names = model.lemma_vectorizer_.get_feature_names_out()
        n_lemma = len(self.names)
        self.features = features[:, :n_lemma].tocsr()
        self.lexical = np.column_stack(
            [np.zeros(n_lemma) if m is None else m.coef_[0][:n_lemma] for m in model.models_]
        )
        # The coders' model weighs character n-grams: a term's weight is that of its n-grams in the answer.
        self.char_features = features[:, n_lemma:].tocsr()
        self.char_features.sort_indices()
        self.human = model.human_coef_[n_lemma:].toarray()
        self.char_analyzer = model.char_vectorizer_.build_analyzer()
        self._char_columns: dict[str, np.ndarray] = {}
        self.examples = {
            index: np.flatnonzero(model.example_codes_ == index) for index in range(len(model.classes_))
        }

    def similarity(self, rows: range) -> np.ndarray:
        """Cosine of the answers ``rows`` with every codebook example and reference answer."""
        return (self.features[rows.start : rows.stop] @ self.model.example_vectors_.T).toarray()

    def describe(
        self, row: int, index: int, matches: dict[str, list[tuple[str, bool]]], similarity: np.ndarray
    ) -> str:
        parts = []
        keywords = [keyword for keyword, _ in matches.get(self.model.classes_[index], [])]
        if keywords:
            parts.append("keywords: " + ", ".join(keywords[:4]))
        start, end = self.features.indptr[row], self.features.indptr[row + 1]
        columns, values = self.features.indices[start:end], self.features.data[start:end]
        terms = self._top_terms(self.lexical[columns, index] * values, columns, keywords)
        if terms:
            parts.append("terms: " + ", ".join(terms))
        # Terms the coders' codes made strong for the code act like keywords: name them apart.
        learned = self._top_terms(self._learned_weights(row, index, columns), columns, keywords)
        if learned:
            parts.append("coded: " + ", ".join(learned))
        carriers = self.examples[index]
        if carriers.size:
            best = carriers[int(np.argmax(similarity[carriers]))]
            if similarity[best] >= 0.25:
                parts.append(f"like: «{self.model.example_texts_[best]}»")
        return "; ".join(parts)

    def _learned_weights(self, row: int, index: int, columns: np.ndarray) -> np.ndarray:
        """What each lemma ``columns`` of answer ``row`` adds through the coders' model to code ``index``."""
        start, end = self.char_features.indptr[row], self.char_features.indptr[row + 1]
        grams_in_answer = self.char_features.indices[start:end]  # sorted
        values = self.char_features.data[start:end]
        vocabulary = self.model.char_vectorizer_.vocabulary_
        weights = np.zeros(len(columns))
        for position, column in enumerate(columns):
            name = self.names[column]
            if name.startswith(NEGATED_PREFIX):  # the n-grams of a negated word do not speak for it
                continue
            if name not in self._char_columns:
                grams = [vocabulary[gram] for gram in self.char_analyzer(name) if gram in vocabulary]
                self._char_columns[name] = np.array(grams, dtype=int)
            grams = self._char_columns[name]
            found = np.minimum(np.searchsorted(grams_in_answer, grams), max(len(grams_in_answer) - 1, 0))
            hit = grams_in_answer[found] == grams if len(grams_in_answer) else np.zeros(len(grams), bool)
            weights[position] = float(self.human[grams[hit], index] @ values[found[hit]])
        return weights

    def _top_terms(
        self, contributions: np.ndarray, columns: np.ndarray, exclude: Sequence[str], n: int = 3
    ) -> list[str]:
        """The (at most ``n``) features with the largest ``contributions`` above 0.05, keywords left out."""
        order = sorted(zip(contributions.tolist(), columns.tolist(), strict=True), reverse=True)[:n]
        return [
            self.names[j].replace(NEGATED_PREFIX, "ikke: ")
            for score, j in order
            if score > 0.05 and self.names[j] not in exclude
        ]


# --------------------------------------------------------------------------------------------------------
# The library function behind `coder suggest`
# --------------------------------------------------------------------------------------------------------


def label_matrix(ids: Sequence[str], labels: pd.DataFrame | None, codebook: Codebook) -> np.ndarray:
    """``y`` for :meth:`CodeSuggester.fit` from a long ``id, code[, present]`` table of human codes.

    Without a ``present`` column (a codes file) every id in ``labels`` is fully coded: its listed codes 1,
    all others 0, and ``code == ""`` means coded with no code. With ``present`` (decisions from a coding
    project) each row sets one (answer, code) to 1 or 0, and a row with ``code == ""`` closes the answer:
    its codes not set by another row are 0. Everything else is uncoded (-1). A row whose answer or code is
    unknown is a :class:`CoderError` (:func:`check_labels`); ids are compared as text, as files read them.

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
    ids = [str(answer_id) for answer_id in ids]
    labels = labels.reset_index(drop=True)  # rows by position (an index from pd.concat may repeat)
    check_labels(labels, ids, codebook)
    position = {answer_id: row for row, answer_id in enumerate(ids)}
    codes = labels["code"].fillna("").astype(str).str.strip()
    present = parse_present(labels) if "present" in labels.columns else pd.Series(1, index=labels.index)
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


class LabelWarning(UserWarning):
    """Human codes that cannot teach what they seem to: see :func:`suggest`."""


def _warn_of_one_sided_labels(y: np.ndarray, codebook: Codebook) -> None:
    """A code whose every coded answer carries it: its answers teach where it is, never where it is not,
    so they change no suggestion. (A researcher who lists twenty answers of one new code sees nothing.)"""
    for j, code in enumerate(codebook.code_ids):
        column = y[:, j]
        positive, negative = int((column == 1).sum()), int((column == 0).sum())
        if positive and not negative:
            message = (
                f"code '{code}': each of the {positive} coded answers carries it, so they cannot teach "
                "where it does not apply; code some answers without it (with their other codes, or none)"
            )
            warnings.warn(LabelWarning(message), stacklevel=3)


def check_labels(
    labels: pd.DataFrame, ids: Sequence[str], codebook: Codebook, file: str | None = None
) -> None:
    """Raise a :class:`CoderError` for label rows whose id is not an answer or whose code is unknown
    (:func:`coder.codebook.check_coded_answers`, the check ``coder link`` makes of its codes), for a
    ``present`` other than 1 or 0, and for two rows that set one code of one answer both ways.

    >>> from coder.codebook import Code, Codebook
    >>> book = Codebook("t", "nb", "1", (Code("a", "A"),))
    >>> check_labels(pd.DataFrame({"id": ["x", "x"], "code": ["a", "a"], "present": [1, 0]}), ["x"], book)
    Traceback (most recent call last):
    coder.errors.CoderError: row 3: code 'a' of answer 'x' is set absent here and present in row 2
    """
    if not isinstance(labels, pd.DataFrame):
        raise CoderError("the labels must be a table with columns 'id' and 'code'", file=file)
    require_columns(labels, ["id", "code"], file)
    label_ids = labels["id"].astype(str).tolist()
    codes = labels["code"].fillna("").astype(str).str.strip().tolist()
    check_coded_answers(label_ids, [[code] if code else [] for code in codes], set(ids), codebook, file=file,
                        rows=labels.index)  # fmt: skip
    if "present" not in labels.columns:
        return
    present = parse_present(labels, file)  # 1 or 0: -1 is the classifier's «not coded», 2 no value at all
    first: dict[tuple[str, str], int] = {}
    for i, answer_id, code in zip(labels.index, label_ids, codes, strict=True):
        earlier = first.setdefault((answer_id, code), i)
        if code and present.loc[earlier] != present.loc[i]:
            here, there = ("present", "absent") if present.loc[i] else ("absent", "present")
            raise CoderError(
                f"code '{code}' of answer '{answer_id}' is set {here} here and {there} in "
                f"row {spreadsheet_row(earlier)}",
                file=file,
                row=spreadsheet_row(i),
            )


def read_labels(path: str | os.PathLike[str], ids: Sequence[str], codebook: Codebook) -> pd.DataFrame:
    """Read human-coded answers (CSV/XLSX ``id,code[,present]``); check them against answers and codebook.

    Without ``present`` every id listed is coded in full; with it, see :func:`label_matrix`. A code may be
    written by its label, as NVivo, QualCoder and Taguette name codes (:func:`coder.codebook.ids_of_labels`).
    """
    labels = tidy_labels(read_table(path), codebook, path, ids)
    check_labels(labels, ids, codebook, file=str(path))
    return labels


def tidy_labels(
    labels: pd.DataFrame,
    codebook: Codebook,
    path: str | os.PathLike[str] | None = None,
    ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A table of human codes as :func:`label_matrix` takes it: ``id, code[, present]``, ids and codes
    stripped, a code by its label made its id, ``id,codes`` (``a;b``) made long, and the rows of a long
    export's consensus conflicts (``status``) left out. A ``Present`` or ``Status`` header in another case
    is read as the lower-case one (ignored, 0 would have been read as present). With the answers' ``ids``,
    an ``id,codes`` table is checked row by row before it is made long, so an error names its row."""
    renamed = {
        c: str(c).strip().lower()
        for c in labels.columns
        if str(c).strip().lower() in ("present", "status") and str(c).strip().lower() not in labels.columns
    }
    labels = labels.rename(columns=renamed)
    if "codes" in labels.columns and "code" not in labels.columns:  # id,codes (a;b), as `coder link` takes
        if ids is not None:  # made long, its rows are numbered anew
            rows, _, cells = split_codes(labels, path)
            cells = [ids_of_labels(cell, codebook) for cell in cells]
            check_coded_answers(rows, cells, set(ids), codebook, file=path, column="codes", rows=labels.index)
        labels = long_codes(labels, path)
    require_columns(labels, ["id", "code"], path)
    if "status" in labels.columns:  # a long export: a conflict is no code of the answer
        labels = labels[labels["status"].fillna("").astype(str).str.strip().isin(["", "agreed"])]
    codes = ids_of_labels(labels["code"].fillna("").astype(str).str.strip(), codebook)
    labels = labels.assign(id=labels["id"].astype(str).str.strip(), code=codes)
    if "present" in labels.columns:  # partial decisions, as `coder codes export --layout labels` writes
        labels = labels.assign(present=parse_present(labels, path))
    return labels


def suggest(
    answers: pd.DataFrame,
    codebook: Codebook | str | os.PathLike[str] | None,
    *,
    labels: pd.DataFrame | str | os.PathLike[str] | None = None,
    threshold: float | None = None,
    seed: int = 0,
    spacy_model: str | None = None,
    keep_human_codes: bool = True,
) -> pd.DataFrame:
    """Suggest codes for every answer: ``id, code, confidence, evidence`` at or above ``threshold``.

    ``answers`` has columns ``id`` and ``text``, and optionally ``question_id`` (which question each answer
    answers: the coders' codes then also teach which codes go with which question); ``labels`` (optional)
    is the long ``id, code`` table of human-coded answers (or its file, :func:`read_labels`), learned from
    together with the codebook (or its file; ``None``: coder's default codebook) and all
    uncoded answers (the codebook model is fitted once per codebook and corpus and cached, see
    :func:`model_cache_dir`). With
    ``keep_human_codes`` the output keeps what the coders decided: a code they gave has confidence 1 and
    the evidence ``coded by hand``, a code they rejected is not suggested, whatever the model says.
    A ``threshold`` or ``seed`` out of range is a :class:`CoderError` naming it (:func:`check_options`),
    raised before any work.
    """
    check_options(threshold=threshold, seed=seed)
    codebook = as_codebook(codebook)
    ids = answer_ids(answers)
    require_columns(answers, ["text"])
    texts = answers["text"].fillna("").astype(str).tolist()
    if not ids:
        return _suggestion_table()
    if labels is not None and not isinstance(labels, pd.DataFrame):
        labels = read_labels(labels, ids, codebook)  # checked there, naming the file; a table in label_matrix
    suggester = CodeSuggester(
        codebook,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        random_state=seed,
        spacy_model=spacy_model,
        memory=model_cache(),
    )
    y = label_matrix(ids, labels, codebook)
    _warn_of_one_sided_labels(y, codebook)
    questions = answers["question_id"].fillna("").astype(str).tolist() if "question_id" in answers else None
    suggester.fit(texts, y, questions=questions)
    suggestions = suggester.suggest_corpus(ids)
    return _with_human_codes(suggestions, ids, y, codebook) if keep_human_codes else suggestions


def suggestion_provenance(
    inputs: Sequence[str | os.PathLike[str]],
    codebook: Codebook,
    *,
    labels: pd.DataFrame | None = None,
    threshold: float | None = None,
    seed: int = 0,
    spacy_model: str | None = None,
) -> dict[str, Any]:
    """What made the suggestions of :func:`suggest`: the provenance written beside its output.

    Parameters
    ----------
    inputs : sequence of paths
        The files the suggestions came from (answers, codebook, labels), each kept with its sha256.
    codebook : Codebook
        The codebook; its name and version are kept.
    labels : DataFrame, optional
        The human-coded answers learned from (``id, code``); how many answers they cover is kept.
    threshold : float, optional
        The threshold given to :func:`suggest` (default :data:`DEFAULT_THRESHOLD`).
    seed : int, default 0
        The seed given to :func:`suggest`.
    spacy_model : str, optional
        The pipeline asked for; the name of the pipeline that ran is kept.

    Returns
    -------
    dict
        :func:`coder.io.provenance` with ``codebook``, ``threshold``, ``seed``, ``pipeline`` and
        ``human_coded_answers`` (the settings ``coder summary`` reports).
    """
    return provenance(
        list(inputs),
        codebook=f"{codebook.name} {codebook.version}",
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        seed=seed,
        pipeline=pipeline_info(load_pipeline(spacy_model)).name,
        human_coded_answers=0 if labels is None else int(labels["id"].nunique()),
    )


_INVALID_PARAMETER = re.compile(
    r"The '(?P<name>\w+)' parameter of \w+ must be (?P<rule>.+)\. Got (?P<value>.+) instead\."
)


def check_options(*, threshold: float | None = None, seed: int = 0) -> None:
    """Raise a :class:`CoderError` naming ``threshold`` or ``seed`` when it is out of range.

    The user's options of :func:`suggest` (and of ``coder suggest``, also with ``--project``) are checked
    against :attr:`CodeSuggester._parameter_constraints`, the table :meth:`CodeSuggester.fit` checks: out
    of range they are a user error (one line on the command line), not the estimator's ``ValueError``.
    ``None`` is the default threshold.

    >>> check_options(threshold=2)
    Traceback (most recent call last):
    coder.errors.CoderError: key 'threshold': must be a float in the range [0.0, 1.0], got 2
    """
    options = {"threshold": DEFAULT_THRESHOLD if threshold is None else threshold, "seed": seed}
    parameters = {"threshold": "threshold", "seed": "random_state"}  # option -> estimator parameter
    for option, value in options.items():
        constraints = {option: CodeSuggester._parameter_constraints[parameters[option]]}
        try:
            validate_parameter_constraints(constraints, {option: value}, caller_name="CodeSuggester")
        except InvalidParameterError as error:
            found = _INVALID_PARAMETER.fullmatch(str(error))
            # another wording of scikit-learn's still names the option (it is the parameter's name here)
            message = str(error) if found is None else f"must be {found['rule']}, got {found['value']}"
            raise CoderError(message, key=option) from None


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
    given = [(answer_id, code_id, 1.0, HAND_CODED) for (answer_id, code_id), v in decided.items() if v == 1]
    # an answer coded with no code at all: one row with an empty code (the codes-file convention), so that
    # `coder evaluate` can tell it from a prediction of none and leave it out like the other coded answers
    given += [
        (answer_id, "", 1.0, HAND_CODED) for answer_id, row in zip(ids, y, strict=True) if (row == 0).all()
    ]
    given = pd.DataFrame(given, columns=SUGGESTION_COLUMNS)
    order = {answer_id: position for position, answer_id in enumerate(ids)}
    merged = pd.concat([kept, given], ignore_index=True)
    code_order = {code_id: position for position, code_id in enumerate(codebook.code_ids)}
    rank = merged["id"].map(order) * (len(code_order) + 1) + merged["code"].map(code_order).fillna(-1) + 1
    return (
        merged.assign(_rank=rank)
        .sort_values("_rank", kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
