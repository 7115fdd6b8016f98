"""Theme counts linked to network positions, and the tests with their warnings."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats
from support.link import (
    OPPDAL,
    OPPDAL_CODES,
    REPO,
    RISSA_CODES,
    fixture_codes,  # noqa: F401
    fixture_oppdal,  # noqa: F401
    fixture_result,  # noqa: F401
)

from coder import link, network, survey
from coder.codebook import load as load_codebook
from coder.errors import CoderError

BOTH = REPO / "examples" / "oppdal-rissa.yaml"


def test_theme_counts_are_respondents_mentioning_out_of_coded_answers(
    result: link.LinkResult, codes: pd.DataFrame, oppdal: survey.Survey
) -> None:
    themes = result.themes.set_index(["question_id", "code"])
    for (question, code), row in themes.iterrows():
        ids = codes.loc[(codes["code"] == code) & codes["id"].str.endswith(f":{question}"), "id"]
        assert row["mentions"] == ids.str.split(":").str[0].nunique()
        answered = oppdal.answers[oppdal.answers["question_id"] == question]
        assert row["answers"] == len(answered)  # every example answer is coded, some with no code
        assert row["share"] == pytest.approx(row["mentions"] / row["answers"])
    # O07's strength is coded with no code: it counts as an answer, not as a mention
    assert themes.loc[("styrker", "local_knowledge"), "answers"] == 19


def test_themes_follow_the_manifest_question_order(result: link.LinkResult, oppdal: survey.Survey) -> None:
    order = list(dict.fromkeys(result.themes["question_id"]))
    assert order == [q for q in oppdal.questions["question_id"] if q in order]
    first = result.themes[result.themes["question_id"] == "utfordringer"]
    assert first.iloc[0]["code"] == "adapted_housing"  # most mentioned first


def test_counts_split_each_question_by_position(result: link.LinkResult) -> None:
    themes = result.themes.set_index(["question_id", "code"])
    counts = result.counts
    for variable in ("broker", "isolate", "political_contact", "centrality"):
        part = counts[counts["variable"] == variable].groupby(["question_id", "code"])[["n", "k"]].sum()
        assert (part["n"] == themes.loc[part.index, "answers"]).all(), variable
        assert (part["k"] == themes.loc[part.index, "mentions"]).all(), variable
    # the community test leaves the isolates out: each would be a community of one
    isolates = counts[(counts["variable"] == "isolate") & (counts["category"] == "yes")]
    isolates = isolates.set_index(["question_id", "code"])
    community = counts[counts["variable"] == "community"].groupby(["question_id", "code"])[["n", "k"]].sum()
    assert (isolates.loc[community.index, "n"] > 0).any()
    assert (
        community["n"] == themes.loc[community.index, "answers"] - isolates.loc[community.index, "n"]
    ).all()
    assert (
        community["k"] == themes.loc[community.index, "mentions"] - isolates.loc[community.index, "k"]
    ).all()
    functions = counts[(counts["variable"] == "function") & (counts["question_id"] == "styrker")]
    assert set(functions["category"]) == set(survey.load(OPPDAL).functions["function"])


def test_function_counts_match_a_direct_count(result: link.LinkResult, oppdal: survey.Survey) -> None:
    people = oppdal.respondents.set_index("respondent_id")
    answered = oppdal.answers.loc[oppdal.answers["question_id"] == "styrker", "respondent_id"]
    holders = [r for r in answered if "Øk. virkemidler" in people.loc[r, "functions"]]
    row = result.counts[
        (result.counts["question_id"] == "styrker")
        & (result.counts["code"] == "financial_instruments")
        & (result.counts["category"] == "Øk. virkemidler")
    ].iloc[0]
    assert row["n"] == len(holders)


def test_tests_are_fisher_for_two_by_two_and_chi_square_otherwise(result: link.LinkResult) -> None:
    tests = result.tests
    assert set(
        tests.loc[tests["variable"].isin(["broker", "isolate", "political_contact", "function"]), "test"]
    ) <= {
        "fisher",
        "",
    }
    assert set(tests.loc[tests["variable"].isin(["community", "centrality"]), "test"]) <= {
        "chi2",
        "fisher",
        "",
    }
    assert (tests["test"] == "chi2").any() and (tests["test"] == "fisher").any()
    valid = tests.dropna(subset=["p_value"])
    assert ((valid["p_value"] >= 0) & (valid["p_value"] <= 1)).all()
    assert (valid["q_value"] >= valid["p_value"] - 1e-12).all()


def test_small_cells_get_a_plain_warning(result: link.LinkResult) -> None:
    assert not result.tests["warning"].str.contains("compares municipalities", regex=False).any()  # one
    tests = result.tests
    chi2 = tests[tests["test"] == "chi2"]
    assert (chi2.loc[chi2["min_expected"] < 5, "warning"].str.contains("unreliable")).all()
    fisher = tests[tests["test"] == "fisher"]
    assert fisher["warning"].str.contains("too few to support a conclusion").any()
    nothing = tests[tests["test"] == ""]
    assert (nothing["warning"] != "").all()


def test_fisher_p_value_is_scipys_on_the_same_table() -> None:
    table = pd.DataFrame([[10, 2], [3, 9]], index=["no", "yes"], columns=[False, True])
    row = link._test(table)
    odds, p = stats.fisher_exact([[10, 2], [3, 9]])
    assert (
        row["test"] == "fisher"
        and row["p_value"] == pytest.approx(p)
        and row["statistic"] == pytest.approx(odds)
    )
    assert row["warning"] == ""
    small = link._test(pd.DataFrame([[3, 1], [1, 3]], index=["no", "yes"], columns=[False, True]))
    assert "too few" in small["warning"]


def test_chi_square_with_large_counts_has_no_warning() -> None:
    table = pd.DataFrame([[20, 10], [15, 15], [10, 20]], index=["a", "b", "c"], columns=[False, True])
    row = link._test(table)
    chi2, p, _, _ = stats.chi2_contingency(table.to_numpy(), correction=False)
    assert row["test"] == "chi2" and row["p_value"] == pytest.approx(p) and row["warning"] == ""


def test_no_variation_means_no_test() -> None:
    row = link._test(pd.DataFrame([[0, 5], [0, 4]], index=["no", "yes"], columns=[False, True]))
    assert row["test"] == "" and "nothing to compare" in row["warning"]


def test_terciles_split_people_in_three(oppdal: survey.Survey) -> None:
    positions = network.positions(oppdal, "monthly")
    terciles = link.centrality_terciles(positions)
    assert terciles.value_counts().to_dict() == {"low": 10, "middle": 10, "high": 9}
    assert (
        positions.loc[terciles == "high", "degree"].min() >= positions.loc[terciles == "low", "degree"].max()
    )


def test_people_in_one_position_share_a_tercile_whatever_their_ids(oppdal: survey.Survey) -> None:
    positions = network.positions(oppdal, "weekly")
    terciles = link.centrality_terciles(positions)
    by_position = terciles.groupby([positions["degree"], positions["betweenness"].round(9)]).nunique()
    assert (by_position == 1).all() and by_position.size < len(positions)  # ties exist, and are not split
    renamed = positions.assign(person=positions["person"][::-1].to_numpy())
    assert link.centrality_terciles(renamed).equals(terciles)
    # a municipality without ties at the level: no rank to give, so no tercile (not "middle")
    assert set(link.centrality_terciles(positions.assign(degree=0, betweenness=0.0))) == {""}
    daily = network.positions(oppdal, "daily")  # most have no daily contact: they are low, not middle
    lowest = daily["degree"] == daily["degree"].min()
    assert lowest.mean() > 0.5 and set(link.centrality_terciles(daily)[lowest]) == {"low"}


def test_several_municipalities_add_a_municipality_comparison() -> None:
    both = link.link(BOTH, [OPPDAL_CODES, RISSA_CODES])
    municipality = both.tests[both.tests["variable"] == "municipality"]
    assert len(municipality) == len(both.themes)
    communities = both.counts.loc[both.counts["variable"] == "community", "category"]
    assert communities.str.startswith(("Oppdal ", "Rissa ")).all()
    # changed: the weekly brokers are all in Rissa, so «brokers name coordination» (p 0.033) was a
    # difference between municipalities as much as between positions, without a word
    tests = both.tests.set_index(["question_id", "code", "variable"])
    broker_test = tests.loc[("styrker", "coordination", "broker"), "warning"]
    assert "everyone with the position is in Rissa: the test compares municipalities too" in broker_test
    community = tests.xs("community", level="variable")
    assert community.loc[community["p_value"].notna(), "warning"].str.contains("each community lies").all()
    positions = network.positions(survey.load(BOTH), "weekly")
    brokers = positions.loc[positions["broker"], "municipality"]
    assert set(brokers) == {"Rissa"}
    municipalities_too = both.tests["warning"].str.contains("compares municipalities", regex=False)
    assert not municipalities_too[both.tests["variable"] == "municipality"].any()


def test_unknown_coded_id_is_a_user_error(oppdal: survey.Survey) -> None:
    codes = pd.DataFrame({"id": ["O01:styrker", "O99:styrker"], "code": ["anchoring", "anchoring"]})
    with pytest.raises(CoderError, match="'O99:styrker'") as error:
        link.link(oppdal, codes)
    assert (error.value.row, error.value.column) == (3, "id")


def test_unknown_id_in_a_codes_file_names_the_file_row_and_column(
    oppdal: survey.Survey, tmp_path: Path
) -> None:
    codes = tmp_path / "koder.csv"
    codes.write_text("id,code\nO01:styrker,anchoring\nO99:styrker,anchoring\n", encoding="utf-8")
    with pytest.raises(
        CoderError, match="'O99:styrker' is the answer of no respondent in this survey"
    ) as error:
        link.link(oppdal, [OPPDAL_CODES, codes])
    assert (error.value.file, error.value.row, error.value.column) == (str(codes), 3, "id")


def test_a_code_not_in_the_codebook_names_the_file_row_and_column(
    oppdal: survey.Survey, tmp_path: Path
) -> None:
    codes = tmp_path / "koder.csv"
    codes.write_text("id,code\nO01:styrker,anchoring\nO02:styrker,anchorig\n", encoding="utf-8")
    with pytest.raises(CoderError, match="code 'anchorig' is not in the codebook") as error:
        link.link(oppdal, codes)
    assert (error.value.file, error.value.row, error.value.column) == (str(codes), 3, "code")
    wide = tmp_path / "wide.csv"
    wide.write_text("id,codes\nO01:styrker,anchoring;typo\n", encoding="utf-8")
    with pytest.raises(CoderError, match="code 'typo'") as error:
        link.link(oppdal, wide)
    assert (error.value.file, error.value.row, error.value.column) == (str(wide), 2, "codes")


def test_a_codes_file_is_read_once(
    oppdal: survey.Survey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coder import io, reliability

    codes = tmp_path / "forslag.csv"
    codes.write_text("id,code,confidence,evidence\nO01:styrker,anchoring,0.8,x\n", encoding="utf-8")
    reads = []

    def counted(path, *args, **kwargs):
        reads.append(Path(path))
        return io.read_table(path, *args, **kwargs)

    monkeypatch.setattr(link, "read_table", counted)
    monkeypatch.setattr(reliability, "read_table", lambda *a, **k: pytest.fail("read again by reliability"))
    table, paths, machine = link.load_codes(codes, list(oppdal.answers["id"]), link.codebook_mod.load())
    assert reads == [codes] and paths == [codes] and machine
    assert table.values.tolist() == [["O01:styrker", "anchoring", 0.8]]


def test_codes_are_checked_against_the_codebook_given(oppdal: survey.Survey, tmp_path: Path) -> None:
    book = tmp_path / "bok.yaml"
    book.write_text(
        "name: Liten\nlanguage: nb\nversion: '1'\ncodes:\n  - id: bolig\n    label: Bolig\n"
        "    description: Boliger og boligmasse.\n    keywords: [bolig]\n",
        encoding="utf-8",
    )
    codes = pd.DataFrame({"id": ["O01:styrker", "O02:styrker"], "code": ["bolig", ""]})
    result = link.link(oppdal, codes, codebook=book)
    assert result.themes[["code", "answers", "mentions"]].values.tolist() == [["bolig", 2, 1]]
    assert result.provenance["codebook"]["name"] == "Liten"
    with pytest.raises(CoderError, match=r"row 2, column 'code': code '\w+' is not in the codebook 'Liten'"):
        link.link(oppdal, OPPDAL_CODES, codebook=book)


def test_uncoded_answers_are_left_out_and_counted(oppdal: survey.Survey) -> None:
    codes = pd.DataFrame(
        {"id": ["O01:styrker", "O02:styrker", "O03:styrker"], "code": ["anchoring", "", "anchoring"]}
    )
    partial = link.link(oppdal, codes)
    assert partial.themes.to_dict("records") == [
        {
            "question_id": "styrker",
            "code": "anchoring",
            "answers": 3,
            "mentions": 2,
            "share": pytest.approx(2 / 3),
        }
    ]
    assert partial.provenance["uncoded_answers"] == len(oppdal.answers) - 3
    assert partial.provenance["all_coded"] is False


def test_all_coded_counts_answers_missing_from_the_codes_as_coded_without_code(oppdal: survey.Survey) -> None:
    codes = pd.DataFrame({"id": ["O01:styrker", "O03:styrker"], "code": ["anchoring", "anchoring"]})
    result = link.link(oppdal, codes, all_coded=True)
    row = result.themes.iloc[0]
    assert (row["answers"], row["mentions"]) == (19, 2)
    assert result.provenance["uncoded_answers"] == 0


def test_suggestions_count_every_answer_as_coded_by_default(oppdal: survey.Survey) -> None:
    # A suggestion file lists only the answers that got a code; it was made for every answer.
    suggestions = pd.DataFrame(
        {"id": ["O01:styrker", "O03:styrker"], "code": ["anchoring", "anchoring"], "confidence": [0.9, 0.8]}
    )
    with pytest.warns(link.CodesWarning, match="no answer of questions 'utfordringer', 'samordning'"):
        result = link.link(oppdal, suggestions)  # (the other questions have no suggestion)
    row = result.themes.iloc[0]
    assert (row["answers"], row["mentions"]) == (19, 2)
    assert result.provenance["all_coded"] is True and result.provenance["uncoded_answers"] == 0
    assert "machine suggestions" in result.provenance["base"]
    # --coded-only: only the answers in the suggestions
    strict = link.link(oppdal, suggestions, all_coded=False)
    assert strict.themes.iloc[0]["answers"] == 2
    assert strict.provenance["uncoded_answers"] == len(oppdal.answers) - 2


def test_coded_answers_decides_the_base(oppdal: survey.Survey) -> None:
    answers = oppdal.answers
    human = pd.DataFrame({"id": ["O01:styrker", "O02:styrker"], "code": ["anchoring", ""]})
    base = link.coded_answers(answers, human)
    assert list(base.answers["id"]) == ["O01:styrker", "O02:styrker"]
    assert (base.all_coded, base.machine, base.uncoded) == (False, False, len(answers) - 2)
    assert "are left out as not coded yet" in base.base
    machine = human.assign(confidence=[0.9, float("nan")])
    with pytest.warns(link.CodesWarning):  # suggestions for one question only
        base = link.coded_answers(answers, machine)
    assert base.answers is answers and (base.all_coded, base.machine, base.uncoded) == (True, True, 0)
    forced = link.coded_answers(answers, human, all_coded=True)
    assert len(forced.answers) == len(answers) and "(as asked)" in forced.base
    assert len(link.coded_answers(answers, machine, all_coded=False).answers) == 2


def test_an_unknown_id_says_whether_its_question_or_its_answer_is_missing(oppdal: survey.Survey) -> None:
    # O06 is a respondent of the network with no open answer; 'spørsmål' is no question; 'O01:styrker' is
    # fine; a bare id has no question part
    codes = pd.DataFrame(
        {
            "id": ["O01:styrker", "O06:styrker", "O01:spørsmål", "O02:spørsmål", "O01", "O06:styrker"],
            "code": ["anchoring"] * 6,
        }
    )
    assert "O06" in set(oppdal.respondents["respondent_id"]) and "O06" not in set(
        oppdal.answers["respondent_id"]
    )
    with pytest.raises(CoderError) as error:
        link.link(oppdal, codes)
    questions = ", ".join(oppdal.questions["question_id"])
    assert error.value.message == (
        "'O06:styrker' is an answer this survey does not have (left empty, or the person did not respond); "
        f"2 ids are answers to no question of this survey (its questions: {questions}): 'O01:spørsmål', "
        "'O02:spørsmål'; 'O01' is not of the form respondent_id:question_id"
    )
    assert (error.value.row, error.value.column) == (3, "id")


def test_a_codes_dataframe_with_a_missing_id_is_an_error_at_its_row(oppdal: survey.Survey) -> None:
    codes = pd.DataFrame({"id": ["O01:styrker", None], "code": ["follow_up", "anchoring"]})
    with pytest.raises(CoderError, match="row 3, column 'id'"):
        link.link(oppdal, codes)


def test_suggestions_missing_a_municipality_warn_that_its_answers_count_as_uncoded_themes(
    codes: pd.DataFrame,
) -> None:
    suggested = codes[codes["code"] != ""].assign(
        confidence=0.9
    )  # Oppdal's only, linked with Rissa's answers
    with pytest.warns(link.CodesWarning, match=r"municipality 'Rissa' .* 62 answers count as coded"):
        both = link.link(BOTH, suggested)
    assert both.provenance["all_coded"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", link.CodesWarning)  # both municipalities' codes: nothing to say
        link.link(BOTH, [OPPDAL_CODES, RISSA_CODES])
        few = suggested[~suggested["id"].str.endswith(":motepunkter")]  # a question of few answers
        assert (
            survey.load(OPPDAL).answers["question_id"].eq("motepunkter").sum() < link.MIN_UNSUGGESTED_QUESTION
        )
        link.link(OPPDAL, few)  # none of its answers suggested: no alarm


def test_an_empty_base_warns(oppdal: survey.Survey) -> None:
    with pytest.warns(link.CodesWarning, match="no answer counts as coded") as record:
        result = link.link(oppdal, pd.DataFrame({"id": [], "code": []}))
    assert result.themes.empty
    assert sum(issubclass(w.category, link.CodesWarning) for w in record) == 1  # once, not once per step


def test_a_hand_code_stands_over_a_suggestion_of_the_same_answer(
    tmp_path: Path, oppdal: survey.Survey
) -> None:
    by_hand = tmp_path / "koder.csv"
    by_hand.write_text("id,code\nO01:styrker,\nO02:styrker,local_knowledge\n", encoding="utf-8")
    suggested = tmp_path / "forslag.csv"
    suggested.write_text(
        "id,code,confidence,evidence\nO01:styrker,local_knowledge,0.95,x\nO03:styrker,local_knowledge,0.9,x\n",
        encoding="utf-8",
    )
    table, _, machine = link.load_codes([by_hand, suggested], oppdal.answers["id"].tolist(), load_codebook())
    assert machine
    # O01 was coded with no theme by hand: the suggestion does not undo it; O03 only has the suggestion
    assert table[["id", "code"]].values.tolist() == [
        ["O01:styrker", ""], ["O02:styrker", "local_knowledge"], ["O03:styrker", "local_knowledge"]
    ]  # fmt: skip


def test_suggestions_that_are_all_a_coders_codes_are_a_codes_file(
    tmp_path: Path, oppdal: survey.Survey
) -> None:
    # `coder suggest --labels` on answers all coded by hand keeps every code: the report said «maskinforslag»
    path = tmp_path / "forslag.csv"
    path.write_text(
        "id,code,confidence,evidence\nO01:styrker,local_knowledge,1.0,coded by hand\n"
        "O02:styrker,,1.0,coded by hand\n",
        encoding="utf-8",
    )
    table, _, machine = link.load_codes([path], oppdal.answers["id"].tolist(), load_codebook())
    assert not machine and "confidence" not in table.columns
    base = link.coded_answers(oppdal.answers, table)
    assert len(base.answers) == 2 and not base.machine
    with path.open("a", encoding="utf-8") as handle:
        handle.write("O03:styrker,local_knowledge,0.9,keywords: lokal\n")
    assert link.load_codes([path], oppdal.answers["id"].tolist(), load_codebook())[2]


def test_isolates_and_unranked_people_are_left_out_of_community_and_centrality(
    oppdal: survey.Survey, codes: pd.DataFrame
) -> None:
    positions = network.positions(oppdal, "weekly")
    flat = positions.assign(degree=0, betweenness=0.0)  # as a municipality without ties at the level
    result = link.crosstab(codes, flat, oppdal.answers)
    assert not (result.counts["variable"] == "centrality").any()
    centrality = result.tests[result.tests["variable"] == "centrality"]
    assert (
        centrality["p_value"].isna().all()
        and (centrality["warning"] == "no group answered: nothing to compare").all()
    )
    isolated = set(positions.loc[positions["isolate"], "person"])
    assert isolated  # the example has isolates at weekly contact
    communities = link.link(oppdal, codes).counts.query("variable == 'community'")["category"]
    assert not set(positions.loc[positions["isolate"], "community"]) & set(communities)


def test_an_id_that_differs_only_in_case_or_letter_form_is_named_so(oppdal: survey.Survey) -> None:
    codes = pd.DataFrame({"id": ["o01:styrker", "O02:styrker"], "code": ["anchoring", "anchoring"]})
    with pytest.raises(CoderError, match="'o01:styrker' differs from the answer 'O01:styrker' only in case"):
        link.link(oppdal, codes)
