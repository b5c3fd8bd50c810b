"""The OpenAPI document is valid, covers every API route, and matches what the API really answers."""

import re
import uuid

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from tests.factories import good_answers

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def check(spec, path, method, response):
    """Validate a real response against the schema documented for its status."""
    documented = spec["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, f"{method} {path} answered undocumented {response.status_code}"
    entry = documented[str(response.status_code)]
    if "$ref" in entry:
        entry = spec["components"]["responses"][entry["$ref"].rsplit("/", 1)[1]]
    schema = {**entry["content"]["application/json"]["schema"], "components": spec["components"]}
    OAS30Validator(schema).validate(response.get_json())


def test_the_document_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.0")


def test_every_api_route_and_method_is_documented(clean_app, spec):
    rules = [r for r in clean_app.url_map.iter_rules() if r.rule.startswith("/api/")]
    assert len(rules) >= 3
    for rule in rules:
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        assert path in spec["paths"], f"{rule.rule} is not documented"
        for method in rule.methods & METHODS:
            assert method.lower() in spec["paths"][path], f"{method} {rule.rule} is not documented"


def test_every_operation_documents_the_participant_token_and_the_error_body(spec):
    for path, item in spec["paths"].items():
        if "{code}" not in path:
            continue
        for method, op in item.items():
            if method == "parameters":
                continue
            assert any(p["name"] == "X-Participant-Token" and p["in"] == "header" for p in op["parameters"])
            for status in ("404", "429", "503"):
                assert op["responses"][status]["$ref"] == f"#/components/responses/E{status}"
    error = spec["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["code", "message"] and "fields" in error["properties"]


def test_real_successes_match_the_documented_schemas(client, campaign, spec):
    code = campaign.codes["K1T1"]
    entry = client.get(f"/api/v1/entries/{code}")
    check(spec, "/api/v1/entries/{code}", "get", entry)
    headers = {"X-Participant-Token": entry.get_json()["participant_token"]}
    body = {"submission_id": str(uuid.uuid4()), "answers": good_answers(), "duration_seconds": 60}
    post = "/api/v1/entries/{code}/responses"
    check(spec, post, "post", client.post(f"/api/v1/entries/{code}/responses", json=body, headers=headers))
    check(spec, post, "post", client.post(f"/api/v1/entries/{code}/responses", json=body, headers=headers))
    check(spec, "/api/v1/entries/{code}/status", "get", client.get(f"/api/v1/entries/{code}/status", headers=headers))


def test_real_errors_match_the_documented_error_body(client, campaign, spec):
    code = campaign.codes["K1"]
    post = "/api/v1/entries/{code}/responses"
    url = f"/api/v1/entries/{code}/responses"
    check(spec, "/api/v1/entries/{code}", "get", client.get("/api/v1/entries/nosuchcode"))
    check(spec, post, "post", client.post(url, data="x", content_type="text/plain"))  # 415
    check(spec, post, "post", client.post(url, json=[1, 2]))  # 400
    invalid = client.post(url, json={"submission_id": "nope", "answers": {"gov": "9"}})
    assert invalid.status_code == 422 and "submission_id" in invalid.get_json()["error"]["fields"]
    check(spec, post, "post", invalid)
    bad_answers = client.post(url, json={"submission_id": str(uuid.uuid4()), "answers": {"gov": "9"}})
    assert bad_answers.status_code == 422 and "gov" in bad_answers.get_json()["error"]["fields"]
    check(spec, post, "post", bad_answers)
    first = client.post(url, json={"submission_id": str(uuid.uuid4()), "answers": good_answers()})
    assert first.status_code == 201
    again = client.post(url, json={"submission_id": str(uuid.uuid4()), "answers": good_answers()})
    assert again.status_code == 409
    check(spec, post, "post", again)
    wrong_method = client.get(url)
    assert wrong_method.status_code == 405
    OAS30Validator({**spec["components"]["schemas"]["Error"], "components": spec["components"]}).validate(
        wrong_method.get_json())
    check(spec, "/api/v1/entries/{code}", "get", client.get("/api/v1/entries/" + "z" * 300))
