"""Inductive themes: group the answers a codebook misses, or the notes of an idea workshop, into themes.

Short answers and sticky notes share few words («Faste møter med mandat», «Samlingar kvar månad»), so
grouping them by their words alone fails (measured: adjusted Rand index about 0 for TF-IDF + k-means on
workshop notes). Each answer is seen six ways, each an L2-normalised block (:class:`AnswerSpace`,
weights :data:`BLOCK_WEIGHTS`), joined and reduced by truncated SVD:

* **lemmas**: TF-IDF over content lemmas and compound parts (``boligkoordinator``: ``bolig``,
  ``koordinator``);
* **chars**: TF-IDF over character 3-5-grams of the content words (spelling variants, nynorsk forms);
* **expansion**: the answer's nearest codebook texts (labels, definitions, examples, reference answers),
  mixed by similarity: a short note borrows the words of the longer texts it resembles;
* **codes**: which codes' keywords it matches (:class:`~coder.classify.KeywordMatcher`);
* **concepts**: which concepts of coder's domain lexicon it names (:func:`concepts`, matched as keywords
  are): «ordføreren» and «kommunestyret» are one concept, politics, though they share no letters; and
  the concepts that go with those (:func:`related_concepts`, learned from which concepts the codebook's
  texts and the answers name together), so debt advice comes near rent arrears;
* **related**: every term a vector learned from co-occurrence (PPMI reduced by truncated SVD) in the
  answers, the codebook's texts and each code's and concept's word list (one document each, so they are
  related words), the answer the IDF-weighted mean of its terms' vectors.

The groups are the communities of the graph joining each answer to its nearest (Louvain, seeded;
:func:`communities`), so the data decide how many there are; ``n_groups`` asks k-means for a fixed number
instead. How sure the grouping is, is its *stability*: the mean adjusted Rand index with the groupings of
random 80 % subsamples. An answer clearly nearer another group than its own (silhouette below
:data:`MISFIT`) and the answers of communities smaller than ``min_size`` go to the rest group instead of
being forced in (so does a group left smaller than ``min_size`` by that rule).

Each candidate gets a label of its typical terms (c-TF-IDF), its most typical answers (nearest its centre)
and, with a codebook, the nearest code (cosine between the group's centre and the code's text in the same
space). ``benchmarks/discover.py`` measures the blocks and clusterings against each other.

A small codebook as ``knowledge`` keeps the example fast (the related words of the default codebook take
about 5 s to learn):

>>> from coder.codebook import Code, Codebook
>>> knowledge = Codebook("t", "nb", "1", (Code("meetings", "Faste møter", keywords=("møte", "forum")),))
>>> notes = ["Faste møter med mandat", "Fast forum for samordning", "Hvem har ansvaret?"]
>>> answers = pd.DataFrame({"id": ["1", "2", "3"], "text": notes})
>>> discovery = discover(answers, min_size=1, knowledge=knowledge)
>>> [(c.group, c.label, c.size) for c in discovery.candidates]
[('G1', 'fast', 2), ('G2', 'ansvar', 1)]
>>> discovery.groups["group"].tolist()
['G1', 'G1', 'G2']
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, silhouette_samples
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize

from coder import classify, io, progress
from coder import codebook as codebook_module
from coder.classify import (
    KeywordMatcher,
    char_text,
    content_tokens,
    definition_phrases,
    identity,
    keyword_words,
)
from coder.codebook import GAP, Code, Codebook, keyword_problem, read_lexicon, unique_code_id
from coder.errors import CoderError
from coder.nlp import ProcessedAnswer, load_pipeline, preprocess

if TYPE_CHECKING:
    from spacy.language import Language

REST = "rest"
# Words many answers share that say nothing of their theme, never a label or a keyword: quantity and degree
# («Mer penger», «Flere boliger»); judgements («Bedre samarbeid», «dårleg informasjon» say how it is, not
# what); light verbs («gjøre noe», «ta ansvar»).
LABEL_STOP_WORDS = frozenset(
    {"mye", "mange", "få", "hel", "all", "alle", "alt", "annen", "ny", "egen"}
    | {"god", "bra", "dårlig", "dårleg"}
    | {"gjøre", "gjere", "ta", "finnes", "finnast", "gi", "bli", "ha", "være", "vere", "komme", "si", "seie"}
)
MAX_GROUPS = 12
WEAK_BELOW = 0.6  # with a codebook: answers whose strongest suggested code is below this are grouped
NEAR_COPY = 0.5  # a candidate this close to a code's centre reads as a gap in that code, not a new theme
MISFIT = -0.1  # an answer whose silhouette is below this sits clearly nearer another group: rest
STABLE, FAIRLY_STABLE = 0.75, 0.5  # stability bands (mean ARI), as in consensus-clustering practice
TYPICAL_ANSWERS = 3
LABEL_TERMS = 3
KEYWORDS = 6
# codes and concepts chosen on the development workshop and the held-aside answers (seeds 0-3)
BLOCK_WEIGHTS = {
    "lemmas": 1.0,
    "chars": 0.5,
    "expansion": 1.0,
    "codes": 0.75,
    "concepts": 0.75,
    "related": 1.0,
}
CONCEPTS = Path(__file__).with_name("data") / "begreper.yaml"
EXPANSION_NEIGHBOURS = 5
# The concepts that go with an answer's own, as much as its own (chosen on the development workshop)
CONCEPT_CONTEXT = 1.0
SEMANTIC_DIMENSIONS = 100
REDUCED_DIMENSIONS = 100
CHOICE_SAMPLE = 2000  # answers the number of groups, the stability and the full silhouette are computed on
GRAPH_NEIGHBOURS, RESOLUTION = 6, 1.3  # chosen on the development workshop and held-aside answers
# The answers a codebook leaves uncoded: Louvain's own resolution keeps a theme the codebook lacks in one
# group more often (a code left out of the codebook, on the tuning sets: benchmarks/discover.py --left-out)
CODEBOOK_RESOLUTION = 1.0
STABILITY_RUNS = 10
EXPANSION_BLOCK = 1000  # answers whose similarities to the codebook's texts are held at once


def answer_words(answer: ProcessedAnswer) -> list[str]:
    """The words that carry a theme: content lemmas and their compound parts, lower-cased.

    >>> answer_words(preprocess(["Faste møter med mandat"], load_pipeline("embedded"))[0])
    ['fast', 'møte', 'mandat']
    """
    words: list[str] = []
    for token in content_tokens(answer):
        words.append(token.lemma.lower())
        words.extend(part.lower() for part in token.parts)
    return words


def _keyword_terms(keyword: str) -> list[str]:
    return [word.rstrip("*").lower() for word in keyword_words(keyword) if word != ".."]


def codebook_texts(codebook: Codebook) -> list[str]:
    """The codebook's texts: each code's label, definition phrases, examples, then the reference answers."""
    texts = [text for code in codebook.codes for text in (*definition_phrases(code), *code.examples)]
    return texts + [reference.text for reference in codebook.reference_answers]


@dataclass
class AnswerSpace:
    """The dense space answers are grouped in (see the module docs), fitted on answers and a codebook."""

    weights: dict[str, float] = field(default_factory=lambda: dict(BLOCK_WEIGHTS))
    dimensions: int = REDUCED_DIMENSIONS
    neighbours: int = EXPANSION_NEIGHBOURS
    concept_context: float = CONCEPT_CONTEXT
    seed: int = 0

    def fit_transform(
        self, answers: Sequence[ProcessedAnswer], knowledge: Knowledge | None = None
    ) -> np.ndarray:
        """Unit vectors of ``answers``; ``knowledge`` is what the codebook knows (:func:`knowledge_of`)."""
        knowledge = knowledge or Knowledge.empty()
        words = [answer_words(answer) for answer in answers]
        if not any(words):
            return np.zeros((len(answers), 1))
        chars = [char_text(answer) for answer in answers]
        weights = self.weights
        self.lemmas_ = TfidfVectorizer(analyzer=identity, sublinear_tf=True).fit([*words, *knowledge.words])
        lemma_features = normalize(self.lemmas_.transform(words))
        blocks = []
        if weights.get("lemmas"):
            blocks.append(weights["lemmas"] * lemma_features)
        if weights.get("chars"):
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
            blocks.append(weights["chars"] * normalize(vectorizer.fit_transform(chars)))
        if weights.get("expansion") and knowledge.words:
            blocks.append(weights["expansion"] * self._expansion(lemma_features, knowledge))
        for block, matcher in (("codes", knowledge.matcher), ("concepts", knowledge.concepts)):
            if weights.get(block) and matcher is not None:
                hits = matcher.hit_matrix(list(answers)).astype(float)
                if block == "concepts" and self.concept_context:
                    context = related_concepts(hits, knowledge.concept_hits, self.seed)
                    hits = np.hstack([normalize(hits), self.concept_context * context])
                blocks.append(weights[block] * sparse.csr_matrix(normalize(hits)))
        if weights.get("related"):
            self.term_vectors_ = related_words(
                [*words, *knowledge.words, *knowledge.keyword_lists], self.seed
            )
            blocks.append(weights["related"] * sparse.csr_matrix(self.embed(words)))
        return self._reduce(sparse.hstack(blocks).tocsr())

    def _expansion(self, lemma_features: sparse.csr_matrix, knowledge: Knowledge) -> sparse.csr_matrix:
        """Each answer as the similarity-weighted mean of its nearest codebook texts (expansion)."""
        background = normalize(self.lemmas_.transform(knowledge.words))
        m = min(self.neighbours, background.shape[0])
        nearest, weights = [], []
        # A block of answers at a time: all 10,000 against the 4,000 texts of the default codebook at once
        # held 300 MB three times over (the similarities, their negation, its argument order), most of
        # discover's memory.
        for start in range(0, lemma_features.shape[0], EXPANSION_BLOCK):
            similarity = (lemma_features[start : start + EXPANSION_BLOCK] @ background.T).toarray()
            found = np.argpartition(-similarity, m - 1, axis=1)[:, :m].copy()  # not a view of all of it
            nearest.append(found)  # the m nearest, in any order
            weights.append(np.take_along_axis(similarity, found, axis=1))
        found, weight = np.vstack(nearest), np.vstack(weights)
        rows = np.repeat(np.arange(len(found)), m)
        mixing = sparse.csr_matrix(
            (weight.ravel(), (rows, found.ravel())), shape=(len(found), background.shape[0])
        )
        return normalize(mixing @ background)

    def _reduce(self, joined: sparse.csr_matrix) -> np.ndarray:
        n_components = min(self.dimensions, joined.shape[0] - 1, joined.shape[1] - 1)
        if n_components < 2:
            return normalize(joined.toarray())
        self.svd_ = TruncatedSVD(n_components=n_components, random_state=self.seed)
        with np.errstate(divide="ignore", invalid="ignore"):  # identical answers: 0/0 explained variance
            return normalize(self.svd_.fit_transform(joined))

    def embed(self, words: Sequence[list[str]]) -> np.ndarray:
        """Each term list as the IDF-weighted mean of its terms' related-word vectors (unit length)."""
        vocabulary, vectors = self.term_vectors_
        idf = dict(zip(self.lemmas_.get_feature_names_out(), self.lemmas_.idf_, strict=True))
        out = np.zeros((len(words), vectors.shape[1]))
        for row, terms in enumerate(words):
            for term, count in Counter(terms).items():
                column = vocabulary.get(term)
                if column is not None:
                    out[row] += (1 + np.log(count)) * idf.get(term, 1.0) * vectors[column]
        return normalize(out)


def related_words(
    documents: Sequence[list[str]], seed: int = 0, dimensions: int = SEMANTIC_DIMENSIONS
) -> tuple[dict[str, int], np.ndarray]:
    """Term vectors from co-occurrence in ``documents``: ``(term -> row, vectors)``, PPMI reduced by SVD.

    Two terms get similar vectors when they occur with the same other terms, even if never together.
    Terms in a single document are left out (their co-occurrence says nothing).
    """
    counts = Counter(term for doc in documents for term in set(doc))
    vocabulary = {term: i for i, term in enumerate(sorted(t for t, n in counts.items() if n >= 2))}
    rows, cols = [], []
    for d, doc in enumerate(documents):
        for term in set(doc):
            column = vocabulary.get(term)
            if column is not None:
                rows.append(d)
                cols.append(column)
    if len(vocabulary) < 3:
        return vocabulary, np.eye(len(vocabulary))
    incidence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(documents), len(vocabulary)))
    cooccurrence = (incidence.T @ incidence).tocoo()
    total = cooccurrence.sum()
    marginal = np.asarray(cooccurrence.sum(axis=1)).ravel()
    # Context distribution smoothing (alpha 0.75) keeps rare terms from dominating PPMI (Levy et al. 2015).
    smoothed = marginal**0.75
    pmi = np.log(
        cooccurrence.data * smoothed.sum() / (marginal[cooccurrence.row] * smoothed[cooccurrence.col])
    ) - np.log(total / marginal.sum())
    keep = pmi > 0
    ppmi = sparse.csr_matrix(
        (pmi[keep], (cooccurrence.row[keep], cooccurrence.col[keep])), shape=cooccurrence.shape
    )
    n_components = min(dimensions, len(vocabulary) - 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # a degenerate corpus: 0/0 explained variance
        vectors = TruncatedSVD(n_components=n_components, random_state=seed).fit_transform(ppmi)
    return vocabulary, normalize(vectors)


def related_concepts(hits: np.ndarray, background: np.ndarray | None = None, seed: int = 0) -> np.ndarray:
    """Each row of concept ``hits`` as the sum of its concepts' vectors (unit length, zero without one).

    The vectors come from which concepts are named together in the rows of ``background`` (the codebook's
    texts) and of ``hits`` (the answers): :func:`related_words` with the concepts as its terms. So a note
    on debt advice comes near one on rent arrears when texts naming the one often name the other, though
    the two notes share no concept.

    >>> background = np.array([[1, 1, 0, 0]] * 3 + [[0, 0, 1, 1]] * 3 + [[1, 0, 0, 0], [0, 0, 1, 0]])
    >>> vectors = related_concepts(np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]), background)
    >>> (vectors @ vectors.T).round(2) + 0.0  # concepts 0 and 1 go together, 3 goes with neither
    array([[1.  , 0.83, 0.  ],
           [0.83, 1.  , 0.  ],
           [0.  , 0.  , 1.  ]])
    """
    rows = hits if background is None else np.vstack([background, hits])
    vocabulary, vectors = related_words([[str(c) for c in np.flatnonzero(row)] for row in rows], seed)
    if not vocabulary:  # no text names a concept: nothing to relate
        return np.zeros((len(hits), 1))
    concept_vectors = np.zeros((hits.shape[1], vectors.shape[1]))
    for concept, row in vocabulary.items():
        concept_vectors[int(concept)] = vectors[row]
    return normalize(hits @ concept_vectors)


def cluster(
    vectors: np.ndarray, n_groups: int, seed: int = 0, method: str = "kmeans", n_init: int = 10
) -> np.ndarray:
    """Group labels 0..n_groups-1 for unit ``vectors`` (-1 for a zero vector: nothing to group it by).

    k-means on the unit vectors (spherical in effect): the groups when their number is given, and a yardstick
    in ``benchmarks/discover.py`` (as is ``method="agglomerative"``, average linkage on cosine distance).
    """
    labels = np.full(len(vectors), -1)
    rows = np.flatnonzero(np.linalg.norm(vectors, axis=1) > 0)
    n_groups = min(n_groups, distinct_rows(vectors[rows]))  # identical answers cannot be told apart
    if n_groups < 2:
        labels[rows] = 0
        return labels
    if method == "agglomerative":
        model = AgglomerativeClustering(n_clusters=n_groups, metric="cosine", linkage="average")
    else:
        model = KMeans(n_clusters=n_groups, n_init=n_init, random_state=seed)
    labels[rows] = model.fit_predict(vectors[rows])
    return labels


class TooFewAnswers(CoderError):
    """Too few answers with words to make two groups of ``min_size``, or the ``n_groups`` asked for (``key``
    says which setting could help, if any)."""


@dataclass(frozen=True)
class Choice:
    """How the number of groups was chosen: the communities of the nearest-neighbour graph."""

    communities: int  # communities Louvain found
    large: int  # of them with at least min_size answers (the MAX_GROUPS largest of them are the groups)
    modularity: float  # how much more the communities keep inside than chance (0: none; above 0.3: clear)
    sample: int  # answers the communities were found among
    resolution: float = RESOLUTION  # Louvain's: larger, more and smaller communities


def communities(
    vectors: np.ndarray,
    seed: int = 0,
    min_size: int = 3,
    max_groups: int = MAX_GROUPS,
    *,
    resolution: float = RESOLUTION,
    neighbours: int = GRAPH_NEIGHBOURS,
) -> tuple[np.ndarray, Choice | None]:
    """Groups as the communities of the nearest-neighbour graph: labels (-1: the rest) and how they came.

    The graph joins each answer to its ``neighbours`` most similar (:func:`neighbour_graph`); Louvain
    (``resolution``, seeded) finds its communities, so the number of groups is the
    data's. The ``max_groups`` largest communities of at least ``min_size`` answers are the groups; the
    others' answers are the rest. Above :data:`CHOICE_SAMPLE` answers the communities are found in a seeded
    sample of that size and every other answer joins the group whose centre is nearest (the rest rule
    then applies to it as to every answer). All answers alike: one group, and no choice.
    """
    labels = np.full(len(vectors), -1)
    usable = np.flatnonzero(np.linalg.norm(vectors, axis=1) > 0)  # answers without content words: rest
    if distinct_rows(vectors[usable]) < 2:
        labels[usable] = 0
        return labels, None
    sample = usable
    if len(usable) > CHOICE_SAMPLE:
        sample = np.sort(np.random.default_rng(seed).choice(usable, CHOICE_SAMPLE, replace=False))
    graph = neighbour_graph(vectors[sample], neighbours)
    found = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    large = sorted((sorted(c) for c in found if len(c) >= min_size), key=lambda c: (-len(c), c[0]))
    for label, members in enumerate(large[:max_groups]):
        labels[sample[members]] = label
    others = np.setdiff1d(usable, sample)
    if len(others) and large:
        groups = range(min(len(large), max_groups))
        centres = normalize(np.vstack([vectors[labels == g].mean(axis=0) for g in groups]))
        labels[others] = np.argmax(vectors[others] @ centres.T, axis=1)
    modularity = nx.community.modularity(graph, found, weight="weight")
    return labels, Choice(len(found), len(large), round(float(modularity), 3), len(sample), resolution)


def neighbour_graph(vectors: np.ndarray, neighbours: int = GRAPH_NEIGHBOURS) -> nx.Graph:
    """Each answer joined to its ``neighbours`` most similar by their cosine similarity (if above 0).

    >>> neighbour_graph(np.eye(3), 1).number_of_edges()  # orthogonal: nothing in common
    0
    """
    n_neighbors = min(neighbours + 1, len(vectors))
    search = NearestNeighbors(n_neighbors=n_neighbors, metric="cosine", algorithm="brute").fit(vectors)
    distances, nearest = search.kneighbors(vectors)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(vectors)))
    for i, (row_distances, row_nearest) in enumerate(zip(distances, nearest, strict=True)):
        for distance, j in zip(row_distances, row_nearest, strict=True):
            if j != i and distance < 1:
                graph.add_edge(i, int(j), weight=1 - float(distance))
    return graph


def distinct_rows(vectors: np.ndarray) -> int:
    """How many different vectors there are (to 6 decimals)."""
    return len(np.unique(vectors.round(6), axis=0)) if len(vectors) else 0


@dataclass(frozen=True)
class Knowledge:
    """What a codebook knows about words: its texts as term lists, its keywords per code, its matcher; and
    the matcher of coder's domain lexicon (:func:`concepts`)."""

    words: list[list[str]]
    keyword_lists: list[list[str]]
    matcher: KeywordMatcher | None
    concepts: KeywordMatcher | None = None
    concept_hits: np.ndarray | None = None  # which concepts each of the codebook's texts names

    @classmethod
    def empty(cls) -> Knowledge:
        return cls([], [], None)


@functools.cache
def concepts() -> Codebook:
    """coder's domain lexicon (``coder/data/begreper.yaml``) as a codebook: one code per concept of
    social-housing work, its words the keywords (matched as keywords are: lemmas, compound parts, nynorsk).

    >>> [code.label for code in concepts().codes][:2]
    ['politikk', 'politisk saksgang']
    """
    return read_lexicon(CONCEPTS)


def extend_lexicon(lexicon: Codebook, extra: Codebook) -> Codebook:
    """``lexicon`` with the concepts of ``extra``: a concept of the same name (any case) gains its terms,
    a new one is added.

    >>> base = Codebook("l", "nb", "1", (Code("concept_1", "politikk", keywords=("ordfører",)),))
    >>> extra = Codebook("mine", "nb", "1", (
    ...     Code("concept_1", "Politikk", keywords=("ordfører", "gruppeleder")),
    ...     Code("concept_2", "vaktmester", keywords=("fiksern",)),
    ... ))
    >>> [(code.id, code.label, code.keywords) for code in extend_lexicon(base, extra).codes]
    [('concept_1', 'politikk', ('ordfører', 'gruppeleder')), ('concept_2', 'vaktmester', ('fiksern',))]
    """
    codes = {code.label.casefold(): code for code in lexicon.codes}
    for code in extra.codes:
        known = codes.get(code.label.casefold())
        if known is None:
            codes[code.label.casefold()] = dataclasses.replace(code, id=f"concept_{len(codes) + 1}")
        else:
            terms = tuple(dict.fromkeys((*known.keywords, *code.keywords)))
            codes[code.label.casefold()] = dataclasses.replace(known, keywords=terms)
    return dataclasses.replace(lexicon, codes=tuple(codes.values()))


def lexicon_coverage(lexicon: Codebook, texts: Sequence[str]) -> pd.DataFrame:
    """In how many of ``texts`` each term of ``lexicon`` is found, as grouping finds it (its lemmas too):
    ``concept, term, answers``. A researcher's term found in none is a typo or a word nobody used.

    >>> lexicon = Codebook("l", "nb", "1", (Code("concept_1", "drift", keywords=("fiksern", "husvert")),))
    >>> lexicon_coverage(lexicon, ["Fiksern kommer", "Ring fiksern", "Ingen svar"]).values.tolist()
    [['drift', 'fiksern', 2], ['drift', 'husvert', 0]]
    """
    nlp = load_pipeline()
    pairs = [(code.label, term) for code in lexicon.codes for term in code.keywords]
    each_term = tuple(Code(f"t{i}", term, keywords=(term,)) for i, (_, term) in enumerate(pairs))
    matcher = KeywordMatcher(with_lemmas(Codebook(lexicon.name, "nb", "1", each_term), nlp))
    found = matcher.hit_matrix(preprocess(list(texts), nlp)) > 0
    return pd.DataFrame(
        {"concept": [c for c, _ in pairs], "term": [t for _, t in pairs], "answers": found.sum(axis=0)}
    )


def with_lemmas(lexicon: Codebook, nlp: Language) -> Codebook:
    """``lexicon`` with each term that is written inflected also standing as its lemmas under ``nlp``.

    Keywords match lemmas, and the domain lexicon's words are written as people write them («mangel på
    boliger», «krevjande»): each also stands as the pipeline lemmatizes it, as an answer saying it is.

    >>> lexicon = Codebook("l", "nb", "1", (Code("c", "bolig", keywords=("mangel på boliger", "bolig*")),))
    >>> with_lemmas(lexicon, load_pipeline()).codes[0].keywords
    ('mangel på boliger', 'bolig*', 'mangel på bolig')
    """
    plain = sorted({k for code in lexicon.codes for k in code.keywords if "*" not in k and GAP not in k})
    lemmatized = {
        term: " ".join(answer.lemmas) for term, answer in zip(plain, preprocess(plain, nlp), strict=True)
    }
    codes = []
    for code in lexicon.codes:
        lemmas = (lemmatized.get(k, k) for k in code.keywords)
        added = tuple(dict.fromkeys(k for k in lemmas if k not in code.keywords and not keyword_problem(k)))
        codes.append(dataclasses.replace(code, keywords=(*code.keywords, *added)))
    return dataclasses.replace(lexicon, codes=tuple(codes))


def knowledge_of(codebook: Codebook | None, lexicon: Codebook | None = None) -> Knowledge:
    """The codebook's texts (labels, definitions, examples, reference answers) and keywords as term lists,
    and coder's domain lexicon (:func:`concepts`), extended by a researcher's ``lexicon``
    (:func:`read_lexicon`) when one is given.

    A code's keywords in one list make them related words of each other (``startlån`` ~ ``bostøtte``).
    Kept for the few codebooks and pipelines last asked for (the default codebook takes about 2 s): a
    report or a session that groups several times reads its codebook once. The same object is returned;
    it is read, not changed.
    """
    if codebook is None:
        return Knowledge.empty()
    return _knowledge_of(codebook, load_pipeline(), lexicon)


@functools.lru_cache(maxsize=4)
def _knowledge_of(codebook: Codebook, nlp: Language, extra: Codebook | None) -> Knowledge:
    texts = preprocess(codebook_texts(codebook), nlp)
    lexicon = with_lemmas(concepts() if extra is None else extend_lexicon(concepts(), extra), nlp)
    keyword_lists = [
        [term for keyword in code.keywords for term in _keyword_terms(keyword)]
        for code in (*codebook.codes, *lexicon.codes)
    ]
    concept_matcher = KeywordMatcher(lexicon)
    return Knowledge(
        [answer_words(text) for text in texts],
        keyword_lists,
        KeywordMatcher(codebook),
        concept_matcher,
        concept_matcher.hit_matrix(texts),
    )


@dataclass(frozen=True)
class Candidate:
    """One candidate theme: its answers (most typical first), a label, and the nearest existing code."""

    group: str
    label: str
    keywords: tuple[str, ...]
    ids: tuple[str, ...]
    texts: tuple[str, ...]
    cohesion: float  # mean cosine similarity of its answers to its centre
    nearest_code: str | None = None
    nearest_similarity: float | None = None

    @property
    def size(self) -> int:
        return len(self.ids)

    def typical(self, n: int = TYPICAL_ANSWERS) -> tuple[str, ...]:
        """The ``n`` different answers nearest the group's centre."""
        return tuple(dict.fromkeys(self.texts))[:n]

    @property
    def name(self) -> str:
        """The label as a researcher writes a theme name: «Ansvar, sak» (the group id if it has no terms)."""
        return self.label.replace(" / ", ", ").capitalize() or self.group

    @property
    def near_copy(self) -> bool:
        """Whether the candidate is close to an existing code: a gap in its keywords more than a new theme."""
        return self.nearest_similarity is not None and self.nearest_similarity >= NEAR_COPY


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found: candidates, the rest group, and how the number of groups was chosen."""

    candidates: tuple[Candidate, ...]
    groups: pd.DataFrame  # id, group for every grouped answer (the rest group included), in input order
    n_groups: int  # groups formed, before the rest rule (the candidates are those left)
    choice: Choice | None  # how the number of groups was chosen (None: given, or all answers alike)
    chosen_by: str  # "communities", "given" (n_groups) or "identical" (fewer than two answers differ)
    stability: float  # mean ARI with groupings of 80 % subsamples: how sure the grouping is
    total: int  # answers given; with a codebook only those without a strong code are in groups
    without_words: int = 0  # grouped answers with no words to group by (empty, «vet ikke»): all in the rest

    @property
    def rest(self) -> list[str]:
        return self.groups.loc[self.groups["group"] == REST, "id"].tolist()


def discover(
    answers: pd.DataFrame,
    *,
    codebook: Codebook | str | os.PathLike[str] | None = None,
    suggestions: pd.DataFrame | None = None,
    knowledge: Codebook | Knowledge | None = None,
    min_size: int = 3,
    weak_below: float = WEAK_BELOW,
    n_groups: int | None = None,
    seed: int = 0,
    processed: Sequence[ProcessedAnswer] | None = None,
    resolution: float | None = None,
) -> Discovery:
    """Group ``answers`` (columns ``id``, ``text``) into candidate themes; see the module docs.

    With a ``codebook`` only the answers without a code at ``weak_below`` or above are grouped (their codes
    come from ``suggestions``, long ``id, code, confidence``; without them the codebook's suggester is
    fitted, see :func:`coder.classify.suggest`), and each candidate names its nearest code. Without one,
    every answer is grouped (the notes of an idea workshop). ``knowledge`` is the codebook whose texts and
    keywords tell which words are related (default: ``codebook``, else coder's default codebook), or what
    :func:`knowledge_of` made of it (for several calls).
    ``n_groups`` fixes the number of groups instead of choosing it (k-means: ``resolution`` is then not
    used); ``resolution`` is Louvain's (default
    :data:`CODEBOOK_RESOLUTION` with a codebook, :data:`RESOLUTION` without: fewer, larger groups with a
    codebook, where one theme is missing; the notes of a workshop hold many). Deterministic for a ``seed``.

    The first 29 notes of the Rissa idea workshop, with a two-code codebook as ``knowledge`` (the default
    codebook's takes about 5 s):

    >>> from coder.codebook import Code, Codebook
    >>> knowledge = Codebook("t", "nb", "1", (
    ...     Code("meetings", "Faste møter", keywords=("møte", "forum")),
    ...     Code("responsibility", "Ansvar", keywords=("ansvar",)),
    ... ))
    >>> notes = pd.read_csv("examples/rissa/idedugnad.csv").rename(columns={"lapp": "text"})
    >>> discovery = discover(notes[notes["id"] <= "L29"], knowledge=knowledge)
    >>> discovery.chosen_by, len(discovery.candidates)
    ('communities', 5)
    >>> [(c.group, c.label, c.size) for c in discovery.candidates][:3]
    [('G1', 'felles / bolig', 8), ('G2', 'sak', 6), ('G3', 'møte / fast', 5)]
    """
    classify.check_options(seed=seed)
    if min_size < 1:
        raise CoderError(f"must be 1 or more, got {min_size}", key="min_size")
    if resolution is not None and not resolution > 0:  # Louvain's resolution: no CLI option sets it
        raise CoderError(f"the resolution must be above 0, got {resolution}")
    codebook = None if codebook is None else codebook_module.as_codebook(codebook)  # None: no codebook
    ids = io.answer_ids(answers)
    io.require_columns(answers, ["text"])
    texts = answers["text"].fillna("").astype(str).tolist()
    total = len(ids)
    if codebook is not None:
        keep = _without_strong_code(answers, codebook, suggestions, weak_below, seed)
        ids = [i for i, kept in zip(ids, keep, strict=True) if kept]
        texts = [t for t, kept in zip(texts, keep, strict=True) if kept]
        if processed is not None:
            processed = [p for p, kept in zip(processed, keep, strict=True) if kept]
    knowledge = knowledge or codebook or codebook_module.load()
    processed = list(processed) if processed is not None else preprocess(texts, load_pipeline())
    known = knowledge if isinstance(knowledge, Knowledge) else knowledge_of(knowledge)
    profiles = code_profiles(codebook) if codebook is not None else []
    space = AnswerSpace(seed=seed)
    with progress.step("grouping answers", total=3) as step:
        everything = space.fit_transform([*processed, *profiles], known)
        vectors, code_vectors = everything[: len(ids)], everything[len(ids) :]
        with_words = int(np.sum(np.linalg.norm(vectors, axis=1) > 0))
        if with_words < 2 * min_size:
            if codebook is None:
                what = "have words to group by"
            else:  # «5 of 70 have words to group by; 65 carry a strong code» read as a contradiction
                wordless = len(ids) - with_words
                what = f"are left to group: {total - len(ids)} carry a strong code" + (
                    f" and {wordless} {'has' if wordless == 1 else 'have'} no words" if wordless else ""
                )
            raise TooFewAnswers(
                f"only {with_words} of {total} answers {what} (at least {2 * min_size} needed for two "
                f"groups of {min_size})",
                key="min_size" if with_words >= 2 else None,  # with fewer, no --min-size would help
            )
        if n_groups is not None and not 2 <= n_groups < with_words:
            raise TooFewAnswers(
                f"asks for {n_groups} groups of the {with_words} answers with words to group by; ask for "
                f"2 to {with_words - 1}",
                key="n_groups",
            )
        step.advance()
        if n_groups is None:
            if resolution is None:
                resolution = RESOLUTION if codebook is None else CODEBOOK_RESOLUTION
            labels, choice = communities(vectors, seed, min_size, resolution=resolution)
            chosen_by = "communities" if choice is not None else "identical"

            def regroup(rows: np.ndarray) -> np.ndarray:
                return communities(vectors[rows], seed, min_size, resolution=resolution)[0]
        else:
            labels, choice, chosen_by = cluster(vectors, n_groups, seed), None, "given"

            def regroup(rows: np.ndarray) -> np.ndarray:
                return cluster(vectors[rows], n_groups, seed, n_init=3)

        n_groups = len(set(labels[labels >= 0].tolist()))
        step.advance()
        stability = _stability(labels, regroup, seed)
        labels = _without_misfits(vectors, labels, min_size)
        step.advance()
    words = [answer_words(answer) for answer in processed]
    code_ids = codebook.code_ids if codebook is not None else []
    candidates = _candidates(ids, texts, words, vectors, labels, code_ids, code_vectors)
    names = {label: candidate.group for label, candidate in candidates.items()}
    return Discovery(
        candidates=tuple(candidates.values()),
        groups=pd.DataFrame({"id": ids, "group": [names.get(label, REST) for label in labels]}),
        n_groups=n_groups,
        choice=choice,
        chosen_by=chosen_by,
        stability=stability,
        total=total,
        without_words=len(ids) - with_words,
    )


def code_profiles(codebook: Codebook) -> list[ProcessedAnswer]:
    """Each code as one text: its label, definition, keywords and examples (to find the nearest code)."""
    texts = [
        " . ".join([*definition_phrases(code), *code.examples, *(k.replace("*", "") for k in code.keywords)])
        for code in codebook.codes
    ]
    return preprocess(texts, load_pipeline())


def _without_strong_code(
    answers: pd.DataFrame, codebook: Codebook, suggestions: pd.DataFrame | None, weak_below: float, seed: int
) -> list[bool]:
    """Per answer: whether it carries no code at ``weak_below`` or above (so it is grouped)."""
    if suggestions is None:
        suggestions = _suggestions(answers, codebook, seed)
    strong = set(suggestions.loc[suggestions["confidence"] >= weak_below, "id"].astype(str))
    return [str(answer_id) not in strong for answer_id in answers["id"]]


def _suggestions(answers: pd.DataFrame, codebook: Codebook, seed: int) -> pd.DataFrame:
    return classify.suggest(answers[["id", "text"]], codebook, seed=seed, keep_human_codes=False)


def _stability(labels: np.ndarray, regroup: Callable[[np.ndarray], np.ndarray], seed: int) -> float:
    """Mean ARI of ``labels`` with the groupings ``regroup`` makes of random 80 % subsamples (of at most
    :data:`CHOICE_SAMPLE` answers): 1.0, the same groups every time."""
    n = len(labels)
    size = int(0.8 * min(n, CHOICE_SAMPLE))
    if not (labels >= 0).any():  # no group at all: nothing to be sure of
        return float("nan")
    if len(set(labels.tolist())) < 2 or size < 3:  # one group, or too few answers to leave any out
        return 1.0
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(STABILITY_RUNS):
        rows = np.sort(rng.choice(n, size=size, replace=False))
        scores.append(adjusted_rand_score(labels[rows], regroup(rows)))
    return float(np.mean(scores))


def _without_misfits(vectors: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """``labels`` with -1 (the rest) for answers clearly nearer another group than their own (silhouette
    below :data:`MISFIT`) and for groups smaller than ``min_size``.

    Above :data:`CHOICE_SAMPLE` answers the simplified silhouette (distances to the group centres, not
    to every other answer) keeps the cost linear.
    """
    labels = labels.copy()
    grouped = np.flatnonzero(labels >= 0)
    if len(set(labels[grouped])) > 1:
        fits = (
            silhouette_samples(vectors[grouped], labels[grouped], metric="cosine")
            if len(grouped) <= CHOICE_SAMPLE
            else _simplified_silhouette(vectors[grouped], labels[grouped])
        )
        labels[grouped[fits < MISFIT]] = -1
    sizes = Counter(labels[labels >= 0].tolist())
    small = [label for label, size in sizes.items() if size < min_size]
    labels[np.isin(labels, small)] = -1
    return labels


def _simplified_silhouette(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    groups = np.unique(labels)
    centres = normalize(np.vstack([vectors[labels == g].mean(axis=0) for g in groups]))
    distance = 1 - vectors @ centres.T
    own = distance[np.arange(len(vectors)), np.searchsorted(groups, labels)]
    distance[np.arange(len(vectors)), np.searchsorted(groups, labels)] = np.inf
    other = distance.min(axis=1)
    return (other - own) / np.maximum(np.maximum(own, other), 1e-12)


def _candidates(
    ids: list[str],
    texts: list[str],
    words: list[list[str]],
    vectors: np.ndarray,
    labels: np.ndarray,
    code_ids: list[str],
    code_vectors: np.ndarray,
) -> dict[int, Candidate]:
    """The candidates by cluster label, largest first, named G1, G2, ..."""
    groups = sorted(set(labels[labels >= 0].tolist()), key=lambda g: (-int(np.sum(labels == g)), g))
    document_frequency = Counter(term for terms in words for term in set(terms))
    out: dict[int, Candidate] = {}
    for number, label in enumerate(groups, start=1):
        rows = np.flatnonzero(labels == label)
        centre = normalize(vectors[rows].mean(axis=0, keepdims=True))[0]
        closeness = vectors[rows] @ centre
        order = rows[np.argsort(-closeness, kind="stable")]
        top = _top_terms([words[row] for row in rows], document_frequency, len(words))
        nearest_code, nearest_similarity = None, None
        if code_ids:
            similarity = code_vectors @ centre
            best = int(np.argmax(similarity))
            nearest_code, nearest_similarity = code_ids[best], round(float(similarity[best]), 3)
        out[label] = Candidate(
            group=f"G{number}",
            label=" / ".join(top[:LABEL_TERMS]),
            keywords=top,
            ids=tuple(ids[row] for row in order),
            texts=tuple(texts[row] for row in order),
            cohesion=round(float(np.mean(closeness)), 3),
            nearest_code=nearest_code,
            nearest_similarity=nearest_similarity,
        )
    return out


def _top_terms(group: list[list[str]], document_frequency: Counter, n: int) -> tuple[str, ...]:
    """The group's most typical terms (c-TF-IDF): in many of its answers, in few others.

    Only terms two or more of its answers share, unless they share none that can be a label (then the
    rarest of their words: «få» shared says nothing). Compound parts count as terms (``omsorgsbolig`` and
    ``leiebolig`` share ``bolig``), and a term inside a better one, or around it, is left out
    (``døgnbemanning`` after ``bemanning``). Every term is a valid keyword, so the candidates can go into a
    codebook as they are.
    """
    in_group = Counter(term for terms in group for term in set(terms))
    chosen: list[str] = []
    for shared in (2, 1):  # words the answers share first
        score = {
            term: count / len(group) * np.log(1 + n / document_frequency[term])
            for term, count in in_group.items()
            if count >= shared
        }
        for term in sorted(score, key=lambda term: (-score[term], term)):
            # A compound beside its part says the same twice (a keyword matches compound parts anyway).
            if term in LABEL_STOP_WORDS or keyword_problem(term) is not None:
                continue
            if not any(term in kept or kept in term for kept in chosen):
                chosen.append(term)
        if chosen:
            break
    return tuple(chosen[:KEYWORDS])


def stability_band(stability: float) -> str | None:
    """``"stable"``, ``"fairly stable"`` or ``"unstable"`` (``None``: no groups), judged at the two decimals
    shown beside it: 0.748 is printed «0.75», and called stable.

    >>> stability_band(0.748), stability_band(0.6), stability_band(0.3)
    ('stable', 'fairly stable', 'unstable')
    """
    if stability != stability:
        return None
    shown = round(stability, 2)
    return "stable" if shown >= STABLE else "fairly stable" if shown >= FAIRLY_STABLE else "unstable"


def certainty(stability: float) -> str:
    """How sure a grouping is, in words, from its stability (mean ARI over subsamples; see
    :func:`stability_band`).

    >>> certainty(0.748)
    'stable: the same groups come back in subsamples'
    """
    return {
        None: "no group reached the smallest size",
        "stable": "stable: the same groups come back in subsamples",
        "fairly stable": "fairly stable: most groups come back in subsamples",
        "unstable": "unstable: read the groups as suggestions",
    }[stability_band(stability)]


def discover_each(
    answers: pd.DataFrame, column: str | None, **options: Any
) -> tuple[dict[str, Discovery], dict[str, TooFewAnswers]]:
    """:func:`discover` per value of ``column`` (each workshop question on its own), in first-seen order.

    Returns the discoveries and, per value with too few answers to group, why it was left out (the others
    are still grouped; if none can be, the first reason is raised). With a codebook and no suggestions, the
    suggester is fitted once on all the answers. Without ``column``, one discovery keyed ``""``.
    """
    if options.get("codebook") is not None and options.get("suggestions") is None:
        options["suggestions"] = _suggestions(answers, options["codebook"], options.get("seed", 0))
    if column is not None:
        io.require_columns(answers, [column])
        if not isinstance(options.get("knowledge"), Knowledge):  # once, not per part
            options["knowledge"] = knowledge_of(
                options.get("knowledge") or options.get("codebook") or codebook_module.load()
            )
    parts = (
        {"": answers}
        if column is None
        else {
            str(value): rows.reset_index(drop=True)
            for value, rows in answers.groupby(column, sort=False, dropna=False)
        }
    )
    found, skipped, errors = {}, {}, []
    for value, rows in parts.items():
        try:
            found[value] = discover(rows, **options)
        except TooFewAnswers as error:
            skipped[value] = error
            errors.append(error)
    if not found:
        raise errors[0]
    return found, skipped


def project_inputs(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, Codebook, pd.DataFrame]:
    """A coding project's answers, codebook and codes as :func:`discover` takes them.

    The codes are the coders' decisions where there are any (a decided answer without codes carries
    none, whatever the model said) and the latest suggestion run's in the cells no coder decided
    (:meth:`coder.store.Project.coded`).
    """
    from coder import store  # late: store imports the classifier, which discovery without a project skips

    with store.Project.open(path) as project:
        answers = project.answers()[["id", "text"]]
        book = project.codebook()
        suggested = project.suggestions() if project.latest_run() else None
        codes = project.coded(suggested)
    if suggested is None and codes.empty:
        raise CoderError(
            "the project has no suggestion run and no decisions: suggest codes for it first", file=path
        )
    return answers, book, codes.loc[codes["code"] != "", ["id", "code", "confidence"]].reset_index(drop=True)


def groups_table(discoveries: dict[str, Discovery], column: str | None = None) -> pd.DataFrame:
    """``id, group, label`` (and the question ``column``) for every grouped answer, the rest group included:
    ``label`` is the candidate's name («Ansvar, sak»; empty for the rest), for a researcher to rename."""
    frames = []
    for question, discovery in discoveries.items():
        names = {candidate.group: candidate.name for candidate in discovery.candidates}
        frame = discovery.groups.assign(label=[names.get(g, "") for g in discovery.groups["group"]])
        if column is not None:
            frame.insert(1, column, question)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def write_groups(
    discoveries: dict[str, Discovery],
    path: str | os.PathLike[str],
    column: str | None = None,
    inputs: Sequence[str | os.PathLike[str]] = (),
    **settings: Any,
) -> tuple[Path, Path]:
    """Write :func:`groups_table` to ``path`` and its provenance beside it (inputs, settings, and per
    question the number of groups, how it was chosen and the stability)."""
    chosen = {
        question: {
            "groups": d.n_groups,
            "chosen_by": d.chosen_by,
            **(dataclasses.asdict(d.choice) if d.choice else {}),
            "stability": round(d.stability, 3),
        }
        for question, d in discoveries.items()
    }
    record = io.provenance(inputs, **settings, grouping=chosen)
    return io.write_with_provenance(groups_table(discoveries, column), path, record)


def candidates_codebook(
    discoveries: dict[str, Discovery],
    name: str = "Kandidater fra coder discover",
    taken: Collection[str] = (),
    codebook: Codebook | None = None,
) -> Codebook:
    """The candidates as codebook entries a researcher edits: id, label, description, keywords, examples.

    Ids are ``ny_`` and the label's terms (``ny_folk_stilling``); the description says where the candidate
    came from and which code it lies nearest, so the researcher can decide whether it is a new code or
    keywords an existing code lacks. ``taken``: ids already in use (the codebook's), never given again.
    A term another code of ``codebook`` holds as a keyword, or as the head of one (``bolig`` of
    ``omsorgsbolig``, ``tid`` of ``ventetid``), is left out of the keywords, and the description names it:
    merged, it would suggest the new code wherever that code's answers are.
    """
    taken = set(taken)
    held = _terms_of_codes(
        [k for d in discoveries.values() for c in d.candidates for k in c.keywords], codebook
    )
    codes = []
    for question, discovery in discoveries.items():
        for candidate in discovery.candidates:
            code_id = unique_code_id("ny_" + "_".join(candidate.keywords[:LABEL_TERMS]), taken)
            taken.add(code_id)
            where = f" på «{question}»" if question else ""
            origin = f"Kandidat {candidate.group} fra coder discover{where}: {candidate.size} svar."
            nearest = (
                f" Nærmeste kode: {candidate.nearest_code} (likhet "
                f"{io.number_text(candidate.nearest_similarity, 2, decimal_mark=',')})."  # Norwegian text
                if candidate.nearest_code
                else ""
            )
            left_out = [term for term in candidate.keywords if term in held]
            if left_out:
                named = ", ".join(f"{term} ({held[term]})" for term in left_out)
                nearest += f" Utelatt som nøkkelord, fordi en annen kode har dem: {named}."
                if len(left_out) == len(candidate.keywords):
                    nearest += " Ingen nøkkelord igjen: skriv kodens egne."
            codes.append(
                Code(
                    id=code_id,
                    label=candidate.name,
                    description=origin + nearest,
                    keywords=tuple(term for term in candidate.keywords if term not in held),
                    examples=candidate.typical(),
                )
            )
    return Codebook(name=name, language="nb", version="0.1", codes=tuple(codes))


def _terms_of_codes(terms: Sequence[str], codebook: Codebook | None) -> dict[str, str]:
    """Which ``terms`` another code of ``codebook`` holds as a one-word keyword, or as the head of one
    (``bolig`` of ``omsorgsbolig``: a kind of bolig): term -> the code holding it most often. A word of a
    phrase (``bemanning`` in «bolig med bemanning») or a compound's first part (``kommune`` of
    ``kommunestyre``) does not count: those keywords find other answers than the word alone."""
    if codebook is None or not terms:
        return {}
    words = [(code.id, k.rstrip("*")) for code in codebook.codes for k in code.keywords if " " not in k]
    held: dict[str, Counter] = {}
    for (code_id, _), answer in zip(words, preprocess([w for _, w in words], load_pipeline()), strict=True):
        if len(answer.tokens) == 1:
            token = answer.tokens[0]
            for term in {token.lemma, *token.parts[-1:]}:
                held.setdefault(term, Counter())[code_id] += 1
    return {term: held[term].most_common(1)[0][0] for term in dict.fromkeys(terms) if term in held}


DIVERSE = "Diverse"  # the researchers' name for notes that fit no theme


def group_notes(
    notes: pd.DataFrame,
    *,
    seed: int = 0,
    min_size: int = 3,
    knowledge: Codebook | None = None,
    lexicon: Codebook | None = None,
) -> pd.DataFrame:
    """The notes of an idea workshop in groups, per municipality and question, as the report lists them.

    ``notes`` has ``note_id, question, note, group`` (and ``municipality``, optional). A question with any
    ``group`` keeps the researchers' grouping (a note without one is «Diverse»); otherwise its notes are
    grouped by :func:`discover` (word knowledge from ``knowledge``, default coder's codebook, and from the
    researcher's ``lexicon``, see :func:`knowledge_of`) and each group is named by its label, the rest
    group «Diverse»; too few notes for two groups are listed together (``grouped_by`` «too few»). Returns
    ``municipality, question, group, note_id, note, grouped_by, stability``: in file order of municipality
    and question, groups largest first with «Diverse» last, the notes in file order (by hand) or most
    typical first (discovered).
    """
    notes = notes.reset_index(drop=True)
    if "municipality" not in notes.columns:
        notes = notes.assign(municipality="")
    frames = []
    known: Knowledge | None = None
    for (municipality, question), rows in notes.groupby(
        ["municipality", "question"], sort=False, dropna=False
    ):
        rows = rows.reset_index(drop=True).assign(municipality=municipality, question=question)
        groups = rows["group"].fillna("").astype(str).str.strip()
        if (groups != "").any():
            rows = rows.assign(group=groups.replace("", DIVERSE), grouped_by="researchers", stability=np.nan)
            sizes = rows["group"].value_counts()
            order = {g: (g == DIVERSE, -sizes[g], i) for i, g in enumerate(dict.fromkeys(rows["group"]))}
            frames.append(rows.iloc[sorted(range(len(rows)), key=lambda i: order[rows["group"].iloc[i]])])
            continue
        # Rows, not note ids, tie notes to groups: ids may repeat across included workshops.
        answers = pd.DataFrame({"id": [str(i) for i in range(len(rows))], "text": rows["note"]})
        if known is None:  # once for every question: it reads the codebook's thousands of texts
            known = knowledge_of(knowledge or codebook_module.load(), lexicon)
        try:
            found = discover(answers, min_size=min_size, seed=seed, knowledge=known)
        except TooFewAnswers:
            frames.append(rows.assign(group=DIVERSE, grouped_by="too few", stability=np.nan))
            continue
        names = _unique_names(found.candidates)
        rank = {int(i): (g, p) for g, c in enumerate(found.candidates) for p, i in enumerate(c.ids)}
        last = (len(found.candidates), 0)
        rows = rows.assign(
            group=[names.get(str(i), DIVERSE) for i in range(len(rows))],
            grouped_by="coder discover",
            stability=round(found.stability, 2),
        )
        frames.append(rows.iloc[sorted(range(len(rows)), key=lambda i: rank.get(i, last))])
    columns = ["municipality", "question", "group", "note_id", "note", "grouped_by", "stability"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _unique_names(candidates: Sequence[Candidate]) -> dict[str, str]:
    """note id -> its group's name; two groups with the same name, or a group named as the rest («Diverse»,
    from notes saying «diverse»), get their group ids added.

    >>> named = [Candidate("G1", "diverse", (), ("0",), (), 0.5), Candidate("G2", "møte", (), ("1",), (), 0)]
    >>> _unique_names(named)
    {'0': 'Diverse (G1)', '1': 'Møte'}
    """
    counts = Counter(candidate.name for candidate in candidates)
    counts[DIVERSE] += 1
    return {
        note_id: candidate.name if counts[candidate.name] == 1 else f"{candidate.name} ({candidate.group})"
        for candidate in candidates
        for note_id in candidate.ids
    }
