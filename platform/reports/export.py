"""Any indicator table as CSV (UTF-8 with a BOM, so Excel and WPS read the Chinese) or XLSX.

Each figure column is followed by its value a year earlier and the change in per cent, as the
page shows them. The file name is Chinese in ``filename*`` (RFC 6266 / RFC 5987) with an ASCII
fallback in ``filename`` for clients that do not read it.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font

from reports.indicators.base import IndicatorTable
from wusong.core.clock import SHANGHAI

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIOUS = "上年同期"
CHANGE = "同比（%）"


def _year_on_year_columns(table: IndicatorTable) -> list[bool]:
    """Which columns carry last year's figure (any of their cells has one)."""
    return [
        any(i < len(row) and row[i].previous is not None for row in table.rows)
        for i in range(len(table.columns))
    ]


def header(table: IndicatorTable) -> list[str]:
    names: list[str] = []
    for name, yoy in zip(table.columns, _year_on_year_columns(table), strict=True):
        names += [name, f"{name}·{PREVIOUS}", f"{name}·{CHANGE}"] if yoy else [name]
    return names


def _number(value: Any) -> Any:
    return "" if value is None else value


def values(table: IndicatorTable) -> list[list[Any]]:
    """The table's rows as plain values (numbers stay numbers), with the year-on-year columns."""
    yoy = _year_on_year_columns(table)
    found = []
    for row in table.rows:
        line: list[Any] = []
        for i, cell in enumerate(row):
            line.append(_number(cell.value))
            if i < len(yoy) and yoy[i]:
                change = cell.change
                line += [_number(cell.previous), "" if change is None else round(change, 1)]
        found.append(line)
    return found


def to_csv(table: IndicatorTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(table))
    writer.writerows(values(table))
    return out.getvalue().encode("utf-8-sig")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def to_xlsx(tables: list[IndicatorTable], about: dict[str, str]) -> bytes:
    """One sheet per table (header in bold, frozen), and one saying what they are."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    titles: set[str] = set()
    for table in tables:
        title = _SHEET_FORBIDDEN.sub("", table.title)[:28] or "指标"
        while title in titles:
            title += "′"
        titles.add(title)
        sheet = book.create_sheet(title)
        sheet.append(header(table))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in values(table):
            sheet.append(line)
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", _widths(table), strict=False):
            sheet.column_dimensions[letter].width = width
    notes = book.create_sheet("说明")
    for key, value in {**about, "导出时间": _now()}.items():
        notes.append([key, value])
    for table in tables:
        if table.note:
            notes.append([table.title, table.note])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _widths(table: IndicatorTable) -> list[int]:
    return [max(10, min(40, 2 * len(name) + 4)) for name in header(table)]


def _now() -> str:
    return datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def content_disposition(name: str, fallback: str) -> str:
    """``attachment`` with the Chinese name (RFC 6266 ``filename*``) and an ASCII fallback."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback).strip("_") or "export"
    clean = re.sub(r'[\x00-\x1f\x7f"\\/]+', "_", name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"
