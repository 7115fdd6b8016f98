"""Fixtures and helpers shared by test_classify.py and test_cli_classify.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coder.codebook import Code, Codebook, ReferenceAnswer

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "codebooks" / "boligsosialt.yaml"


ANSWERS = [
    "Mangler omsorgsboliger for rusavhengige",
    "Kort vei mellom tjenestene, alle kjenner alle",
    "Ingen tar tak i helheten",
    "Har ingen fast arena for dette",
    "Startlån og bostøtte brukes aktivt",
    "For dårlig oppfølging av beboerne, mange husleierestanser",
    "Politikerne prioriterer ikke boligsosialt arbeid i budsjettet",
    "vet ikke",
    "Godt samarbeid med NAV og informasjonsflyt mellom enhetene",
    "",
]


@pytest.fixture(scope="module", name="answers")
def fixture_answers() -> pd.DataFrame:
    return pd.DataFrame({"id": [f"a{i}" for i in range(len(ANSWERS))], "text": ANSWERS})


REFERENCE = (
    ReferenceAnswer("Vi samles hver torsdag i kantina", ("meeting_places",)),
    ReferenceAnswer("Treffes hver torsdag over lunsj", ("meeting_places",)),
    ReferenceAnswer("Mangler husvære for unge", ("housing",)),
    ReferenceAnswer("Vet ikke", ()),
)


@pytest.fixture(scope="module", name="reference_book")
def fixture_reference_book() -> Codebook:
    codes = (
        Code(
            "meeting_places", "Møteplasser", keywords=("møteplass", "arena"), examples=("faste møteplasser",)
        ),
        Code("housing", "Bolig", keywords=("bolig",), examples=("for få boliger",)),
    )
    return Codebook("t", "nb", "1", codes, reference_answers=REFERENCE)


QUESTION_BOOK = Codebook(
    "t",
    "nb",
    "1",
    (
        Code("responsibility", "Ansvarsavklaring", keywords=("ansvar",)),
        Code("meetings", "Møteplasser", keywords=("møteplass",)),
    ),
)
# (question, answer): indirect answers that share no word with the codes or each other; the last answer of
# each question is the same text
QUESTION_ANSWERS = [
    ("ansvar", "ingen tar tak i helheten"),
    ("ansvar", "alle skyver saken videre"),
    ("ansvar", "uklart hvem som gjør hva"),
    ("ansvar", "det faller mellom to stoler"),
    ("ansvar", "hver etat ser bare sin del"),
    ("ansvar", "vi venter på hverandre"),
    ("moter", "vi treffes sjelden"),
    ("moter", "ingen faste samlinger"),
    ("moter", "bare når det brenner"),
    ("moter", "treffes tilfeldig i gangen"),
    ("moter", "savner en felles arena"),
    ("moter", "vi venter på hverandre"),
]
