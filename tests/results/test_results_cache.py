"""The results JSON the pages poll is cached in Redis per account scope and state: many viewers cost
one build per tally update; a new counted answer, scheme version or entered figure is a new key."""

from __future__ import annotations

import pytest

from questionnaire.extensions import db
from questionnaire.results import standings
from questionnaire.tallies import counting
from tests.results.test_live_results import _point, _submit, answered  # noqa: F401 - fixture

pytestmark = pytest.mark.both_backends


@pytest.fixture
def builds(monkeypatch):
    """How many times the standings were built from the tallies."""
    calls = []
    real = standings.build

    def counting_build(*args, **kwargs):
        calls.append(args[2] if len(args) > 2 else kwargs.get("kind"))
        return real(*args, **kwargs)

    monkeypatch.setattr(standings, "build", counting_build)
    return calls


def test_pollers_share_one_build_per_tally_state(answered, login_as, builds, clean_app):
    url = f"/results/api/campaigns/{answered.id}"
    admin = login_as("admin")
    first = admin.get(url).get_data(as_text=True)
    assert len(builds) == 2  # county and city unit
    assert login_as("admin").get(url).get_data(as_text=True) == first and len(builds) == 2
    _submit(clean_app, _point(answered, "K2"), "late-resident", gov="5", security="5", transport="5")
    counting.apply_pending(db.engine, answered.id)
    fresh = admin.get(url).get_data(as_text=True)
    assert len(builds) == 4 and fresh != first


def test_each_scope_has_its_own_cached_body(answered, login_as, builds):
    url = f"/results/api/campaigns/{answered.id}"
    office = login_as("admin").get(url).get_json()
    county = login_as("k1").get(url).get_json()
    assert [e["code"] for e in county["kinds"]["county"]["entities"]] == ["K1"]
    assert len(office["kinds"]["county"]["entities"]) > 1
    assert login_as("k1").get(url).get_json() == county  # the county's own cached body


def test_a_new_entered_figure_is_a_new_state(answered, login_as, builds):
    admin = login_as("admin")
    url = f"/results/api/campaigns/{answered.id}"
    admin.get(url)
    admin.post(f"/results/campaigns/{answered.id}/entities/{answered.units['K1'].id}/figures/rectification",
               data={"numerator": "541", "denominator": "625", "source": "整改台账"})
    k1 = next(e for e in admin.get(url).get_json()["kinds"]["county"]["entities"] if e["code"] == "K1")
    assert next(i for i in k1["indicators"] if i["name"] == "意见建议按时整改率")["value"] == "86.56%"


def test_the_pages_load_the_poller_from_the_sites_own_static_files(answered, login_as):
    admin = login_as("admin")
    page = admin.get(f"/results/campaigns/{answered.id}").get_data(as_text=True)
    assert 'src="/static/js/results.js?v=' in page and 'id="results-as-of"' in page
    assert f'data-api="/results/api/campaigns/{answered.id}"' in page
    entity = admin.get(f"/results/campaigns/{answered.id}/entities/{answered.units['K1'].id}").get_data(as_text=True)
    assert f'data-unit-id="{answered.units["K1"].id}"' in entity and "js/results.js" in entity
