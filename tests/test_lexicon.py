"""Tests of the embedded Norwegian lexicon: store building, lemmas, compound splitting."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from coder import lexicon
from coder.lexicon import Lexicon, build_store, get_lexicon, lemmatize, split_compound, store_path


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return get_lexicon()


LEMMAS = [
    # regular inflection, including readings the shipped table lost (saken -> sak, regler -> regel)
    ("boligene", "bolig"),
    ("kommunene", "kommune"),
    ("tjenestene", "tjeneste"),
    ("saken", "sak"),
    ("saker", "sak"),
    ("regler", "regel"),
    ("museer", "museum"),
    ("årene", "år"),
    ("jenta", "jente"),
    ("søknaden", "søknad"),
    ("behovene", "behov"),
    ("ansatte", "ansatt"),
    # a reader saw «te», «felle» and «helge» in review's evidence (tea, trap, a name)
    ("tett", "tett"),
    ("felles", "felles"),
    ("helger", "helg"),
    # function words and irregulars (UD Bokmål conventions)
    ("er", "være"),
    ("var", "være"),
    ("har", "ha"),
    ("hadde", "ha"),
    ("kan", "kunne"),
    ("vil", "ville"),
    ("skal", "skulle"),
    ("må", "måtte"),
    ("meg", "jeg"),
    ("ham", "han"),
    ("henne", "hun"),
    ("oss", "vi"),
    ("dem", "de"),
    ("det", "den"),
    ("et", "en"),
    ("flere", "mange"),
    ("mer", "mye"),
    ("bedre", "god"),
    ("større", "stor"),
    ("ikke", "ikke"),
    ("ingen", "ingen"),
    ("for", "for"),
    # verbs and adjectives
    ("snakket", "snakke"),
    ("bodde", "bo"),
    ("fikk", "få"),
    ("gode", "god"),
    ("vanskelig", "vanskelig"),
    ("viktigste", "viktig"),
    # unknown compounds lemmatized by their head, genitives, hyphens
    ("omsorgsboliger", "omsorgsbolig"),
    ("husleierestansene", "husleierestanse"),
    ("tildelingsmøtene", "tildelingsmøte"),
    ("kommunens", "kommune"),
    ("nav-kontoret", "nav-kontor"),
    ("", ""),
    ("2024", "2024"),
]


@pytest.mark.parametrize(("form", "lemma"), LEMMAS)
def test_lemmatize(lex: Lexicon, form: str, lemma: str) -> None:
    assert lex.lemmatize(form) == lemma


NYNORSK = [
    # forms the Bokmål tables lack: plurals and definite forms of nynorsk nouns, past forms of a-verbs
    ("leiarane", "leiar"),
    ("bebuarane", "bebuar"),
    ("tenesta", "teneste"),
    ("avstandar", "avstand"),
    ("oppfølgjinga", "oppfølgjing"),
    ("flytta", "flytte"),
    ("einingsleiarane", "einingsleiar"),  # a compound the list holds whole
    # the list is not asked for a compound's head: «takar» there is the verb «taka», not the noun's ending
    ("leigetakar", "leigetakar"),
]


@pytest.mark.parametrize(
    ("word", "lemma", "parts"),
    [
        # changed: the head was looked up in Bokmål only: barnevernste|nest, heim|ete|nest
        ("barnevernstenesta", "barnevernsteneste", ("barnevern", "teneste")),
        ("heimetenesta", "heimeteneste", ("heim", "teneste")),
        ("omsorgsbustader", "omsorgsbustad", ("omsorg", "bustad")),
        ("kommunetenestene", "kommuneteneste", ("kommune", "teneste")),
        # a Bokmål head wins over a Nynorsk form that is longer only by the linking s: not «sloven»
        ("opplæringsloven", "opplæringslov", ("opplæring", "lov")),
        ("restansar", "restansar", ()),  # «re» starts no compound, so no «stansa» head
        ("tilfeldigheitene", "tilfeldigheit", ()),  # a suffix, not the verb «heite» (found in review)
    ],
)
def test_a_nynorsk_compound_gets_its_nynorsk_head(
    lex: Lexicon, word: str, lemma: str, parts: tuple[str, ...]
) -> None:
    assert (lex.lemmatize(word), lex.split_compound(word)) == (lemma, parts)


@pytest.mark.parametrize(("form", "lemma"), NYNORSK)
def test_a_nynorsk_form_bokmal_lacks_gets_its_nynorsk_lemma(lex: Lexicon, form: str, lemma: str) -> None:
    assert lex.lemmatize(form) == lemma


def test_bokmal_keeps_its_own_reading_where_nynorsk_differs(lex: Lexicon) -> None:
    # the nynorsk list says «mate» -> «mata», «tilsette» -> «tilsett»; as Bokmål words, Bokmål decides
    assert (lex.lemmatize("mate"), lex.lemmatize("tilsette")) == ("mate", "tilsette")
    words = ["Leiarane", "må", "prioritere", "det"]
    assert lex.lemmatize_tokens(words) == ["leiar", "måtte", "prioritere", "den"]


def test_lemmatize_is_case_insensitive_at_sentence_start(lex: Lexicon) -> None:
    assert lex.lemmatize("Boligene") == "bolig"
    assert lemmatize("Tjenestene") == "tjeneste"


def test_lemmatize_tokens_uses_context(lex: Lexicon) -> None:
    words = ["Vi", "har", "søkt", "om", "å", "få", "omsorgsboliger", "fra", "Husbanken", "."]
    assert lex.lemmatize_tokens(words) == [
        "vi",
        "ha",
        "søke",
        "om",
        "å",
        "få",
        "omsorgsbolig",
        "fra",
        "husbanken",
        ".",
    ]
    # after "å" the infinitive reading wins
    assert lex.lemmatize_tokens(["for", "å", "sikre"])[-1] == "sikre"


def test_capitalised_word_inside_sentence_is_a_name(lex: Lexicon) -> None:
    assert lex.lemmatize("Husbankens", prev="fra") == "husbanken"
    assert lex.lemmatize("NAV", prev="i") == "nav"


def test_lemmatize_with_pos(lex: Lexicon) -> None:
    assert lex.lemmatize("saker", pos="NOUN") == "sak"
    assert lex.lemmatize("bruker", pos="VERB") == "bruke"
    assert lex.lemmatize("bruker", pos="NOUN") == "bruker"
    assert lex.lemmatize("det", pos="PRON") == "den"


COMPOUNDS = [
    ("omsorgsboliger", ("omsorg", "bolig")),
    ("omsorgsbolig", ("omsorg", "bolig")),
    ("kommunalboliger", ("kommunal", "bolig")),
    ("startlån", ("start", "lån")),
    ("bostøtte", ("bo", "støtte")),
    ("husleierestanse", ("husleie", "restanse")),
    ("husleiekontrakt", ("husleie", "kontrakt")),
    ("boligsosial", ("bolig", "sosial")),
    ("boligsosialt", ("bolig", "sosial")),
    ("tildelingsmøte", ("tildeling", "møte")),
    ("tildelingsmøter", ("tildeling", "møte")),
    ("boveiledning", ("bo", "veiledning")),
    ("rusomsorg", ("rus", "omsorg")),
    ("ansvarsgruppe", ("ansvar", "gruppe")),
    ("ansvarsfraskrivelse", ("ansvar", "fraskrivelse")),
    ("samarbeidsmøter", ("samarbeid", "møte")),
    ("tjenesteområde", ("tjeneste", "område")),
    ("kommunestyre", ("kommune", "styre")),
    ("flyktningtjeneste", ("flyktning", "tjeneste")),
    ("saksbehandling", ("sak", "behandling")),
    ("boligkontoret", ("bolig", "kontor")),
    ("utleieboliger", ("utleie", "bolig")),
    ("helsetjenester", ("helse", "tjeneste")),
    ("botilbud", ("bo", "tilbud")),
    ("bydel", ("by", "del")),
    ("ruspolitikk", ("rus", "politikk")),
    ("hjemmetjenesten", ("hjemme", "tjeneste")),
    ("nav-kontoret", ("nav", "kontor")),
    # not compounds (derivations, ordinary words, function words)
    ("formannskap", ()),
    ("leilighet", ()),
    ("tildeling", ()),
    ("fraskrivelse", ()),
    ("samarbeid", ()),
    ("kommune", ()),
    ("tjenester", ()),
    ("tjeneste", ()),
    ("oppfølging", ()),
    ("ansvar", ()),
    ("bolig", ()),
    ("boliger", ()),
    ("kontakt", ()),
    ("helheten", ()),
    ("samordning", ()),
    ("veiledning", ()),
    ("rapport", ()),
    ("sammenheng", ()),
    ("ingen", ()),
    ("ikke", ()),
    ("aldri", ()),
    ("", ()),
]


@pytest.mark.parametrize(("word", "parts"), COMPOUNDS)
def test_split_compound(lex: Lexicon, word: str, parts: tuple[str, ...]) -> None:
    assert lex.split_compound(word) == parts


def test_module_level_helpers() -> None:
    assert split_compound("Omsorgsboliger") == ("omsorg", "bolig")
    assert get_lexicon() is get_lexicon()


def test_lemma_pos(lex: Lexicon) -> None:
    assert lex.lemma_pos("bolig") == frozenset({"noun"})
    assert lex.is_known("tjenestene")
    assert not lex.is_known("xqzv")


@pytest.mark.parametrize(
    ("typed", "restored"),
    [
        ("oppfolging", "oppfølging"),
        ("motestruktur", "møtestruktur"),
        ("boligmotet", "boligmøtet"),
        ("aapen", "åpen"),
        ("mote", "mote"),  # a word of its own (fashion)
        ("møte", "møte"),  # already has its letters
        ("oppfølging", "oppfølging"),
        ("samarbeid", "samarbeid"),
        ("ansvarfraskrivelse", "ansvarfraskrivelse"),  # ansvar + fraskrivelse, not ans + vår + ...
        ("nav-kontor", "nav-kontor"),
        ("fa", "fa"),
        ("fjortande", "fjortande"),  # a nynorsk word, not «fjørtande»
    ],
)
def test_restore_letters(lex: Lexicon, typed: str, restored: str) -> None:
    assert lex.restore_letters(typed) == restored


def test_lemmatize_tokens_restores_letters_but_not_in_names(lex: Lexicon) -> None:
    assert lex.lemmatize_tokens(["dårlig", "oppfolging", "av", "beboerne"])[1] == "oppfølging"
    assert lex.lemmatize_tokens(["Oppfolging", "mangler"])[0] == "oppfølging"  # sentence-initial
    assert lex.lemmatize_tokens(["Bra", ".", "Boligmotet", "fungerer"])[2] == "boligmøte"  # after a full stop
    assert lex.lemmatize_tokens(["vi", "ringte", "sorensen"])[2] == "sørensen"
    # a capitalised word inside a sentence is a name: Sorensen is not Sørensen
    assert lex.lemmatize_tokens(["vi", "ringte", "Sorensen"])[2] == "sorensen"
    assert lex.lemmatize_tokens(["Vi", "har", "Motestruktur"])[2] == "motestruktur"


# ------------------------------------------------------------------------------------------------ store


def test_cache_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "a"))
    assert lexicon.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("CODER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert lexicon.cache_dir() == tmp_path / "xdg" / "coder"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert lexicon.cache_dir() == Path.home() / ".cache" / "coder"


def test_store_name_is_versioned(tmp_path: Path) -> None:
    name = store_path(tmp_path).name
    assert lexicon._store_digest() in name  # a change to the module that derives it builds a new one
    assert lexicon._lookups_version() in name


def _tiny_rows() -> tuple[dict[str, dict[str, set[str]]], dict[str, set[str]]]:
    forms = {"boligene": {"n": {"bolig"}}, "bolig": {"n": {"bolig"}}, "i": {"x": {"i"}}}
    return forms, {"bolig": {"n"}}


def test_build_in_env_cache_dir_is_atomic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(lexicon, "_derive_rows", _tiny_rows)
    path = build_store()
    assert path.parent == tmp_path and path.exists()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT ana FROM forms WHERE form='boligene'").fetchone() == ("n:bolig",)
    assert Lexicon(path).lemmatize("boligene") == "bolig"


def test_failed_build_leaves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def boom(_lemmas: dict) -> dict:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(lexicon, "_derive_rows", _tiny_rows)
    monkeypatch.setattr(lexicon, "_family_sizes", boom)
    with pytest.raises(RuntimeError):
        build_store(tmp_path / "store.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_concurrent_builds_are_safe(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(lexicon, "_derive_rows", _tiny_rows)
    target = tmp_path / "store.sqlite3"
    errors: list[BaseException] = []

    def build() -> None:
        try:
            build_store(target, force=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [p.name for p in tmp_path.iterdir()] == ["store.sqlite3"]
    assert Lexicon(target).lemmatize("boligene") == "bolig"


def test_missing_store_without_build_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Lexicon(tmp_path / "absent.sqlite3", build=False)


def test_reopen_is_fast(lex: Lexicon) -> None:
    start = time.perf_counter()
    again = Lexicon(lex.path, build=False)
    assert again.lemmatize("boligene") == "bolig"
    assert time.perf_counter() - start < 0.5  # target is < 50 ms; generous for slow CI
    again.close()
    assert os.path.getsize(lex.path) < 60_000_000


def test_a_cache_directory_that_is_a_file_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    from coder.errors import CoderError
    from coder.lexicon import cache_dir

    (tmp_path / "afile").write_text("x", encoding="utf-8")
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "afile"))
    with pytest.raises(CoderError, match=r"the cache directory \(from CODER_CACHE_DIR\) is not a directory"):
        cache_dir()
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "afile" / "cache"))  # a parent that is a file
    with pytest.raises(CoderError, match="is not a directory"):
        cache_dir()
