"""The codebook: the themes (codes) answers are coded into, kept in YAML and exchanged as REFI-QDA.

A codebook file is a YAML mapping::

    name: Boligsosialt arbeid
    language: nb
    version: "1.0"
    codes:
      - id: adapted_housing            # snake_case, stable: code files and GUIDs refer to it
        label: Tilpassede boliger      # Norwegian label shown to coders and in reports
        label_en: Adapted housing
        strength_label: ...            # optional: the name under a strength question, when the label
        strength_label_en: ...         # names the problem (Fragmentert ansvar -> Tydelig plassert ansvar)
        description: ...               # what the theme is about
        include: ...                   # guidance: code it when ...
        exclude: ...                   # guidance: do not code it when ... (and what to use instead)
        keywords: [bolig*, omsorgsbolig, mangel på bolig]
        examples: [mangler boliger for rusavhengige]
        counter_examples: [oppfølging i bolig]
        parent: null                   # optional: id of the parent code (hierarchy)
        color: "#1F77B4"               # optional: #RRGGBB or #RGB
    reference_answers: boligsosialt-reference.csv   # optional, see below

``reference_answers`` names a CSV or XLSX file (relative to the codebook) of answers coded with this
codebook before: columns ``text`` and ``codes`` (code ids separated by ``;``, empty for an answer that
carries no code). They are examples coded in full, each a positive for its codes and a negative for the
others; the classifier learns from them beside the keywords (earlier surveys' hand codes are the
natural source). A code that no reference answer carries is taken as added after they were coded (a
code merged from ``coder discover``): for it they are no negatives, only answers like the survey's own.

Required are ``name``, ``language``, ``version``, ``codes`` and, per code, ``id`` and ``label``: a codebook
of labels alone is valid. Everything else is optional (an empty ``description:`` is the same as none). A
code without keywords and examples gets a warning: it is suggested from the words of its label (see
:func:`label_seeds`, weak seeds) and, as soon as answers are coded with it, from those answers.
:func:`validate` reports every problem with the file and line; :func:`load` raises a
:class:`~coder.errors.CoderError` for the first error.

Keyword rule (the classifier matches with exactly this rule, through :func:`keyword_matches` and
:func:`find_keyword`):

- A keyword is a lower-cased **lemma** (``bolig``, not ``boliger``), letters and digits with inner hyphens
  (``nav-kontor``) allowed.
- A trailing ``*`` makes a word a prefix: ``bolig*`` matches any term starting with ``bolig``
  (``boligsosial``, ``boligkontor``). ``*`` is allowed only at the end of a word.
- A term is a token's lemma or one of its compound parts: ``bolig`` finds ``omsorgsboliger`` through its
  parts ``omsorg`` + ``bolig``; ``omsorgsbolig`` finds it through its lemma.
- A multi-word keyword (``mangel på bolig``, ``ta tak``) matches consecutive tokens, word by word, each word
  by the rule above (so ``mangel på bolig*`` finds «mangel på boliger og boligtomter»).
- ``..`` between two words lets up to three other words stand between them: ``oversikt over .. bolig*``
  finds «oversikt over den kommunale boligmassen» as well as «oversikt over boligene».
- Matching ignores case on the term side; keywords themselves must be lower case.

>>> keyword_matches("bolig*", "boligsosial"), keyword_matches("bolig", "boliger")
(True, False)
>>> find_keyword("mangel på bolig", [{"mangel"}, {"på"}, {"omsorgsbolig", "omsorg", "bolig"}])
[(0, 3)]

REFI-QDA exchange (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``): every code becomes a ``Code`` with
``guid`` = uuid5 of the code id (stable across versions and machines), ``name`` = label, ``isCodable`` =
true, ``color``, and children nested under their parent. The format has no place for keywords and
examples, so ``Description`` carries the human description first and then, after the marker line
:data:`QDC_DATA_MARKER`, a YAML block with the code's ``id``, its other text fields (``label_en``,
``include`` ...), ``keywords``, ``examples`` and ``counter_examples``. Tools show it as part of the
description; on import the block is read back, and a description without it (a codebook made in NVivo,
ATLAS.ti, MAXQDA, QualCoder) becomes the description as it is, with an id derived from the name. A flat name
``Parent.Child`` (Taguette writes its hierarchy only into the names) becomes the code ``Child`` under the
code named ``Parent`` (see :func:`from_qdc` for which dots split). The codebook's name, version and
language travel in the ``origin`` attribute: ``coder 0.1.0; name=...; version=...; language=...``, followed
by ``; reference_answers=...`` when the codebook has reference answers (the path relative to the ``.qdc``
file when it lies beside or below it, else absolute), so an export read back keeps them.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.resources
import os
import re
import tempfile
import unicodedata
import uuid
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from coder import __version__
from coder.errors import CoderError
from coder.io import (
    atomic_write,
    check_not_an_input,
    parse_yaml,
    read_table,
    read_text,
    read_yaml,
    require_columns,
    spreadsheet_row,
    xml_text,
    yaml_file,
    yaml_line,
)

__all__ = [
    "QDC_DATA_MARKER",
    "QDC_NAMESPACE",
    "CategoryWarning",
    "Code",
    "as_codebook",
    "ReferenceAnswer",
    "Codebook",
    "CodebookProblem",
    "code_guid",
    "default_codebook_info",
    "default_codebook_path",
    "check_coded_answers",
    "dump_yaml",
    "export",
    "export_qdc",
    "find_keyword",
    "from_qdc",
    "import_codebook",
    "import_qdc",
    "keyword_matches",
    "keyword_problem",
    "keyword_words",
    "label_seeds",
    "load",
    "read_lexicon",
    "to_qdc",
    "to_yaml",
    "validate",
]

#: The REFI-QDA codebook namespace (Codebook.xsd, targetNamespace).
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
#: The line in a QDC ``Description`` after which coder's YAML block with keywords and examples follows.
QDC_DATA_MARKER = "--- coder codebook data (YAML, keep this line) ---"
#: Namespace of the uuid5 GUIDs: ``uuid5(CODE_GUID_NAMESPACE, code_id)``.
CODE_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:coder:codebook:code")

_TOP_FIELDS = ("name", "language", "version", "codes", "reference_answers")
#: How deep codes may nest (a code, its parent, the parent's parent ...): researchers use a few levels.
MAX_DEPTH = 50
#: What a codebook that leaves out ``language`` or ``version`` has: coder's answers are Norwegian (Bokmål).
TOP_DEFAULTS = {"language": "nb", "version": "1"}
_REQUIRED_CODE_FIELDS = ("id", "label")
_TEXT_FIELDS = (
    "label", "label_en", "strength_label", "strength_label_en", "description", "include", "exclude",
    "discussion",
)  # fmt: skip
_LIST_FIELDS = ("keywords", "examples", "counter_examples")
_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_COLOR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
# One keyword word: letters/digits, inner hyphens or apostrophes, an optional final '*' (checked apart).
_WORD_RE = re.compile(r"^[^\W_]+(?:[-'][^\W_]+)*$")
_NULL_TAG = "tag:yaml.org,2002:null"
_QDC_REFERENCE_KEY = "reference_answers"  # the key of the reference file in a .qdc's origin attribute

DEFAULT_CODEBOOK_FILE = "boligsosialt.yaml"


def default_codebook_path() -> Path:
    """The path of the built-in codebook ``boligsosialt.yaml`` (its reference answers lie beside it).

    Returns
    -------
    Path
        In an installed package the file shipped as package data (``coder/codebooks/``); in a source
        checkout or an editable install the repository's ``codebooks/`` folder.

    Examples
    --------
    >>> default_codebook_path().name
    'boligsosialt.yaml'
    >>> default_codebook_path().exists()
    True
    """
    try:  # an installed package: pyproject.toml ships the repository's codebooks/ as coder.codebooks
        shipped = Path(str(importlib.resources.files("coder.codebooks") / DEFAULT_CODEBOOK_FILE))
    except ModuleNotFoundError:
        shipped = None
    if shipped is not None and shipped.is_file():
        return shipped
    # A source checkout on sys.path (or an editable install that maps only `coder`): the folder beside it.
    return Path(__file__).resolve().parents[1] / "codebooks" / DEFAULT_CODEBOOK_FILE


def default_codebook_info() -> dict[str, str]:
    """The built-in codebook for ``coder info``: its name and version, where it and its reference answers are.

    >>> sorted(default_codebook_info())
    ['default codebook', 'default codebook file', 'reference answers']
    """
    path = default_codebook_path()
    if not path.is_file():  # a broken install: say so rather than fail the whole `coder info`
        return {"default codebook": "missing", "default codebook file": str(path), "reference answers": "–"}
    book = load(path)
    reference = "none"
    if book.reference_file:
        reference = f"{len(book.reference_answers)} in {(path.parent / book.reference_file).resolve()}"
    return {
        "default codebook": f"{book.name} {book.version} ({len(book.codes)} codes)",
        "default codebook file": str(path),
        "reference answers": reference,
    }


# ------------------------------------------------------------------------------------------- keywords


def keyword_problem(keyword: str) -> str | None:
    """Why ``keyword`` can never match (a form error), or ``None`` when its form is fine.

    This checks the form only; :func:`validate` also checks that each word is a lemma when the embedded
    lexicon is available.

    >>> keyword_problem("bolig*") is None, keyword_problem("Bolig"), keyword_problem("bo*lig")
    (True, "not lower case (write 'bolig')", "'*' is allowed only at the end of a word (a prefix)")
    """
    if not isinstance(keyword, str) or not keyword.strip():
        return "empty keyword"
    if keyword != keyword.strip():
        return f"leading or trailing white space (write '{keyword.strip()}')"
    if re.search(r"\s{2,}|[\t\n\r]", keyword):
        return f"words must be separated by one space (write '{' '.join(keyword.split())}')"
    if keyword != keyword.lower():
        return f"not lower case (write '{keyword.lower()}')"
    words = keyword.split(" ")
    if GAP in (words[0], words[-1]) or f"{GAP} {GAP}" in keyword:
        return f"'{GAP}' stands only between two words"
    words = keyword_words(keyword)
    stems = []
    for word in words:
        if "*" in word[:-1]:
            return "'*' is allowed only at the end of a word (a prefix)"
        stem = word.removesuffix("*")
        if not stem:
            return "a lone '*' matches everything"
        if word.endswith("*") and len(stem) < 3 and len(words) == 1:
            return f"the prefix '{word}' is too short to mean anything (use at least 3 letters)"
        stems.append(stem)
    for word in stems:
        if not _WORD_RE.match(word):
            bad = sorted({c for c in word if not (c.isalnum() or c in "-'")})
            shown = " ".join(repr(c) for c in bad) if bad else repr(word)
            return f"contains {shown}, which no lemma contains (tokens are split at punctuation)"
    return None


def _word_matches(word: str, term: str) -> bool:
    if word.endswith("*"):
        return term.startswith(word[:-1])
    return term == word


def keyword_matches(keyword: str, term: str) -> bool:
    """Whether a one-word ``keyword`` matches ``term`` (a lemma or a compound part), by the keyword rule.

    >>> keyword_matches("bolig", "bolig"), keyword_matches("bolig*", "boligkontor")
    (True, True)
    >>> keyword_matches("nav", "NAV"), keyword_matches("bolig", "omsorgsbolig")
    (True, False)

    A multi-word keyword never matches a single term; use :func:`find_keyword` for it.
    """
    return " " not in keyword and _word_matches(keyword, term.lower())


GAP = ".."  # a keyword word that lets up to MAX_GAP other words stand between its neighbours
MAX_GAP = 3


def find_keyword(keyword: str, tokens: Sequence[Collection[str]]) -> list[tuple[int, int]]:
    """The spans ``(start, end)`` of ``tokens`` that ``keyword`` matches, left to right, not overlapping.

    Each token is given as the collection of its terms: its lemma and its compound parts (lower case).

    >>> toks = [{"ingen"}, {"ta"}, {"tak"}, {"i"}, {"helhet"}]
    >>> find_keyword("ta tak", toks), find_keyword("helhet*", toks), find_keyword("tak i", toks[:3])
    ([(1, 3)], [(4, 5)], [])
    >>> find_keyword("ingen .. helhet", toks), find_keyword("ta .. ingen", toks)
    ([(0, 5)], [])
    """
    words = keyword.split(" ")
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        end = _match_from(words, tokens, i)
        if end is None:
            i += 1
        else:
            spans.append((i, end))
            i = end
    return spans


def _match_from(words: list[str], tokens: Sequence[Collection[str]], i: int) -> int | None:
    """The end of the shortest match of ``words`` that starts at token ``i``, or ``None``."""
    if not words:
        return i
    word, rest = words[0], words[1:]
    if word == GAP:
        for skip in range(MAX_GAP + 1):
            end = _match_from(rest, tokens, i + skip)
            if end is not None:
                return end
        return None
    if i < len(tokens) and any(_word_matches(word, term.lower()) for term in tokens[i]):
        return _match_from(rest, tokens, i + 1)
    return None


def keyword_words(keyword: str) -> list[str]:
    """The words of ``keyword`` that must match a term (its ``..`` gaps left out).

    >>> keyword_words("oversikt over .. bolig*")
    ['oversikt', 'over', 'bolig*']
    """
    return [word for word in keyword.split(" ") if word != GAP]


# ------------------------------------------------------------------------------------------ data model


@dataclass(frozen=True)
class Code:
    """One code (theme) of a codebook."""

    id: str
    label: str
    label_en: str = ""
    # A theme coded under strengths and challenges alike may be named for one side (its label says
    # «Fragmentert ansvar»; the strength is clear responsibility): the report names it so under a strength.
    strength_label: str = ""
    strength_label_en: str = ""
    description: str = ""
    include: str = ""
    exclude: str = ""
    discussion: str = ""  # a question for the report's discussion when the theme is a frequent challenge
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    parent: str | None = None
    color: str | None = None

    def keyword_matches(self, lemma_or_part: str) -> bool:
        """Whether one of this code's one-word keywords matches a lemma or compound part.

        >>> Code("x", "X", keywords=("bolig*", "nav")).keyword_matches("boligkontor")
        True
        """
        return any(keyword_matches(keyword, lemma_or_part) for keyword in self.keywords)

    def label_for(self, kind: str, *, english: bool = False) -> str:
        """The theme's name under a question of ``kind`` (a manifest's ``kind:``, e.g. ``strength``).

        >>> code = Code("ansvar", "Fragmentert ansvar", strength_label="Tydelig plassert ansvar")
        >>> code.label_for("strength"), code.label_for("challenge")
        ('Tydelig plassert ansvar', 'Fragmentert ansvar')
        """
        if english:
            return (kind == "strength" and self.strength_label_en) or self.label_en
        return (kind == "strength" and self.strength_label) or self.label

    def to_dict(self) -> dict[str, Any]:
        """The code as a plain dict, the codebook YAML's form: fields left empty are left out.

        >>> Code("x", "X", keywords=("bolig",)).to_dict()
        {'id': 'x', 'label': 'X', 'keywords': ['bolig']}
        """
        data: dict[str, Any] = {}
        for name in _CODE_FIELDS:
            value = getattr(self, name)
            if value or name in _REQUIRED_CODE_FIELDS:
                data[name] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Code:
        """The code of :meth:`to_dict` (or of ``dataclasses.asdict``); unknown keys are left out.

        >>> code = Code("x", "X", examples=("a",), parent="y")
        >>> Code.from_dict(code.to_dict()) == code
        True
        """
        known = set(_CODE_FIELDS)
        return cls(**{key: tuple(v) if isinstance(v, list) else v for key, v in data.items() if key in known})

    @property
    def guid(self) -> str:
        """The stable REFI-QDA GUID of this code (uuid5 of its id)."""
        return code_guid(self.id)


_CODE_FIELDS = tuple(item.name for item in dataclasses.fields(Code))  # in YAML order


@dataclass(frozen=True)
class ReferenceAnswer:
    """An answer coded in full with the codebook before (``codes`` empty: it carries no code)."""

    text: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Codebook:
    """A named, versioned list of codes, with the answers coded with it before, if any."""

    name: str
    language: str
    version: str
    codes: tuple[Code, ...]
    path: Path | None = field(default=None, compare=False)
    reference_file: str | None = field(default=None, compare=False)  # as in the YAML: relative to path
    reference_answers: tuple[ReferenceAnswer, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        """Short: the codes in full filled a notebook's screen (``book`` alone shows it).

        >>> Codebook("Bolig", "nb", "1", (Code("a", "A"), Code("b", "B")))
        Codebook('Bolig', version '1', 2 codes: a, b)
        """
        ids = ", ".join(self.code_ids[:10]) + (", …" if len(self.codes) > 10 else "")
        where = f", from {self.path}" if self.path else ""
        return f"Codebook({self.name!r}, version {self.version!r}, {len(self.codes)} codes: {ids}{where})"

    @property
    def code_ids(self) -> list[str]:
        return [code.id for code in self.codes]

    def get(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def children(self, code_id: str | None) -> list[Code]:
        """The codes whose parent is ``code_id`` (``None``: the top-level codes), in file order."""
        return [code for code in self.codes if code.parent == code_id]

    def keyword_index(self) -> dict[str, list[str]]:
        """keyword -> ids of the codes that list it (a keyword may belong to several codes)."""
        index: dict[str, list[str]] = {}
        for code in self.codes:
            for keyword in code.keywords:
                index.setdefault(keyword, []).append(code.id)
        return index


def code_guid(code_id: str) -> str:
    """The stable GUID of a code: uuid5 of its id in coder's namespace.

    >>> code_guid("follow_up") == code_guid("follow_up") != code_guid("anchoring")
    True
    """
    return str(uuid.uuid5(CODE_GUID_NAMESPACE, code_id))


# ----------------------------------------------------------------------------------------- label seeds

# Function words a label or description may hold that say nothing about the theme. Wider than
# coder.nlp.STOP_WORDS: in a label «ikke», «uten», «ingen» only frame the theme, and «annet», «diverse»
# name a rest category that no word in an answer points to.
_SEED_STOP_WORDS = frozenset(
    """
    og i på for av med til om en et ei den det de dem som er var være bli blir ha har ikke uten ingen
    ved hos fra mot over under etter før mellom gjennom inn ut opp ned da så at å eller enn samt både
    enten seg sin sitt sine vi jeg du han hun hen man noe noen hva hvor hvem når hvordan hvorfor hvilke
    denne dette disse der her alle all alt hele mer mest mye mange flere annen annet andre øvrig øvrige
    diverse generelt generell osv etc ca mm feks dvs evt
    the a an and or of in on at to for with without by from not no other others general misc
    """.split()
)
#: At most this many seeds come from the description (used only when the label gives none).
DESCRIPTION_SEEDS = 5
_MIN_PART_SEED = 4  # a compound's first part as a seed: «bo» (bostøtte) would match too much
_MIN_STEM = 6  # a shorter stem as a prefix would match unrelated words (still* -> stille, stillas)
_SEED_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


def _lexicon() -> Any | None:
    """The embedded lexicon (:mod:`coder.lexicon`), or ``None`` when it cannot be had."""
    try:
        from coder.lexicon import get_lexicon

        return get_lexicon()
    except Exception:  # the lexicon is optional here: no module yet, or no data to build it from
        return None


def _seed_of(lemma: str, pos: Collection[str]) -> str:
    """The keyword for one content lemma: a prefix of its stem for verb forms, else the lemma itself.

    A label names a theme by a verb, a participle or a verbal noun (tilpasse, fragmentert, oppfølging);
    answers use the other forms of the same stem (tilpasset, tilpassing, fragmentering), whose lemmas differ,
    so the stem as a prefix finds more of them than any one lemma. Nouns and other words stay exact:
    compound parts already carry them into compounds (bolig finds omsorgsboliger).
    """
    stem = None
    if lemma.endswith("ing") and "noun" in pos:
        stem = lemma[:-3]  # oppfølging -> oppfølg, samordning -> samordn
    elif lemma.endswith("ert") and "adj" in pos:
        stem = lemma[:-1]  # fragmentert -> fragmenter, koordinert -> koordiner
    elif lemma.endswith("e") and "verb" in pos:
        stem = lemma[:-1]  # tilpasse -> tilpass
    if stem is not None and len(stem) >= _MIN_STEM and keyword_problem(stem + "*") is None:
        return stem + "*"
    return lemma


def _text_seeds(text: str, lexicon: Any | None) -> list[str]:
    """The seeds of one text, in text order, each once."""
    words = _SEED_WORD_RE.findall(text)
    if not words:
        return []
    lemmas: list[str] = [w.lower() for w in words]
    if lexicon is not None:
        try:
            # Word by word, not in context: a title-cased label («Tilpassede Boliger») would otherwise make
            # its inner words proper nouns, kept as written.
            lemmas = [lexicon.lemmatize(low).lower() for low in lemmas]
        except Exception:  # a broken lexicon store: the words as written are still seeds
            lexicon = None
    seeds: list[str] = []
    for word, lemma in zip(words, lemmas, strict=True):
        low = word.lower()
        if not _WORD_RE.match(lemma):  # a lemma with a space or sign is no single keyword word
            lemma = low
        if {low, lemma} & _SEED_STOP_WORDS or len(lemma) < 2 or not any(c.isalpha() for c in lemma):
            continue
        pos = lexicon.lemma_pos(lemma) if lexicon is not None else frozenset()
        seed = _seed_of(lemma, pos)
        if keyword_problem(seed) is None and seed not in seeds:
            seeds.append(seed)
        # A compound label names its topic by its first part (boligmangel, møteplass), which answers say
        # alone («for få boliger», «faste møter»): a keyword matches the parts of an answer's words only.
        parts = lexicon.split_compound(lemma) if lexicon is not None and not seed.endswith("*") else ()
        topic = parts[0] if len(parts) > 1 else ""
        if (
            len(topic) >= _MIN_PART_SEED
            and topic not in {*_SEED_STOP_WORDS, *seeds}
            and "noun" in lexicon.lemma_pos(topic)  # not «stor» of «Storkommune», «fast» of «Fastlege»
            and not keyword_problem(topic)
        ):
            seeds.append(topic)
    return seeds


def label_seeds(code: Code) -> tuple[str, ...]:
    """Keyword-like seeds for a code from the words of its label: weak evidence for a code without keywords.

    The content words of the label, lower-cased and lemmatized with the embedded lexicon (without it, as
    written), function words left out; a verb, a participle in ``-ert`` or a verbal noun in ``-ing`` gives
    its stem as a prefix (``tilpass*``) when the stem has at least six letters; a compound gives its first
    part too (``møtepunkt``, ``møte``), the topic answers name on its own. When the label gives
    nothing (``Annet``), the first :data:`DESCRIPTION_SEEDS` seeds of the description are taken. Every seed
    is a valid keyword (:func:`keyword_problem` is ``None``); the result may be empty. Deterministic: the
    same code and lexicon give the same seeds, in text order.

    >>> label_seeds(Code("adapted_housing", "Tilpassede boliger"))
    ('tilpass*', 'bolig')
    >>> label_seeds(Code("fragmented_responsibility", "Fragmentert og uklart ansvar"))
    ('fragmenter*', 'uklar', 'ansvar')
    >>> label_seeds(Code("housing_shortage", "Boligmangel"))
    ('boligmangel', 'bolig')
    >>> label_seeds(Code("other", "Annet", description="Svar om økonomi og lån."))
    ('svar', 'økonomi', 'lån')
    """
    lexicon = _lexicon()
    seeds = _text_seeds(code.label, lexicon)
    if not seeds and code.description:
        seeds = _text_seeds(code.description, lexicon)[:DESCRIPTION_SEEDS]
    return tuple(seeds)


# ------------------------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class CodebookProblem:
    """One problem in a codebook file, with where it is."""

    file: str
    line: int | None
    message: str
    code: str | None = None
    key: str | None = None
    severity: str = "error"  # "error" (the codebook cannot be used) or "warning"
    # A problem in the reference answers file: listed after the codebook's own problems, which often cause it.
    in_reference: bool = field(default=False, compare=False, repr=False)
    # What it names is not read, so a codebook written from this one (a merge) loses it: an unknown field.
    dropped: bool = field(default=False, compare=False, repr=False)

    @property
    def dotted_key(self) -> str | None:
        """The key as every file's keys are named: «housing.label» (the code's id, then its field)."""
        return f"{self.code}.{self.key}" if self.code and self.key else self.key

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.dotted_key:
            parts.append(f"key '{self.dotted_key}'")
        elif self.code:
            parts.append(f"code '{self.code}'")
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{', '.join(parts)}: {prefix}{self.message}"

    def to_error(self) -> CoderError:
        return CoderError(self.message, file=self.file, line=self.line, key=self.dotted_key or self.code)


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[CodebookProblem] = []

    def add(
        self,
        node: yaml.Node | None,
        message: str,
        code: str | None = None,
        key: str | None = None,
        severity: str = "error",
        in_reference: bool = False,
        dropped: bool = False,
    ) -> None:
        line = None if node is None else node.start_mark.line + 1
        self.problems.append(
            CodebookProblem(self.file, line, message, code, key, severity, in_reference, dropped)
        )

    def has_errors(self) -> bool:
        return any(problem.severity == "error" for problem in self.problems)


# -------------------------------------------------------------------------------------------- parsing


def _compose(path: Path, out: _Collector) -> yaml.Node | None:
    """The node tree of the codebook file (read by coder.io's strict YAML reader); a YAML problem is
    reported with its line, a missing or unreadable file raises."""
    importable = path.suffix.lower() in (".qdc", *NAME_LIST_SUFFIXES)
    hint = "a .qdc or a list of code names becomes one by coder codebook import" if importable else ""
    text = read_text(yaml_file(path, "codebook", hint))
    try:
        return parse_yaml(text, path).node
    except CoderError as error:
        out.problems.append(CodebookProblem(out.file, error.line, error.message, key=error.key))
        return None


def _mapping_items(node: yaml.MappingNode, out: _Collector, code: str | None) -> dict[str, tuple[Any, Any]]:
    """key -> (key node, value node); reports non-string keys.

    A key twice is a YAML merge (``<<: *defaults``), whose pairs PyYAML puts first: the later pair wins, as
    in YAML. (A key written twice is an error before this: :func:`coder.io.parse_yaml`.)
    """
    items: dict[str, tuple[Any, Any]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            out.add(key_node, "a key must be a plain name", code)
            continue
        items[key_node.value] = (key_node, value_node)
    return items


def _unknown_keys(
    items: dict[str, tuple[Any, Any]], known: Sequence[str], out: _Collector, code: str | None, what: str
) -> None:
    for key, (key_node, _) in items.items():
        if key not in known:
            # A warning: the field is ignored, and a newer codebook may carry fields this version lacks.
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"
            message = f"unknown {what} field '{key}' is ignored{hint}"
            out.add(key_node, message, code, key, severity="warning", dropped=True)


def _scalar(
    node: Any, out: _Collector, code: str | None, key: str, *, allow_null: bool = False
) -> str | None:
    """The text of a scalar node (raw, so 1.10 stays '1.10' and 'no' stays 'no'); None for null/wrong."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL_TAG and not node.style:
            if not allow_null:
                out.add(node, "is empty", code, key)
            return None
        return node.value
    out.add(
        node, f"must be text, not a {'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}", code, key
    )
    return None


_YAML_KIND = {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}


def _string_list(node: Any, out: _Collector, code: str | None, key: str) -> list[tuple[str, Any]]:
    """(text, node) for each item of a list of strings; a single string is taken as a one-item list."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL_TAG and not node.style:
            return []
        return [(node.value, node)]
    if not isinstance(node, yaml.SequenceNode):
        out.add(node, "must be a list of texts", code, key)
        return []
    items = []
    for n, item in enumerate(node.value):
        if isinstance(item, yaml.ScalarNode) and not (item.tag == _NULL_TAG and not item.style):
            items.append((item.value, item))
        else:
            found = "nothing" if isinstance(item, yaml.ScalarNode) else _YAML_KIND.get(type(item), "no text")
            out.add(item, f"item {n + 1} must be a text, found {found}", code, key)
    return items


@dataclass
class _Parsed:
    codebook: Codebook | None
    keyword_nodes: dict[tuple[str, str], Any] = field(default_factory=dict)  # (code id, keyword) -> node


def _parse(path: Path, out: _Collector, outside: frozenset[str] = frozenset()) -> _Parsed:
    root = _compose(path, out)
    if out.problems:
        return _Parsed(None)
    if root is None:
        out.add(None, "the file is empty")
        return _Parsed(None)
    if not isinstance(root, yaml.MappingNode):
        out.add(root, "a codebook must be a mapping with name, language, version and codes")
        return _Parsed(None)
    top = _mapping_items(root, out, None)
    _unknown_keys(top, _TOP_FIELDS, out, None, "codebook")
    meta: dict[str, str] = {}
    for key in ("name", "language", "version"):
        if key not in top and key in TOP_DEFAULTS:  # a codebook written by hand may name its codes only
            meta[key] = TOP_DEFAULTS[key]
            continue
        if key not in top:
            out.add(root, f"missing field '{key}'", None, key)
            continue
        value = _scalar(top[key][1], out, None, key)
        if value is not None and not value.strip():
            out.add(top[key][1], "is empty", None, key)
        meta[key] = (value or "").strip()
    if "codes" not in top:
        out.add(root, "missing field 'codes'", None, "codes")
        return _Parsed(None)
    codes_node = top["codes"][1]
    if not isinstance(codes_node, yaml.SequenceNode) or not codes_node.value:
        out.add(codes_node, "'codes' must be a non-empty list of codes", None, "codes")
        return _Parsed(None)

    codes: list[Code] = []
    id_nodes: dict[str, Any] = {}
    parent_nodes: dict[str, Any] = {}
    keyword_nodes: dict[tuple[str, str], Any] = {}
    for position, code_node in enumerate(codes_node.value, start=1):
        code = _parse_code(code_node, position, out, id_nodes, parent_nodes, keyword_nodes)
        if code is not None:
            codes.append(code)

    _check_hierarchy(codes, id_nodes, parent_nodes, out, outside)
    _check_keyword_duplicates(codes, keyword_nodes, out)
    _check_label_duplicates(codes, id_nodes, out)
    reference_file, reference = None, ()
    if "reference_answers" in top:
        node = top["reference_answers"][1]
        reference_file = _scalar(node, out, None, "reference_answers")
        if reference_file:
            follow_on = out.has_errors()  # unknown codes in the reference are then mostly caused by them
            codes_known = {c.id for c in codes}
            reference = _read_reference(path.parent / reference_file, codes_known, node, out, follow_on)
            carried = {code_id for answer in reference for code_id in answer.codes}
            uncarried = [c.id for c in codes if c.id not in carried]
            if reference and uncarried:  # the classifier reads them so (coder.classify): say it here
                named = ", ".join(f"'{code_id}'" for code_id in uncarried)
                it, its = ("it", "its") if len(uncarried) == 1 else ("them", "their")
                message = (
                    f"reference answers: none carries {named}: taken as added after they were coded, so they "
                    f"are no evidence against {it} ({its} keywords and examples teach {it})"
                )
                out.add(node, message, None, "reference_answers", severity="warning", in_reference=True)
    codebook = Codebook(
        name=meta.get("name", ""),
        language=meta.get("language", ""),
        version=meta.get("version", ""),
        codes=tuple(codes),
        path=path,
        reference_file=reference_file,
        reference_answers=reference,
    )
    return _Parsed(codebook, keyword_nodes)


#: At most this many rows are listed in one message about the reference answers.
SHOWN_ROWS = 5


def _read_reference(
    path: Path, code_ids: set[str], node: yaml.Node | None, out: _Collector, follow_on: bool = False
) -> tuple[ReferenceAnswer, ...]:
    """The reference answers in ``path``; problems are reported at the codebook's line for the file.

    One problem per unknown code (naming its first rows), not one per row: a renamed code would otherwise
    bury the cause under hundreds of lines. With ``follow_on`` (the codebook itself has errors, which
    usually cause them) all unknown codes are summed up in one line.
    """

    def add(message: str) -> None:
        out.add(node, f"reference answers: {message}", None, "reference_answers", in_reference=True)

    try:
        table = read_table(path)
        require_columns(table, ["text", "codes"], path)
    except CoderError as error:
        add(str(error))
        return ()
    answers = []
    unknown_rows: dict[str, list[int]] = {}  # unknown code -> its rows, in file order
    for index, text, codes in zip(table.index, table["text"], table["codes"], strict=True):
        ids = tuple(c.strip() for c in str(codes or "").split(";") if c.strip())
        unknown = [c for c in ids if c not in code_ids]
        if unknown:
            unknown_rows.setdefault(unknown[0], []).append(spreadsheet_row(index))
        elif str(text or "").strip():
            answers.append(ReferenceAnswer(str(text).strip(), ids))
    if follow_on and unknown_rows:
        rows = sum(len(found) for found in unknown_rows.values())
        names = ", ".join(f"'{code}'" for code in list(unknown_rows)[:SHOWN_ROWS])
        more = ", ..." if len(unknown_rows) > SHOWN_ROWS else ""
        add(
            f"{path}: {rows} row(s) name codes that are not in the codebook ({names}{more}), "
            "probably because of the errors above: fix those first"
        )
        return tuple(answers)
    for code, rows_of_code in unknown_rows.items():
        shown = ", ".join(map(str, rows_of_code[:SHOWN_ROWS]))
        if len(rows_of_code) > SHOWN_ROWS:
            shown += f", ... ({len(rows_of_code)} rows in all)"
        where = CoderError(
            f"code '{code}' is not in the codebook",
            file=path,
            row=rows_of_code[0] if len(rows_of_code) == 1 else shown,
            column="codes",
        )
        add(str(where))
    return tuple(answers)


def _parse_code(
    node: Any,
    position: int,
    out: _Collector,
    id_nodes: dict[str, Any],
    parent_nodes: dict[str, Any],
    keyword_nodes: dict[tuple[str, str], Any],
) -> Code | None:
    if not isinstance(node, yaml.MappingNode):
        out.add(node, f"code {position} must be a mapping with id, label, ...")
        return None
    # The id names the code in every message, also in those about its other keys: look it up first.
    hint = next(
        (
            v.value
            for k, v in node.value
            if isinstance(k, yaml.ScalarNode) and k.value == "id" and isinstance(v, yaml.ScalarNode)
        ),
        None,
    )
    items = _mapping_items(node, out, hint or f"#{position}")
    code_id = None
    if "id" in items:
        code_id = _scalar(items["id"][1], out, None, "id")
    name = code_id or f"#{position}"
    _unknown_keys(items, _CODE_FIELDS, out, name, "code")
    for key in _REQUIRED_CODE_FIELDS:
        if key not in items:
            out.add(node, f"missing field '{key}'", name, key)
    if code_id is not None:
        id_node = items["id"][1]
        if not _ID_RE.match(code_id):
            out.add(
                id_node,
                "the id must be snake_case (a-z, 0-9 and single '_', starting with a letter)",
                name,
                "id",
            )
        if code_id in id_nodes:
            first = id_nodes[code_id].start_mark.line + 1
            out.add(id_node, f"duplicate id '{code_id}' (first on line {first})", name, "id")
        else:
            id_nodes[code_id] = id_node

    values: dict[str, Any] = {}
    for key in _TEXT_FIELDS:
        if key in items:
            text = _scalar(items[key][1], out, name, key, allow_null=key not in _REQUIRED_CODE_FIELDS)
            if key in _REQUIRED_CODE_FIELDS and text is not None and not text.strip():
                out.add(items[key][1], "is empty", name, key)
            values[key] = (text or "").strip()
    for key in _LIST_FIELDS:
        if key in items:
            entries = _string_list(items[key][1], out, name, key)
            seen: set[str] = set()
            kept = []
            for text, item in entries:
                if key == "keywords":
                    problem = keyword_problem(text)
                    if problem:
                        out.add(item, f"keyword '{text}' can never match: {problem}", name, key)
                        continue
                    keyword_nodes.setdefault((name, text), item)
                elif not text.strip():
                    out.add(item, "empty example", name, key)
                    continue
                if text in seen:
                    out.add(item, f"'{text}' is listed twice", name, key, severity="warning")
                    continue
                seen.add(text)
                kept.append(text if key == "keywords" else text.strip())
            values[key] = tuple(kept)
    if not values.get("keywords") and not values.get("examples"):
        # Not an error: researchers often start from labels alone and teach the classifier by coding.
        out.add(
            node,
            "the code has neither keywords nor examples: it is suggested from the words of its label and "
            "description (weak seeds) and, as soon as answers are coded with it, from those answers",
            name,
            severity="warning",
        )
    parent = None
    if "parent" in items:
        parent = _scalar(items["parent"][1], out, name, "parent", allow_null=True)
        parent = parent.strip() if parent and parent.strip() else None
        if parent is not None:
            parent_nodes[name] = items["parent"][1]
    color = None
    if "color" in items:
        color = _scalar(items["color"][1], out, name, "color", allow_null=True)
        if color is not None and not _COLOR_RE.match(color.strip()):
            out.add(items["color"][1], f"color '{color}' must be #RRGGBB or #RGB (hex)", name, "color")
            color = None
        color = color.strip() if color else None
    if code_id is None or "label" not in values:
        return None
    return Code(
        id=code_id,
        label=values["label"],
        label_en=values.get("label_en", ""),
        strength_label=values.get("strength_label", ""),
        strength_label_en=values.get("strength_label_en", ""),
        description=values.get("description", ""),
        include=values.get("include", ""),
        exclude=values.get("exclude", ""),
        discussion=values.get("discussion", ""),
        keywords=values.get("keywords", ()),
        examples=values.get("examples", ()),
        counter_examples=values.get("counter_examples", ()),
        parent=parent,
        color=color,
    )


def _check_hierarchy(
    codes: list[Code],
    id_nodes: dict[str, Any],
    parent_nodes: dict[str, Any],
    out: _Collector,
    outside: frozenset[str] = frozenset(),
) -> None:
    """Parents that exist (in this file or, for candidates, among ``outside`` codes) and form no cycle."""
    parents = {code.id: code.parent for code in codes if code.parent is not None}
    for code_id, parent in parents.items():
        if parent == code_id:
            out.add(parent_nodes.get(code_id), "a code cannot be its own parent", code_id, "parent")
        elif parent not in id_nodes and parent not in outside:
            close = difflib.get_close_matches(parent, list(id_nodes), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            out.add(parent_nodes.get(code_id), f"unknown parent '{parent}'{hint}", code_id, "parent")
    reported: set[str] = set()
    for start in parents:
        path, current = [start], parents.get(start)
        while current is not None and current in parents and current not in path and current != start:
            path.append(current)
            current = parents.get(current)
        if current == start and len(path) > 1 and not reported.intersection(path):
            reported.update(path)
            cycle = " -> ".join([*path, start])
            out.add(parent_nodes.get(start), f"the parents form a cycle: {cycle}", start, "parent")
        elif len(path) > MAX_DEPTH and not reported:  # the tree is shown and exported by recursion
            reported.update(path)
            out.add(
                parent_nodes.get(start),
                f"the codes nest {len(path)} levels deep under '{path[-1]}'; at most {MAX_DEPTH}",
                start,
                "parent",
            )


def _check_keyword_duplicates(
    codes: list[Code], keyword_nodes: dict[tuple[str, str], Any], out: _Collector
) -> None:
    owners: dict[str, list[str]] = {}
    for code in codes:
        for keyword in code.keywords:
            owners.setdefault(keyword, []).append(code.id)
    for keyword, ids in owners.items():
        for code_id in ids[1:]:
            out.add(
                keyword_nodes.get((code_id, keyword)),
                f"keyword '{keyword}' is also a keyword of '{ids[0]}' (it then counts as evidence for both)",
                code_id,
                "keywords",
                severity="warning",
            )


def _check_label_duplicates(codes: list[Code], id_nodes: dict[str, Any], out: _Collector) -> None:
    """Two codes of one label (Bolig, bolig: an import from another program, most often) read as one theme
    in the report and get the same weak seeds; a warning, as they may still differ in their examples."""
    first: dict[tuple[str | None, str], str] = {}  # (parent, label) -> the first code with it
    for code in codes:  # under different parents one label may well mean two things
        key = (code.parent, " ".join(code.label.split()).casefold())
        if key in first:
            out.add(
                id_nodes.get(code.id),
                f"code '{code.id}' has the label of code '{first[key]}' ('{code.label}'): one theme twice?",
                code.id,
                "label",
                severity="warning",
            )
        first.setdefault(key, code.id)
    strengths: dict[tuple[str | None, str], Code] = {}  # the names under a strength question, as above
    for code in codes:
        key = (code.parent, " ".join(code.label_for("strength").split()).casefold())
        other = strengths.setdefault(key, code)
        if other is not code and (code.strength_label or other.strength_label):
            out.add(
                id_nodes.get(code.id),
                f"code '{code.id}' has the name of code '{other.id}' under strengths "
                f"('{code.label_for('strength')}'): one theme twice?",
                code.id,
                "strength_label" if code.strength_label else "label",
                severity="warning",
            )


def _lemma_checker() -> Callable[[str], str | None] | None:
    """A function word -> its lemma when the word is an inflected form and not itself a lemma, else None.

    Uses the embedded lexicon (:mod:`coder.lexicon`) when it is available; without it the check is skipped.
    """
    lexicon = _lexicon()
    lemma_pos = getattr(lexicon, "lemma_pos", None)
    lemmatize = getattr(lexicon, "lemmatize", None)
    if not callable(lemma_pos) or not callable(lemmatize):
        return None

    def is_lemma(word: str) -> bool:
        return bool(lemma_pos(word))

    def check(word: str) -> str | None:
        if "-" in word or not word.isalpha() or is_lemma(word):
            return None
        lemma = lemmatize(word)
        return lemma if lemma and lemma != word and is_lemma(lemma) else None

    return check


def _check_lemmas(parsed: _Parsed, out: _Collector) -> None:
    if parsed.codebook is None:
        return
    check = _lemma_checker()
    if check is None:
        return
    for code in parsed.codebook.codes:
        for keyword in code.keywords:
            words = keyword.split(" ")
            fixed = []
            for word in words:
                lemma = None if word.endswith("*") or word == GAP else check(word)
                fixed.append(lemma or word)
            if fixed != words:
                out.add(
                    parsed.keyword_nodes.get((code.id, keyword)),
                    f"keyword '{keyword}' is an inflected form and never equals a lemma "
                    f"(write '{' '.join(fixed)}')",
                    code.id,
                    "keywords",
                    severity="warning",
                )


def _sorted(problems: Iterable[CodebookProblem]) -> list[CodebookProblem]:
    """File order, the codebook's own problems before those of its reference answers (often their cause)."""
    return sorted(problems, key=lambda p: (p.in_reference, p.line is None, p.line or 0))


def validate(path: str | os.PathLike[str], *, check_lemmas: bool = True) -> list[CodebookProblem]:
    """Every problem in the codebook at ``path``, in file order (an empty list: the codebook is fine).

    Errors make the codebook unusable (YAML syntax, missing fields, duplicate ids, unknown parent or a
    cycle, a keyword whose form can never match); warnings point at likely mistakes or weak spots (a
    keyword in two codes, an inflected keyword, a duplicated entry, a code with neither keywords nor
    examples).
    ``check_lemmas`` checks every keyword word against the embedded lexicon when it is available.

    >>> [str(p) for p in validate("codebooks/boligsosialt.yaml") if p.severity == "error"]
    []
    """
    path = Path(path)
    out = _Collector(str(path))
    parsed = _parse(path, out)
    if check_lemmas:
        _check_lemmas(parsed, out)
    return _sorted(out.problems)


def as_codebook(codebook: Codebook | str | os.PathLike[str] | None) -> Codebook:
    """``codebook`` itself, or the one its YAML file holds (``None``: coder's default codebook, as the
    commands use when no ``--codebook`` is given): what the public functions taking a codebook accept
    (:func:`coder.discover.discover` reads ``None`` as no codebook).

    >>> as_codebook(None).code_ids[:2]
    ['fragmented_responsibility', 'adapted_housing']
    """
    return codebook if isinstance(codebook, Codebook) else load(codebook)


def load(path: str | os.PathLike[str] | None = None, *, outside: Collection[str] = ()) -> Codebook:
    """Read a codebook YAML file (default: the default codebook); raise CoderError at its first error.

    Warnings (see :func:`validate`) do not stop loading. ``outside``: code ids of another codebook that
    a code may name as its parent (candidates to add to that codebook, see :func:`merge`).

    >>> codebook = load("codebooks/boligsosialt.yaml")
    >>> codebook.get("follow_up").label
    'Oppfølging av beboere'
    """
    path = Path(path) if path is not None else default_codebook_path()
    out = _Collector(str(path))
    parsed = _parse(path, out, frozenset(outside))
    errors = [p for p in _sorted(out.problems) if p.severity == "error"]
    if errors:
        raise errors[0].to_error()
    assert parsed.codebook is not None
    return parsed.codebook


# ------------------------------------------------------------------------------------- coded answers


def check_coded_answers(
    ids: Sequence[str],
    codes: Sequence[Sequence[str]],
    answer_ids: Container[str],
    codebook: Codebook,
    *,
    file: str | os.PathLike[str] | None = None,
    column: str = "code",
    why_unknown: Callable[[list[str]], str] | None = None,
    rows: Sequence[Any] | None = None,
) -> None:
    """Check coded answers (labels for ``coder suggest``, codes for ``coder link``): every id an answer,
    every code in the codebook.

    Parameters
    ----------
    ids : sequence of str
        The answer id of each row.
    codes : sequence of sequences of str
        The codes of each row (empty: coded, no code).
    answer_ids : container of str
        The ids of the answers the codes may name (anything that answers ``in``).
    codebook : Codebook
    file : path, optional
        The file the rows are from, named in the error with the row (the first row is spreadsheet row 2).
    column : str, default "code"
        The column of the codes, named in the error.
    why_unknown : callable, optional
        Says why the unknown ids are no answers (all of them at once); default: that they are not.
    rows : sequence, optional
        The row labels of a table :func:`coder.io.read_table` read (its empty rows left out), one per row,
        for the row numbers in errors; default: the rows are the file's rows from the first on.

    Raises
    ------
    CoderError
        At the first row with an unknown id (all unknown ids checked first), else with an unknown code.

    Examples
    --------
    >>> book = Codebook("t", "nb", "1", (Code("housing", "Bolig"),))
    >>> check_coded_answers(["a1", "a2"], [["housing"], []], {"a1", "a2"}, book)
    >>> check_coded_answers(["a1", "zz"], [[], []], {"a1"}, book)
    Traceback (most recent call last):
    coder.errors.CoderError: row 3, column 'id': id 'zz' is not in the answers
    >>> check_coded_answers(["a1"], [["flats"]], {"a1"}, book)
    Traceback (most recent call last):
    coder.errors.CoderError: row 2, column 'code': code 'flats' is not in the codebook 't' (codes: housing)
    >>> check_coded_answers(["a1"], [["bolig"]], {"a1"}, book)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    coder.errors.CoderError: ...code 'bolig' is not in the codebook 't' (it is the label of code 'housing'...
    >>> check_coded_answers(["a1"], [["housing; housing"]], {"a1"}, book)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    coder.errors.CoderError: ...(several codes in one cell: one a row, or a column 'codes' split by ';')
    """
    known = set(answer_ids) if isinstance(answer_ids, list | tuple) else answer_ids  # fast `in`
    labels = range(len(ids)) if rows is None else list(rows)
    unknown = [row for row, answer_id in enumerate(ids) if answer_id not in known]
    if unknown:
        missing = [ids[row] for row in unknown]
        if why_unknown is not None:
            message = why_unknown(missing)
        elif len(set(missing)) == 1:
            message = f"id '{missing[0]}' is not in the answers"
        else:
            distinct = list(dict.fromkeys(missing))
            shown = ", ".join(f"'{answer_id}'" for answer_id in distinct[:3]) + ", ..." * (len(distinct) > 3)
            message = f"{len(distinct)} ids are not in the answers: {shown}"
        raise CoderError(message, file=file, row=spreadsheet_row(labels[unknown[0]]), column="id")
    code_ids = set(codebook.code_ids)
    # A file from NVivo or Taguette names codes by label: say which id that is.
    by_label = _codes_by_label(codebook)
    for row, parts in enumerate(codes):
        for code in parts:
            if code not in code_ids:
                labelled = by_label.get(_label_key(code), [])
                several = [part.strip() for part in re.split(r"[;,]", code) if part.strip()]
                if len(labelled) > 1:  # one code of a label is read as its id; of two, which is not known
                    named = ", ".join(f"'{c}'" for c in labelled[:-1]) + f" and '{labelled[-1]}'"
                    known = f"it is the label of codes {named}: write the id of the one you mean"
                elif labelled:
                    known = f"it is the label of code '{labelled[0]}': write its id"
                elif column == "code" and len(several) > 1 and set(several) <= code_ids:
                    known = "several codes in one cell: one a row, or a column 'codes' split by ';'"
                else:
                    known = f"codes: {', '.join(codebook.code_ids)}"
                raise CoderError(
                    f"code '{code}' is not in the codebook '{codebook.name}' ({known})",
                    file=file,
                    row=spreadsheet_row(labels[row]),
                    column=column,
                )


def ids_of_labels(codes: Iterable[str], codebook: Codebook) -> list[str]:
    """``codes`` with a code written by its label made its id, where one code has that label (NVivo,
    QualCoder and Taguette name codes by label); ids, empty values and the rest stay as they are, for the
    checks to name.

    >>> book = Codebook("t", "nb", "1", (Code("housing", "Tilpasset bolig"),))
    >>> ids_of_labels(["housing", "tilpasset  Bolig", "", "flats"], book)
    ['housing', 'housing', '', 'flats']
    """
    known = set(codebook.code_ids)
    owners = _codes_by_label(codebook)
    ids = []
    for value in codes:
        labelled = [] if value in known else owners.get(_label_key(value), [])
        ids.append(labelled[0] if len(labelled) == 1 else value)  # two codes of one label: not guessed
    return ids


def _codes_by_label(codebook: Codebook) -> dict[str, list[str]]:
    """A label (spaces and case aside) -> the ids of the codes that have it."""
    owners: dict[str, list[str]] = {}
    for code in codebook.codes:
        owners.setdefault(_label_key(code.label), []).append(code.id)
    return owners


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


# ----------------------------------------------------------------------------------------------- YAML


class _Dumper(yaml.SafeDumper):
    """Readable YAML: multi-line texts as blocks, lists of keywords in flow style."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_representer)


def _reference_for(codebook: Codebook, directory: str | os.PathLike[str] | None) -> str | None:
    """The codebook's reference file as written into a file in ``directory``: relative to it when the file
    lies there or below, else absolute (a path climbing out with ``..`` breaks when either file moves).

    Without ``directory`` or a known codebook path it stays as the codebook has it.
    """
    if not codebook.reference_file:
        return None
    reference = Path(codebook.reference_file)
    if codebook.path is not None and directory is not None:
        resolved = (codebook.path.parent / reference).resolve()
        relative = Path(os.path.relpath(resolved, Path(directory).resolve()))
        reference = resolved if relative.parts[:1] == ("..",) else relative
    return reference.as_posix()


def to_yaml(codebook: Codebook, directory: str | os.PathLike[str] | None = None) -> str:
    """The codebook as YAML text (the format :func:`load` reads).

    ``directory`` is where the YAML will live: its ``reference_answers`` path is written relative to it.
    """
    data: dict[str, Any] = {
        "name": codebook.name,
        "language": codebook.language,
        "version": codebook.version,
        "codes": [code.to_dict() for code in codebook.codes],
    }
    reference = _reference_for(codebook, directory)
    if reference:
        data["reference_answers"] = reference
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False
    )


def dump_yaml(codebook: Codebook, path: str | os.PathLike[str]) -> Path:
    """Write ``codebook`` as YAML to ``path`` (atomically)."""
    path = Path(path)
    with atomic_write(path) as handle:
        handle.write(to_yaml(codebook, path.parent))
    return path


def merge(
    base: str | os.PathLike[str], extra: str | os.PathLike[str], out: str | os.PathLike[str]
) -> tuple[Path, list[CodebookProblem]]:
    """Add the codes of ``extra`` (candidates from ``coder discover``) to ``base``; write ``out``, validated.

    The name, version and reference answers stay ``base``'s. A code id in both files is an error (rename
    the candidate); the merged file is validated before it replaces ``out``, so an invalid merge writes
    nothing. Returns the path and the warnings: first those of a field of either file the merged codebook
    leaves out (a misspelt ``keyword:`` in a candidate), then those of the merged codebook.
    """
    base_book = load(base)
    extra_book = load(extra, outside=base_book.code_ids)  # a candidate may go under an existing code
    dropped = []  # the fields load ignored: the merged file will not hold them, so say so now
    for path, outside in ((Path(base), frozenset()), (Path(extra), frozenset(base_book.code_ids))):
        collected = _Collector(str(path))
        _parse(path, collected, outside)
        dropped += [
            replace(problem, message=f"{problem.message}; the merged codebook leaves it out")
            for problem in _sorted(collected.problems)
            if problem.dropped
        ]
    taken = set(base_book.code_ids)
    for code in extra_book.codes:
        if code.id in taken:
            raise CoderError(
                f"code id '{code.id}' is in both codebooks; rename it in {extra}", file=extra, key=code.id
            )
    merged = replace(base_book, codes=(*base_book.codes, *extra_book.codes))
    out = Path(out)
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as scratch:
        trial = Path(scratch) / out.name
        trial.write_text(to_yaml(merged, scratch), encoding="utf-8")  # references resolve from there
        problems = [replace(p, file=str(out)) for p in validate(trial, check_lemmas=False)]
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise errors[0].to_error()
    return dump_yaml(merged, out), [*dropped, *problems]


# -------------------------------------------------------------------------------------------- REFI-QDA


def _qdc_description(code: Code) -> str:
    data: dict[str, Any] = {"id": code.id}
    for key in _TEXT_FIELDS:
        if key not in ("label", "description") and getattr(code, key):  # REFI-QDA holds those two
            data[key] = getattr(code, key)
    for key in _LIST_FIELDS:
        if getattr(code, key):
            data[key] = list(getattr(code, key))
    block = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"{code.description}\n\n{QDC_DATA_MARKER}\n{block}"


def _ordered_tree(codebook: Codebook) -> list[tuple[Code, list]]:
    """(code, children) pairs for the top-level codes, children nested, file order kept."""
    ids = set(codebook.code_ids)

    def subtree(parent: str | None, seen: frozenset[str]) -> list[tuple[Code, list]]:
        nodes = []
        for code in codebook.codes:
            attached = code.parent if code.parent in ids else None
            if attached == parent and code.id not in seen:
                nodes.append((code, subtree(code.id, seen | {code.id})))
        return nodes

    return subtree(None, frozenset())


def to_qdc(codebook: Codebook, directory: str | os.PathLike[str] | None = None) -> str:
    """The codebook as a REFI-QDA codebook (``.qdc``) XML document.

    ``directory`` is where the ``.qdc`` will live: the ``reference_answers`` path in ``origin`` is written
    relative to it (see :func:`to_yaml`).

    >>> xml = to_qdc(Codebook("T", "nb", "1", (Code("a", "A", description="d", keywords=("x",)),)))
    >>> 'xmlns="urn:QDA-XML:codebook:1.0"' in xml and 'guid="' in xml
    True
    """
    # «;» separates the fields: within a value it is written %3B (and «%» %25), so «Kodebok; Oppdal» survives.
    name, version, language = (
        value.replace("%", "%25").replace(";", "%3B")
        for value in (codebook.name, codebook.version, codebook.language)
    )
    origin = f"coder {__version__}; name={name}; version={version}; language={language}"
    reference = _reference_for(codebook, directory)
    if reference:
        origin += f"; {_QDC_REFERENCE_KEY}={reference}"  # last: from_qdc takes the rest, ';' and all
    # Unqualified tags plus an explicit default xmlns: ElementTree's default_namespace option refuses the
    # unqualified attributes (guid, name) that the schema requires.
    root = ET.Element("CodeBook", {"xmlns": QDC_NAMESPACE, "origin": xml_text(origin)})
    codes_el = ET.SubElement(root, "Codes")

    def add(parent_el: ET.Element, tree: list[tuple[Code, list]]) -> None:
        for code, children in tree:
            attributes = {"guid": code.guid, "name": xml_text(code.label), "isCodable": "true"}
            if code.color:
                attributes["color"] = code.color
            code_el = ET.SubElement(parent_el, "Code", attributes)
            ET.SubElement(code_el, "Description").text = xml_text(_qdc_description(code))
            add(code_el, children)

    add(codes_el, _ordered_tree(codebook))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


def export_qdc(codebook: Codebook, path: str | os.PathLike[str]) -> Path:
    """Write ``codebook`` as a REFI-QDA ``.qdc`` file (atomically)."""
    path = Path(path)
    with atomic_write(path) as handle:
        handle.write(to_qdc(codebook, path.parent))
    return path


EXPORT_FORMATS = ("qdc", "yaml")


def export(
    codebook: Codebook | str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    to: str | None = None,
) -> Path:
    """Write a codebook as a REFI-QDA codebook (``.qdc``) or as coder YAML.

    Parameters
    ----------
    codebook : Codebook or path
        The codebook, or its YAML file.
    out : path, optional
        Where to write (atomically). Default: the codebook's own file with the format's suffix.
    to : {"qdc", "yaml"}, optional
        The format. Default: from the suffix of ``out`` (``.qdc``/``.xml`` or ``.yaml``/``.yml``; another
        suffix is an error), else ``"qdc"``.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    CoderError
        ``key='to'`` for an unknown format, ``key='out'`` for an unknown suffix; the file ``out`` when it
        would overwrite the codebook's own file or when neither ``out`` nor the codebook's path says where
        to write.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     export(default_codebook_path(), Path(folder) / "boligsosialt.qdc").suffix
    '.qdc'
    """
    out, fmt = export_target(codebook, out, to=to)
    book = as_codebook(codebook)
    return export_qdc(book, out) if fmt == "qdc" else dump_yaml(book, out)


def export_target(
    codebook: Codebook | str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    to: str | None = None,
) -> tuple[Path, str]:
    """The file :func:`export` writes and its format, from the same arguments, checked; nothing is read.

    >>> export_target("kodebok.yaml", to="qdc")
    (PosixPath('kodebok.qdc'), 'qdc')
    """
    source = codebook.path if isinstance(codebook, Codebook) else Path(codebook)
    suffix = Path(out).suffix.lower().lstrip(".") if out is not None else ""
    formats_by_suffix = {"qdc": "qdc", "xml": "qdc", "yaml": "yaml", "yml": "yaml", "": "qdc"}
    if to is None and suffix not in formats_by_suffix:
        # `-o koder.txt` wrote REFI-QDA XML into a .txt: a surprise, so the suffix must name a format
        raise CoderError(
            f"{out}: unknown suffix '.{suffix}' (use .qdc or .yaml, or give the format)", key="out"
        )
    fmt = (to or formats_by_suffix[suffix]).lower()
    if fmt not in EXPORT_FORMATS:
        raise CoderError(f"unknown format '{fmt}' (use {' or '.join(EXPORT_FORMATS)})", key="to")
    if out is None:
        if source is None:
            raise CoderError("the codebook has no file to name the output after; give one", key="out")
        out = source.with_suffix(f".{fmt}")
    out = Path(out)
    check_not_an_input(out, source)
    return out, fmt


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def unique_code_id(name: str, taken: set[str]) -> str:
    """A code id made from ``name`` (ASCII, lower case, ``_``), not in ``taken``.

    >>> unique_code_id("Bosetting av flyktninger", {"bosetting_av_flyktninger"})
    'bosetting_av_flyktninger_2'
    """
    text = unicodedata.normalize("NFKD", name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "code"
    if not slug[0].isalpha():
        slug = f"code_{slug}"
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}_{n}", n + 1
    return candidate


def _split_description(text: str, file: str, name: str) -> tuple[str, dict[str, Any]]:
    before, marker, after = text.partition(QDC_DATA_MARKER)
    if not marker:
        return text.strip(), {}
    try:
        data = yaml.safe_load(after)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)  # PyYAML's own message takes several lines
        where = f" at line {mark.line + 1} of the block" if mark is not None else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise CoderError(
            f"code '{name}': unreadable coder data block in Description: {problem}{where}", file=file
        ) from None
    if data is not None and not isinstance(data, dict):
        raise CoderError(f"code '{name}': the coder data block in Description is not a mapping", file=file)
    return before.strip(), data or {}


def _name_path(name: str) -> list[str]:
    """The parts of a ``Parent.Child`` name (Taguette's hierarchy), ``[name]`` when no dot splits it.

    A dot splits only between two letters (so not in ``1.2``, ``v2.0`` or before a space as in
    ``Bolig. Tiltak``), and not in an abbreviation: one or two letters before the dot and a lower-case
    letter after it (``f.eks``, ``bl.a``, ``t.o.m``, ``St.meld``). ``A.B.C`` gives three parts.

    >>> _name_path("Ansvar.Uklart ansvar"), _name_path("A.B.C")
    (['Ansvar', 'Uklart ansvar'], ['A', 'B', 'C'])
    >>> _name_path("Tiltak 1.2"), _name_path("Bolig, f.eks. hybler"), _name_path("St.meld. 33")
    (['Tiltak 1.2'], ['Bolig, f.eks. hybler'], ['St.meld. 33'])
    """
    cuts = []
    for i in range(1, len(name) - 1):
        before, after = name[i - 1], name[i + 1]
        if name[i] != "." or not (before.isalpha() and after.isalpha()):
            continue
        run = 0  # the letters right before the dot
        while run < i and name[i - 1 - run].isalpha():
            run += 1
        if run <= 2 and after.islower():
            continue  # an abbreviation
        cuts.append(i)
    parts = [name[a + 1 : b].strip() for a, b in zip([-1, *cuts], [*cuts, len(name)], strict=True)]
    return parts if len(parts) > 1 and all(parts) else [name]


def _qdc_origin(origin: str) -> dict[str, str]:
    """name, version, language and reference_answers from coder's ``origin`` attribute (others: ``{}``).

    >>> _qdc_origin("coder 0.1.0; name=T%3B 2; version=1; language=nb; reference_answers=a;b.csv")
    {'name': 'T; 2', 'version': '1', 'language': 'nb', 'reference_answers': 'a;b.csv'}
    """
    head, marker, reference = origin.partition(f"; {_QDC_REFERENCE_KEY}=")
    fields = re.findall(r";\s*(name|version|language)=([^;]*)", head)
    meta = {key: unquote(value.strip()) for key, value in fields}
    if marker and reference.strip():
        meta[_QDC_REFERENCE_KEY] = reference.strip()
    return meta


class CategoryWarning(UserWarning):
    """Categories of an imported codebook that only group codes were left out (see :func:`from_qdc`)."""


def from_qdc(path: str | os.PathLike[str]) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) written by coder or by another QDA program.

    Nesting becomes ``parent``; coder's data block in ``Description`` restores ids, keywords and examples.
    A ``<Code isCodable="false">`` (QualCoder's categories) only groups codes: it is no code of coder's,
    which would suggest it; it is left out, the codes in it take its place, and a :class:`CategoryWarning`
    names it.
    A name ``Parent.Child`` without that block (Taguette keeps its hierarchy only in the names) becomes a
    code labelled ``Child`` under the code named ``Parent``, created with that label when no code has the
    name; ``A.B.C`` chains (see :func:`_name_path` for which dots split). A ``reference_answers`` path in
    coder's ``origin`` attribute is read relative to the ``.qdc`` file; a CoderError names a reference file
    that cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise CoderError("file not found", file=path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        line = error.position[0] if error.position else None
        raise CoderError(
            f"not well-formed XML: {error.msg if hasattr(error, 'msg') else error}", file=path, line=line
        ) from None
    if _local(root.tag) != "CodeBook":
        raise CoderError(f"the root element is <{_local(root.tag)}>, expected <CodeBook>", file=path)
    if root.tag.startswith("{") and not root.tag.startswith(f"{{{QDC_NAMESPACE}}}"):
        raise CoderError(
            f"unexpected namespace {root.tag.split('}')[0][1:]!r} (expected {QDC_NAMESPACE})", file=path
        )
    return _from_codebook_element(root, path)


#: The columns a list of code names may name them in (Taguette's CSV: ``tag``), and describe them in.
NAME_COLUMNS = ("tag", "name", "code", "kode", "navn", "label", "etikett")
DESCRIPTION_COLUMNS = ("description", "beskrivelse")
#: The column of Taguette's codebook CSV that counts each tag's highlights.
HIGHLIGHTS_COLUMN = "number of highlights"


def from_names(path: str | os.PathLike[str]) -> Codebook:
    r"""A codebook from a list of code names: a text file (a name a line; ``#`` comments), or a CSV or XLSX
    table with a column of names (:data:`NAME_COLUMNS`, as Taguette's codebook CSV has ``tag``) and
    optionally of descriptions. Dotted names make a hierarchy as in :func:`from_qdc`; in Taguette's CSV a
    tag with no highlights whose name only heads other tags' names («Bolig» of «Bolig.Tilpassede
    boliger») groups them, as a category of :func:`from_qdc`.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "koder.txt").write_text("Bolig\nBolig.Tilpasset bolig\n# en kommentar\nOppfølging\n")
    >>> [(c.id, c.parent) for c in from_names(folder / "koder.txt").codes]
    [('bolig', None), ('tilpasset_bolig', 'bolig'), ('oppfolging', None)]
    """
    path = Path(path)
    if path.suffix.lower() in (".csv", ".xlsx", ".xlsm"):
        table = read_table(path)
        columns = {str(column).strip().casefold(): column for column in table.columns}
        name_column = next((columns[name] for name in NAME_COLUMNS if name in columns), None)
        if name_column is None:
            raise CoderError(f"no column of code names (one of: {', '.join(NAME_COLUMNS)})", file=path)
        described = next((columns[name] for name in DESCRIPTION_COLUMNS if name in columns), None)
        highlights = columns.get(HIGHLIGHTS_COLUMN)
        rows = [
            (
                str(name).strip(),
                str(table.at[i, described]).strip() if described else "",
                highlights is not None and str(table.at[i, highlights]).strip() == "0",
            )
            for i, name in table[name_column].items()
        ]
    else:
        lines = (line.strip() for line in read_text(path, "list of code names").splitlines())
        rows = [(line, "", False) for line in lines if line and not line.startswith("#")]
    # Every name a dotted name begins with («A» and «A.B» of «A.B.C»). A tag without highlights heads a
    # group of tags only in a codebook in use: before any coding, every count is 0.
    heads = {
        tuple(parts[:n]) for name, _, _ in rows for parts in [_name_path(name)] for n in range(1, len(parts))
    }
    in_use = any(not unhighlighted for name, _, unhighlighted in rows if name)
    root = ET.Element("CodeBook")
    codes_el = ET.SubElement(root, "Codes")
    for name, description, unhighlighted in rows:
        if name:
            category = in_use and unhighlighted and tuple(_name_path(name)) in heads
            code_el = ET.SubElement(codes_el, "Code", {"name": name, "isCodable": str(not category).lower()})
            ET.SubElement(code_el, "Description").text = description
    why = "tags with no highlights heading other tags, in a codebook whose tags have highlights"
    return _from_codebook_element(root, path, why)


def _from_codebook_element(
    root: ET.Element, path: Path, why_categories: str = 'not codable (isCodable="false")'
) -> Codebook:
    """The codebook of a REFI-QDA ``<CodeBook>`` element (see :func:`from_qdc`); ``why_categories`` says
    in the :class:`CategoryWarning` why its non-codable elements are categories."""
    codes_el = next((child for child in root if _local(child.tag) == "Codes"), None)
    if codes_el is None:
        raise CoderError("no <Codes> element", file=path)

    meta = _qdc_origin(root.get("origin", ""))
    codes: list[Code] = []
    taken: set[str] = set()
    by_path: dict[tuple[str, ...], int] = {}  # name path (parent names, own label) -> index in codes
    created: set[int] = set()  # parents made for a dotted name whose own <Code> has not come (yet)

    # The name paths of the categories (elements that only group codes: no codes of coder's), read first
    # so that a dotted name before its category's own element makes no code of it.
    def every_code(element: ET.Element, above: tuple[str, ...] = (), depth: int = 1) -> Iterator[tuple]:
        for child, names, _ in _code_elements(element, path, above, depth):
            yield child, names
            yield from every_code(child, names, depth + 1)

    categories = {names for child, names in every_code(codes_el) if _is_category(child)}
    in_category: dict[str, str] = {}  # code id -> the label of the category it was in (its nearest)

    def ancestors(names: tuple[str, ...], parent: str | None, known: int) -> str | None:
        """The id of the parent of ``names``, creating the codes of its unknown prefixes under ``parent``."""
        for depth in range(known + 1, len(names)):
            prefix = names[:depth]
            if prefix in categories and prefix not in by_path:
                continue
            if prefix not in by_path:
                parent_id = unique_code_id(prefix[-1], taken)
                taken.add(parent_id)
                by_path[prefix] = len(codes)
                created.add(len(codes))
                codes.append(Code(id=parent_id, label=prefix[-1], parent=parent))
            parent = codes[by_path[prefix]].id
        return parent

    def walk(element: ET.Element, parent: str | None, parent_names: tuple[str, ...], depth: int = 1) -> None:
        for child, names, (description, data) in _code_elements(element, path, parent_names, depth):
            name = str(child.get("name"))
            code_parent = ancestors(names, parent, len(parent_names))
            if _is_category(child):
                walk(child, code_parent, names, depth + 1)
                continue
            # in a category, nested or by a dotted name: its label may name it apart from a namesake
            category = names[-2] if names[:-1] in categories and names[:-1] not in by_path else None
            label = names[-1]
            index = by_path.get(names)
            if index is not None and index in created:
                # the <Code> of a parent made for an earlier 'Parent.Child': it fills that code in
                created.discard(index)
                old_id = codes[index].id
                code_id = str(data.get("id") or "") or old_id
                if code_id != old_id:
                    if code_id in taken:
                        raise CoderError(f"duplicate code id '{code_id}'", file=path, key=name)
                    taken.discard(old_id)
                    codes[:] = [replace(c, parent=code_id) if c.parent == old_id else c for c in codes]
            else:
                index = None
                code_id = str(data.get("id") or "") or unique_code_id(label, taken)
                if code_id in taken:
                    raise CoderError(f"duplicate code id '{code_id}'", file=path, key=name)
            taken.add(code_id)

            def texts(key: str, data: dict[str, Any] = data, name: str = name) -> tuple[str, ...]:
                value = data.get(key) or ()
                items = value if isinstance(value, list | tuple) else [value]
                # A list or mapping in the list is no text; printed, YAML aliases would make it grow
                # exponentially (a «billion laughs» in a data block).
                if isinstance(value, dict) or any(isinstance(v, list | tuple | dict) for v in items):
                    raise CoderError(
                        f"code '{name}': '{key}' in the coder data block must be a list of texts", file=path
                    )
                return tuple(str(v) for v in items)

            code = Code(
                id=code_id,
                label=label,
                label_en=str(data.get("label_en") or ""),
                strength_label=str(data.get("strength_label") or ""),
                strength_label_en=str(data.get("strength_label_en") or ""),
                description=description,
                include=str(data.get("include") or ""),
                exclude=str(data.get("exclude") or ""),
                discussion=str(data.get("discussion") or ""),
                keywords=texts("keywords"),
                examples=texts("examples"),
                counter_examples=texts("counter_examples"),
                parent=code_parent,
                # REFI-QDA's colour is #RRGGBB; another program's «red» would make the import invalid
                color=color if _COLOR_RE.match(color := (child.get("color") or "").strip()) else None,
            )
            if index is None:
                by_path.setdefault(names, len(codes))  # a second code of the same name is no parent
                codes.append(code)
            else:
                codes[index] = code
            if category is not None:
                in_category[code_id] = category
            walk(child, code_id, names, depth + 1)

    walk(codes_el, None, ())
    if not codes:
        raise CoderError("the codebook has no codes", file=path)
    if categories:
        codes[:] = _named_apart(codes, in_category)
        listed = ", ".join(f"'{'.'.join(names)}'" for names in sorted(categories))
        one = len(categories) == 1
        warnings.warn(
            CategoryWarning(
                f"{path}: left out {len(categories)} {'category' if one else 'categories'} ({listed}: "
                f"{why_categories}), which coder would suggest as {'a code' if one else 'codes'}; the codes "
                f"in {'it take its' if one else 'them take their'} place"
            ),
            stacklevel=3,
        )
    reference_file = meta.get(_QDC_REFERENCE_KEY)
    reference: tuple[ReferenceAnswer, ...] = ()
    if reference_file:
        out = _Collector(str(path))
        reference = _read_reference(path.parent / reference_file, {c.id for c in codes}, None, out)
        if out.problems:
            raise CoderError(out.problems[0].message, file=path, key=_QDC_REFERENCE_KEY)
    return Codebook(
        name=meta.get("name") or path.stem,
        language=meta.get("language") or "nb",
        version=meta.get("version") or "1",
        codes=tuple(codes),
        path=path,
        reference_file=reference_file,
        reference_answers=reference,
    )


def _is_category(element: ET.Element) -> bool:
    """A ``<Code>`` that is not codable (``isCodable`` false, xs:boolean's «false» or «0»)."""
    return element.get("isCodable", "true").strip().casefold() in ("false", "0")


def _code_elements(
    element: ET.Element, path: Path, parent_names: tuple[str, ...] = (), depth: int = 1
) -> Iterator[tuple[ET.Element, tuple[str, ...], tuple[str, dict[str, Any]]]]:
    """The ``<Code>`` children of ``element`` (not theirs: a caller walks deeper itself, passing
    ``depth``), each with its name path and its description split from coder's data block: a dotted name
    splits (Taguette), coder's own export, which keeps its hierarchy by nesting, never does."""
    for child in element:
        if _local(child.tag) != "Code":
            continue
        name = child.get("name")
        if not name:
            raise CoderError("a <Code> has no name attribute", file=path, key=child.get("guid"))
        if depth > MAX_DEPTH:  # the tree is read by recursion, and shown and exported so
            raise CoderError(f"the codes nest more than {MAX_DEPTH} levels deep", file=path, key=name)
        description_el = next((el for el in child if _local(el.tag) == "Description"), None)
        text = (description_el.text or "") if description_el is not None else ""
        description, data = _split_description(text, str(path), name)
        names = (*parent_names, *([name] if data else _name_path(name)))
        yield child, names, (description, data)


def _named_apart(codes: list[Code], in_category: dict[str, str]) -> list[Code]:
    """``codes`` with the category they came from added to the label of each code of a category that now
    shares its label with another code under the same parent («Annet» of «Hindringer» and of «Fremmere»
    became two codes «Annet»: «Annet (Hindringer)», «Annet (Fremmere)»)."""
    seen: dict[tuple[str | None, str], int] = {}
    for code in codes:
        key = (code.parent, code.label.casefold())
        seen[key] = seen.get(key, 0) + 1
    return [
        replace(code, label=f"{code.label} ({in_category[code.id]})")
        if code.id in in_category and seen[(code.parent, code.label.casefold())] > 1
        else code
        for code in codes
    ]


def import_codebook(path: str | os.PathLike[str], out_yaml: str | os.PathLike[str]) -> Path:
    """Convert another program's codebook to a coder YAML codebook at ``out_yaml``; returns its path: a
    REFI-QDA ``.qdc`` (:func:`from_qdc`), or a list of code names (:func:`from_names`: ``.txt``, ``.csv``,
    ``.xlsx``)."""
    check_importable(path)
    if Path(path).suffix.lower() in NAME_LIST_SUFFIXES:
        check_not_an_input(out_yaml, path)
        return dump_yaml(from_names(path), out_yaml)
    return import_qdc(path, out_yaml)


#: What :func:`import_codebook` reads as a list of code names; anything else it reads as a ``.qdc``.
NAME_LIST_SUFFIXES = (".txt", ".csv", ".xlsx", ".xlsm")


def check_importable(path: str | os.PathLike[str]) -> None:
    """A CoderError for a file :func:`import_codebook` cannot read: coder's own YAML codebook (it was read
    as XML: «not well-formed XML»)."""
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        raise CoderError("already a YAML codebook, coder's own: nothing to import", file=path)


def import_qdc(path: str | os.PathLike[str], out_yaml: str | os.PathLike[str]) -> Path:
    """Convert a REFI-QDA codebook to a coder YAML codebook at ``out_yaml``; returns its path.

    The reference answers path is written relative to ``out_yaml``. Check the result with :func:`validate`:
    a codebook from another program has no keywords or examples (warnings, not errors).
    """
    check_not_an_input(out_yaml, path)  # --force replaces a codebook, never the file being imported
    return dump_yaml(from_qdc(path), out_yaml)


def read_lexicon(path: str | os.PathLike[str]) -> Codebook:
    """A lexicon file as a codebook of concepts: a YAML list of ``concept:`` (a name) and ``terms:`` (the
    words that belong to it, written as keywords are), as ``coder/data/begreper.yaml``.

    A researcher's lexicon names what coder cannot know: local services, places and the field's own
    words (``concept: vaktmester``, ``terms: [vaktmester, fiksern, driftsoperatør]``). CoderError, with
    the line, at the first concept that is not of that form.
    """
    document = read_yaml(path, "lexicon")
    entries, nodes = document.data, getattr(document.node, "value", [])
    if not isinstance(entries, list) or not entries:
        raise CoderError("expected a list of concepts, each with 'concept:' and 'terms:'", file=path, line=1)
    codes = []
    for number, (entry, node) in enumerate(zip(entries, nodes, strict=True), start=1):
        line = node.start_mark.line + 1
        if not isinstance(entry, dict) or set(entry) != {"concept", "terms"}:
            found = ", ".join(sorted(map(str, entry))) if isinstance(entry, dict) else type(entry).__name__
            raise CoderError(f"a concept has 'concept:' and 'terms:' (found: {found})", file=path, line=line)
        name, terms = entry["concept"], entry["terms"]
        if not isinstance(name, str) or not name.strip():
            raise CoderError("the concept needs a name", file=path, line=line, key="concept")
        if not isinstance(terms, list) or not terms:
            raise CoderError(
                "expected a list of words, e.g. [vaktmester, fiksern]",
                file=path,
                line=yaml_line(node, "terms") or line,
                key="terms",
            )
        for n, term in enumerate(terms):
            problem = keyword_problem(term) if isinstance(term, str) else "not a word"
            if problem:
                where = yaml_line(node, "terms", n) or line  # the term's own line, in a block list
                what = (
                    f"term '{term}' of '{name}'"
                    if isinstance(term, str)
                    else f"an empty term in '{name}'"  # «- » alone in the list
                    if term is None
                    else f"term {term!r} of '{name}'"
                )
                raise CoderError(f"{what}: {problem}", file=path, line=where, key="terms")
        codes.append(Code(f"concept_{number}", name.strip(), keywords=tuple(dict.fromkeys(terms))))
    return Codebook(Path(path).stem, "nb", "1", tuple(codes))
