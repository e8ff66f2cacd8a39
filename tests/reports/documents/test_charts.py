"""The report charts are SVG drawn from numbers: every label is escaped (a category or village
name typed by a user cannot add an element or an attribute), and the axis counts in whole
numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reports.documents.charts import Series, axis, bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<img src="file:///etc/passwd">&"\' onload=x'


def test_labels_are_escaped_and_the_svg_is_well_formed() -> None:
    series = [Series(HOSTILE, [3, 1], "#000"), Series("上年同期", [1, 0], "#999")]
    for svg in (
        bar_chart(HOSTILE, [HOSTILE, "宝山村"], series),
        column_chart(HOSTILE, [HOSTILE, "2月"], series),
    ):
        assert "<img" not in svg
        root = ET.fromstring(svg)  # noqa: S314 - our own output; well-formed: hostile text stayed text
        tags = {element.tag.removeprefix(SVG) for element in root.iter()}
        assert tags <= {"svg", "title", "rect", "text", "line"}, tags
        texts = [element.text or "" for element in root.iter(f"{SVG}text")]
        assert any(text.startswith("<img") for text in texts)  # shown, as text
        assert all("onload" not in key for e in root.iter() for key in e.attrib)


def test_the_axis_counts_in_whole_steps() -> None:
    assert axis(0) == [0, 1]
    assert axis(3) == [0, 1, 2, 3]
    assert axis(5) == [0, 2, 4, 6]
    assert axis(1234)[-1] >= 1234
    assert all(float(t).is_integer() for t in axis(7))
