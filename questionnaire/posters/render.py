"""Printable posters (A4 / A3 PDF): title, unit, QR code, instruction, short URL, period.

Text is set in WenQuanYi Micro Hei (Apache-2.0, bundled in questionnaire/assets/fonts;
it has Latin digits too, which CJK-only fallback fonts lack), embedded as a subset of the
glyphs a batch uses: a print shop's RIP or a reader without Chinese fonts would otherwise
print empty boxes (poppler does exactly that with the non-embedded STSong-Light we used first).
The QR code is drawn as vector rectangles from the module matrix, so it stays sharp at any
print size.

Pure functions: no Flask, no database. Layout is designed on A4 in millimetres and
scaled uniformly for A3 (A-series pages share one aspect ratio).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.pdfgen.canvas import FILL_NON_ZERO

from questionnaire.kernel.china_time import format_china_time
from questionnaire.posters.qr import qr_matrix

FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "wqy-microhei.ttc"
PAGE_SIZES = {"A4": A4, "A3": A3}
INSTRUCTION = "扫码参与满意度调查"
ACCENT = (0.70, 0.11, 0.11)  # government red for the title band
SEAM = 0.05 * mm

_font_ready = False


def ensure_font() -> None:
    """Register the bundled CJK font with reportlab once per process (posters, reports, charts)."""
    global _font_ready
    if not _font_ready:
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))  # subset-embedded on save
        _font_ready = True


@dataclass(frozen=True)
class PosterData:
    campaign_title: str
    unit_name: str
    url: str
    opens_at: datetime
    closes_at: datetime
    # Shown when the poster hangs in one unit but evaluates another (a township's poster
    # evaluates its county), so residents know whom they are rating.
    evaluated_name: str | None = None


def period_text(opens_at: datetime, closes_at: datetime) -> str:
    fmt = "%Y年%m月%d日"
    start = format_china_time(opens_at, fmt)
    end = format_china_time(closes_at, fmt)
    return f"调查时间：{start} 至 {end}"


def render_posters(posters: Iterable[PosterData], size: str = "A4",
                   progress: Callable[[int], None] | None = None) -> bytes:
    """One PDF with a page per poster; `progress(pages_done)` is called after each page."""
    if size not in PAGE_SIZES:
        raise ValueError(f"unknown page size {size!r}")
    ensure_font()
    out = io.BytesIO()
    width, height = PAGE_SIZES[size]
    pdf = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    pdf.setTitle("调查海报")
    pdf.setCreator("questionnaire")
    scale = width / A4[0]
    done = 0
    for poster in posters:
        pdf.saveState()
        pdf.scale(scale, scale)
        _draw(pdf, poster)
        pdf.restoreState()
        pdf.showPage()
        done += 1
        if progress is not None:
            progress(done)
    if done == 0:
        raise ValueError("no posters to render")
    pdf.save()
    return out.getvalue()


def _fit_lines(text: str, max_width: float, size: float, min_size: float) -> tuple[list[str], float]:
    """Shrink to fit one line; below min_size, wrap by character (Chinese has no spaces)."""
    while size > min_size and pdfmetrics.stringWidth(text, FONT, size) > max_width:
        size -= 1
    if pdfmetrics.stringWidth(text, FONT, size) <= max_width:
        return [text], size
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, FONT, size) > max_width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    lines.append(line)
    return lines[:3], size


def _centred(pdf, text: str, y: float, size: float, page_width: float) -> None:
    pdf.setFont(FONT, size)
    pdf.drawCentredString(page_width / 2, y, text)


def _draw(pdf: canvas.Canvas, poster: PosterData) -> None:
    w, h = A4
    margin = 15 * mm
    usable = w - 2 * margin

    # Title band.
    band_h = 48 * mm
    pdf.setFillColorRGB(*ACCENT)
    pdf.rect(0, h - band_h, w, band_h, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    lines, size = _fit_lines(poster.campaign_title, usable, 26, 18)
    y = h - band_h / 2 + (len(lines) - 1) * size * 0.6 - size * 0.35
    for line in lines:
        _centred(pdf, line, y, size, w)
        y -= size * 1.2

    # Unit name, the largest text: people look for their own village or office.
    pdf.setFillColorRGB(0, 0, 0)
    lines, size = _fit_lines(poster.unit_name, usable, 40, 24)
    y = h - band_h - 22 * mm
    for line in lines:
        _centred(pdf, line, y, size, w)
        y -= size * 1.2
    if poster.evaluated_name and poster.evaluated_name != poster.unit_name:
        _centred(pdf, f"评价对象：{poster.evaluated_name}", y - 1 * mm, 16, w)

    # Instruction above the code.
    _centred(pdf, INSTRUCTION, 178 * mm, 30, w)

    # QR code, 110 mm square (quiet zone included) centred.
    side = 110 * mm
    _draw_qr(pdf, poster.url, (w - side) / 2, 62 * mm, side)

    # Fallback URL and the campaign period.
    _centred(pdf, "无法扫码时，请在手机浏览器中输入：", 50 * mm, 14, w)
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawCentredString(w / 2, 40 * mm, poster.url)
    _centred(pdf, period_text(poster.opens_at, poster.closes_at), 26 * mm, 16, w)
    pdf.setFillColorRGB(0.35, 0.35, 0.35)
    _centred(pdf, "每人限参与一次，匿名填写，感谢您的支持", 14 * mm, 12, w)


def _draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, side: float) -> None:
    matrix: Sequence[Sequence[bool]] = qr_matrix(url)
    n = len(matrix)
    cell = side / n
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, side, side, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + side - (row_index + 1) * cell
        col = 0
        # One rectangle per horizontal run of dark modules: fewer PDF operators per page.
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                # A hair of overlap so renderers leave no seams between adjacent rows.
                path.rect(x + start * cell, top - SEAM, (col - start) * cell, cell + SEAM)
            else:
                col += 1
    # Non-zero winding: under reportlab's default even-odd rule the overlaps cancel out and
    # leave white hairlines between rows, which some scanners (zbar at 200 dpi) trip over.
    pdf.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)


# Building blocks for other printed pages (leader invitations) in the same QR drawing.
def draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, side: float) -> None:
    _draw_qr(pdf, url, x, y, side)
