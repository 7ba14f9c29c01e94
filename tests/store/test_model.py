"""The digest model: lossless to_dict/from_dict, and validation that names the bad field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from yanbao.store.model import Digest, DigestError

EXPECTED = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "expected").glob("*.json"))


@pytest.fixture(scope="module")
def sample() -> dict:
    return json.loads(EXPECTED[0].read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_round_trip_is_lossless(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert Digest.from_dict(data).to_dict() == data


def test_to_dict_has_exactly_the_schema_keys(sample: dict) -> None:
    keys = {"schema", "id", "source", "title", "broker", "date", "period", "language", "rating", "analysts",
            "key_points", "recommendation", "companies", "metrics", "risks", "company_ratings"}
    assert set(Digest.from_dict(sample).to_dict()) == keys


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.update(schema=3), "schema"),  # a schema this version does not know
        (lambda d: d.update(title=None), "digest.title"),
        (lambda d: d.update(date="5 May 2025"), "date"),
        (lambda d: d.update(period="2025Q5"), "period"),
        (lambda d: d.update(language="fr"), "digest.language"),
        (lambda d: d["source"].update(kind="docx"), "source.kind"),
        (lambda d: d["source"].update(pages=-1), "source.pages"),
        (lambda d: d["metrics"][0].update(value="33%"), "metrics[0].value"),
        (lambda d: d["metrics"][0].update(basis="rumour"), "metrics[0].basis"),
        (lambda d: d["metrics"][0].update(period="Q1"), "metrics[0].period"),
        (lambda d: d["companies"][0].update(role="favourite"), "companies[0].role"),
        (lambda d: d["key_points"][0].update(points="one"), "key_points[0].points"),
        (lambda d: d.update(risks=[1]), "risks"),
        (lambda d: d.update(analysts=[{"license": "S1"}]), "analysts[0].name"),
    ],
)
def test_validation_names_the_bad_field(sample: dict, mutate, field: str) -> None:
    broken = copy.deepcopy(sample)
    mutate(broken)
    with pytest.raises(DigestError) as err:
        Digest.from_dict(broken)
    assert str(err.value).startswith(field), str(err.value)
