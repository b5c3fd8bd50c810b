"""Which evidence files are accepted, without an app (R7)."""

from __future__ import annotations

import pytest

from questionnaire.rectification.evidence_rules import EvidenceRefused, check, check_zip_parts, display_name

MB = 1024 * 1024
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def test_a_5_mb_pdf_is_accepted():
    assert check("整改报告.pdf", 5 * MB, PDF) == "pdf"


def test_a_25_mb_file_is_refused_with_its_size():
    with pytest.raises(EvidenceRefused, match="25 MB，超过单个文件 20 MB 的上限"):
        check("现场照片.pdf", 25 * MB, PDF)


def test_an_exe_is_refused_whatever_it_contains():
    with pytest.raises(EvidenceRefused, match="类型不允许"):
        check("setup.exe", 1000, b"MZ\x90\x00")
    with pytest.raises(EvidenceRefused, match="类型不允许"):
        check("报告.pdf.exe", 1000, PDF)


def test_an_exe_renamed_pdf_is_refused_by_its_first_bytes():
    with pytest.raises(EvidenceRefused, match="内容与扩展名不符"):
        check("报告.pdf", 1000, b"MZ\x90\x00\x03\x00")


def test_images_and_office_files_are_recognised():
    assert check("a.JPG", 10, b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpeg"
    assert check("b.png", 10, b"\x89PNG\r\n\x1a\n\x00") == "png"
    assert check("c.docx", 10, b"PK\x03\x04\x14\x00") == "docx"
    check_zip_parts("docx", "c.docx", ["[Content_Types].xml", "word/document.xml"])
    with pytest.raises(EvidenceRefused, match="不是有效的 XLSX"):
        check_zip_parts("xlsx", "d.xlsx", ["word/document.xml"])


def test_empty_files_are_refused():
    with pytest.raises(EvidenceRefused, match="空文件"):
        check("a.pdf", 0, b"")


def test_uploaded_names_lose_paths_and_special_characters():
    assert display_name("..\\..\\windows\\system32\\a.pdf") == "a.pdf"
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name('报告<script>"1".pdf') == "报告_script_1_.pdf"
    assert display_name("\x00") == "file"
    assert len(display_name("长" * 300 + ".pdf")) == 120 and display_name("长" * 300 + ".pdf").endswith(".pdf")
