"""Fixtures and helpers shared by test_link.py and test_cli_link.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coder import link, survey

REPO = Path(__file__).resolve().parents[2]


OPPDAL = REPO / "examples" / "oppdal" / "manifest.yaml"


OPPDAL_CODES = REPO / "examples" / "oppdal" / "koder.csv"


RISSA_CODES = REPO / "examples" / "rissa" / "koder.csv"


@pytest.fixture(scope="module", name="oppdal")
def fixture_oppdal() -> survey.Survey:
    return survey.load(OPPDAL)


@pytest.fixture(scope="module", name="result")
def fixture_result(oppdal: survey.Survey) -> link.LinkResult:
    return link.link(oppdal, OPPDAL_CODES)


@pytest.fixture(scope="module", name="codes")
def fixture_codes() -> pd.DataFrame:
    return pd.read_csv(OPPDAL_CODES, dtype=str, keep_default_na=False)
