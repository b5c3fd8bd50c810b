"""The report as an A4 PDF (reportlab platypus), text in the bundled CJK font embedded as a subset (pure).

Tables repeat their header row on every page they run over and wrap Chinese text by character
(`wordWrap="CJK"`); charts are drawn as vectors. Until the results are final every page carries
a diagonal 征求意见稿 watermark and says so in its header.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

from questionnaire.posters.render import FONT, ensure_font
from questionnaire.reports import chart
from questionnaire.reports.model import BarChart, Paragraph, Report, Table

MARGIN = 17 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
HEADER_FILL = colors.Color(0.90, 0.92, 0.95)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER,
                                firstLineIndent=0, spaceBefore=30, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=18, alignment=TA_CENTER,
                                   firstLineIndent=0, spaceAfter=14),
        "heading1": ParagraphStyle("heading1", parent=base, fontSize=14, leading=20, firstLineIndent=0,
                                   spaceBefore=10, spaceAfter=6),
        "heading2": ParagraphStyle("heading2", parent=base, fontSize=11.5, leading=17, firstLineIndent=0),
        "body": base,
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, firstLineIndent=0,
                               textColor=colors.Color(0.35, 0.35, 0.35)),
        "caption": ParagraphStyle("caption", parent=base, fontSize=10, leading=14, alignment=TA_CENTER,
                                  firstLineIndent=0, spaceBefore=4, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5, firstLineIndent=0),
        "cell_r": ParagraphStyle("cell_r", parent=base, fontSize=8, leading=10.5, firstLineIndent=0,
                                 alignment=TA_RIGHT),
        "cell_c": ParagraphStyle("cell_c", parent=base, fontSize=8, leading=10.5, firstLineIndent=0,
                                 alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=base, fontSize=8, leading=10.5, firstLineIndent=0,
                               alignment=TA_CENTER),
    }


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def _table(table: Table, styles) -> list:
    scale = FRAME_WIDTH / sum(table.widths)
    cell_style = {"l": styles["cell"], "r": styles["cell_r"], "c": styles["cell_c"]}
    data = [[PdfParagraph(f"<b>{_text(h)}</b>", styles["head"]) for h in table.header]]
    for r, row in enumerate(table.rows):
        bold = r in table.bold_rows
        data.append([PdfParagraph(f"<b>{_text(v)}</b>" if bold else _text(v),
                                  cell_style[table.column_align(c)]) for c, v in enumerate(row)])
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.Color(0.45, 0.45, 0.45)),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for column, first, last in table.spans:
        style.append(("SPAN", (column, first + 1), (column, last + 1)))
    pdf_table = PdfTable(data, colWidths=[w * scale for w in table.widths], repeatRows=1,
                         style=TableStyle(style), splitInRow=1)
    out = [CondPageBreak(40 * mm), PdfParagraph(_text(table.caption), styles["caption"]), pdf_table]
    if table.note:
        out += [Spacer(1, 2), PdfParagraph(_text(table.note), styles["note"])]
    return out + [Spacer(1, 8)]


def _chart(block: BarChart, styles) -> list:
    return [KeepTogether([chart.drawing(block, width=FRAME_WIDTH),
                          PdfParagraph(_text(block.caption), styles["caption"])]), Spacer(1, 6)]


def _page_decorations(report: Report):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.Color(0.4, 0.4, 0.4))
        canvas.drawString(MARGIN, A4[1] - 10 * mm, report.subtitle)
        canvas.drawCentredString(A4[0] / 2, 9 * mm, f"第 {doc.page} 页")
        if report.watermark:
            canvas.setFillColor(colors.Color(0.70, 0.11, 0.11))
            canvas.drawRightString(A4[0] - MARGIN, A4[1] - 10 * mm, report.watermark)
            canvas.setFillColor(colors.Color(0.70, 0.11, 0.11, alpha=0.10))
            canvas.setFont(FONT, 64)
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, 0, report.watermark)
        canvas.restoreState()
    return draw


def _meta(report: Report, styles) -> PdfTable:
    rows = [[PdfParagraph(_text(label), styles["cell_r"]), PdfParagraph(_text(value), styles["cell"])]
            for label, value in report.meta]
    return PdfTable(rows, colWidths=[32 * mm, 110 * mm], style=TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.Color(0.8, 0.8, 0.8)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))


def render_pdf(report: Report) -> bytes:
    ensure_font()
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=report.title, creator="questionnaire")
    title = report.title + (f"（{report.watermark}）" if report.watermark else "")
    story: list = [PdfParagraph(_text(title), styles["title"]),
                   PdfParagraph(_text(report.subtitle), styles["subtitle"]), _meta(report, styles), Spacer(1, 10)]
    for i, chapter in enumerate(report.chapters):
        if chapter.new_page and i > 0:
            story.append(PageBreak())
        story.append(PdfParagraph(_text(chapter.heading), styles["heading1"]))
        for block in chapter.blocks:
            if isinstance(block, Table):
                story += _table(block, styles)
            elif isinstance(block, BarChart):
                story += _chart(block, styles)
            elif isinstance(block, Paragraph):
                story.append(PdfParagraph(_text(block.text), styles[block.style]))
    decorate = _page_decorations(report)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
