"""Norwegian preprocessing: the loader, normalisation, lemmas, compounds, negation, stop words, cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from coder import nlp
from coder.errors import CoderError


@pytest.fixture(scope="module")
def embedded() -> spacy.language.Language:
    return nlp.load_pipeline("embedded")


def _tokens(text: str, pipeline) -> dict[str, nlp.AnswerToken]:
    return {t.text: t for t in nlp.preprocess([text], pipeline)[0].tokens}


def test_normalize_text() -> None:
    assert nlp.normalize_text("  «Ingen»  tar\u00a0tak – aldri… ") == '"Ingen" tar tak - aldri...'
    assert nlp.normalize_text("bolig\u00adsosialt") == "boligsosialt"
    assert nlp.normalize_text("A\u030angstrøm") == "Ångstrøm"  # NFC composes the combining ring
    assert nlp.normalize_text("bolig\x00 tiltak\x07\x7f") == "bolig tiltak"  # control characters are space


def test_html_in_an_answer_is_read_as_text() -> None:
    assert nlp.normalize_text("<p>Bolig &amp; omsorg</p>") == "Bolig & omsorg"
    assert nlp.normalize_text("bra<br>tiltak<br />neste") == "bra tiltak neste"
    assert nlp.normalize_text("a&nbsp;&nbsp;b&shy;c &hellip;") == "a bc ..."
    # What only looks like markup stays: a «<» before a number, a «&» with no entity name, an unknown entity.
    assert nlp.normalize_text('Se <a href="x>y">lenken</a><BR/>her') == "Se lenken her"
    for text in ("<3 mnd", "Bolig & omsorg", "A&B; og C", "&amp uten semikolon", "a < b > c", "a<b og c>d",
                 "x <i større grad> y", "Skriv <navn> her"):  # fmt: skip
        assert nlp.normalize_text(text) == text


def test_a_tagged_word_is_one_token_pointing_into_the_original(embedded) -> None:
    text = "<b>Omsorgsboliger</b> &amp; oppfølging"
    answer = nlp.preprocess([text], embedded, use_cache=False)[0]
    assert [(t.text, t.lemma) for t in answer.tokens] == [
        ("Omsorgsboliger", "omsorgsbolig"),
        ("&amp;", "&"),
        ("oppfølging", "oppfølging"),
    ]
    assert [text[t.idx : t.idx + len(t.text)] for t in answer.tokens] == [t.text for t in answer.tokens]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abæøå ÅØ\u030a\u00a0\t«»–—…,.!\u00ad-", max_size=40))
def test_token_offsets_point_into_the_original(text: str) -> None:
    pipeline = nlp.load_pipeline("embedded")
    answer = nlp.preprocess([text], pipeline, use_cache=False)[0]
    for token in answer.tokens:
        assert text[token.idx : token.idx + len(token.text)] == token.text
        assert token.text.strip() and nlp.normalize_text(token.text)
    for before, after in zip(answer.tokens, answer.tokens[1:], strict=False):
        assert before.idx + len(before.text) <= after.idx  # in order, never overlapping


def test_embedded_pipeline_and_info(embedded) -> None:
    info = nlp.pipeline_info(embedded)
    assert info.source == "embedded"
    assert "no nb_core_news" in info.reason or "embedded" in info.reason
    assert embedded.pipe_names == ["coder_lemmatizer", "coder_compounds", "coder_negation"]


def test_lemmas_from_the_embedded_lexicon(embedded) -> None:
    tokens = _tokens("Kommunene har ikke nok omsorgsboliger til rusavhengige", embedded)
    assert tokens["Kommunene"].lemma == "kommune"
    assert tokens["har"].lemma == "ha"
    assert tokens["omsorgsboliger"].lemma == "omsorgsbolig"


def test_compound_parts_let_keywords_find_compounds(embedded) -> None:
    tokens = _tokens("omsorgsboliger og tildelingsmøter", embedded)
    assert "bolig" in tokens["omsorgsboliger"].parts
    assert "møte" in tokens["tildelingsmøter"].parts


def test_hyphenated_and_shortened_compounds_have_parts(embedded) -> None:
    # changed: a token with a hyphen had no parts (NAV-kontoret), nor «helse-» of «helse- og omsorgs...»
    tokens = _tokens("NAV-kontoret og helse- og omsorgstjenesten, bolig- eller eiendomsavdelingen", embedded)
    assert tokens["NAV-kontoret"].parts == ("nav", "kontor")
    assert tokens["helse-"].parts == ("helse", "tjeneste")
    assert tokens["bolig-"].parts == ("bolig", "avdeling")
    assert _tokens("helse- og NAV", embedded)["helse-"].parts == ()  # no compound after og: no head


@pytest.mark.parametrize(
    ("text", "negated", "not_negated"),
    [
        ("Har ingen arena for dette", {"arena"}, {"Har"}),
        ("Ingen tar tak i helheten", {"tar", "tak", "helheten"}, set()),
        ("Vi mangler boliger, men samarbeidet er godt", {"boliger"}, {"samarbeidet", "godt"}),
        ("mangel på boliger", {"boliger"}, set()),
        ("Tilbudet mangler", {"Tilbudet"}, set()),
        ("lite samarbeid mellom etatene", {"samarbeid", "etatene"}, set()),
        ("Godt samarbeid med NAV", set(), {"samarbeid", "NAV", "Godt"}),
    ],
)
def test_negation_scope(embedded, text: str, negated: set[str], not_negated: set[str]) -> None:
    tokens = _tokens(text, embedded)
    assert {t for t in negated if tokens[t].negated} == negated
    assert not {t for t in not_negated if tokens[t].negated}


@pytest.mark.parametrize(
    ("text", "negated", "not_negated"),
    [
        ("Vi har itj nok boliger", {"boliger"}, {"Vi", "har", "itj"}),
        ("Vi har ittj oversikt", {"oversikt"}, {"har"}),
        ("Det finst ikkje bustader", {"bustader"}, {"finst", "ikkje"}),
        ("Inkje samarbeid mellom etatane", {"samarbeid", "etatane"}, {"Inkje"}),
        ("Folk står utan bustad", {"bustad"}, {"Folk", "står"}),
        ("Kommunen manglar boliger", {"boliger"}, {"Kommunen", "manglar"}),
        ("Oppfølginga manglar", {"Oppfølginga"}, set()),  # a cue at the end governs what stands before
        ("Vi har itj boliger, men samarbeidet er godt", {"boliger"}, {"samarbeidet", "godt"}),
        # Nynorsk connectives end a scope as their Bokmål forms do: «ettervern» was negated by «ingenting»
        ("ettervern sluttar ved 23 og då har dei ingenting", set(), {"ettervern", "sluttar"}),
        ("Vi har ikkje bustader difor flyttar folk", {"bustader"}, {"flyttar", "folk"}),
        ("Ingen tek ansvar medan sakene ventar", {"tek", "ansvar"}, {"sakene", "ventar"}),
        ("Lite bustader sidan kommunen er liten", {"bustader"}, {"kommunen"}),
    ],
)
def test_dialect_and_nynorsk_negation_cues(
    embedded, text: str, negated: set[str], not_negated: set[str]
) -> None:
    tokens = _tokens(text, embedded)
    assert {t for t in negated if tokens[t].negated} == negated
    assert not {t for t in not_negated if tokens[t].negated}


@pytest.mark.parametrize(
    ("text", "non_answer"),
    [
        ("Vet ikke", True),
        ("veit ikkje", True),
        ("Kjenner ikke til det", True),
        ("ikkje som eg kjenner til", True),
        ("Ingen kommentar", True),
        ("Ikke relevant for meg", True),
        ("Usikker", True),
        ("Se over", True),
        ("sjå samordning", True),
        ("Same som samordning", True),
        ("se svar over", True),
        ("Alle kjenner alle", False),  # knowing, not a lack of it: no negation
        ("Vi kjenner ikke til boligbehovet", False),  # says what is not known
        ("sjå over. vi treng ein tydeleg eigar", False),  # a reference, then an answer
        ("Se på helheten i tjenestene", False),
        ("usikker på hvem som har ansvaret", False),
        ("Har ikke oversikt", False),
        ("Nei", True),  # changed: «Nei», «-» and the like counted as answers with no theme, unsaid
        ("Nei takk", True),
        ("Ingenting å tilføye", True),
        ("Ikke noe spesielt", True),
        ("ikkje noko", True),
        ("Ingen formening", True),
        ("N/A", True),
        ("-", True),
        ("?", True),
        ("...", True),
        ("Ikke noen", True),
        ("Noen", False),  # «some»: the words of «ikke noe» say nothing only beside a «no»
        ("Har noen", False),
        ("Si noe", False),
        ("Ingen ting", True),
        ("Har ingenting å tilføye", True),
        ("0", False),  # a figure may answer «how many»
        ("", False),  # empty: no answer at all, not an answer that says nothing
        ("Ingen tar ansvar", False),
        ("Nei, det er for lite boliger", False),
        ("Ingen utfordringer med boliger", False),
    ],
)
def test_non_answers(embedded, text: str, non_answer: bool) -> None:
    assert nlp.preprocess([text], embedded)[0].is_non_answer is non_answer


def test_a_non_answer_that_says_none_is_told_from_one_that_says_nothing(embedded) -> None:
    # «Ingen» to «Hva er utfordringene?» says there are none: not «vet ikke» (the report lists them apart)
    texts = ["Ingen", "Nei", "Ikke noe spesielt", "Vet ikke", "-", "Ingen kommentar", "Ingen tar ansvar"]
    texts += ["Ingen formening", "Nei takk", "Ingenting å tilføye", "Noen"]  # no opinion: says nothing
    said = [a.says_none for a in nlp.preprocess(texts, embedded)]
    assert said == [True, True, True, False, False, False, False, False, False, False, False]


def test_nynorsk_function_words_are_stop_words_as_their_bokmal_forms(embedded) -> None:
    # changed: «eit» was read as the verb «eie» and «kva», «berre», «frå», «eg» as content words
    tokens = _tokens("eg har berre eit spørsmål: kva får dei frå kommunen", embedded)
    for word in ("eg", "berre", "eit", "kva", "dei", "frå"):
        assert tokens[word].is_stop, word
    assert not tokens["spørsmål"].is_stop and not tokens["kommunen"].is_stop


def test_own_stop_words_keep_meaningful_words(embedded) -> None:
    tokens = _tokens("det er ikke god kontakt og ingen viktig bedre plan", embedded)
    assert tokens["det"].is_stop and tokens["er"].is_stop and tokens["og"].is_stop
    for word in ("ikke", "god", "kontakt", "ingen", "viktig", "bedre", "plan"):
        assert not tokens[word].is_stop, word


def test_pipeline_directory_goes_through_spacy_load(tmp_path: Path) -> None:
    saved = spacy.blank("nb")
    saved.add_pipe("sentencizer")
    saved.to_disk(tmp_path / "pipe")
    pipeline = nlp.load_pipeline(tmp_path / "pipe")
    info = nlp.pipeline_info(pipeline)
    assert info.source == "path" and str(tmp_path / "pipe") in info.reason
    assert pipeline.pipe_names == ["sentencizer", "coder_lemmatizer", "coder_compounds", "coder_negation"]
    assert _tokens("boligene", pipeline)["boligene"].lemma == "bolig"


def test_installed_trained_package_is_preferred(monkeypatch: pytest.MonkeyPatch) -> None:
    nlp._load_pipeline.cache_clear()
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "nb_core_news_sm")
    loaded: list[str] = []

    def fake_load(name: str) -> spacy.language.Language:
        loaded.append(name)
        pipeline = spacy.blank("nb")
        pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
        return pipeline

    monkeypatch.setattr(nlp, "_spacy_load", fake_load)
    try:
        info = nlp.pipeline_info(nlp.load_pipeline())
        assert loaded == ["nb_core_news_sm"]
        assert info.source == "package" and "nb_core_news_sm" in info.reason
    finally:
        nlp._load_pipeline.cache_clear()


def test_unknown_model_is_a_user_error() -> None:
    with pytest.raises(nlp.CoderError, match="neither an installed package nor a directory"):
        nlp.load_pipeline("nb_core_news_xl")


def test_preprocess_uses_the_disk_cache(embedded, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["Boveiledning fungerer godt", "Husbanken og startlån"]
    first = nlp.preprocess(texts, embedded)

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(embedded, "pipe", no_parsing)
    assert nlp.preprocess(texts, embedded) == first


def test_empty_answers_have_no_tokens(embedded) -> None:
    answers = nlp.preprocess(["", "   ", None], embedded)
    assert [a.tokens for a in answers] == [(), (), ()]


def test_tokens_table_columns(embedded) -> None:
    table = nlp.tokens_table(["a1"], nlp.preprocess(["Mangler omsorgsboliger"], embedded))
    assert list(table.columns) == ["id", "i", "text", "idx", "lemma", "is_stop", "negated", "parts"]
    assert table.loc[1, "parts"] == "omsorg+bolig" and bool(table.loc[1, "negated"])


def test_two_pipeline_directories_do_not_share_cached_tokens(tmp_path: Path) -> None:
    for name in ("a", "b"):
        saved = spacy.blank("nb")
        saved.to_disk(tmp_path / name)
    first = nlp.pipeline_info(nlp.load_pipeline(tmp_path / "a")).fingerprint
    second = nlp.pipeline_info(nlp.load_pipeline(tmp_path / "b")).fingerprint
    assert first != second


def test_a_change_to_coder_s_own_code_or_data_renews_the_cached_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coder import lexicon

    # A compound rule changed three times without the version bumped by hand; a cache kept the old parts.
    data = tmp_path / "data"
    data.mkdir()
    (data / "nb_lemma_overrides.tsv").write_text("boligene\tbolig\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "_DATA_DIR", data)
    try:
        lexicon.code_digest.cache_clear()
        before = lexicon.code_digest()
        first = nlp.pipeline_info(nlp._embedded("test")).fingerprint
        (data / "nb_lemma_overrides.tsv").write_text("boligene\tboligen\n", encoding="utf-8")
        lexicon.code_digest.cache_clear()
        assert lexicon.code_digest() != before
        assert nlp.pipeline_info(nlp._embedded("test")).fingerprint != first
    finally:  # the real digest again for the other tests
        monkeypatch.undo()
        lexicon.code_digest.cache_clear()


# Spaces of every kind, quotes and dashes to translate, invisible characters, combining accents.
_MESSY = list("ab æøå\t\n.«»“’–\u00ad\u200b\ufeffe\u0301o\u0308\u00a0\x00\x85")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_MESSY), max_size=20))
def test_the_fast_path_of_normalising_gives_what_char_by_char_gives(text: str) -> None:
    assert nlp._normalize_with_offsets(text) == nlp._normalize_char_by_char(text)


_MARKUP_PIECES = [
    "<br>",
    "</p>",
    "<b>",
    "&amp;",
    "&nbsp;",
    "&shy;",
    "&#229;",
    "<",
    ">",
    "&",
    ";",
    "a",
    " ",
    "\t",
    "ø",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MARKUP_PIECES), max_size=12).map("".join))
def test_the_fast_path_finds_every_tag_and_entity(text: str) -> None:
    assert nlp._normalize_with_offsets(text) == nlp._normalize_char_by_char(text)
    normalized, starts, ends = nlp._normalize_with_offsets(text)
    assert not any(markup in normalized for markup in ("<br>", "</p>", "<b>", "&amp;", "&nbsp;", "&#229;"))
    assert len(normalized) == len(starts) == len(ends)
    assert all(0 <= start < end <= len(text) for start, end in zip(starts, ends, strict=True))


def test_an_answer_normalised_already_keeps_its_own_offsets() -> None:
    text = "Kort vei til NAV, og ingen tar tak"
    assert nlp._normalize_with_offsets(text) == (text, list(range(len(text))), list(range(1, len(text) + 1)))


def test_an_answer_longer_than_the_pipeline_reads_is_one_clear_error(embedded) -> None:
    embedded.max_length = 100  # spaCy's 1,000,000 in production; the rule is the same
    try:
        with pytest.raises(CoderError, match=r"an answer of 120 characters \(it begins «boligboligbolig"):
            nlp.preprocess(["kort svar", "bolig" * 24], embedded, use_cache=False)
    finally:
        embedded.max_length = 1_000_000


@pytest.mark.parametrize(
    ("text", "lemma"),
    [("Ingen tar ansvar for helheten", "helhet"), ("For få kommunale boliger til rusavhengige", "bolig")],
)
def test_an_answer_typed_in_capitals_has_the_lemmas_of_its_lower_case(
    embedded, text: str, lemma: str
) -> None:
    lower, upper = nlp.preprocess([text.lower(), text.upper()], embedded)
    assert [t.lemma for t in upper.tokens] == [t.lemma for t in lower.tokens]
    assert lemma in [t.lemma for t in upper.tokens]  # HELHETEN, BOLIGER mid-sentence are no names
    assert _tokens("Samarbeid med NAV", embedded)["NAV"].lemma == "nav"  # an acronym stays itself
