"""The report model: chapters of paragraphs, tables and bar charts, every figure already a string (pure).

Both renderers (docx_render.py, pdf_render.py) draw the same model, so the Word file the office
edits and the PDF it files say the same thing. Numbers are formatted before they get here, by
the results package's half-up display rounding (kernel/numbers.py), never by a renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from questionnaire.kernel.numbers import format_percent, percent

DRAFT_WATERMARK = "征求意见稿"


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body / note (smaller, grey) / heading2 (a numbered sub-heading)


@dataclass(frozen=True)
class Table:
    caption: str                       # "表1 综合评价表", set above the table as in the seeds
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]          # relative column widths; the renderers scale them to the page
    align: str = ""                    # one letter per column: l(eft) c(entre) r(ight); default left
    spans: tuple[tuple[int, int, int], ...] = ()  # (column, first row, last row) merged vertically
    bold_rows: frozenset[int] = frozenset()        # total rows (合计)
    note: str = ""                     # set under the table

    def column_align(self, column: int) -> str:
        return self.align[column] if column < len(self.align) else "l"


@dataclass(frozen=True)
class BarSeries:
    name: str
    values: tuple[float, ...]          # for drawing only; the labels carry the formatted figures
    labels: tuple[str, ...]
    colour: tuple[float, float, float]


@dataclass(frozen=True)
class BarChart:
    caption: str                       # "图1 综合得分", set under the chart as in the seeds
    categories: tuple[str, ...]
    series: tuple[BarSeries, ...]
    maximum: float                     # the value axis runs from 0 to here
    unit: str = "分"


Block = Paragraph | Table | BarChart


@dataclass(frozen=True)
class Chapter:
    heading: str                       # "一、评价结论"
    blocks: tuple[Block, ...]
    new_page: bool = False             # starts a new page (the first chapter follows the title)


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    meta: tuple[tuple[str, str], ...]  # (label, value) lines under the title
    chapters: tuple[Chapter, ...]
    watermark: str | None = None       # 征求意见稿 until the results of the kind are final
    filename: str = "report"           # without extension
    facts: dict = field(default_factory=dict, compare=False)  # headline figures, for tests and the job log

    def tables(self) -> list[Table]:
        return [b for c in self.chapters for b in c.blocks if isinstance(b, Table)]

    def table(self, caption_part: str) -> Table:
        return next(t for t in self.tables() if caption_part in t.caption)

    def page_starts(self) -> int:
        """Pages that begin with a chapter: the page count when no chapter runs over a page."""
        return 1 + sum(1 for c in self.chapters[1:] if c.new_page)


CHINESE_NUMERALS = "一二三四五六七八九十"
GREY = (0.72, 0.74, 0.78)
RED = (0.70, 0.11, 0.11)
BLUE = (0.16, 0.36, 0.62)


def chapter_heading(index: int, title: str) -> str:
    return f"{CHINESE_NUMERALS[index]}、{title}"


def count_text(n: int | None) -> str:
    """A count as printed in Chinese reports: thousands separated (1,074,000); — when there is none."""
    return "—" if n is None else f"{n:,}"


def completion_text(actual: int, planned: int | None) -> str:
    """The completion rate computed from the counts (never typed): 15,410 / 20,000 -> 77.05%."""
    if not planned:
        return "未设定计划"
    return format_percent(percent(actual, planned))


def share_text(n: int, total: int) -> str:
    return "—" if not total else format_percent(percent(n, total))


def number(value: str) -> float:
    """A display string back to a float for drawing a bar ("92.31" -> 92.31; "—" -> 0)."""
    try:
        return float(value.rstrip("%").replace(",", ""))
    except ValueError:
        return 0.0


def exact_number(value: str) -> Fraction:
    return Fraction(value.rstrip("%").replace(",", "")) if value not in ("", "—") else Fraction(0)


def vertical_spans(column_values: Sequence[str], column: int) -> list[tuple[int, int, int]]:
    """Runs of the same non-empty group name in a column, to merge like the seeds' 一级/二级 cells."""
    spans, start = [], 0
    for i in range(1, len(column_values) + 1):
        if i == len(column_values) or column_values[i] != column_values[start]:
            if i - 1 > start and column_values[start]:
                spans.append((column, start, i - 1))
            start = i
    return spans
