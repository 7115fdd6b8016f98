"""Direct identifiers are masked in every quote and listed answer, in every output format."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from coder import summary
from coder.privacy import mask

REPO = Path(__file__).resolve().parents[1]
PLANTED = " Kontakt Kari Nordmann, 922 33 444, kari.nordmann@rissa.kommune.no, fnr 01019012345."
RAW = ["Nordmann", "922 33 444", "kari.nordmann@", "01019012345"]
MASKS = ["[navn]", "[telefon]", "[e-post]", "[fødselsnummer]"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Ring Kari Nordmann på 922 33 444", "Ring [navn] på [telefon]"),
        ("Per Olav Hansen sa det", "[navn] sa det"),
        ("+47 92233444 eller 0047 92 23 34 44 eller 92233444", "[telefon] eller [telefon] eller [telefon]"),
        ("fnr 010190 12345 og 01019012345", "fnr [fødselsnummer] og [fødselsnummer]"),
        ("skriv til ola.nordmann@nav.no!", "skriv til [e-post]!"),
        ("Budsjett 10 000 000 kr i 2026, 20 % stilling", "Budsjett 10 000 000 kr i 2026, 20 % stilling"),
        ("Husbanken Trondheim og NAV Rissa", "Husbanken Trondheim og NAV Rissa"),  # no first name: kept
        ("Ola  Nordmann og Kari\tHansen vet", "[navn] og [navn] vet"),  # two spaces, a tab
        ("Med Kari Nordmann\nDet hjalp", "Med [navn]\nDet hjalp"),  # the next line stays
        ("Anne-Lise Berg ringte", "[navn] ringte"),  # a double first name, not «Anne-[navn]»
        ("Øyvind Hansen, Håkon Berg, Trine Moe og Kari McDonald", "[navn], [navn], [navn] og [navn]"),
        ("010190-12345", "[fødselsnummer]"),
        ("922-33-444, (+47) 922 33 444 og 22.33.44.55", "[telefon], [telefon] og [telefon]"),
        ("møte 12-03-2024 kl 10.00", "møte 12-03-2024 kl 10.00"),  # a date is no phone number
        ("500 kr per måned, PER MÅNED", "500 kr per måned, PER MÅNED"),  # words, not names
        ("Ola J. Nordmann, Kari Söderström og Kari van Dijk", "[navn], [navn] og [navn]"),
        ("ring 922 33444 eller 9223 3444", "ring [telefon] eller [telefon]"),  # as people write them
        ("budsjett 2023 2024, 5000 6000 kr", "budsjett 2023 2024, 5000 6000 kr"),  # years and sums stay
        # a first name alone names a person in a small municipality
        ("Uten Kari på servicekontoret stopper alt", "Uten [navn] på servicekontoret stopper alt"),
        ("ringer jeg Per direkte. Kari vet", "ringer jeg [navn] direkte. [navn] vet"),
        ("spør Anne-Lise (Marit vet)", "spør [navn] ([navn] vet)"),
        (
            "Karis kontor, Kontaktperson: Per\n-Kari hjalp",
            "[navn] kontor, Kontaktperson: [navn]\n-[navn] hjalp",
        ),
        ("Åse og Zoë vet", "[navn] og Zoë vet"),  # Zoë is no first name coder knows
        # ... but a name that is also a word, starting a sentence, is the word; nor is a compound a name
        (
            "Per uke. Dag for dag. Finn ut av det! Hans kontor",
            "Per uke. Dag for dag. Finn ut av det! Hans kontor",
        ),
        (
            "Endre reglene. Anna hjelp finst ikkje. Inga av tenestene tek ansvar. Lene seg på frivillige",
            "Endre reglene. Anna hjelp finst ikkje. Inga av tenestene tek ansvar. Lene seg på frivillige",
        ),
        (
            "Bo-veiledning, St. Olavs hospital og Kari-huset",
            "Bo-veiledning, St. Olavs hospital og Kari-huset",
        ),
    ],
)
def test_mask(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_names_the_caller_gives_are_masked_too() -> None:
    assert mask("Spør Sølvi om det", names=["Sølvi"]) == "Spør [navn] om det"
    # each word of a full name alone too, also at the start of a sentence, also a word («Per uke»)
    masked = mask("Hansen svarer aldri. Per sa nei, men Sølvi gjør", names=["Sølvi Hansen", "Per Moe"])
    assert masked == "[navn] svarer aldri. [navn] sa nei, men [navn] gjør"
    # but a role written as two capitalised words is no name whose words are names
    said = "Leder for tjenesten sier nei. Barnevern er viktig."
    assert mask(said, names=["Leder Barnevern"]) == said


def test_names_of_the_respondents_file_are_masked_in_the_report(tmp_path: Path) -> None:
    # a respondents file whose labels are names: «Eli» is no first name mask knows, the label says it is one
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    people = examples / "rissa" / "personer.csv"
    frame = pd.read_csv(people, dtype=str, keep_default_na=False)
    frame.loc[0, "rolle"] = "Eli Hansen"
    frame.to_csv(people, index=False)
    export = examples / "rissa" / "eksport.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    column = frame.columns[2]
    frame[column] = [text + " Eli Hansen svarer aldri." if text else text for text in frame[column]]
    frame.to_csv(export, index=False)
    codebook = REPO / "codebooks" / "boligsosialt.yaml"
    out = tmp_path / "out"
    summary.report(examples / "rissa" / "manifest.yaml", [examples / "rissa" / "koder.csv"], codebook,
                   out_dir=out, formats="md,csv")  # fmt: skip
    text = _every_output(out)
    assert "Eli Hansen" not in text and "[navn] svarer aldri" in text


def _plant(examples: Path) -> None:
    export = examples / "rissa" / "eksport.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    for column in frame.columns[2:4]:  # the strengths and the challenges
        frame[column] = [text + PLANTED if text else text for text in frame[column]]
    frame.to_csv(export, index=False)
    notes = examples / "rissa" / "idedugnad.csv"
    frame = pd.read_csv(notes, dtype=str)
    frame["lapp"] = frame["lapp"] + PLANTED
    frame.to_csv(notes, index=False)


def _every_output(directory: Path) -> str:
    texts = []
    for path in directory.rglob("*"):
        if path.suffix in {".md", ".html", ".csv", ".json"}:
            texts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts += [
                    book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml")
                ]
    return "\n".join(texts)


def test_no_output_file_of_the_report_holds_a_planted_identifier(tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    _plant(examples)
    manifest = examples / "rissa" / "manifest.yaml"
    codes = [examples / "rissa" / "koder.csv"]
    codebook = REPO / "codebooks" / "boligsosialt.yaml"
    masked = summary.report(manifest, codes, codebook, out_dir=tmp_path / "masked")
    text = _every_output(tmp_path / "masked")
    assert not [raw for raw in RAW if raw in text]
    assert all(token in text for token in MASKS)  # the planted answers were quoted, masked
    assert masked.provenance["identifiers_masked"] is True
    planted = masked.quotes[masked.quotes["question_id"].isin(["styrker", "utfordringer"])]
    assert len(planted) > 5 and planted["text"].str.contains("[telefon]", regex=False).all()

    plain = summary.report(
        manifest, codes, codebook, out_dir=tmp_path / "plain", formats="md,json", mask=False
    )
    text = _every_output(tmp_path / "plain")
    assert all(raw in text for raw in RAW)
    assert (
        json.loads((tmp_path / "plain" / "rapport.json").read_text(encoding="utf-8"))["provenance"][
            "identifiers_masked"
        ]
        is False
    )
    assert plain.provenance["identifiers_masked"] is False
