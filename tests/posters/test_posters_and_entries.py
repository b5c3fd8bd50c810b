"""Posters and QR codes decode to the public URL; the list counts scans and responses;
a disabled code shows a clear page and keeps its responses."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone

import pytest

from questionnaire.posters.qr import qr_png
from questionnaire.posters.render import PosterData, render_posters
from tests.factories import good_answers

needs_zbar = pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                                reason="zbarimg/pdftoppm not installed")


def _decode_png(path) -> list[str]:
    out = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, timeout=30)
    return out.stdout.split()


def _pdf_pages_to_png(pdf: bytes, tmp_path, dpi=100) -> list:
    (tmp_path / "p.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(tmp_path / "p.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    return sorted(tmp_path.glob("page-*.png"))


@needs_zbar
def test_qr_png_decodes_to_the_url(tmp_path):
    (tmp_path / "q.png").write_bytes(qr_png("http://survey.test/s/abcdefgh"))
    assert _decode_png(tmp_path / "q.png") == ["http://survey.test/s/abcdefgh"]


@needs_zbar
def test_poster_survives_a_torn_corner(tmp_path):
    """Level H: a poster with a chunk of the code blacked out still scans."""
    from PIL import Image, ImageDraw

    (tmp_path / "q.png").write_bytes(qr_png("http://survey.test/s/abcdefgh"))
    image = Image.open(tmp_path / "q.png").convert("L")
    w, h = image.size
    ImageDraw.Draw(image).rectangle([w * 0.55, h * 0.55, w * 0.72, h * 0.72], fill=255)
    image.save(tmp_path / "torn.png")
    assert _decode_png(tmp_path / "torn.png") == ["http://survey.test/s/abcdefgh"]


def test_poster_pdf_embeds_its_chinese_font():
    """A print shop without Chinese fonts must still print the text: the font travels in the PDF."""
    poster = PosterData("2026年度测试市社会评价", "一镇", "http://survey.test/s/abcdefgh",
                        datetime(2026, 5, 1, tzinfo=timezone.utc), datetime(2026, 10, 31, tzinfo=timezone.utc), "甲县")
    pdf = render_posters([poster], size="A3")
    assert pdf.startswith(b"%PDF") and b"/MediaBox [ 0 0 841.8898 1190.551 ]" in pdf
    assert b"WenQuanYiMicroHei" in pdf and b"/FontFile2" in pdf


@needs_zbar
@pytest.mark.parametrize("dpi", [100, 200, 300])
def test_poster_qr_code_scans_at_print_resolutions(tmp_path, dpi):
    poster = PosterData("2026年度测试市社会评价", "一镇", "http://survey.test/s/abcdefgh",
                        datetime(2026, 5, 1, tzinfo=timezone.utc), datetime(2026, 10, 31, tzinfo=timezone.utc), "甲县")
    pages = _pdf_pages_to_png(render_posters([poster]), tmp_path, dpi=dpi)
    assert _decode_png(pages[0]) == ["http://survey.test/s/abcdefgh"]


@needs_zbar
def test_poster_download_scans_to_the_public_url(login_as, campaign, tmp_path):
    client = login_as("k1")
    code = campaign.codes["K1T1"]
    page = client.get(f"/office/campaigns/{campaign.id}/entries").get_data(as_text=True)
    entry_id = page.split(f"http://survey.test/s/{code}")[1].split("/office/entries/")[1].split("/")[0]
    response = client.get(f"/office/entries/{entry_id}/poster.pdf?size=A4")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = _pdf_pages_to_png(response.data, tmp_path)
    assert len(pages) == 1
    assert _decode_png(pages[0]) == [f"http://survey.test/s/{code}"]
    text = subprocess.run(["pdftotext", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True).stdout
    for expected in ("2026年度测试市社会评价", "一镇", "扫码参与满意度调查", "评价对象：甲县", "调查时间"):
        assert expected in text.replace(" ", "")
    svg = client.get(f"/office/entries/{entry_id}/qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data


@needs_zbar
def test_county_batch_is_one_pdf_with_a_page_per_enabled_entry(login_as, campaign, tmp_path):
    client = login_as("k1")
    response = client.post(f"/office/campaigns/{campaign.id}/posters",
                           data={"county": str(campaign.units["K1"].id), "size": "A4"})
    job_page = client.get(response.headers["Location"])
    assert job_page.status_code == 200 and "下载海报文件" in job_page.get_data(as_text=True)
    pdf = client.get(response.headers["Location"] + "/posters.pdf")
    assert pdf.status_code == 200
    pages = _pdf_pages_to_png(pdf.data, tmp_path, dpi=72)
    decoded = sorted(url for p in pages for url in _decode_png(p))
    assert decoded == sorted(f"http://survey.test/s/{campaign.codes[c]}" for c in ("K1", "K1T1", "K1T2"))


def test_list_counts_scans_and_completed_responses(login_as, campaign):
    code = campaign.codes["K1T1"]
    resident = login_as("k1").application.test_client()
    for _ in range(3):
        resident.get(f"/s/{code}")
    page = resident.get(f"/s/{code}").get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    assert resident.post(f"/s/{code}", data={**good_answers(), "token": token}).status_code == 200
    client = login_as("k1")
    html = client.get(f"/office/campaigns/{campaign.id}/entries").get_data(as_text=True)
    row = html.split(f"/s/{code}")[1].split("</tr>")[0]
    cells = [c.split("</td>")[0].strip() for c in row.split('<td class="num">')[1:3]]
    assert cells == ["4", "1"]


def test_disabled_code_shows_a_clear_page_and_keeps_responses(login_as, campaign, db_session):
    from sqlalchemy import func, select

    from questionnaire.intake.models import CollectionPoint, Response

    code = campaign.codes["K1"]
    resident = login_as("k1").application.test_client()
    page = resident.get(f"/s/{code}").get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    resident.post(f"/s/{code}", data={**good_answers(), "token": token})
    entry_id = db_session.scalar(select(CollectionPoint.id).where(CollectionPoint.code == code))

    client = login_as("k1")
    assert client.post(f"/office/entries/{entry_id}/enabled", data={"enabled": "0"}).status_code == 302
    closed = resident.get(f"/s/{code}")
    assert closed.status_code == 410 and "该调查入口已停用" in closed.get_data(as_text=True)
    stored = select(func.count()).select_from(Response).where(Response.collection_point_id == entry_id)
    assert db_session.scalar(stored) == 1

    client.post(f"/office/entries/{entry_id}/enabled", data={"enabled": "1"})
    assert resident.get(f"/s/{code}").status_code == 200
