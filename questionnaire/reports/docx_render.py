"""The report as a Word file (python-docx), for the office to edit before printing (pure).

Plain Word structures the office can edit: real headings (so Word builds a table of contents),
tables with a repeated header row and merged 一级 / 二级 cells, the chart as a PNG (chart.py).
Chinese text is set in 宋体 / 黑体 (every office PC has them; Latin digits in Times New Roman),
as Chinese government documents are. Until the results are final the header of every page and
the title say 征求意见稿.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from questionnaire.reports import chart
from questionnaire.reports.model import BarChart, Paragraph, Report, Table

BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT, "c": WD_ALIGN_PARAGRAPH.CENTER}
RED = RGBColor(0xB3, 0x1C, 0x1C)
GREY = RGBColor(0x59, 0x59, 0x59)
TEXT_WIDTH_CM = 17.0
TABLE_STYLE = "表格文字"


def _fonts(style_or_run, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    font = style_or_run.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    styles = document.styles
    _fonts(styles["Normal"], BODY_FONT, 10.5)
    styles["Normal"].paragraph_format.space_after = Pt(3)
    styles["Normal"].paragraph_format.line_spacing = 1.25
    cells = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cells.base_style = styles["Normal"]
    cells.font.size = Pt(8.5)
    cells.paragraph_format.space_after = Pt(0)
    cells.paragraph_format.line_spacing = 1.0
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 12)):
        _fonts(styles[name], HEADING_FONT, size, bold=name != "Title")
        styles[name].font.color.rgb = RGBColor(0, 0, 0)


def _page_number(paragraph) -> None:
    """第 N 页 with Word's PAGE field, so the number stays right after the office edits the text."""
    paragraph.add_run("第 ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    paragraph.add_run(" 页")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _header_footer(document, report: Report) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = ""
    run = header.add_run(report.subtitle)
    run.font.size, run.font.color.rgb = Pt(8), GREY
    if report.watermark:
        mark = header.add_run("\t\t" + report.watermark)
        mark.font.size, mark.font.bold, mark.font.color.rgb = Pt(10), True, RED
    _page_number(section.footer.paragraphs[0])


def _row_flag(row, name: str) -> None:
    """w:tblHeader (repeat the row on every page) or w:cantSplit (keep a row on one page)."""
    flag = OxmlElement(name)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _shade(cell, fill: str = "E6EAF1") -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell_text(cell, text: str, align: str, style, bold: bool = False) -> None:
    """Cell text in the 表格文字 style (size and spacing set once on the style, not on every run)."""
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(text.split("\n")):
        if i:
            paragraph = cell.add_paragraph()
        paragraph._p.style = style  # the style id set directly: python-docx's setter re-reads every style
        if align != "l":
            paragraph.alignment = ALIGN[align]
        run = paragraph.add_run(line)
        if bold:
            run.font.bold = True


def _caption(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    run = paragraph.add_run(text)
    run.font.bold = True
    _fonts(run, HEADING_FONT, 10.5)


def _table(document, table: Table) -> None:
    _caption(document, table.caption)
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = [Cm(TEXT_WIDTH_CM * w / sum(table.widths)) for w in table.widths]
    rows, style = grid.rows, document.styles[TABLE_STYLE].style_id
    for c, column in enumerate(grid.columns):  # the grid widths are what LibreOffice and WPS read
        column.width = widths[c]
    for c, cell in enumerate(rows[0].cells):
        _cell_text(cell, table.header[c], "c", style, bold=True)
        _shade(cell)
        cell.width = widths[c]
    _row_flag(rows[0], "w:tblHeader")
    for r, row in enumerate(table.rows, start=1):
        _row_flag(rows[r], "w:cantSplit")
        # `cells` is rebuilt from the XML on every access: read it once per row (10x faster for big tables).
        for c, cell in enumerate(rows[r].cells):
            _cell_text(cell, row[c], table.column_align(c), style, bold=(r - 1) in table.bold_rows)
            cell.width = widths[c]
    for column, first, last in table.spans:
        top = grid.cell(first + 1, column)
        merged = top.merge(grid.cell(last + 1, column))
        # merge() concatenates every merged cell's text: keep the group name once.
        for extra in merged.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
    if table.note:
        note = document.add_paragraph()
        run = note.add_run(table.note)
        run.font.size, run.font.color.rgb = Pt(8), GREY
    document.add_paragraph()


def _chart(document, block: BarChart) -> None:
    document.add_picture(io.BytesIO(chart.png(block)), width=Cm(14.5))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.paragraphs[-1].paragraph_format.keep_with_next = True
    _caption(document, block.caption)


def _paragraph(document, block: Paragraph) -> None:
    if block.style == "heading2":
        document.add_heading(block.text, level=2)
        return
    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    if block.style == "note":
        run.font.size, run.font.color.rgb = Pt(9), GREY
    else:
        paragraph.paragraph_format.first_line_indent = Pt(21)


def render_docx(report: Report) -> bytes:
    document = Document()
    _setup(document)
    _header_footer(document, report)
    core = document.core_properties
    core.title, core.subject = report.title, report.subtitle
    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(report.title + (f"（{report.watermark}）" if report.watermark else ""))
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(report.subtitle).font.size = Pt(12)
    for label, value in report.meta:
        line = document.add_paragraph()
        line.add_run(f"{label}：").font.bold = True
        line.add_run(value)
    for i, chapter in enumerate(report.chapters):
        heading = document.add_heading(chapter.heading, level=1)
        heading.paragraph_format.page_break_before = chapter.new_page and i > 0
        for block in chapter.blocks:
            if isinstance(block, Table):
                _table(document, block)
            elif isinstance(block, BarChart):
                _chart(document, block)
            elif isinstance(block, Paragraph):
                _paragraph(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
