"""Norwegian preprocessing: one loader picks the spaCy pipeline; small components add what coding needs.

:func:`load_pipeline` decides which pipeline runs, in this order:

1. the ``model`` argument (``--spacy-model``) or the ``CODER_SPACY_MODEL`` environment variable: an installed
   package name or a pipeline directory (both go through :func:`spacy.load`), or ``embedded``;
2. an installed trained Norwegian pipeline: ``nb_core_news_lg``, ``_md`` or ``_sm``;
3. the **embedded default**: ``spacy.blank("nb")`` (its tokenizer matches 99.5 % of UD Bokmål tokens) with
   :mod:`coder.lexicon` as lemmatizer (Norsk Ordbank full forms plus hand-checked rules, and Nynorsk full
   forms for the words Bokmål lacks).

Every pipeline then gets the same three components, each doing one thing:

``coder_lemmatizer``  lemmas from the embedded lexicon (only where the pipeline has no lemmatizer);
``coder_compounds``   ``token._.parts``: compound parts as lemmas (omsorgsboliger -> omsorg, bolig);
``coder_negation``    ``token._.negated``: content words in the scope of ``ikke``, ``ingen``, ``mangler`` ...

:func:`preprocess` normalises answers (NFC, white space, typographic quotes and dashes), runs the pipeline in
batches, and caches results on disk keyed by text and pipeline fingerprint, so a re-run does not parse again.
Token offsets always point into the *original* answer text.

>>> answers = preprocess(["Mangler omsorgsboliger"], load_pipeline("embedded"))
>>> [(t.text, t.lemma, t.parts, t.negated) for t in answers[0].tokens]
[('Mangler', 'mangle', (), False), ('omsorgsboliger', 'omsorgsbolig', ('omsorg', 'bolig'), True)]
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token

from coder import __version__, progress
from coder.errors import CoderError
from coder.lexicon import cache_dir, code_digest, get_lexicon

TRAINED_PIPELINES = ("nb_core_news_lg", "nb_core_news_md", "nb_core_news_sm")
EMBEDDED = "embedded"

# Our own stop words. spaCy's `nb` list also removes words that carry meaning in survey answers (ikke, ingen,
# uten, god, bedre, viktig, kontakt, mange, lite ...), so we keep a list of pure function words.
STOP_WORDS = frozenset(
    """
    og i på det er som en et ei til å av for med har de den at vi jeg seg men om fra så kan da også vil blir
    bli ble blitt var vært være ha hadde skal skulle kunne kunna må måtte ville burde bør hun han hen du dere
    meg deg oss dem ham henne sin sitt sine min mitt mine din ditt dine vår vårt våre deres hans hennes dets
    dens denne dette disse der her hva hvor hvem hvilken hvilket hvilke når hvordan hvorfor enn eller både
    enten samt noe noen ting man vel jo nok altså liksom bare selv slik sånn sånt således
    etter før over under mot ved hos gjennom mellom inn ut opp ned fram frem bort hit dit
    ca osv mm bl.a f.eks feks dvs etc evt
    eg ho dei dykk dykkar ein eit kva kven korleis kvifor kvar noko nokon nokre berre vere vore vart vorte
    frå sjølv òg då desse hennar deira
    """.split()  # the last two lines: the Nynorsk forms of the words above («eit» is no form of «eie»)
)

# Negation cues (lower-cased text or lemma) and the words that end a negation scope.
NEGATION_CUES = frozenset(
    {
        "ikke",
        "ikkje",
        "itj",  # Trøndelag dialect, common in typed answers
        "ittj",
        "inkje",
        "utan",
        "manglar",
        "ingen",
        "ingenting",
        "intet",
        "inga",
        "uten",
        "aldri",
        "lite",
        "hverken",
        "verken",
        "mangle",
        "mangler",
        "manglet",
        "manglende",
    }
)
_CUE_NEEDS_PA = frozenset({"mangel"})  # «mangel på bolig»: a cue only when followed by «på»
_SCOPE_BREAKERS = frozenset(
    {"men", "fordi", "selv", "mens", "derfor", "likevel", "samtidig", "da", "når", "siden", "enn", "så"}
    | {"sjølv", "medan", "difor", "samstundes", "då", "sidan"}  # the Nynorsk forms
)
_MAX_SCOPE_WORDS = 4

# Non-answers say nothing about the question, yet keep words of a code: «Kjenner ikke til det» (local
# knowledge: «alle kjenner alle»), «Samme som samordning» (coordination). See ProcessedAnswer.is_non_answer.
_DONT_KNOW_WORDS = frozenset(
    {
        "vet", "veit", "vite", "kjenne", "kjenner", "kjenn", "kjent", "usikker", "usikkert", "peiling",
        "aning", "anelse", "kommentar", "kommentarer", "kommentere", "relevant", "aktuell", "aktuelt",
        "svare", "eg", "jeg", "je", "æ", "meg", "mæ",
    }
)  # fmt: skip
_UNSURE_WORDS = frozenset({"usikker", "usikkert", "kommentar", "kommentarer"})
_SAME_AS = frozenset({("samme", "som"), ("same", "som"), ("det", "samme"), ("som", "over"), ("som", "før")})
_SEE = frozenset({"se", "sjå", "sjaa", "jf", "jfr"})
_EARLIER_ANSWER = frozenset(
    {
        "over", "ovenfor", "ovanfor", "under", "nedenfor", "forrige", "førre", "tidligere", "tidlegare",
        "svar", "svaret", "punkt", "spørsmål", "spørsmålet",
    }
)  # fmt: skip
_MAX_REFERENCE_WORDS = 5
# «Nei», «Ingenting», «Ikke noe», «Nei takk», «Ingen formening», «n/a»: the words of an answer that says
# nothing (a bare «Ingen» too: to «Hvem har ansvaret?» it would be an answer, but our questions ask what)
_NOTHING_WORDS = frozenset(
    {
        "nei", "nope", "ingenting", "intet", "ingen", "inga", "ingi", "ikke", "ikkje", "noe", "noko", "noen",
        "nokon", "ting", "takk", "spesielt", "spesiell", "spesielle", "å", "tilføye", "tilføya", "legge",
        "leggje", "til", "har", "si", "seie", "formening", "formeining", "synspunkt",
        "n", "a", "na", "x", "xx",
    }
)  # fmt: skip
# Of them, the answers that say «none» («Ingen», «Nei», «Ingenting», «Ikke noe»): to «Hva er utfordringene?»
# that there are none, which a report keeps apart from «vet ikke» and «-»
_NONE_WORDS = frozenset({"nei", "nope", "ingenting", "intet", "ingen", "inga", "ingi"})
# «noe», «noen», «har», «si», «ting» alone say something («Noen», «Har noen»): nothing only beside a «no»
_NO = _NONE_WORDS | {"ikke", "ikkje"}
_SAY_NOTHING_ALONE = _NO | {"n", "a", "na", "x", "xx"}
# «Ingen formening», «Nei takk», «Ingenting å tilføye»: no opinion or comment, not that there is none
_NO_COMMENT_WORDS = frozenset(
    {"formening", "formeining", "synspunkt", "tilføye", "tilføya", "legge", "leggje", "takk"}
)

_TRANSLATE = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
}
_INVISIBLE = frozenset({"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"})
# Control characters (a NUL from a broken export) read as white space, as the ones Python calls space do.
_CONTROL = frozenset(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if not chr(c).isspace())
_SPECIAL = _INVISIBLE | _CONTROL | frozenset(_TRANSLATE)  # characters that normalising drops or replaces
# Some survey tools export rich-text answers with HTML: a tag reads as a space («bra<br>tiltak»), an entity
# as its character («A &amp; B»). Only the tags of rich text, with attributes written as HTML writes them:
# «<3 mnd», «a<b og c>d», «Skriv <navn> her» and «Bolig & omsorg» stay as they are.
_TAGS = (
    "a|b|i|u|s|p|br|hr|em|strong|span|div|font|small|big|sub|sup|ul|ol|li|h[1-6]|blockquote|pre|code|del|ins"
)
_MARKUP = re.compile(
    rf"</?(?:{_TAGS})(?:\s+[A-Za-z][\w:-]*\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>=`]+))*\s*/?>"  # a tag
    r"|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",  # an entity
    re.IGNORECASE,
)

for _name, _default in (("parts", ()), ("negated", False), ("negation_cue", False)):
    if not Token.has_extension(_name):
        Token.set_extension(_name, default=_default)


# --------------------------------------------------------------------------------------------------------
# Normalisation with an offset map back to the original answer
# --------------------------------------------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """Unicode NFC, typographic quotes and dashes made plain, white space collapsed and trimmed.

    >>> normalize_text("  «Ingen»  tar\\u00a0tak – aldri ")
    '"Ingen" tar tak - aldri'
    """
    return _normalize_with_offsets(text)[0]


def _normalize_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """The normalised text, and for each of its characters the start and end offset in ``text``."""
    # Most answers are normalised already (NFC, single spaces, plain quotes): their offsets are their own.
    plain = " ".join(text.split()) == text and _SPECIAL.isdisjoint(text) and not _has_markup(text)
    if plain and unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text))), list(range(1, len(text) + 1))
    return _normalize_char_by_char(text)


def _has_markup(text: str) -> bool:
    return any(_markup_at(text, found.start()) for found in re.finditer("[<&]", text))


def _markup_at(text: str, i: int) -> tuple[str, int] | None:
    """What the tag or entity at ``i`` stands for (a space, or the entity's text) and where it ends."""
    match = _MARKUP.match(text, i)
    if match is None:
        return None
    if text[i] == "<":
        return " ", match.end()
    decoded = html.unescape(match.group())
    return (decoded, match.end()) if decoded != match.group() else None


def _normalize_char_by_char(text: str) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        markup = _markup_at(text, i) if char in "<&" else None
        if markup is not None:
            decoded, j = markup
            # An entity's character goes through the same rules as a typed one; a tag is white space.
            for plain in unicodedata.normalize("NFC", decoded):
                plain = " " if plain.isspace() else _TRANSLATE.get(plain, plain)
                if plain in _INVISIBLE or (plain == " " and (not out or out[-1] == " ")):
                    continue
                for piece in plain:
                    out.append(piece)
                    starts.append(i)
                    ends.append(j)
            i = j
            continue
        if char.isspace() or char in _CONTROL:
            j = i + 1
            while j < n and (text[j].isspace() or text[j] in _CONTROL):
                j += 1
            if out and out[-1] != " ":
                out.append(" ")
                starts.append(i)
                ends.append(j)
            i = j
            continue
        if char in _INVISIBLE:
            i += 1
            continue
        # A base character with the marks (or Hangul jamo) that compose with it into NFC; invisible
        # characters inside the cluster are dropped first, or the marks after them would stay apart.
        j, kept = i + 1, [i]
        while j < n:
            following = text[j]
            if following in _INVISIBLE:
                j += 1
                continue
            cluster = "".join(text[k] for k in kept)
            composes = len(unicodedata.normalize("NFC", cluster + following)) <= len(
                unicodedata.normalize("NFC", cluster)
            )
            if not (unicodedata.combining(following) or composes):
                break
            kept.append(j)
            j += 1
        composed = unicodedata.normalize("NFC", "".join(text[k] for k in kept))
        # Characters that composed point at the whole cluster; those that did not keep their own offsets.
        # (NFC may also lengthen: U+0F9D decomposes, being excluded from composition.)
        spans = [(k, k + 1) for k in kept] if len(composed) == len(kept) else [(i, j)] * len(composed)
        for char, (start, end) in zip(composed, spans, strict=True):
            for plain in _TRANSLATE.get(char, char):
                out.append(plain)
                starts.append(start)
                ends.append(end)
        i = j
    if out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return "".join(out), starts, ends


# --------------------------------------------------------------------------------------------------------
# Pipeline components
# --------------------------------------------------------------------------------------------------------


@Language.component("coder_lemmatizer")
def lemmatize_doc(doc: Doc) -> Doc:
    """Set lower-cased lemmas from the embedded Norwegian lexicon (words in context)."""
    lemmas = get_lexicon().lemmatize_tokens([token.text for token in doc])
    for token, lemma in zip(doc, lemmas, strict=True):
        token.lemma_ = lemma
    return doc


_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # letters, maybe joined by hyphens


@Language.component("coder_compounds")
def split_compounds(doc: Doc) -> Doc:
    """Set ``token._.parts`` to the compound parts of each word, as lemmas (empty when not a compound)."""
    lexicon = get_lexicon()
    for token in doc:
        if len(token.text) > 5 and _HYPHENATED.fullmatch(token.text):  # NAV-kontoret: nav + kontor
            token._.parts = tuple(lexicon.split_compound(token_lemma(token)))
    for token in doc[:-2]:
        # «helse- og omsorgstjenesten»: helse- is the helsetjeneste, its head that of the word after og
        head = doc[token.i + 2]
        if token.text.endswith("-") and token.nbor().lower_ in ("og", "eller") and len(head._.parts) > 1:
            first = token.text[:-1].lower()
            if first.isalpha():
                token._.parts = (lexicon.lemmatize(first), *head._.parts[1:])
    return doc


@Language.component("coder_negation")
def mark_negation(doc: Doc) -> Doc:
    """Mark content words governed by a negation cue: ``token._.negated``.

    The scope runs forward from the cue over at most four content words, up to punctuation or a clause
    connective (``men``, ``fordi`` ...); ``og``/``eller`` continue it, so «ingen boliger og oppfølging»
    negates both. A cue that ends its clause («tilbudet mangler») governs the content words before it.
    """
    for token in doc:
        if not _is_cue(token):
            continue
        token._.negation_cue = True
        governed = _forward_scope(doc, token.i) or _backward_scope(doc, token.i)
        for word in governed:
            word._.negated = True
    return doc


def _is_cue(token: Token) -> bool:
    lower, lemma = token.lower_, token_lemma(token)
    if lower in NEGATION_CUES or lemma in NEGATION_CUES:
        return True
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return lemma in _CUE_NEEDS_PA and nxt is not None and nxt.lower_ == "på"


def _is_content(token: Token) -> bool:
    return token.is_alpha and not is_stop(token) and not _is_cue(token)


def _breaks_scope(token: Token) -> bool:
    return (token.is_punct and token.text not in {"-", "/"}) or token.lower_ in _SCOPE_BREAKERS


def _forward_scope(doc: Doc, cue: int) -> list[Token]:
    governed: list[Token] = []
    for token in doc[cue + 1 :]:
        if _breaks_scope(token) or len(governed) >= _MAX_SCOPE_WORDS:
            break
        if _is_content(token):
            governed.append(token)
    return governed


def _backward_scope(doc: Doc, cue: int) -> list[Token]:
    governed: list[Token] = []
    for token in reversed(doc[:cue]):
        if _breaks_scope(token) or len(governed) >= _MAX_SCOPE_WORDS - 1:
            break
        if _is_content(token):
            governed.append(token)
    return governed


def token_lemma(token: Token) -> str:
    """The lower-cased lemma of a token (its lower-cased text where the pipeline set no lemma)."""
    return (token.lemma_ or token.text).lower()


def is_stop(token: Token) -> bool:
    """Whether a token is a function word by our own stop list (by its text or its lemma)."""
    return token.lower_ in STOP_WORDS or token_lemma(token) in STOP_WORDS


# --------------------------------------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineInfo:
    """Which pipeline runs, and why."""

    name: str
    source: str  # "package", "path" or "embedded"
    reason: str
    version: str
    fingerprint: str


def load_pipeline(model: str | os.PathLike[str] | None = None) -> Language:
    """The Norwegian pipeline to use, with coder's components added (cached per argument).

    ``model`` is an installed package name, a pipeline directory, or ``"embedded"``; ``None`` picks the
    best installed ``nb_core_news_*`` package, else the embedded default. ``nlp.meta["coder"]`` holds the
    :class:`PipelineInfo` fields.

    >>> nlp = load_pipeline("embedded")
    >>> nlp.meta["coder"]["source"], nlp.pipe_names
    ('embedded', ['coder_lemmatizer', 'coder_compounds', 'coder_negation'])
    """
    if model is None:
        model = os.environ.get("CODER_SPACY_MODEL") or None
    return _load_pipeline(None if model is None else str(model))


@functools.lru_cache(maxsize=4)
def _load_pipeline(model: str | None) -> Language:
    if model == EMBEDDED:
        return _embedded(f"asked for by name ('{EMBEDDED}')")
    if model is not None:
        path = Path(model).expanduser()
        if path.exists():
            if not (path / "config.cfg").is_file():
                raise CoderError("not a spaCy pipeline directory (no config.cfg)", file=path)
            return _with_components(_spacy_load(str(path)), "path", f"directory given: {path.resolve()}")
        if spacy.util.is_package(model):
            return _with_components(_spacy_load(model), "package", f"installed package asked for: {model}")
        raise CoderError(
            f"spaCy pipeline '{model}' is neither an installed package nor a directory "
            "(install it with `python -m spacy download nb_core_news_sm` on a machine with internet, "
            "or give a pipeline directory)",
            key="spacy_model",
        )
    for name in TRAINED_PIPELINES:
        if spacy.util.is_package(name):
            return _with_components(_spacy_load(name), "package", f"installed package found: {name}")
    return _embedded("no nb_core_news_* package is installed")


def _spacy_load(name_or_path: str) -> Language:
    try:
        return spacy.load(name_or_path)
    except (OSError, ValueError) as error:
        raise CoderError(f"cannot load spaCy pipeline: {error}", file=name_or_path) from None


def _embedded(reason: str) -> Language:
    nlp = spacy.blank("nb")
    nlp.meta["name"] = "coder_nb_embedded"
    nlp.meta["version"] = __version__
    return _with_components(nlp, EMBEDDED, f"embedded default ({reason})")


def _with_components(nlp: Language, source: str, reason: str) -> Language:
    has_lemmatizer = any(name in nlp.pipe_names for name in ("lemmatizer", "trainable_lemmatizer"))
    if not has_lemmatizer and "coder_lemmatizer" not in nlp.pipe_names:
        nlp.add_pipe("coder_lemmatizer")
    for name in ("coder_compounds", "coder_negation"):
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    name = f"{nlp.meta.get('lang', 'nb')}_{nlp.meta.get('name', 'pipeline')}"
    version = str(nlp.meta.get("version", "0"))
    # Whatever changes the tokens: the pipeline's identity and config, where it was loaded from, and our code.
    location = reason if source == "path" else ""
    identity = [name, version, source, location, nlp.config.to_str(), spacy.__version__, __version__]
    fingerprint = hashlib.sha256(json.dumps([*identity, code_digest()]).encode()).hexdigest()[:16]
    info = PipelineInfo(name=name, source=source, reason=reason, version=version, fingerprint=fingerprint)
    nlp.meta["coder"] = info.__dict__
    return nlp


def pipeline_info(nlp: Language) -> PipelineInfo:
    """The :class:`PipelineInfo` of a pipeline returned by :func:`load_pipeline`."""
    return PipelineInfo(**nlp.meta["coder"])


# --------------------------------------------------------------------------------------------------------
# Preprocessing with a disk cache
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerToken:
    """One token of an answer. ``text`` and ``idx`` refer to the original answer text."""

    i: int
    text: str
    idx: int
    lemma: str
    is_stop: bool
    negated: bool
    parts: tuple[str, ...]
    is_alpha: bool

    @property
    def terms(self) -> tuple[str, ...]:
        """The lemma and the compound parts: what codebook keywords are matched against."""
        return (self.lemma, *self.parts)

    @property
    def is_negation_cue(self) -> bool:
        """Whether the token is a negation cue (``ikke``, ``ingen``, ``manglar`` ...) by its text or lemma."""
        return self.text.lower() in NEGATION_CUES or self.lemma in NEGATION_CUES


@dataclass(frozen=True)
class ProcessedAnswer:
    """An answer after preprocessing: the original text, its normalised form and its tokens."""

    original: str
    normalized: str
    tokens: tuple[AnswerToken, ...]

    @property
    def lemmas(self) -> list[str]:
        return [token.lemma for token in self.tokens]

    @property
    def says_none(self) -> bool:
        """Whether the answer is a non-answer that says «none» («Ingen», «Nei», «Ikke noe spesielt»), not
        «vet ikke» or «-» (:attr:`is_non_answer`).

        >>> [a.says_none for a in preprocess(["Ingen", "Vet ikke", "-", "Ingen tar ansvar"])]
        [True, False, False, False]
        """
        words = {t.text.lower() for t in self.tokens if t.is_alpha}
        if not words <= _NOTHING_WORDS or words & _NO_COMMENT_WORDS:  # «Ingen kommentar»: says nothing
            return False
        return bool(words & _NONE_WORDS) or bool(
            words & {"ikke", "ikkje"} and words & {"noe", "noko", "noen", "nokon"}
        )

    @property
    def is_non_answer(self) -> bool:
        """Whether the answer only says that the respondent does not know or refers to another answer.

        «Vet ikke», «Kjenner ikke til det», «Ingen kommentar», «Ikke relevant for meg», «Usikker»; «Se over»,
        «Sjå samordning», «Samme som over»; «Nei», «Ingenting», «Ikke noe», «n/a», «-», «?». Coders give
        such answers no code, so their words vote for none, and the report lists them apart.

        >>> [a.is_non_answer for a in preprocess(["Kjenner ikke til", "Alle kjenner alle", "Se over", "?"])]
        [True, False, True, True]
        """
        words = [t.text.lower() for t in self.tokens if t.is_alpha]
        if not words:  # «-», «?», «...»: a mark in a required field; a figure («0», «3») may be an answer
            return bool(self.tokens) and not any(c.isalnum() for c in self.original)
        if set(words) <= _NOTHING_WORDS and (set(words) <= _SAY_NOTHING_ALONE or set(words) & _NO):
            return True
        inner = [t.text for t in self.tokens[:-1]]
        if len(words) <= _MAX_REFERENCE_WORDS and not {".", "!", "?", ";"} & set(inner):
            if tuple(words[:2]) in _SAME_AS:
                return True
            if words[0] in _SEE and (len(words) == 2 or (len(words) > 1 and words[1] in _EARLIER_ANSWER)):
                return True
        content = [t for t in self.tokens if t.is_alpha and not t.is_stop and not t.is_negation_cue]
        if not content or not all({t.text.lower(), t.lemma} & _DONT_KNOW_WORDS for t in content):
            return False
        unsure = {t.text.lower() for t in content} & _UNSURE_WORDS
        return bool(unsure) or any(t.is_negation_cue for t in self.tokens)


def text_list(texts: Iterable[str]) -> list[str]:
    """``texts`` as a list of answers (None as ""), for the functions that take many answers.

    One text, or a table, is refused (as scikit-learn's text vectorizers refuse it): iterated, a text gives
    its letters and a table its column names, each coded as an answer without a word of warning.

    >>> text_list(("For få boliger", None))
    ['For få boliger', '']
    >>> text_list("For få boliger")
    Traceback (most recent call last):
    TypeError: expected a sequence of answer texts, got one text (put it in a list)
    """
    if isinstance(texts, str | bytes):
        raise TypeError("expected a sequence of answer texts, got one text (put it in a list)")
    if hasattr(texts, "columns"):
        raise TypeError("expected a sequence of answer texts, got a table (give its text column)")
    return ["" if text is None else str(text) for text in texts]


def preprocess(
    texts: Iterable[str],
    nlp: Language | None = None,
    *,
    use_cache: bool = True,
    batch_size: int = 256,
) -> list[ProcessedAnswer]:
    """Preprocess answers: normalised text, tokens with offsets, lemmas, stop flags, negation, compounds.

    Results are cached on disk, keyed by the text and the pipeline fingerprint.

    >>> nlp = load_pipeline("embedded")
    >>> [answer.lemmas for answer in preprocess(["Har ingen arena for dette"], nlp)]
    [['ha', 'ingen', 'arena', 'for', 'dette']]
    """
    texts = text_list(texts)
    nlp = nlp or load_pipeline()
    fingerprint = pipeline_info(nlp).fingerprint
    keys = [hashlib.sha256(f"{fingerprint}\0{text}".encode()).hexdigest() for text in texts]
    cache = _Cache(cache_dir() / "preprocess.sqlite") if use_cache else None
    found = cache.get(set(keys)) if cache else {}
    todo = sorted({key: text for key, text in zip(keys, texts, strict=True) if key not in found}.items())
    if todo:
        normalized = [_normalize_with_offsets(text) for _, text in todo]
        for norm, _, _ in normalized:
            if len(norm) > nlp.max_length:  # spaCy's limit; such a cell is a document, not an answer
                raise CoderError(
                    f"an answer of {len(norm):,} characters (it begins «{norm[:40]}…»); the pipeline "
                    f"reads at most {nlp.max_length:,}: is a whole document in one cell?"
                )
        docs = nlp.pipe((norm for norm, _, _ in normalized), batch_size=batch_size)
        docs = progress.track(docs, "preprocessing answers", total=len(todo))
        new = {
            key: _answer_from_doc(text, offsets, doc)
            for (key, text), offsets, doc in zip(todo, normalized, docs, strict=True)
        }
        found.update(new)
        if cache:
            cache.put(new)
    return [found[key] for key in keys]


def _answer_from_doc(original: str, offsets: tuple[str, list[int], list[int]], doc: Doc) -> ProcessedAnswer:
    normalized, starts, ends = offsets
    tokens = []
    for token in doc:
        start, end = starts[token.idx], ends[token.idx + len(token.text) - 1]
        tokens.append(
            AnswerToken(
                i=token.i,
                text=original[start:end],
                idx=start,
                lemma=token_lemma(token),
                is_stop=is_stop(token),
                negated=bool(token._.negated),
                parts=tuple(token._.parts),
                is_alpha=token.is_alpha,
            )
        )
    return ProcessedAnswer(original=original, normalized=normalized, tokens=tuple(tokens))


class _Cache:
    """A small SQLite key-value store of preprocessed answers (JSON), safe for concurrent processes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, data TEXT NOT NULL)"
            )
            return connection
        except (OSError, sqlite3.Error):
            return None  # a cache that cannot be opened only costs time

    def get(self, keys: set[str]) -> dict[str, ProcessedAnswer]:
        connection = self._connect()
        if connection is None or not keys:
            return {}
        found: dict[str, ProcessedAnswer] = {}
        with connection:
            ordered = sorted(keys)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                rows = connection.execute(
                    f"SELECT key, data FROM answers WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
                for key, data in rows:
                    found[key] = _answer_from_json(data)
        connection.close()
        return found

    def put(self, answers: dict[str, ProcessedAnswer]) -> None:
        connection = self._connect()
        if connection is None:
            return
        with connection:
            connection.executemany(
                "INSERT OR REPLACE INTO answers (key, data) VALUES (?, ?)",
                [(key, _answer_to_json(answer)) for key, answer in answers.items()],
            )
        connection.close()


def _answer_to_json(answer: ProcessedAnswer) -> str:
    tokens = [
        [t.i, t.text, t.idx, t.lemma, t.is_stop, t.negated, list(t.parts), t.is_alpha] for t in answer.tokens
    ]
    return json.dumps([answer.original, answer.normalized, tokens], ensure_ascii=False)


def _answer_from_json(data: str) -> ProcessedAnswer:
    original, normalized, tokens = json.loads(data)
    return ProcessedAnswer(
        original=original,
        normalized=normalized,
        tokens=tuple(
            AnswerToken(
                i=i,
                text=text,
                idx=idx,
                lemma=lemma,
                is_stop=stop,
                negated=neg,
                parts=tuple(parts),
                is_alpha=alpha,
            )
            for i, text, idx, lemma, stop, neg, parts, alpha in tokens
        ),
    )


TOKEN_COLUMNS = ["id", "i", "text", "idx", "lemma", "is_stop", "negated", "parts"]


def tokens_table(ids: Sequence[str], answers: Sequence[ProcessedAnswer]) -> pd.DataFrame:
    """One row per token: ``id, i, text, idx, lemma, is_stop, negated, parts`` (parts joined by ``+``).

    An empty answer has no rows.
    """
    rows = [
        (answer_id, t.i, t.text, t.idx, t.lemma, t.is_stop, t.negated, "+".join(t.parts))
        for answer_id, answer in zip(ids, answers, strict=True)
        for t in answer.tokens
    ]
    return pd.DataFrame(rows, columns=TOKEN_COLUMNS)


def info(model: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Versions of the key libraries and which Norwegian pipeline is active, and why."""
    from importlib.metadata import PackageNotFoundError, version

    pipeline = pipeline_info(load_pipeline(model))
    facts = {"coder": __version__}
    for package in (
        "spacy",
        "spacy-lookups-data",
        "simplemma",
        "scikit-learn",
        "pandas",
        "networkx",
        "krippendorff",
    ):
        try:
            facts[package] = version(package)
        except PackageNotFoundError:
            facts[package] = "not installed"
    facts.update(
        {
            "pipeline": pipeline.name,
            "pipeline version": pipeline.version,
            "pipeline source": pipeline.source,
            "why": pipeline.reason,
            "cache": str(cache_dir()),
        }
    )
    return facts
