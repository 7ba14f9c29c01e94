"""The Compare pane's history views as data: guidance revisions and target-price paths."""

from __future__ import annotations

from snapshot_app import fixture_digests

from yanbao.tui.data.histories import chart_lines, guidance_histories, history_rows, rating_histories


def test_meta_2025_guidance_shows_every_revision_in_order() -> None:
    rows = [r for r in history_rows("guidance", guidance_histories(fixture_digests(corpus=True), {"Meta"}))
            if r.subject.endswith("2025")]
    assert [r.date for r in rows] == sorted(r.date for r in rows)
    assert [r.value for r in rows] == ["600-650 亿美元", "640-720 亿美元", "660-720 亿美元", "700-720 亿美元"]
    assert [r.move.split()[-1] for r in rows] == ["initial", "raise", "narrow↑", "narrow↑"]
    assert {r.broker for r in rows} == {"Kestrelmoor Securities", "启衡证券"}
    # the chart follows the midpoint, one line per broker
    lines = {line.broker: line.points for line in chart_lines(rows, rows[0].series)}
    assert lines["启衡证券"] == (("2025-05-26", 68e9),)
    assert [v for _, v in lines["Kestrelmoor Securities"]] == [62.5e9, 69e9, 71e9]


def test_narrowing_to_one_company_or_a_list() -> None:
    digests = fixture_digests(corpus=True)
    everyone = guidance_histories(digests)
    assert len({h.company for h in everyone}) > 1
    assert {h.company for h in guidance_histories(digests, {"微软"})} == {"Microsoft"}
    assert {h.company for h in guidance_histories(digests, {"Meta", "MSFT"})} == {"Meta", "Microsoft"}
    assert guidance_histories(digests, set()) == []


def test_tencent_target_price_path_per_broker() -> None:
    rows = history_rows("ratings", rating_histories(fixture_digests(corpus=True), {"0700.HK"}))
    assert [(r.broker, r.value, r.change) for r in rows] == [
        ("启衡证券", "650 港元", "+8.3%"), ("启衡证券", "720 港元", "+10.8%"),
    ]
    assert all(r.move.startswith("买入") for r in rows)
    (line,) = chart_lines(rows, rows[0].series)
    assert line.points == (("2025-08-15", 650.0), ("2025-11-14", 720.0))
