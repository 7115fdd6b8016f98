"""Embedded Norwegian Bokmål lexicon: lemmatization and compound splitting without a trained pipeline.

The data is Norsk Ordbank (CC BY 4.0, Språkbanken / Nasjonalbiblioteket) as shipped by the
``spacy-lookups-data`` package (``nb_lemma_exc``, ``nb_lemma_lookup``). Loading those JSON tables costs
seconds and hundreds of MB, so on first use a compact SQLite store is derived from them in a cache
directory (``$CODER_CACHE_DIR``, else ``$XDG_CACHE_HOME/coder``, else ``~/.cache/coder``). Opening it
afterwards takes milliseconds; lookups are memoised.

The shipped full-form table keeps only ONE lemma per form and part of speech (later Ordbank entries
overwrote earlier ones: ``saken`` maps only to ``sake`` "rice wine", never to ``sak``). So candidate lemmas
are reconstructed at lookup time by inflection rules checked against the set of known lemmas, and the
candidates are ranked by a hand-checked override list, cheap context cues and a fixed preference order.

Lemma conventions follow UD Norwegian Bokmål: ``det`` -> ``den``, ``et`` -> ``en``, ``kan`` -> ``kunne``,
``flere`` -> ``mange``, ``mer`` -> ``mye``, participles -> infinitive.

A word Bokmål does not know is looked up in the Nynorsk full-form list of the ``simplemma`` package
(``leiarane`` -> ``leiar``, ``tenesta`` -> ``teneste``).

>>> lex = get_lexicon()
>>> lex.lemmatize("omsorgsboliger")
'omsorgsbolig'
>>> lex.split_compound("omsorgsboliger")
('omsorg', 'bolig')
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import itertools
import json
import math
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from importlib.metadata import version
from pathlib import Path

from coder.errors import CoderError

__all__ = [
    "Lexicon",
    "build_store",
    "cache_dir",
    "code_digest",
    "get_lexicon",
    "lemmatize",
    "split_compound",
    "store_path",
]


# One-letter codes for the word classes kept in the store.
_POS_CODES = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
_CODE_POS = {v: k for k, v in _POS_CODES.items()} | {"x": "other"}
# UD / spaCy coarse tags -> store codes, for callers that do have a POS tag.
_UPOS_CODES = {"NOUN": "n", "PROPN": "n", "VERB": "v", "AUX": "v", "ADJ": "a", "ADV": "r"}

_DATA_DIR = Path(__file__).resolve().parent / "data"
_OVERRIDES_FILE = _DATA_DIR / "nb_lemma_overrides.tsv"


# --------------------------------------------------------------------------------------------- store


def cache_dir() -> Path:
    """Directory for derived caches: ``$CODER_CACHE_DIR``, ``$XDG_CACHE_HOME/coder`` or ``~/.cache/coder``.

    >>> isinstance(cache_dir(), Path)
    True
    """
    env = os.environ.get("CODER_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    if env:
        found, named = Path(env).expanduser(), "CODER_CACHE_DIR"
    elif xdg:
        found, named = Path(xdg).expanduser() / "coder", "XDG_CACHE_HOME"
    else:
        found, named = Path.home() / ".cache" / "coder", "the home directory"
    # It, or the first of its parents that exists, must be a directory: else every cache fails later.
    existing = next((path for path in (found, *found.parents) if path.exists()), None)
    if existing is not None and not existing.is_dir():
        raise CoderError(f"the cache directory (from {named}) is not a directory", file=existing)
    return found


@functools.cache
def code_digest() -> str:
    """A digest of coder's own code and data files, and of the versions of the word lists it reads: part of
    every cache key (preprocessed answers, fitted models), so that no cache outlives a change to what made
    it. Version numbers bumped by hand were forgotten three times in one week (a compound rule changed, and
    a cache kept the old parts).

    >>> len(code_digest()) == 16 and code_digest() == code_digest()
    True
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{version('simplemma')} {_lookups_version()}".encode())
    for path in sorted(p for p in [*package.glob("*.py"), *_DATA_DIR.glob("*")] if p.is_file()):
        digest.update(f"{path.parent.name}/{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _lookups_version() -> str:
    from spacy_lookups_data import about

    return str(about.__version__)


@functools.cache
def _store_digest() -> str:
    """A digest of this module, which derives the store: a change to it builds a new store (a version
    number bumped by hand was forgotten for the caches built on it)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]


def store_path(directory: Path | None = None) -> Path:
    """Path of the store for the installed spacy-lookups-data version and this module's code.

    >>> store_path(Path("/tmp/x")).name.startswith("nb_lexicon-")
    True
    """
    directory = cache_dir() if directory is None else Path(directory)
    return directory / f"nb_lexicon-lookups{_lookups_version()}-{_store_digest()}.sqlite3"


@functools.cache
def _nynorsk_lemmas() -> Mapping[str, str]:
    """Nynorsk full form -> lemma (simplemma's list, 138,000 forms; read in about 0.1 s on first use)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary("nn")


@functools.cache
def _nynorsk_lemma_set() -> frozenset[str]:
    """The lemmas of :func:`_nynorsk_lemmas` (a compound's Nynorsk head is one of them)."""
    return frozenset(_nynorsk_lemmas().values())


def _load_json_table(name: str) -> dict:
    # The tables ship gzipped inside the wheel; read them straight from the package.
    ref = resources.files("spacy_lookups_data").joinpath("data", f"{name}.json.gz")
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf8") as fh:
        return json.load(fh)


def _derive_rows() -> tuple[dict[str, dict[str, set[str]]], dict[str, set[str]]]:
    """form -> {pos code -> lemmas} and lemma -> pos codes, lower-cased, from the Ordbank tables."""
    forms: dict[str, dict[str, set[str]]] = {}
    lemmas: dict[str, set[str]] = {}
    exc = _load_json_table("nb_lemma_exc")
    for pos, table in exc.items():
        code = _POS_CODES.get(pos)
        if code is None:
            continue
        for form, lems in table.items():
            slot = forms.setdefault(form.lower(), {}).setdefault(code, set())
            for lem in lems:
                lem = lem.lower()
                slot.add(lem)
                lemmas.setdefault(lem, set()).add(code)
    del exc
    # The small lookup table mostly lists closed-class words (prepositions, pronouns, ...). Knowing them
    # stops suffix rules and compound splitting from touching them; their lemmas come from the overrides.
    for form in _load_json_table("nb_lemma_lookup"):
        low = form.lower()
        if low not in forms:
            forms[low] = {"x": {low}}
    return forms, lemmas


def _family_sizes(lemmas: dict[str, set[str]]) -> dict[str, int]:
    """How many Ordbank compounds use each lemma as head or as first part.

    Ordbank has no frequencies, but a word that heads or starts many compounds is a common word
    (``sak``: rettssak, straffesak ...; ``sake`` "rice wine": none). It is the frequency proxy that ranks
    rival lemmas of one form.
    """
    content = {lem for lem, codes in lemmas.items() if codes & {"n", "v", "a"} and lem.isalpha()}
    fam: dict[str, int] = {}
    for word in content:
        for i in range(3, len(word) - 1):
            head, mod = word[i:], word[:i]
            if head not in content:
                continue
            if mod in content:
                base = mod
            elif mod[-1] in "se" and mod[:-1] in content and len(mod) > 3:
                base = mod[:-1]  # linking -s-/-e-: arbeidsgiver, barnehage
            else:
                continue
            fam[head] = fam.get(head, 0) + 1
            fam[base] = fam.get(base, 0) + 1
    return fam


def build_store(path: Path | None = None, *, force: bool = False) -> Path:
    """Build the compact SQLite store (if missing or ``force``) and return its path.

    The file is written to a temporary name in the same directory and moved into place with
    :func:`os.replace`, so concurrent builders and readers never see a partial file.

    Takes a few seconds the first time; an install step or CI can call it to prebuild the cache.

    >>> build_store().exists()
    True
    """
    path = store_path() if path is None else Path(path)
    if path.exists() and not force:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    forms, lemmas = _derive_rows()
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
            # ana: tab-separated "code:lemma" readings, e.g. "n:sake\tv:sake" (lemmas may hold spaces).
            con.execute("CREATE TABLE forms (form TEXT PRIMARY KEY, ana TEXT NOT NULL) WITHOUT ROWID")
            # pos: concatenated codes, e.g. "nv"; fam: compound family size (see _family_sizes).
            con.execute(
                "CREATE TABLE lemmas (lemma TEXT PRIMARY KEY, pos TEXT NOT NULL, fam INTEGER NOT NULL)"
                " WITHOUT ROWID"
            )
            con.executemany(
                "INSERT INTO forms VALUES (?, ?)",
                (
                    (form, "\t".join(f"{c}:{lem}" for c in sorted(ana) for lem in sorted(ana[c])))
                    for form, ana in sorted(forms.items())
                ),
            )
            fam = _family_sizes(lemmas)
            con.executemany(
                "INSERT INTO lemmas VALUES (?, ?, ?)",
                ((lem, "".join(sorted(codes)), fam.get(lem, 0)) for lem, codes in sorted(lemmas.items())),
            )
            con.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("derivation", _store_digest()),
                    ("spacy_lookups_data", _lookups_version()),
                    ("source", "Norsk Ordbank bokmål 2005 (CC BY 4.0) via spacy-lookups-data"),
                ],
            )
            con.commit()
            con.execute("VACUUM")
        finally:
            con.close()
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the cache may be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


# ------------------------------------------------------------------------------------------ overrides


def _load_overrides(path: Path = _OVERRIDES_FILE) -> dict[str, str]:
    """form -> lemma from the hand-checked TSV (``#`` comments, blank lines ignored)."""
    table: dict[str, str] = {}
    if not path.exists():
        return table
    for line in path.read_text(encoding="utf8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        form, lemma = line.split("\t")[:2] if "\t" in line else line.split()[:2]
        table[form.strip().lower()] = lemma.strip().lower()
    return table


# ----------------------------------------------------------------------------------- reconstruction
# Inflection rules (form suffix, lemma suffix, required lemma ending) per word class. A rule only yields a
# candidate when the resulting lemma is a known lemma of that class, which keeps them cheap and safe. They
# restore the readings that the shipped table lost (saken -> sak, regler -> regel, museer -> museum).
# fmt: off
_RULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "n": (
        ("en", "", ""), ("a", "", ""), ("et", "", ""), ("er", "", ""), ("ene", "", ""),
        ("n", "", "e"), ("r", "", "e"), ("ne", "", "e"), ("t", "", "e"), ("a", "e", ""),
        ("ler", "el", ""), ("lene", "el", ""), ("len", "el", ""), ("mmen", "m", ""), ("mmer", "m", ""),
        ("mmene", "m", ""), ("mmet", "m", ""), ("mma", "m", ""), ("eer", "eum", ""), ("eet", "eum", ""),
        ("eene", "eum", ""), ("ier", "ium", ""), ("iet", "ium", ""), ("iene", "ium", ""),
        ("ere", "er", ""), ("erne", "er", ""), ("rene", "er", ""), ("re", "er", ""),
    ),
    "v": (
        ("er", "e", ""), ("r", "", ""), ("te", "e", ""), ("et", "e", ""), ("de", "e", ""), ("dde", "", ""),
        ("dd", "", ""), ("t", "e", ""), ("s", "", ""), ("es", "e", ""), ("mte", "mme", ""),
        ("mt", "mme", ""), ("ste", "se", ""),
    ),
    "a": (
        ("e", "", ""), ("t", "", ""), ("ere", "", ""), ("est", "", ""), ("este", "", ""), ("ne", "en", ""),
        ("le", "el", ""), ("re", "er", ""), ("mme", "m", ""), ("tt", "", ""),
    ),
}
# fmt: on
# Imperative (snakk -> snakke) only for longer forms: short ones (to, se) are mostly other words.
_IMPERATIVE_MIN = 4


def _words(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string (keeps long word lists readable)."""
    return frozenset(text.split())


# Context cues (previous word, lower-cased) -> the word class the next word most likely has.
_VERB_BEFORE = _words("å kan kunne vil ville skal skulle må måtte bør burde kunnet villet skullet måttet")
# After these the next content word is usually a participle: prefer the verb reading (søkt -> søke).
_PART_BEFORE = _words("har hadde ha hatt ble blir bli blitt")
# A subject pronoun or relative "som" is usually followed by the finite verb.
_FINITE_BEFORE = _words("jeg du han hun vi dere de man som")
_NOUN_BEFORE = _words(
    "en ei et ett denne dette disse min mitt mine din ditt dine sin sitt sine vår vårt våre deres"
    " hans hennes dens dets hver hvert noen ingen enhver ethvert flere mange alle begge samme hele"
    " annen annet andre første siste neste"
)
# Tokens after which a capitalised word starts a sentence (so its capital says nothing).
_SENTENCE_START = _words(". ! ? : ; « » \" ' - – — ( ... …")
# Short closed-class words that are never content words even if a rare homograph exists.
_CLOSED = _words(
    "i på av til for med om fra ved mot under over etter uten hos mellom gjennom rundt blant langs og"
    " eller men at som da når hvis fordi enn så ikke også bare jo nok vel der her nå da ingen"
    " ingenting intet aldri alltid ofte"
)

#: Weights of the candidate ranking (tuned on the UD dev split only).
_PRIOR = {"n": 1.0, "v": 1.3, "a": 1.2, "r": 0.8, "x": 2.0}
_W_FAM = 0.35
_W_ATTESTED = 0.6
_W_HINT = 1.5
_W_IDENT = 0.6

# Compound splitting.
_MIN_PART = 3
_DERIVATIONS = ("heit", "het", "skap", "leg", "lig", "ing")  # suffixes a Nynorsk head must not begin with
_MIN_NYNORSK_HEAD = 6  # shorter Nynorsk forms are too often pieces of other words («nest», «ansar»)
# Two-letter content words that do occur as compound parts (bostøtte, boveiledning, bydel).
_SHORT_PARTS = frozenset({"bo", "by", "tv"})
# Inside a word Ordbank lists as a whole, a part of at most three letters is only accepted from this list
# of common short compound parts: many rare short words (ans, rap, ste) would split ansvar, rapport.
_SHORT_OK = _SHORT_PARTS | _words(
    "hus rus lån sak arv bil dag lov vei råd mat tid år liv fag lag hjem bad bar fly tog tak mur rom"
    " hav jord skog fisk ski lys gass olje lønn skatt kurs data del"
)
# Prefix-like first parts and suffix-like last parts: words that exist on their own in Ordbank but in
# these positions are almost always derivation (samordning, forhold, formannskap, helhet), not compounding.
_NOT_FIRST = _words(
    "sammen sam for fore til fra opp inn ut av mis van gjen over under mot med be er an bi ur"
)
_NOT_LAST = _words("het skap else ing ning dom lig sel nad ende ere isme sjon tet ist inne ske ste heit")
# Nominalisations of a verb (tildele -> tildeling): the verb decides, so veiledning is not vei + ledning.
_NOMINAL_SUFFIXES = ("ning", "ing", "else", "sel", "nad", "")


class Lexicon:
    """Norsk Ordbank lexicon backed by the compact SQLite store.

    >>> lex = Lexicon()
    >>> lex.lemmatize("saken"), lex.lemmatize("er"), lex.lemmatize("boligene")
    ('sak', 'være', 'bolig')
    >>> lex.lemmatize_tokens(["Hun", "har", "arbeidet", "med", "saker"])
    ['hun', 'ha', 'arbeide', 'med', 'sak']
    """

    def __init__(self, path: Path | None = None, *, build: bool = True) -> None:
        path = store_path() if path is None else Path(path)
        if not path.exists():
            if not build:
                raise FileNotFoundError(f"lexicon store {path} is missing; run coder.lexicon.build_store()")
            build_store(path)
        self.path = path
        # immutable=1: no locking or journal look-ups, the file is never changed once in place.
        self._con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self.overrides = _load_overrides()
        # Per-instance memoisation (a method-level lru_cache would keep every instance alive).
        self.analyses = functools.lru_cache(maxsize=262_144)(self._analyses)
        self.lemma_info = functools.lru_cache(maxsize=262_144)(self._lemma_info)
        self._lemmatize_cached = functools.lru_cache(maxsize=262_144)(self._lemmatize)
        self.split_compound = functools.lru_cache(maxsize=65_536)(self._split_compound)
        self._restore_cached = functools.lru_cache(maxsize=65_536)(self._restore_letters)

    def close(self) -> None:
        """Close the database connection."""
        self._con.close()

    def clear_caches(self) -> None:
        """Forget memoised look-ups (for benchmarks that time cold caches)."""
        for cached in (
            self.analyses,
            self.lemma_info,
            self._lemmatize_cached,
            self.split_compound,
            self._restore_cached,
        ):
            cached.cache_clear()

    # -- raw look-ups ------------------------------------------------------------------------------

    def _analyses(self, form: str) -> tuple[tuple[str, str], ...]:
        """Attested (pos code, lemma) readings of a lower-cased form; ``()`` when unknown."""
        with self._lock:
            row = self._con.execute("SELECT ana FROM forms WHERE form = ?", (form,)).fetchone()
        if row is None:
            return ()
        return tuple(tuple(item.split(":", 1)) for item in row[0].split("\t"))  # type: ignore[misc]

    def _lemma_info(self, lemma: str) -> tuple[str, int]:
        """(pos codes, compound family size) of a lower-cased lemma; ``("", 0)`` when unknown."""
        with self._lock:
            row = self._con.execute("SELECT pos, fam FROM lemmas WHERE lemma = ?", (lemma,)).fetchone()
        return ("", 0) if row is None else (row[0], int(row[1]))

    def is_known(self, form: str) -> bool:
        """True when ``form`` is a full form in the lexicon.

        >>> get_lexicon().is_known("tjenestene")
        True
        """
        low = form.lower()
        return bool(self.analyses(low)) or low in self.overrides

    def lemma_pos(self, lemma: str) -> frozenset[str]:
        """Word classes (``noun``, ``verb``, ``adj``, ``adv``) of a known lemma.

        >>> sorted(get_lexicon().lemma_pos("bolig"))
        ['noun']
        """
        return frozenset(_CODE_POS[c] for c in self.lemma_info(lemma.lower())[0])

    def candidates(self, form: str) -> tuple[tuple[str, str, bool], ...]:
        """(pos code, lemma, attested) readings of a lower-cased form, attested and reconstructed.

        >>> ("n", "sak", False) in get_lexicon().candidates("saken")
        True
        """
        seen: dict[tuple[str, str], bool] = {}
        for code, lem in self.analyses(form):
            seen[(code, lem)] = True
        for code in self.lemma_info(form)[0]:
            seen.setdefault((code, form), True)  # the form is itself a lemma of that class
        for code, rules in _RULES.items():
            for suf, rep, ending in rules:
                if not form.endswith(suf) or len(form) - len(suf) < 2:
                    continue
                lem = form[: len(form) - len(suf)] + rep
                if lem.endswith(ending) and (code, lem) not in seen and code in self.lemma_info(lem)[0]:
                    seen[(code, lem)] = False
        inf = form + "e"
        if len(form) >= _IMPERATIVE_MIN and ("v", inf) not in seen and "v" in self.lemma_info(inf)[0]:
            seen[("v", inf)] = False
        return tuple((code, lem, att) for (code, lem), att in seen.items())

    # -- lemmatization -----------------------------------------------------------------------------

    @staticmethod
    def _hint(prev: str | None) -> str | None:
        """Word-class cue from the previous word: ``v`` verb, ``p`` participle, ``n`` noun, or None."""
        if not prev:
            return None
        prev = prev.lower()
        if prev in _VERB_BEFORE or prev in _FINITE_BEFORE:
            return "v"
        if prev in _PART_BEFORE:
            return "p"
        if prev in _NOUN_BEFORE:
            return "n"
        return None

    def lemmatize(self, form: str, pos: str | None = None, prev: str | None = None) -> str:
        """Lower-cased lemma of ``form``.

        ``pos`` is an optional UD/spaCy coarse tag (NOUN, VERB, ADJ, PROPN ...); without it the word
        class is guessed. ``prev`` is the previous token's text: a cheap context cue (``å`` -> verb,
        ``har`` -> participle, ``en``/``min`` -> noun) and, when given and not sentence-final punctuation,
        it marks ``form`` as sentence-internal so a capitalised word is taken as a proper noun (kept as
        is, genitive ``-s`` removed). A word Bokmål does not know gets its Nynorsk lemma if it has one.

        >>> lex = get_lexicon()
        >>> lex.lemmatize("Kommunene"), lex.lemmatize("kan"), lex.lemmatize("flere")
        ('kommune', 'kunne', 'mange')
        >>> lex.lemmatize("husleierestansene"), lex.lemmatize("Husbankens", prev="fra")
        ('husleierestanse', 'husbanken')
        >>> lex.lemmatize("BOLIGER", prev="FÅ"), lex.lemmatize("NAV", prev="fra")
        ('bolig', 'nav')
        """
        low = form.lower()
        # a capital inside a sentence marks a name; a word all in capitals does not (an acronym is the same
        # either way, and an answer typed in capitals has ordinary words: «FOR FÅ BOLIGER»)
        titled = form[:1].isupper() and not form.isupper()
        if pos is None and prev is not None and titled and prev not in _SENTENCE_START:
            cut = low.rfind("-") + 1
            if cut and form[cut : cut + 1].islower():
                # TV-kanalen, Høyre-velgerne: a lower-case head is an ordinary noun.
                return low[:cut] + self._lemmatize_cached(low[cut:], None, "n")
            return self._proper(form, low)
        return self._lemmatize_cached(low, pos or None, self._hint(prev))

    def restore_letters(self, low: str) -> str:
        """``low`` with æ, ø, å put back when it was typed without them («oppfolging», «motestruktur»).

        Only a word the lexicon does not know is changed: to the known full form with the fewest
        replacements (o → ø, a → å, ae → æ, aa → å, oe → ø), else to the compound whose parts are the
        most productive lemmas. A word with æ, ø or å, or one the lexicon knows, is left alone.

        >>> restore = get_lexicon().restore_letters
        >>> restore("oppfolging"), restore("motestruktur"), restore("mote"), restore("ansvarfraskrivelse")
        ('oppfølging', 'møtestruktur', 'mote', 'ansvarfraskrivelse')
        """
        return self._restore_cached(low)

    def _restore_letters(self, low: str) -> str:
        if len(low) < 3 or not low.isalpha() or _NORWEGIAN_LETTERS & set(low) or self.is_known(low):
            return low
        if low in _nynorsk_lemmas():  # «fjortande» is nynorsk, not «fjørtande»
            return low
        candidates = _letter_variants(low)
        for candidate in candidates:
            if self.is_known(candidate):
                return candidate

        def productivity(parts: tuple[str, ...]) -> float:
            return sum(_log1p(self.lemma_info(part)[1]) for part in parts) / len(parts) if parts else -1.0

        original = self.split_compound(low)
        best, best_score = low, productivity(original)
        for candidate in candidates[:_MAX_COMPOUND_VARIANTS]:
            parts = self.split_compound(candidate)
            if original and len(parts) > len(original):
                continue  # «ansvarfraskrivelse» is ansvar + fraskrivelse, not ans + vår + fraskrivelse
            if "å" in candidate or any(len(part) < _MIN_RESTORED_PART for part in parts):
                continue  # nynorsk «kontraktar», «marknaden» are not kontrakt + år, mark + nåde + n
            score = productivity(parts)
            if score > best_score:
                best, best_score = candidate, score
        return best

    def _proper(self, form: str, low: str) -> str:
        """Lemma of a capitalised sentence-internal word: the form, minus a genitive ``-s``."""
        if low in self.overrides and low in _CLOSED:
            return self.overrides[low]
        if len(low) > 2 and form.endswith("s") and not low.endswith("ss"):
            stem = low[:-1]
            # Jones, Paris, Hermes: -s belongs to the name; Norges, Clintons, Aps: genitive.
            if not stem.endswith(("e", "i", "u", "r")) or self.is_known(stem):
                return stem
        return low

    def lemmatize_tokens(self, words: Sequence[str], pos: Sequence[str | None] | None = None) -> list[str]:
        """Lemmas of a tokenized sentence; each word sees its predecessor as context.

        >>> get_lexicon().lemmatize_tokens(["Vi", "har", "søkt", "om", "å", "få", "omsorgsboliger"])
        ['vi', 'ha', 'søke', 'om', 'å', 'få', 'omsorgsbolig']
        """
        tags: Sequence[str | None] = pos if pos is not None else [None] * len(words)
        out: list[str] = []
        prev: str | None = None
        # Nynorsk is full of words the Bokmål lexicon does not know («vore», «brukaren»): leave them as typed.
        restore = not any(word.lower() in _NYNORSK_MARKERS for word in words)
        for word, tag in zip(words, tags, strict=True):
            if restore and (word.islower() or prev is None or prev in _SENTENCE_START):  # not a name
                word = self.restore_letters(word.lower())
            out.append(self.lemmatize(word, tag, prev))
            prev = word
        return out

    def _lemmatize(self, low: str, pos: str | None, hint: str | None) -> str:
        if not any(ch.isalpha() for ch in low):
            return low
        code = _UPOS_CODES.get(pos) if pos else None
        if pos and code is None:
            # Closed classes: the override list, else the form itself.
            return self.overrides.get(low, low)
        if code is None and low in self.overrides:
            return self.overrides[low]
        cands = self.candidates(low)
        if code is not None:
            cands = tuple(c for c in cands if c[0] == code) or cands
        if cands:
            return self._best(low, cands, hint)
        # Nynorsk answers are common and the Bokmål lexicon lacks their forms (leiarane, tenesta).
        return _nynorsk_lemmas().get(low) or self._guess(low, code, hint)

    def _best(self, form: str, cands: Iterable[tuple[str, str, bool]], hint: str | None) -> str:
        best: tuple[float, int, str] | None = None
        for code, lem, att in cands:
            score = _PRIOR.get(code, 0.0) + _W_ATTESTED * att + _W_IDENT * (lem == form)
            score += _W_FAM * _log1p(self.lemma_info(lem)[1])
            if hint and (code == hint or (hint == "p" and code == "v") or (hint == "n" and code == "a")):
                score += _W_HINT
            key = (score, -len(lem), lem)
            if best is None or key > best:
                best = key
        assert best is not None
        return best[2]

    def _guess(self, low: str, code: str | None, hint: str | None) -> str:
        """Lemma of a word the lexicon does not list: hyphenated, genitive, compound, or as is."""
        if "-" in low.strip("-"):
            head_start = low.rstrip("-").rfind("-") + 1
            return low[:head_start] + self._lemmatize_cached(low[head_start:], None, hint)
        if low.endswith("s") and not low.endswith("ss") and len(low) > 3:
            stem = low[:-1]
            nouns = tuple(c for c in self.candidates(stem) if c[0] == "n")
            if nouns:
                return self._best(stem, nouns, "n")
        head = self._compound_head(low)
        if head is not None:
            prefix, cands = head
            return prefix + self._best(low[len(prefix) :], cands, hint)
        if low.endswith("s") and not low.endswith("ss") and len(low) > 3:
            head = self._compound_head(low[:-1])
            if head is not None:
                prefix, cands = head
                nouns = tuple(c for c in cands if c[0] == "n") or cands
                return prefix + self._best(low[len(prefix) : -1], nouns, "n")
        return low

    def _compound_head(self, low: str) -> tuple[str, tuple[tuple[str, str, bool], ...]] | None:
        """Longest known content-word head of an unknown word, with the prefix before it: a Bokmål head,
        else a Nynorsk one of at least :data:`_MIN_NYNORSK_HEAD` letters (barnevern|s|tenesta ->
        ``teneste``, not ``nest``)."""
        bokmal = next(
            ((i, cands) for i in range(2, len(low) - 2) if (cands := self._content_readings(low[i:]))), None
        )
        nynorsk = _nynorsk_lemmas()
        for i in range(2, len(low) - _MIN_NYNORSK_HEAD + 1):
            if bokmal is not None and (i >= bokmal[0] or (i == bokmal[0] - 1 and low[i] in "se")):
                break  # the Bokmål head is as long, or longer only by a linking s/e: opplærings|loven
            if low.startswith(_DERIVATIONS, i):
                continue  # tilfeldig|heitene: a suffix, not the verb «heite»
            if low[i:] in nynorsk and self._is_first_part(low[:i]):
                return low[:i], (("n", nynorsk[low[i:]], True),)  # barnevern|s|tenesta, not ...ste|nesta
        return None if bokmal is None else (low[: bokmal[0]], bokmal[1])

    def _content_readings(self, form: str) -> tuple[tuple[str, str, bool], ...]:
        return tuple(c for c in self.candidates(form) if c[0] in "nva")

    def _is_first_part(self, prefix: str) -> bool:
        """Whether ``prefix`` (maybe with a linking -s- or -e-) is a word that starts compounds: a Bokmål
        content word, a Nynorsk lemma of :data:`_MIN_NYNORSK_HEAD` letters or a compound of them; not «re»
        of «restansar», whose «stansar» would make it a verb."""
        for word in {prefix, prefix[:-1] if prefix[-1:] in "se" else prefix}:
            if len(word) >= _MIN_PART and set(self.lemma_info(word)[0]) & {"n", "v", "a"}:
                return True
            if len(word) >= _MIN_NYNORSK_HEAD and word in _nynorsk_lemma_set():
                return True
        return bool(self.split_compound(prefix))  # spesialisthelse|tenesta

    def _split_compound(self, word: str) -> tuple[str, ...]:
        """Compound parts of ``word`` as lemmas; ``()`` when it is not a compound.

        Splits the word's lemma into the fewest known content-word lemmas (nouns, verbs, adjectives; at
        least three letters, ``bo``/``tv`` excepted), allowing a linking ``-s-`` or ``-e-`` between parts;
        among equally short splits the one whose parts head or start more Ordbank compounds wins. Known
        sub-compounds stay whole: ``husleiekontrakt`` -> ``('husleie', 'kontrakt')``. A word that is a
        verb or a verb's nominalisation is only split at a linking ``-s-`` (``tildeling``, ``veiledning``,
        ``samarbeid`` stay whole; ``saksbehandling`` splits). Hyphenated words split at the hyphens.

        >>> lex = get_lexicon()
        >>> lex.split_compound("omsorgsboliger"), lex.split_compound("tildelingsmøter")
        (('omsorg', 'bolig'), ('tildeling', 'møte'))
        >>> lex.split_compound("husleiekontrakt"), lex.split_compound("tildeling")
        (('husleie', 'kontrakt'), ())
        """
        low = word.lower().strip()
        if "-" in low.strip("-"):
            parts = [p for p in low.split("-") if any(ch.isalpha() for ch in p)]
            if len(parts) < 2:
                return ()
            return tuple(parts[:-1]) + (self.lemmatize(parts[-1]),)
        if len(low) < 5 or not low.isalpha() or low in self.overrides:
            return ()
        lemma = self.lemmatize(low)
        if len(lemma) < 5:
            return ()
        # A verb or a verb's nominalisation: only split at a linking -s- (saksbehandling).
        only_linked = "v" in self.lemma_info(lemma)[0] or any(
            lemma.endswith(suf) and ("v" in self.lemma_info(lemma[: len(lemma) - len(suf)] + "e")[0])
            for suf in _NOMINAL_SUFFIXES
        )
        known = bool(self.lemma_info(lemma)[0])
        best = self._segment(lemma, 0, only_linked, known)
        if best is None or len(best[1]) < 2:
            return ()
        return best[1]

    def _part_ok(self, part: str, last: bool, known: bool) -> bool:
        if len(part) < _MIN_PART and part not in _SHORT_PARTS:
            return False
        if known and len(part) <= _MIN_PART and part not in _SHORT_OK:
            return False
        if part in (_NOT_LAST if last else _NOT_FIRST) or part in _CLOSED:
            return False
        codes = set(self.lemma_info(part)[0])
        if not last and "r" in codes and len(part) >= 5:
            return True  # hjemmetjeneste, sammenheng: longer adverbs do start compounds
        if last and not codes and len(part) >= _MIN_NYNORSK_HEAD and part in _nynorsk_lemma_set():
            return True  # heim|teneste, bustad|tilbod: a Nynorsk head Bokmål lacks (not as a first part:
            # simplemma's list has stems as lemmas, «tenest», which would split tenestetilbod wrongly)
        return bool(codes & ({"n", "a"} if last else {"n", "v", "a"}))

    def _segment(
        self, s: str, i: int, only_linked: bool, known: bool
    ) -> tuple[tuple[int, float], tuple[str, ...]] | None:
        """Best split of ``s[i:]``: (key, parts) with key = (number of parts, -family score)."""
        best: tuple[tuple[int, float], tuple[str, ...]] | None = None
        if i > 0 and self._part_ok(s[i:], True, known):
            best = ((1, -_log1p(self.lemma_info(s[i:])[1])), (s[i:],))
        for j in range(i + 2, len(s) - 1):
            part = s[i:j]
            if not self._part_ok(part, False, known):
                continue
            for link in ("", "s", "e"):
                if only_linked and link != "s":
                    continue
                k = j + len(link)
                if link and (not s.startswith(link, j) or part.endswith(link)):
                    continue
                if len(s) - k < 2:
                    continue
                rest = self._segment(s, k, False, known)
                if rest is None:
                    continue
                key = (rest[0][0] + 1, rest[0][1] - _log1p(self.lemma_info(part)[1]))
                if best is None or key < best[0]:
                    best = (key, (part, *rest[1]))
        return best


def _log1p(n: int) -> float:
    return math.log1p(n)


_LEXICONS: dict[Path, Lexicon] = {}
_LEXICONS_LOCK = threading.Lock()
_DEFAULT_STORES: dict[tuple[str | None, ...], Path] = {}


def get_lexicon(path: Path | None = None) -> Lexicon:
    """The shared :class:`Lexicon` for ``path`` (default: :func:`store_path`), built on first use.

    >>> get_lexicon() is get_lexicon()
    True
    """
    if path is None:  # every token asks: find the default store once per cache setting
        setting = tuple(os.environ.get(name) for name in ("CODER_CACHE_DIR", "XDG_CACHE_HOME", "HOME"))
        path = _DEFAULT_STORES.get(setting) or _DEFAULT_STORES.setdefault(setting, store_path())
    with _LEXICONS_LOCK:
        lex = _LEXICONS.get(path)
        if lex is None:
            lex = _LEXICONS[path] = Lexicon(path)
        return lex


_NORWEGIAN_LETTERS = frozenset("æøå")
# Frequent words that only nynorsk (or Trøndelag dialect) writes so: an answer with one of them is not
# Bokmål typed without æ, ø, å.
_NYNORSK_MARKERS = frozenset(
    """ikkje eg dei ein eit kva kven korleis kvifor noko nokon nokre mykje berre vere vore frå heile
    saman kvarandre kvar difor sjølv òg ho då kome kjem gjer gjere sjå itj ittj æ ka kæm""".split()
)
_LETTER_SWAPS = (("ae", "æ"), ("aa", "å"), ("oe", "ø"), ("o", "ø"), ("a", "å"))
_MAX_SWAPS = 3
_MIN_RESTORED_PART = 4
_MAX_COMPOUND_VARIANTS = 12  # compound splitting is the costly test; the likeliest variants come first


def _letter_variants(low: str) -> list[str]:
    """Spellings of ``low`` with up to three of its o, a, ae, aa, oe written as ø, å, æ; fewest first.

    >>> _letter_variants("fa"), _letter_variants("moteplass")[:3]
    (['få'], ['møteplass', 'moteplåss', 'møteplåss'])
    """
    sites = [
        (i, len(plain), letter)
        for plain, letter in _LETTER_SWAPS
        for i in range(len(low))
        if low.startswith(plain, i)
    ]
    variants: list[str] = []
    for count in range(1, _MAX_SWAPS + 1):
        for chosen in itertools.combinations(sorted(sites, key=lambda site: (site[0], -site[1])), count):
            ends = [i + n for i, n, _ in chosen]
            if any(end > start for end, (start, _, _) in zip(ends, chosen[1:], strict=False)):
                continue  # overlapping sites («aa» as one å and as two)
            word, last = [], 0
            for i, n, letter in chosen:
                word += [low[last:i], letter]
                last = i + n
            variant = "".join(word) + low[last:]
            if variant not in variants:
                variants.append(variant)
    return variants


def lemmatize(form: str, pos: str | None = None, prev: str | None = None) -> str:
    """Lower-cased lemma of one word with the shared lexicon (see :meth:`Lexicon.lemmatize`).

    >>> lemmatize("boligene"), lemmatize("meg"), lemmatize("har")
    ('bolig', 'jeg', 'ha')
    """
    return get_lexicon().lemmatize(form, pos, prev)


def split_compound(word: str) -> tuple[str, ...]:
    """Compound parts of ``word`` as lemmas, ``()`` for a non-compound (see :meth:`Lexicon.split_compound`).

    >>> split_compound("omsorgsboliger"), split_compound("kommune")
    (('omsorg', 'bolig'), ())
    """
    return get_lexicon().split_compound(word)
