"""Every bundled sample parses to its hand-written expected digest (tests/fixtures/expected/).

Text is compared with the spaces beside Chinese characters ignored: where a PDF broke a line
between "BBG" and "预期" the space cannot be recovered, and it changes nothing a reader sees.
A mismatch names the field.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from yanbao.store.parser import parse_file

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = sorted((ROOT / "tests" / "fixtures" / "expected").glob("*.json"))
_CJK_SPACE = re.compile(r"\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])|(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+")


def norm(value):
    """Strip the spaces beside CJK characters, everywhere in a JSON value."""
    if isinstance(value, str):
        return _CJK_SPACE.sub("", value).strip()
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    return value


def metric_key(m: dict) -> tuple:
    return (m["company"], m["segment"], m["metric"], m["period"], m["basis"], m["value"], m["low"], m["high"], m["unit"])


def diff(expected: dict, actual: dict) -> list[str]:
    problems = []
    for field in ("title", "broker", "date", "period", "language", "rating", "analysts", "recommendation", "risks"):
        if norm(expected[field]) != norm(actual[field]):
            problems.append(f"{field}: expected {expected[field]!r}, got {actual[field]!r}")
    # A rating's sentence may be read from the sidebar or the body: both trace it.
    untexted = [[{k: v for k, v in r.items() if k != "text"} for r in d["company_ratings"]] for d in (expected, actual)]
    if untexted[0] != untexted[1]:
        problems.append(f"company_ratings: expected {untexted[0]!r}, got {untexted[1]!r}")
    for i, (e, a) in enumerate(zip(expected["key_points"], actual["key_points"])):
        if norm(e) != norm(a):
            problems.append(f"key_points[{i}]: expected {e!r}, got {a!r}")
    if len(expected["key_points"]) != len(actual["key_points"]):
        problems.append(f"key_points: expected {len(expected['key_points'])} sections, got {len(actual['key_points'])}")
    exp_co = [(c["name"], c["ticker"], c["role"]) for c in expected["companies"]]
    act_co = [(c["name"], c["ticker"], c["role"]) for c in actual["companies"]]
    if sorted(exp_co, key=str) != sorted(act_co, key=str):
        problems.append(f"companies: missing {sorted(set(exp_co) - set(act_co), key=str)}, unexpected {sorted(set(act_co) - set(exp_co), key=str)}")
    exp_m = {metric_key(m): m for m in expected["metrics"]}
    act_m = {metric_key(m): m for m in actual["metrics"]}
    for key in exp_m.keys() - act_m.keys():
        problems.append(f"metrics: missing {key}")
    for key in act_m.keys() - exp_m.keys():
        problems.append(f"metrics: unexpected {key}")
    for key in exp_m.keys() & act_m.keys():
        for field in ("consensus", "vs_consensus", "previous", "fiscal_period", "ticker", "page"):
            if exp_m[key][field] != act_m[key][field]:
                problems.append(f"metrics {key}.{field}: expected {exp_m[key][field]!r}, got {act_m[key][field]!r}")
    return problems


@pytest.mark.parametrize("expected_path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_sample_matches_expected_digest(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    source = ROOT / expected["source"]["path"]
    actual = parse_file(source).to_dict()
    assert actual["id"] == expected["id"], "id: the sample was rebuilt; its expected digest needs the new sha256"
    assert actual["source"]["pages"] == expected["source"]["pages"]
    problems = diff(expected, actual)
    assert not problems, "\n".join(problems)
