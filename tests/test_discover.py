"""Inductive themes: grouping notes and uncoded answers, candidates, codebook merge, the report (the CLI:
test_cli_discover.py)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from support.discover import CODEBOOK, NOTES, PLANTED, REPO, WORKSHOP

from coder import codebook as codebook_module
from coder import discover, store, summary, survey
from coder.codebook import Code, Codebook
from coder.errors import CoderError
from coder.nlp import load_pipeline, preprocess


def notes_frame() -> tuple[pd.DataFrame, list[str]]:
    texts = [text for group in NOTES.values() for text in group]
    truth = [theme for theme, group in NOTES.items() for _ in group]
    return pd.DataFrame({"id": [f"n{i:02d}" for i in range(len(texts))], "text": texts}), truth


def test_clear_themes_are_found_with_the_number_of_groups_chosen() -> None:
    notes, truth = notes_frame()
    found = discover.discover(notes, min_size=2, seed=0)
    assert found.n_groups == 3
    assert adjusted_rand_score(truth, found.groups["group"]) > 0.7
    assert found.chosen_by == "communities" and found.choice.large == 3 and found.choice.sample == 12
    assert 0.3 < found.choice.modularity < 1
    assert 0 <= found.stability <= 1


def test_the_same_seed_gives_the_same_groups_and_labels() -> None:
    notes, _ = notes_frame()
    first, second = (discover.discover(notes, min_size=2, seed=3) for _ in range(2))
    pd.testing.assert_frame_equal(first.groups, second.groups)
    assert [c.label for c in first.candidates] == [c.label for c in second.candidates]


def test_labels_are_lemmas_and_typical_answers_come_first() -> None:
    notes, _ = notes_frame()
    found = discover.discover(notes, min_size=2, seed=0)
    labels = {c.label for c in found.candidates}
    assert any("møte" in label for label in labels)  # the lemma of «møter», not a stem or the plural
    assert not any("møter" in label.split(" / ") for label in labels)
    for candidate in found.candidates:
        assert len(candidate.typical()) == min(3, candidate.size)
        assert candidate.nearest_code is None  # no codebook, no nearest code


def test_nynorsk_notes_are_labelled_by_their_lemmas() -> None:
    texts = [
        *("Leiarane må prioritere det", "Leiarane må eige saka", "Meir tid med leiarane", "Leiarane må vite"),
        *("Trekk av husleiga frå NAV", "Varsle tidleg", "Husleiga blir ikkje betalt", "Rutinar for husleiga"),
        *("Bebuarane treng fast kontakt", "Besøk bebuarane", "Bebuarane må bli høyrde", "Hjå bebuarane"),
    ]
    found = discover.discover(pd.DataFrame({"id": range(len(texts)), "text": texts}), min_size=2, seed=0)
    first_terms = {candidate.label.split(" / ")[0] for candidate in found.candidates}
    assert first_terms == {"leiar", "husleige", "bebuar"}  # not «leiarane», «husleiga», «bebuarane»


def test_every_answer_is_in_a_group_or_the_rest_and_no_group_is_below_min_size() -> None:
    notes, _ = notes_frame()
    for min_size in (2, 5):
        found = discover.discover(notes, min_size=min_size, seed=0)
        assert list(found.groups["id"]) == list(notes["id"])
        assert all(candidate.size >= min_size for candidate in found.candidates)
        grouped = {i for candidate in found.candidates for i in candidate.ids}
        assert grouped | set(found.rest) == set(notes["id"]) and not grouped & set(found.rest)


def test_too_few_answers_is_a_clear_error() -> None:
    with pytest.raises(CoderError, match="only 3 of 3 answers have words to group by") as raised:
        texts = ["Faste møter", "Husleie", "Politikere"]
        discover.discover(pd.DataFrame({"id": ["a", "b", "c"], "text": texts}), min_size=3)
    assert raised.value.key == "min_size" and "--" not in raised.value.message  # the CLI says its option


def test_a_misfit_goes_to_the_rest_and_small_groups_too() -> None:
    vectors = np.array([[1, 0], [0.99, 0.14], [0.98, 0.2], [0, 1], [0.14, 0.99], [0.2, 0.98], [0.6, 0.8]])
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.array([0, 0, 0, 1, 1, 1, 0])
    kept = discover._without_misfits(vectors, labels, min_size=3)
    assert list(kept[:6]) == [0, 0, 0, 1, 1, 1]
    assert list(discover._without_misfits(vectors, np.array([0, 0, 0, 1, 1, 2, 2]), 3)) == [
        0,
        0,
        0,
        -1,
        -1,
        -1,
        -1,
    ]


def test_the_simplified_silhouette_agrees_in_sign_with_the_full_one() -> None:
    from sklearn.metrics import silhouette_samples

    rng = np.random.default_rng(0)
    centres = np.eye(4)[:3] * 3
    vectors = np.vstack([centre + rng.normal(scale=0.8, size=(30, 4)) for centre in centres])
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.repeat([0, 1, 2], 30)
    full = silhouette_samples(vectors, labels, metric="cosine")
    simple = discover._simplified_silhouette(vectors, labels)
    assert np.mean(np.sign(full) == np.sign(simple)) > 0.9


def test_with_a_codebook_only_answers_without_a_strong_code_are_grouped() -> None:
    notes, _ = notes_frame()
    book = Codebook("t", "nb", "1", (Code("meeting_places", "Møteplasser", keywords=("møte", "møteplass")),))
    strong = pd.DataFrame({"id": ["n00", "n01", "n02"], "code": "meeting_places", "confidence": 0.9})
    weak = pd.DataFrame({"id": ["n03"], "code": ["meeting_places"], "confidence": [0.3]})
    found = discover.discover(
        notes, codebook=book, suggestions=pd.concat([strong, weak]), knowledge=book, min_size=2, seed=0
    )
    assert set(found.groups["id"]) == set(notes["id"]) - {"n00", "n01", "n02"}
    assert found.total == len(notes)
    # the resolution depends on the codebook: the groups file's provenance says which (asdict of the choice)
    assert found.choice.resolution == discover.CODEBOOK_RESOLUTION
    assert discover.discover(notes, min_size=2, seed=0).choice.resolution == discover.RESOLUTION
    assert all(candidate.nearest_code == "meeting_places" for candidate in found.candidates)
    assert all(-1 <= candidate.nearest_similarity <= 1 for candidate in found.candidates)
    described = discover.candidates_codebook({"": found}).codes[0].description
    assert re.search(r"\(likhet -?\d,\d\d\)", described)  # a decimal comma in Norwegian text (was 0.30)
    # too few left: «only 3 of 12 answers have words to group by; 9 carry a strong code» (all had words)
    strong = pd.DataFrame({"id": notes["id"][:9], "code": "meeting_places", "confidence": 0.9})
    blank = pd.DataFrame({"id": ["blank"], "text": ["..."]})
    with pytest.raises(CoderError) as caught:
        discover.discover(
            pd.concat([notes, blank]), codebook=book, suggestions=strong, knowledge=book, min_size=2
        )
    assert caught.value.message == (
        "only 3 of 13 answers are left to group: 9 carry a strong code and 1 has no words (at least 4 needed "
        "for two groups of 2)"
    )


def _planted() -> tuple[set[str], discover.Discovery]:
    answers = pd.read_csv(PLANTED, keep_default_na=False).rename(columns={"svar": "text"})
    planted = set(answers.loc[answers["plantet"] != "", "id"])
    return planted, discover.discover(
        answers[["id", "text"]], codebook=codebook_module.load(CODEBOOK), seed=0
    )


def test_the_planted_theme_comes_out_as_a_candidate_of_planted_answers() -> None:
    """The issue's target, on the example file (16 answers about staffing, a theme the codebook lacks):
    missed from the Nynorsk stop words until Louvain's resolution with a codebook was chosen on codes
    left out of the codebook (never on this file). Not asserted, as not met: that this candidate holds
    three quarters of the grouped planted answers (it holds 6 of 9; «ferie» holds the other 3)."""
    planted, found = _planted()
    assert any(set(candidate.ids[:3]) <= planted for candidate in found.candidates)
    # and that candidate is the theme, not a corner of it: the one holding the most planted answers
    most = max(found.candidates, key=lambda candidate: len(planted & set(candidate.ids)))
    assert set(most.ids[:3]) <= planted


def test_no_candidate_of_the_planted_example_copies_a_code() -> None:
    _planted_ids, found = _planted()
    assert found.candidates and not any(candidate.near_copy for candidate in found.candidates)


def test_candidates_become_a_codebook_that_validates_and_merges(tmp_path: Path) -> None:
    notes, _ = notes_frame()
    found = {"": discover.discover(notes, min_size=2, seed=0)}
    candidates = codebook_module.dump_yaml(discover.candidates_codebook(found), tmp_path / "kandidater.yaml")
    assert not [p for p in codebook_module.validate(candidates) if p.severity == "error"]
    book = codebook_module.load(candidates)
    assert all(code.id.startswith("ny_") and code.keywords and code.examples for code in book.codes)
    base = tmp_path / "base.yaml"
    shutil.copy(CODEBOOK, base)
    shutil.copy(CODEBOOK.with_name("boligsosialt-reference.csv"), tmp_path)
    (tmp_path / "ut").mkdir()  # elsewhere: the reference answers are found from there
    merged, warnings = codebook_module.merge(base, candidates, tmp_path / "ut" / "merged.yaml")
    out = codebook_module.load(merged)
    # the reference answers were coded before the candidates existed: no evidence against them, and said so
    (said,) = [str(w) for w in warnings if "reference answers: none carries" in str(w)]
    assert all(f"'{code_id}'" in said for code_id in book.code_ids)
    assert out.code_ids == [*codebook_module.load(base).code_ids, *book.code_ids]
    assert len(out.reference_answers) == len(codebook_module.load(base).reference_answers)


def test_a_candidate_term_another_code_holds_as_a_keyword_or_its_head_is_left_out_and_named() -> None:
    # changed: «bolig» was written as a keyword of a new code: merged, it was suggested for 30 housing answers
    terms = ("bolig", "ferie", "bemanning", "kommune")
    candidate = discover.Candidate("G1", "bolig / ferie", terms, ("a", "b"), ("ferie og bolig", "ferie"), 0.5)
    found = discover.Discovery((candidate,), pd.DataFrame(columns=["id", "group"]), 1, None, "given", 1.0, 2)
    housing = Code("housing", "Bolig", keywords=("omsorgsbolig", "bolig med bemanning", "kommunestyre"))
    book = Codebook("t", "nb", "1", (housing,))
    code = discover.candidates_codebook({"": found}, codebook=book).codes[0]
    # a word of a phrase and a compound's first part find other answers than the keyword: kept
    assert code.keywords == ("ferie", "bemanning", "kommune")
    assert code.description.endswith("Utelatt som nøkkelord, fordi en annen kode har dem: bolig (housing).")
    assert (
        discover.candidates_codebook({"": found}).codes[0].keywords == terms
    )  # no codebook, nothing left out
    alone = dataclasses.replace(candidate, keywords=("bolig",))
    found = dataclasses.replace(found, candidates=(alone,))
    assert (
        discover.candidates_codebook({"": found}, codebook=book)
        .codes[0]
        .description.endswith("Ingen nøkkelord igjen: skriv kodens egne.")
    )


def test_a_candidate_may_go_under_a_code_of_the_base_codebook(tmp_path: Path) -> None:
    candidates = tmp_path / "kandidater.yaml"
    candidates.write_text(
        "name: K\ncodes:\n  - id: ettervern\n    label: Ettervern\n    parent: follow_up\n", encoding="utf-8"
    )
    merged, _warnings = codebook_module.merge(CODEBOOK, candidates, tmp_path / "merged.yaml")
    assert codebook_module.load(merged).get("ettervern").parent == "follow_up"
    candidates.write_text(candidates.read_text(encoding="utf-8").replace("follow_up", "folow_up"), "utf-8")
    with pytest.raises(CoderError, match="unknown parent 'folow_up'"):  # still checked, against both
        codebook_module.merge(CODEBOOK, candidates, tmp_path / "merged2.yaml")


def test_merge_warns_of_a_misspelt_field_the_merged_codebook_leaves_out(tmp_path: Path) -> None:
    # changed: «keyword:» for «keywords:» in a candidate merged without a word, its keywords lost
    candidates = tmp_path / "kandidater.yaml"
    candidates.write_text(
        "name: K\ncodes:\n  - id: bemanning\n    label: Bemanning\n    keyword: [vikar, turnover]\n",
        encoding="utf-8",
    )
    merged, warnings = codebook_module.merge(CODEBOOK, candidates, tmp_path / "merged.yaml")
    assert str(warnings[0]) == (
        f"{candidates}:5, key 'bemanning.keyword': warning: unknown code field 'keyword' is ignored (did you "
        "mean 'keywords'?); the merged codebook leaves it out"
    )
    assert "keyword" not in merged.read_text(encoding="utf-8").split("id: bemanning")[1]


def test_merge_refuses_a_code_id_in_both_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="code id 'fragmented_responsibility' is in both"):
        codebook_module.merge(CODEBOOK, CODEBOOK, tmp_path / "merged.yaml")
    assert not (tmp_path / "merged.yaml").exists()


def test_a_project_without_codes_is_a_clear_error(tmp_path: Path) -> None:
    answers = pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"]})
    path = tmp_path / "p.db"
    store.init(path, answers, Codebook("t", "nb", "1", (Code("x", "X", keywords=("x",)),))).close()
    with pytest.raises(CoderError, match="no suggestion run and no decisions"):
        discover.project_inputs(path)


def test_hand_grouped_notes_keep_their_groups_with_diverse_last() -> None:
    notes = pd.DataFrame(
        {
            "note_id": ["1", "2", "3", "4"],
            "question": "Hva nå?",
            "note": ["a", "b", "c", "d"],
            "group": ["Diverse", "Møter", "Møter", "Ansvar"],
        }
    )
    grouped = discover.group_notes(notes)
    assert list(grouped["group"]) == ["Møter", "Møter", "Ansvar", "Diverse"]
    assert set(grouped["grouped_by"]) == {"researchers"}


def test_the_report_lists_workshop_notes_under_their_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    manifest = examples / "rissa" / "manifest.yaml"
    manifest.write_text(manifest.read_text("utf-8").replace("# lexicon:", "lexicon:"), "utf-8")
    data = survey.load(manifest)
    assert len(data.workshop) == len(pd.read_csv(WORKSHOP))
    lexicons = []  # the researchers' concepts each grouping is given
    group_notes = discover.group_notes
    monkeypatch.setattr(
        discover, "group_notes", lambda *a, **k: lexicons.append(k["lexicon"]) or group_notes(*a, **k)
    )
    result = summary.report(manifest, [examples / "rissa" / "koder.csv"], CODEBOOK, out_dir=tmp_path / "out")
    assert set(result.workshop["note_id"]) == set(data.workshop["note_id"])
    assert set(result.workshop["grouped_by"]) == {"coder discover"}
    assert "fiksern" in lexicons[-1].codes[0].keywords  # the manifest's lexicon (examples/begreper.yaml)
    inputs = [(item["role"], Path(item["file"])) for item in result.provenance["inputs"]]
    assert ("begreper", data.lexicons[0]) in inputs
    markdown = (tmp_path / "out" / "rapport.md").read_text(encoding="utf-8")
    assert "## Idédugnad i Rissa" in markdown  # whose workshop: in a report of two it read as both's
    assert "Gi gruppene navn" not in markdown  # the researcher's instructions are in the README, not here
    assert markdown.index("## Idédugnad") < markdown.index("## Om tallene")
    for note in data.workshop["note"]:
        assert f"- {summary._md(note)}" in markdown
    assert "idedugnad" in pd.ExcelFile(tmp_path / "out" / "rapport.xlsx").sheet_names
    text = manifest.read_text(encoding="utf-8").replace("# group: tema", "group: tema")
    manifest.write_text(text, encoding="utf-8")
    own = tmp_path / "mine.yaml"
    own.write_text("- concept: boligtorg\n  terms: [boligtorg]\n", encoding="utf-8")
    hand = summary.summarize(manifest, [examples / "rissa" / "koder.csv"], CODEBOOK, lexicon=own)
    assert set(hand.workshop["grouped_by"]) == {"researchers"}
    assert [code.label for code in lexicons[-1].codes] == ["boligtorg"]  # given: instead of the manifest's
    assert [i["file"] for i in hand.provenance["inputs"] if i["role"] == "begreper"] == [str(own)]
    assert "Faste møteplasser" in set(hand.workshop["group"])


def test_a_workshop_section_with_a_missing_column_is_reported(tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    manifest = examples / "rissa" / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("note: lapp", "note: tekst"), "utf-8")
    problems = [str(p) for p in survey.check(manifest)]
    assert any("idedugnad.csv" in p and "'tekst'" in p for p in problems)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_groups": 12}, "key 'n_groups': asks for 12 groups of the 12 answers with words to group by"),
        ({"n_groups": 1}, "key 'n_groups': asks for 1 groups"),
        ({"seed": -1}, "key 'seed': must be an int in the range"),
    ],
)
def test_out_of_range_options_are_one_clear_error(options: dict, message: str) -> None:
    notes, _ = notes_frame()
    assert len(notes) == 12
    with pytest.raises(CoderError) as caught:  # not scikit-learn's ValueError from deep inside
        discover.discover(notes, min_size=2, **options)
    assert str(caught.value).startswith(message)


def test_answers_without_words_go_to_the_rest_and_too_few_is_an_error() -> None:
    notes, _ = notes_frame()
    blanks = pd.DataFrame({"id": ["b1", "b2"], "text": ["", "..."]})
    found = discover.discover(pd.concat([notes, blanks], ignore_index=True), min_size=2, seed=0)
    assert {"b1", "b2"} <= set(found.rest) and found.without_words == 2  # said apart from the misfits
    with pytest.raises(CoderError, match="only 1 of 7 answers have words to group by"):
        discover.discover(pd.DataFrame({"id": list("abcdefg"), "text": ["møte", *[""] * 6]}), min_size=3)


def test_identical_answers_are_one_group() -> None:
    found = discover.discover(pd.DataFrame({"id": list("abcdef"), "text": ["Boligmangel"] * 6}), min_size=2)
    assert found.chosen_by == "identical" and found.n_groups == 1
    assert [candidate.size for candidate in found.candidates] == [6]


def test_a_question_with_too_few_notes_lists_them_together() -> None:
    notes = pd.DataFrame(
        {"note_id": ["1", "2"], "question": "Hva nå?", "note": ["Faste møter", "Mer penger"], "group": ""}
    )
    grouped = discover.group_notes(notes)
    assert list(grouped["group"]) == [discover.DIVERSE] * 2
    assert set(grouped["grouped_by"]) == {"too few"}
    assert "for få til å deles" in " ".join(
        block.text for block in summary._workshop_blocks(grouped) if isinstance(block, summary.Paragraph)
    )


def test_a_label_does_not_name_a_compound_beside_its_part() -> None:
    group = [["døgnbemanning", "døgn", "bemanning"], ["døgnbemanning", "døgn", "bemanning"], ["bemanning"]]
    frequency = Counter(term for terms in group for term in set(terms))
    assert discover._top_terms(group, frequency, 20) == ("bemanning", "døgn")


def test_a_given_number_of_groups_is_drawn_by_kmeans() -> None:
    notes, truth = notes_frame()
    found = discover.discover(notes, min_size=2, n_groups=3, seed=0)
    assert found.chosen_by == "given" and found.choice is None and found.n_groups == 3
    assert adjusted_rand_score(truth, found.groups["group"]) > 0.7


def test_many_answers_find_communities_in_a_sample_and_join_the_nearest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notes, truth = notes_frame()
    many = pd.concat([notes.assign(id=notes["id"] + f"-{copy}") for copy in range(3)], ignore_index=True)
    monkeypatch.setattr(discover, "CHOICE_SAMPLE", 15)  # 36 answers: communities among 15, the rest join
    found = discover.discover(many, min_size=2, seed=0)
    assert found.choice.sample == 15
    assert adjusted_rand_score(truth * 3, found.groups["group"]) > 0.7
    again = discover.discover(many, min_size=2, seed=0)
    pd.testing.assert_frame_equal(found.groups, again.groups)


def test_candidate_ids_never_repeat_the_codebooks() -> None:
    notes, _ = notes_frame()
    found = {"": discover.discover(notes, min_size=2, seed=0)}
    first = discover.candidates_codebook(found)
    again = discover.candidates_codebook(found, taken=first.code_ids)
    assert not set(first.code_ids) & set(again.code_ids)


def test_workshops_of_two_municipalities_with_the_same_ids_are_grouped_apart() -> None:
    texts = [text for group in NOTES.values() for text in group]
    one = pd.DataFrame(
        {"note_id": [str(i) for i in range(len(texts))], "question": "Q", "note": texts, "group": ""}
    )
    both = pd.concat([one.assign(municipality="Oppdal"), one.assign(municipality="Rissa")], ignore_index=True)
    grouped = discover.group_notes(both, min_size=2)
    assert len(grouped) == len(both)
    assert grouped.groupby("municipality")["note"].apply(sorted).map(tuple).nunique() == 1
    for _, rows in grouped.groupby("municipality"):
        assert sorted(rows["note"]) == sorted(texts)


def test_partial_hand_groups_are_kept_and_the_rest_is_diverse() -> None:
    notes = pd.DataFrame(
        {"note_id": ["1", "2", "3"], "question": "Q", "note": ["a", "b", "c"], "group": ["X", "", "X"]}
    )
    grouped = discover.group_notes(notes)
    assert list(grouped["group"]) == ["X", "X", discover.DIVERSE]


def test_a_question_with_too_few_notes_is_left_out_and_the_others_grouped() -> None:
    notes, _ = notes_frame()
    short = pd.DataFrame({"id": ["s1", "s2"], "text": ["Faste møter", "Husleie"]})
    answers = pd.concat([notes.assign(q="lang"), short.assign(q="kort")], ignore_index=True)
    found, skipped = discover.discover_each(answers, "q", min_size=2, seed=0)
    assert list(found) == ["lang"] and list(skipped) == ["kort"]
    assert "only 2 of 2 answers" in skipped["kort"].message and skipped["kort"].key == "min_size"
    # a fixed number of groups one question cannot have leaves that question out, not the others
    found, skipped = discover.discover_each(answers, "q", min_size=1, n_groups=2, seed=0)
    assert list(found) == ["lang"] and skipped["kort"].key == "n_groups"


def test_no_group_reaching_min_size_is_not_called_stable() -> None:
    notes, _ = notes_frame()
    found = discover.discover(notes, min_size=6, seed=0)  # three themes of four: no community of six
    assert found.candidates == () and found.rest == list(notes["id"])
    assert found.stability != found.stability  # NaN
    assert discover.certainty(found.stability).startswith("no group")


def test_typical_answers_are_different_answers_and_labels_skip_quantity_words() -> None:
    notes = pd.DataFrame(
        {
            "id": [str(i) for i in range(9)],
            "text": ["Mer penger"] * 3 + ["Flere folk", "Mange folk"] + ["Husleie"] * 4,
        }
    )
    found = discover.discover(notes, min_size=2, seed=0)
    for candidate in found.candidates:
        assert len(set(candidate.typical())) == len(candidate.typical())
        assert not set(candidate.keywords) & discover.LABEL_STOP_WORDS


def test_what_a_codebook_knows_is_read_once_for_equal_codebooks() -> None:
    book = Codebook("t", "nb", "1", (Code("x", "Bolig", keywords=("bolig",)),), path=Path("a.yaml"))
    first = discover.knowledge_of(book)
    assert discover.knowledge_of(dataclasses.replace(book, path=None)) is first  # where it was read: same
    changed = dataclasses.replace(book, codes=(Code("x", "Bolig", keywords=("bolig", "husleie")),))
    assert discover.knowledge_of(changed) is not first
    assert ["bolig", "husleie"] in discover.knowledge_of(changed).keyword_lists


def test_a_judgement_or_a_light_verb_is_never_a_label() -> None:
    # «Bedre» (lemma «god») is in every note of the group, yet the theme is what is to be better
    group = [["god", "samarbeid"], ["god", "samarbeid", "nav"], ["gjøre", "samarbeid", "god"]]
    frequency = Counter({"god": 6, "samarbeid": 3, "nav": 2, "gjøre": 4})
    assert discover._top_terms(group, frequency, 20) == ("samarbeid",)  # shared by two or more first


def test_a_group_whose_shared_words_say_nothing_is_labelled_by_its_own_words() -> None:
    # «få» is all the two answers share, and a quantity word is never a label: their rarer words are
    group = [["få", "bolig"], ["få", "bemanning"]]
    frequency = Counter({"få": 2, "bolig": 5, "bemanning": 1})
    assert discover._top_terms(group, frequency, 10) == ("bemanning", "bolig")
    shared = [["bolig", "ung"], ["bolig"]]  # a shared word that can be a label still comes alone
    assert discover._top_terms(shared, Counter({"bolig": 2, "ung": 1}), 10) == ("bolig",)


def test_a_lexicon_term_written_inflected_also_stands_as_the_lemmas_answers_have() -> None:
    lexicon = discover.with_lemmas(discover.concepts(), load_pipeline())
    shortage = next(code for code in lexicon.codes if code.label == "boligmangel og venteliste")
    assert {"mangel på boliger", "mangel på bolig"} <= set(shortage.keywords)
    (answer,) = preprocess(["Det er stor mangel på boliger her"], load_pipeline())
    terms = [set(token.terms) for token in answer.tokens]
    assert codebook_module.find_keyword("mangel på bolig", terms) == [(3, 6)]
    assert codebook_module.find_keyword("mangel på boliger", terms) == []  # as written, it never matched


def test_the_domain_lexicon_loads_as_valid_keywords() -> None:
    lexicon = discover.concepts()
    assert len(lexicon.codes) >= 50
    problems = [
        (code.label, word)
        for code in lexicon.codes
        for word in code.keywords
        if codebook_module.keyword_problem(word)
    ]
    assert problems == []
    politics = next(code for code in lexicon.codes if code.label == "politikk")
    assert {"ordfører", "kommunestyre", "folkevalgt"} <= set(politics.keywords)


def test_notes_naming_one_concept_in_different_words_are_near() -> None:
    # «ordfører» and «kommunestyre» share no letters and no codebook keyword; the lexicon makes them one topic
    notes = ["Ordføreren må vite om dette", "Orientere kommunestyret", "Flere hjemmebesøk hos beboerne"]
    knowledge = discover.knowledge_of(Codebook("t", "nb", "1", (Code("x", "Bolig", keywords=("bolig",)),)))
    processed = preprocess(notes, load_pipeline())

    def cosine(weights: dict[str, float]) -> tuple[float, float]:
        vectors = discover.AnswerSpace(weights=weights).fit_transform(processed, knowledge)
        return float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])

    alone, _ = cosine({"lemmas": 1.0, "chars": 0.5})
    together, apart = cosine({"lemmas": 1.0, "chars": 0.5, "concepts": 0.75})
    assert together > alone + 0.3 and together > apart + 0.3


def test_notes_naming_concepts_the_codebook_names_together_are_near() -> None:
    # politics and budget share no word; the codebook's texts name them together, home visits apart
    examples = (
        "Ordføreren styrer budsjettet",
        "Kommunestyret vedtar budsjettet",
        "Politikerne kutter midler",
    )
    book = Codebook(
        "t",
        "nb",
        "1",
        (
            Code("money", "Penger", examples=examples),
            Code("visits", "Besøk", examples=("Hjemmebesøk hos beboeren", "Boveileder kommer på besøk")),
        ),
    )
    knowledge = discover.knowledge_of(book)
    processed = preprocess(["Ordføreren må vite", "Egen budsjettpost", "Flere hjemmebesøk"], load_pipeline())

    def cosine(context: float) -> tuple[float, float]:
        space = discover.AnswerSpace(weights={"concepts": 1.0}, concept_context=context)
        vectors = space.fit_transform(processed, knowledge)
        return float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])

    alone, _ = cosine(0.0)
    together, apart = cosine(1.0)
    assert alone == pytest.approx(0.0, abs=1e-9)
    assert together > 0.3 and together > apart + 0.3


def test_notes_and_a_codebook_naming_no_concept_have_no_concept_context() -> None:
    book = Codebook("t", "nb", "1", (Code("x", "Xyz", examples=("qwerty asdf",)),))
    processed = preprocess(["zxcv qwer", "asdf zxcv"], load_pipeline())
    vectors = discover.AnswerSpace(weights={"lemmas": 1.0, "concepts": 1.0}).fit_transform(
        processed, discover.knowledge_of(book)
    )
    assert vectors.shape[0] == 2 and np.isfinite(vectors).all()
    assert discover.related_concepts(np.zeros((2, 3))).tolist() == [[0.0], [0.0]]


def test_a_researchers_lexicon_makes_local_words_one_concept(tmp_path: Path) -> None:
    # «Fiksern» (a municipality's caretaker service) and «husvert» share nothing coder knows of
    lexicon = tmp_path / "begreper.yaml"
    lexicon.write_text("- concept: driftstjeneste\n  terms: [fiksern, husvert]\n", encoding="utf-8")
    notes = ["Fiksern må komme raskere", "Husvert i hver blokk", "Flere hjemmebesøk hos beboerne"]
    book = Codebook("t", "nb", "1", (Code("x", "Bolig", keywords=("bolig",)),))
    processed = preprocess(notes, load_pipeline())
    weights = {"lemmas": 1.0, "chars": 0.5, "concepts": 0.75}

    def cosine(knowledge: discover.Knowledge) -> tuple[float, float]:
        vectors = discover.AnswerSpace(weights=weights).fit_transform(processed, knowledge)
        return float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])

    alone, _ = cosine(discover.knowledge_of(book))
    together, apart = cosine(discover.knowledge_of(book, discover.read_lexicon(lexicon)))
    assert together > alone + 0.3 and together > apart + 0.3


def test_a_researchers_concept_of_a_known_name_adds_its_terms(tmp_path: Path) -> None:
    lexicon = tmp_path / "begreper.yaml"
    lexicon.write_text("- concept: Politikk\n  terms: [gruppeleder, ordfører]\n", encoding="utf-8")
    extended = discover.extend_lexicon(discover.concepts(), discover.read_lexicon(lexicon))
    assert len(extended.codes) == len(discover.concepts().codes)
    politics = next(code for code in extended.codes if code.label == "politikk")
    assert politics.keywords[-1] == "gruppeleder" and politics.keywords.count("ordfører") == 1
    example = discover.extend_lexicon(
        discover.concepts(), discover.read_lexicon(REPO / "examples" / "begreper.yaml")
    )
    assert len(example.codes) == len(discover.concepts().codes) + 1  # two of its three concepts are coder's


def test_workshop_notes_are_grouped_with_the_researchers_lexicon() -> None:
    local = [
        "Fiksern må komme raskere",
        "Husvert i hver blokk",
        "Ring driftsoperatøren tidlig",
        "Vaktmester på dagtid",
    ]
    texts = [text for group in NOTES.values() for text in group] + local
    ids = [f"n{i}" for i in range(len(texts))]
    notes = pd.DataFrame({"note_id": ids, "question": "q", "note": texts, "group": ""})
    book = Codebook("t", "nb", "1", (Code("x", "Bolig", keywords=("bolig",)),))
    terms = ("fiksern", "husvert", "driftsoperatør", "vaktmester")
    lexicon = Codebook("mine", "nb", "1", (Code("concept_1", "drift", keywords=terms),))

    def groups_of_local_notes(lexicon: Codebook | None) -> tuple[set[str], set[str]]:
        grouped = discover.group_notes(notes, knowledge=book, lexicon=lexicon).set_index("note")["group"]
        return set(grouped[local]), set(grouped.drop(local))

    without, _ = groups_of_local_notes(None)
    assert len(without) > 1  # «Fiksern» alone is no word coder knows of
    (together,), others = groups_of_local_notes(lexicon)
    assert together not in others


def test_lexicon_coverage_counts_a_term_as_grouping_finds_it() -> None:
    terms = ("mangel på boliger", "fiksern", "ventelist*")
    lexicon = Codebook("mine", "nb", "1", (Code("concept_1", "boligmangel", keywords=terms),))
    texts = ["Det er stor mangel på boliger", "Lang venteliste", "Ventelistene vokser", "Ingen svar"]
    coverage = discover.lexicon_coverage(lexicon, texts)
    assert coverage["term"].tolist() == list(terms)
    assert coverage["answers"].tolist() == [1, 0, 2]  # the phrase by its lemmas, the prefix in both forms


def test_settings_and_columns_that_cannot_be_are_user_errors() -> None:
    notes, _ = notes_frame()
    with pytest.raises(CoderError, match="must be 1 or more, got 0") as error:
        discover.discover(notes, min_size=0)
    assert error.value.key == "min_size"
    with pytest.raises(CoderError, match="column 'text': missing column"):
        discover.discover(notes.rename(columns={"text": "lapp"}))
    with pytest.raises(CoderError, match="column 'spørsmål': missing column"):
        discover.discover_each(notes, "spørsmål")
