"""The files: the Word file opens and reads back with the seeds' tables; the PDF has its pages and text."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from docx import Document

from questionnaire.extensions import db
from questionnaire.reports.docx_render import render_docx
from questionnaire.reports.pdf_render import render_pdf
from questionnaire.reports.service import CampaignReports

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _k1_report(campaign):
    return CampaignReports(db.session, campaign.id).entity_report(campaign.units["K1"].id)


def test_the_word_file_reads_back_with_the_expected_tables(reported):
    report = _k1_report(reported)
    document = Document(io.BytesIO(render_docx(report)))
    tables = {tuple(c.text for c in t.rows[0].cells): t for t in document.tables}
    summary = tables[("评价指标", "分值", "得分", "评价")]
    assert [c.text for c in summary.rows[-1].cells][:3] == ["合计", "100.00", report.facts["score"]]
    scores = next(t for header, t in tables.items() if header[:2] == ("一级指标", "二级指标"))
    model = report.table("绩效评价得分表")
    assert len(scores.rows) == 1 + len(model.rows)
    assert [c.text for c in scores.rows[2].cells] == list(model.rows[1])  # merged cells read back once per row
    levels = ("非常满意", "满意", "一般", "不满意", "非常不满意")
    assert ("序号", "问题", *levels, "不了解（人）", "有效样本", "计算值") in tables
    header_text = document.sections[0].header.paragraphs[0].text
    assert "征求意见稿" in header_text and document.paragraphs[0].text.endswith("（征求意见稿）")
    assert len(document.inline_shapes) == 1  # 图1 综合得分


@needs_poppler
def test_the_pdf_has_a_page_per_chapter_group_and_the_figures_as_text(reported, tmp_path):
    report = _k1_report(reported)
    path = tmp_path / "k1.pdf"
    path.write_bytes(render_pdf(report))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == report.page_starts() == 4  # the small campaign: no chapter runs over its page
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "甲县" in text and f"评级为“{report.facts['grade']}”" in text and "征求意见稿" in text
    for row in report.table("微信扫码问卷调查问卷统计分析表").rows:
        assert row[-1] in text  # every question's computed rate
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYiMicroHei" in fonts and " yes yes " in fonts  # the CJK font embedded as a subset


def test_a_final_report_carries_no_draft_mark(reported):
    from questionnaire.results import publication

    for kind in ("county", "city_unit"):
        publication.publish(db.session, reported.id, kind, "preliminary", None, window_days=0)
    assert _k1_report(reported).watermark == "征求意见稿"
    for kind in ("county", "city_unit"):
        publication.publish(db.session, reported.id, kind, "final", None)
    report = _k1_report(reported)
    assert report.watermark is None and dict(report.meta)["结果状态"].startswith("最终结果")
    assert "征求意见稿" not in Document(io.BytesIO(render_docx(report))).paragraphs[0].text
    assert CampaignReports(db.session, reported.id).city_report().watermark is None
