"""图1 综合得分 and the other bar charts, drawn once with reportlab graphics (pure).

The same Drawing goes into the PDF as vectors and into the Word file as a PNG rendered by
reportlab's renderPM (the rl-renderPM accelerator, a small wheel from ReportLab), so no plotting
library is needed. Text is set in the bundled CJK font: renderPM draws TrueType glyphs itself,
so the PNG needs no system fonts either.
"""

from __future__ import annotations

from reportlab.graphics import renderPM
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from questionnaire.posters.render import FONT, ensure_font
from questionnaire.reports.model import BarChart

WIDTH, HEIGHT = 160 * mm, 72 * mm
PNG_DPI = 200


def _axis_step(maximum: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if maximum / step <= 6:
            return float(step)
    return maximum / 5


def drawing(chart: BarChart, width: float = WIDTH, height: float = HEIGHT) -> Drawing:
    ensure_font()
    d = Drawing(width, height)
    bars = VerticalBarChart()
    many = len(chart.categories) > 8
    bars.x, bars.y = 14 * mm, (20 if many else 13) * mm
    bars.width, bars.height = width - 20 * mm, height - bars.y - 12 * mm
    bars.data = [list(s.values) for s in chart.series]
    bars.categoryAxis.categoryNames = list(chart.categories)
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = 6.5 if many else 8
    if many:  # eleven county names side by side do not fit level
        bars.categoryAxis.labels.angle = 35
        bars.categoryAxis.labels.boxAnchor = "ne"
        bars.categoryAxis.labels.dy = -2
    step = _axis_step(chart.maximum)
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = max(step, -(-chart.maximum // step) * step)
    bars.valueAxis.valueStep = step
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = colors.Color(0.88, 0.88, 0.88)
    bars.groupSpacing = 6 if len(chart.series) > 1 else 10
    bars.barSpacing = 1
    for i, s in enumerate(chart.series):
        bars.bars[i].fillColor = colors.Color(*s.colour)
        bars.bars[i].strokeColor = None
    bars.barLabels.fontName = FONT
    bars.barLabels.fontSize = 6 if many else 7
    bars.barLabels.nudge = 6
    bars.barLabelArray = [list(s.labels) for s in chart.series]
    bars.barLabelFormat = "values"
    d.add(bars)
    d.add(String(6 * mm, height - 6 * mm, chart.unit, fontName=FONT, fontSize=7))
    if len(chart.series) > 1:
        legend = Legend()
        legend.x, legend.y = width - 42 * mm, height - 3 * mm
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 18 * mm
        legend.fontName, legend.fontSize = FONT, 7
        legend.colorNamePairs = [(colors.Color(*s.colour), s.name) for s in chart.series]
        d.add(legend)
    return d


def png(chart: BarChart) -> bytes:
    """The chart as a PNG for the Word file (200 dpi: sharp when printed at its 16 cm width)."""
    return renderPM.drawToString(drawing(chart), fmt="PNG", dpi=PNG_DPI)
