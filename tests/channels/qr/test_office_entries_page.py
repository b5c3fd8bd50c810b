"""The entries page as a clerk uses it: search, filters (county, township, city units), sort,
a confirmation before disabling, a message naming the unit, downloads named after the unit."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from PIL import Image

from questionnaire.extensions import db
from questionnaire.tallies import counting as tallies


def listed_units(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr class=\"[^\"]*\">\s*<td>([^<]+)</td>", body)


def test_search_by_name_finds_the_unit(login_as, campaign):
    html = login_as("admin").get(f"/office/campaigns/{campaign.id}/entries?q=一镇").get_data(as_text=True)
    assert listed_units(html) == ["一镇"]


def test_the_filter_offers_city_units_and_keeps_only_them(login_as, campaign):
    client = login_as("admin")
    html = client.get(f"/office/campaigns/{campaign.id}/entries").get_data(as_text=True)
    assert '<option value="city_units"' in html and ">市直单位</option>" in html
    html = client.get(f"/office/campaigns/{campaign.id}/entries?county=city_units").get_data(as_text=True)
    assert listed_units(html) == ["市教育局"]


def test_a_county_offers_its_townships_and_filters_to_one(login_as, campaign):
    client = login_as("admin")
    k1, t1 = campaign.units["K1"].id, campaign.units["K1T1"].id
    html = client.get(f"/office/campaigns/{campaign.id}/entries?county={k1}").get_data(as_text=True)
    assert ">二乡</option>" in html
    html = client.get(f"/office/campaigns/{campaign.id}/entries?county={k1}&township={t1}").get_data(as_text=True)
    assert listed_units(html) == ["一镇"]


def test_another_countys_township_or_city_units_are_refused_to_a_county(login_as, campaign):
    client = login_as("k2")
    k2, t1 = campaign.units["K2"].id, campaign.units["K1T1"].id
    assert client.get(f"/office/campaigns/{campaign.id}/entries?county={k2}&township={t1}").status_code == 404
    assert client.get(f"/office/campaigns/{campaign.id}/entries?county=city_units").status_code == 404


def test_sort_by_responses_puts_the_busiest_first(login_as, campaign, respond):
    for _ in range(2):
        respond("K1T2")
    respond("U1")
    tallies.apply_pending(db.engine, campaign.id)
    html = login_as("admin").get(f"/office/campaigns/{campaign.id}/entries?sort=completed").get_data(as_text=True)
    assert listed_units(html)[:2] == ["二乡", "市教育局"]
    assert login_as("admin").get(f"/office/campaigns/{campaign.id}/entries?sort=bogus").status_code == 400


def test_disabling_asks_first_and_the_message_names_the_unit(login_as, campaign, db_session):
    client = login_as("admin")
    html = client.get(f"/office/campaigns/{campaign.id}/entries").get_data(as_text=True)
    assert 'data-confirm="确定停用“一镇”的入口吗？' in html and "js/office.js" in html
    entry_id = re.search(r'/office/entries/(\d+)/enabled', html.split("一镇", 1)[1]).group(1)
    response = client.post(f"/office/entries/{entry_id}/enabled", data={"enabled": "0"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "一镇的入口（" in page and "已停用" in page


def test_downloads_carry_the_units_name(login_as, campaign):
    client = login_as("admin")
    html = client.get(f"/office/campaigns/{campaign.id}/entries?q=一镇").get_data(as_text=True)
    assert ">二维码图片</a>" in html and ">PNG<" not in html and ">SVG<" not in html
    entry_id = re.search(r'/office/entries/(\d+)/qr.png', html).group(1)
    png = client.get(f"/office/entries/{entry_id}/qr.png")
    disposition = unquote(png.headers["Content-Disposition"])
    assert "二维码-一镇-" in disposition and "filename=\"" in png.headers["Content-Disposition"]
    image = Image.open(io.BytesIO(png.data))
    assert image.height > image.width  # the unit's name printed under the square code
    poster = client.get(f"/office/entries/{entry_id}/poster.pdf?size=A4")
    assert "海报-一镇-" in unquote(poster.headers["Content-Disposition"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_a_poster_names_the_organizer_and_the_hotline(login_as, campaign, tmp_path):
    client = login_as("admin")
    html = client.get(f"/office/campaigns/{campaign.id}/entries?q=一镇").get_data(as_text=True)
    entry_id = re.search(r'/office/entries/(\d+)/poster.pdf', html).group(1)
    path = tmp_path / "poster.pdf"
    path.write_bytes(client.get(f"/office/entries/{entry_id}/poster.pdf?size=A4").data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "主办单位：测试市绩效评估工作领导小组办公室" in text and "咨询电话：0778-2281234" in text
