"""Fixtures and helpers shared by test_summary.py and test_cli_summary.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from coder import summary

REPO = Path(__file__).resolve().parents[2]


OPPDAL = REPO / "examples" / "oppdal" / "manifest.yaml"


BOTH = REPO / "examples" / "oppdal-rissa.yaml"


OPPDAL_CODES = REPO / "examples" / "oppdal" / "koder.csv"


RISSA_CODES = REPO / "examples" / "rissa" / "koder.csv"


CODEBOOK = REPO / "codebooks" / "boligsosialt.yaml"


@pytest.fixture(scope="module", name="codes")
def fixture_codes() -> pd.DataFrame:
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in (OPPDAL_CODES, RISSA_CODES)]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module", name="out")
def fixture_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("summary")


@pytest.fixture(scope="module", name="codebook")
def fixture_codebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the default codebook: the shared tree may change it while the tests run."""
    path = tmp_path_factory.mktemp("codebook") / "boligsosialt.yaml"
    path.write_bytes(CODEBOOK.read_bytes())
    reference = CODEBOOK.with_name("boligsosialt-reference.csv")
    path.with_name(reference.name).write_bytes(reference.read_bytes())
    return path


@pytest.fixture(scope="module", name="result")
def fixture_result(out: Path, codebook: Path) -> summary.SummaryReport:
    """The human-coded examples, both municipalities, every format."""
    return summary.report(BOTH, [OPPDAL_CODES, RISSA_CODES], codebook, out_dir=out / "a")


@pytest.fixture(scope="module", name="suggestions")
def fixture_suggestions(tmp_path_factory: pytest.TempPathFactory, codes: pd.DataFrame) -> Path:
    """A suggestion file (id,code,confidence,evidence) made from the reference codes, with a confidence
    from a hash, and, like suggest's output, without the answers that carry no code."""
    real = codes[codes["code"] != ""].copy()
    real["confidence"] = [
        0.5 + int(hashlib.sha256(f"{i}{c}".encode()).hexdigest()[:6], 16) % 500 / 1000
        for i, c in zip(real["id"], real["code"], strict=True)
    ]
    real["evidence"] = "keywords: test"
    path = tmp_path_factory.mktemp("suggestions") / "suggestions.csv"
    real.to_csv(path, index=False)
    return path
