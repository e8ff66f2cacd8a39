"""Charts of the report documents as inline SVG, drawn here from numbers (no library, no
network, nothing for the render's URL fetcher to fetch).

Every piece of text that reaches the SVG (labels, titles, legends: a category or village name
can be typed by a user) goes through ``_text``, which escapes it for XML, so the string can be
put into a template with ``|safe``. Numbers are formatted here, never interpolated raw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "Wusong Serif, Noto Serif CJK SC, Noto Sans CJK SC, serif"
NOW_COLOUR = "#1f3a68"  # this period: a dark official blue
THEN_COLOUR = "#a9a9a9"  # the same days a year earlier: grey
THIRD_COLOUR = "#9b2226"  # a third series (settled): a muted seal red
WIDTH = 640.0


@dataclass(frozen=True)
class Series:
    name: str  # legend, e.g. 本期 / 上年同期
    values: Sequence[float | int]
    colour: str


def _text(value: object) -> str:
    """Text for an SVG element or attribute: escaped (&, <, >, quotes), one line, bounded."""
    line = " ".join(str(value).split())
    return escape(line[:40], quote=True)


def _short(label: str, most: int = 9) -> str:
    """A group's label as the bar chart's margin holds it (about nine characters)."""
    return label if len(label) <= most else label[: most - 1] + "…"


def _number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}"


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def axis(maximum: float, ticks: int = 4) -> list[float]:
    """The axis' ticks from 0: a step of 1, 2 or 5 × a power of ten (whole numbers: counts are
    never drawn at 0.5), at most ``ticks`` steps, the last at or above ``maximum``."""
    rough = max(maximum, 1.0) / ticks
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    step = max(step, 1.0)
    count = max(1, math.ceil(maximum / step))
    return [step * i for i in range(count + 1)]


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts, x = [], 0.0
    for one in series:
        parts.append(
            f'<rect x="{_coordinate(x)}" y="{_coordinate(y - 9)}" width="12" height="10"'
            f' fill="{one.colour}"/>'
        )
        parts.append(
            f'<text x="{_coordinate(x + 16)}" y="{_coordinate(y)}" font-size="11">'
            f"{_text(one.name)}</text>"
        )
        x += 16 + 13 * len(one.name) + 22
    return parts


def _svg(height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img"'
        f' width="{_coordinate(WIDTH)}" height="{_coordinate(height)}"'
        f' viewBox="0 0 {_coordinate(WIDTH)} {_coordinate(height)}"'
        f' font-family="{FONT}" fill="#000">'
        f"<title>{_text(title)}</title>" + "".join(body) + "</svg>"
    )


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], unit: str = "") -> str:
    """Horizontal grouped bars: one group per label (a category, a village), one bar per
    series (this period, last year), each with its value at its end."""
    label_width, right = 118.0, 56.0
    bar, gap = 11.0, 9.0
    group = bar * len(series) + gap
    top = 24.0
    plot = WIDTH - label_width - right
    height = top + group * max(len(labels), 1) + 30
    ticks = axis(max([float(v) for s in series for v in s.values] + [0.0]))
    end = ticks[-1]
    body = _legend(series, 12)
    for value in ticks:
        x = label_width + plot * value / end
        body.append(
            f'<line x1="{_coordinate(x)}" y1="{_coordinate(top - 4)}" x2="{_coordinate(x)}"'
            f' y2="{_coordinate(height - 24)}" stroke="#d0d0d0" stroke-width="0.6"/>'
        )
        body.append(
            f'<text x="{_coordinate(x)}" y="{_coordinate(height - 10)}" font-size="10"'
            f' text-anchor="middle">{_text(_number(value))}</text>'
        )
    for index, label in enumerate(labels):
        y0 = top + index * group
        body.append(
            f'<text x="{_coordinate(label_width - 6)}"'
            f' y="{_coordinate(y0 + bar * len(series) / 2 + 4)}" font-size="11"'
            f' text-anchor="end">{_text(_short(label))}</text>'
        )
        for number, one in enumerate(series):
            value = float(one.values[index])
            width = plot * value / end
            y = y0 + number * bar
            body.append(
                f'<rect x="{_coordinate(label_width)}" y="{_coordinate(y)}"'
                f' width="{_coordinate(width)}" height="{_coordinate(bar - 1.5)}"'
                f' fill="{one.colour}"/>'
            )
            body.append(
                f'<text x="{_coordinate(label_width + width + 3)}"'
                f' y="{_coordinate(y + bar - 3)}" font-size="9">'
                f"{_text(_number(one.values[index]) + unit)}</text>"
            )
    body.append(
        f'<line x1="{_coordinate(label_width)}" y1="{_coordinate(top - 4)}"'
        f' x2="{_coordinate(label_width)}" y2="{_coordinate(height - 24)}" stroke="#000"'
        ' stroke-width="0.8"/>'
    )
    return _svg(height, title, body)


def column_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """Vertical grouped columns by month: one group per label, one column per series."""
    left, bottom, top = 40.0, 34.0, 26.0
    height = 230.0
    plot_w, plot_h = WIDTH - left - 8, height - top - bottom
    count = max(len(labels), 1)
    slot = plot_w / count
    bar = min(14.0, slot * 0.8 / max(len(series), 1))
    ticks = axis(max([float(v) for s in series for v in s.values] + [0.0]))
    end = ticks[-1]
    body = _legend(series, 12)
    for value in ticks:
        y = top + plot_h - plot_h * value / end
        body.append(
            f'<line x1="{_coordinate(left)}" y1="{_coordinate(y)}" x2="{_coordinate(WIDTH - 8)}"'
            f' y2="{_coordinate(y)}" stroke="#d0d0d0" stroke-width="0.6"/>'
        )
        body.append(
            f'<text x="{_coordinate(left - 4)}" y="{_coordinate(y + 3.5)}" font-size="10"'
            f' text-anchor="end">{_text(_number(value))}</text>'
        )
    for index, label in enumerate(labels):
        x0 = left + slot * index + (slot - bar * len(series)) / 2
        for number, one in enumerate(series):
            value = float(one.values[index])
            h = plot_h * value / end
            body.append(
                f'<rect x="{_coordinate(x0 + number * bar)}" y="{_coordinate(top + plot_h - h)}"'
                f' width="{_coordinate(bar - 1)}" height="{_coordinate(h)}" fill="{one.colour}"/>'
            )
        body.append(
            f'<text x="{_coordinate(left + slot * index + slot / 2)}"'
            f' y="{_coordinate(top + plot_h + 14)}" font-size="10" text-anchor="middle">'
            f"{_text(label)}</text>"
        )
    body.append(
        f'<line x1="{_coordinate(left)}" y1="{_coordinate(top + plot_h)}"'
        f' x2="{_coordinate(WIDTH - 8)}" y2="{_coordinate(top + plot_h)}" stroke="#000"'
        ' stroke-width="0.8"/>'
    )
    return _svg(height, title, body)
