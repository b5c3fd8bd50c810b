"""Printable A4 invitations (邀请函), one page per rater: name, unit, deadline, QR code, short URL.

Pure: no Flask, no database. Same embedded CJK font and vector QR as the posters.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from questionnaire.kernel.china_time import format_china_time
from questionnaire.posters.render import ACCENT, FONT, draw_qr, ensure_font


@dataclass(frozen=True)
class InvitationSheet:
    campaign_title: str
    rater_name: str
    unit_name: str
    post: str
    url: str
    deadline: datetime
    ratee_count: int


def render_invitations(sheets: Iterable[InvitationSheet]) -> bytes:
    ensure_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle("领导评价邀请函")
    pages = 0
    for sheet in sheets:
        _draw(pdf, sheet)
        pdf.showPage()
        pages += 1
    if pages == 0:
        raise ValueError("no invitations to render")
    pdf.save()
    return out.getvalue()


def _centred(pdf, text: str, y: float, size: float) -> None:
    pdf.setFont(FONT, size)
    pdf.drawCentredString(A4[0] / 2, y, text)


def _draw(pdf: canvas.Canvas, sheet: InvitationSheet) -> None:
    w, h = A4
    pdf.setFillColorRGB(*ACCENT)
    pdf.rect(0, h - 40 * mm, w, 40 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    _centred(pdf, sheet.campaign_title, h - 20 * mm, 20 if len(sheet.campaign_title) <= 24 else 15)
    _centred(pdf, "领导评价邀请函", h - 32 * mm, 16)
    pdf.setFillColorRGB(0, 0, 0)
    _centred(pdf, f"{sheet.rater_name} 同志", h - 60 * mm, 28)
    _centred(pdf, f"{sheet.unit_name}{('　' + sheet.post) if sheet.post else ''}", h - 72 * mm, 16)
    deadline = format_china_time(sheet.deadline, "%Y年%m月%d日 %H:%M")
    _centred(pdf, f"诚邀您对 {sheet.ratee_count} 个单位本年度的工作作出评价，", h - 88 * mm, 14)
    _centred(pdf, f"请于 {deadline} 前用微信扫描下方二维码完成评价。", h - 96 * mm, 14)
    side = 80 * mm
    draw_qr(pdf, sheet.url, (w - side) / 2, 92 * mm, side)
    _centred(pdf, "无法扫码时，请在手机浏览器中输入：", 80 * mm, 12)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawCentredString(w / 2, 71 * mm, sheet.url)
    pdf.setFillColorRGB(0.35, 0.35, 0.35)
    _centred(pdf, "本邀请仅限本人使用：首次打开后即与您的微信绑定，请勿转发。", 52 * mm, 12)
    _centred(pdf, "评价结果只以汇总形式使用，不公开个人评价。不使用手机的，请向绩效办索取纸质评价表。", 44 * mm, 10)
