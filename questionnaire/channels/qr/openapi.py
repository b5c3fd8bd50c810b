"""The OpenAPI 3.0 description of the resident JSON API (channels/qr/api_views.py).

Written by hand, next to the routes it describes, so it states the real
contract: every status the API can answer and the one error body shape. A test
(tests/api/test_openapi.py) checks every /api url rule is documented and that
real answers validate against these schemas; schemathesis fuzzes against it.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from questionnaire.intake.submissions import MAX_DURATION

bp = Blueprint("openapi", __name__)

ERROR_TEXT = {
    400: "Malformed request (body is not a JSON object)",
    403: "The campaign has not opened yet (campaign_not_open)",
    404: "Unknown entry code (entry_not_found) or unknown URL (not_found)",
    405: "Method not allowed on this URL",
    409: "Already participated (already_participated) or submission_id reused with different answers "
         "(submission_id_reused)",
    410: "Entry disabled (entry_disabled) or campaign closed (campaign_closed)",
    413: "Body larger than MAX_CONTENT_LENGTH",
    415: "Body is not application/json",
    422: "Invalid request fields or answers; `fields` names each one (invalid_request, invalid_answers)",
    429: "Rate limited; retry later",
    500: "Unexpected server error; the answer was not stored",
    503: "Database or Redis unavailable; the answer was not stored, retry with the same submission_id",
}

CODE_PARAM = {
    "name": "code", "in": "path", "required": True,
    "description": "Entry code printed under the poster's QR code (8 characters of 23456789abcdefghjkmnpqrstuvwxyz).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64}, "example": "k7m2p9qx",
}
TOKEN_PARAM = {
    "name": "X-Participant-Token", "in": "header", "required": False,
    "description": "The participant_token from GET /entries/{code}. Identifies this device as one participant; "
                   "without it (or with a forged, expired or over-long one) the server issues a new device identity.",
    # No maxLength: the server never refuses a bad token, it ignores it (documenting a limit that is
    # not enforced made schemathesis' negative_data_rejection check fail).
    "schema": {"type": "string"},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    return {str(s): {"$ref": f"#/components/responses/E{s}"} for s in statuses}


NULLABLE_STRING = {"type": "string", "nullable": True}
UNIT = {"type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["code", "message"], "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. entry_not_found"},
                "message": {"type": "string", "description": "Simplified Chinese text to show the resident"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "Field or question id -> Chinese problem description"},
            },
        }},
    },
    "Option": {"type": "object", "required": ["value", "label"],
               "properties": {"value": {"type": "string"}, "label": {"type": "string"}}},
    "Question": {
        "type": "object", "required": ["id", "type", "title", "required", "section"],
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string", "enum": ["rating", "choice", "text"]},
            "title": {"type": "string"},
            "required": {"type": "boolean"},
            "section": NULLABLE_STRING,
            "max_length": {"type": "integer", "minimum": 1, "description": "text questions only"},
            "options": {"type": "array", "items": _ref("Option"),
                        "description": "rating and choice questions only; rating values are 5..1 and dk (don't know)"},
        },
    },
    "Entry": {
        "type": "object",
        "required": ["code", "campaign", "evaluated_unit", "poster_unit", "questionnaire", "participant_token"],
        "properties": {
            "code": {"type": "string"},
            "campaign": {
                "type": "object", "required": ["id", "title", "opens_at", "closes_at", "status"],
                "properties": {
                    "id": {"type": "integer"}, "title": {"type": "string"},
                    "opens_at": {"type": "string", "format": "date-time"},
                    "closes_at": {"type": "string", "format": "date-time"},
                    "status": {"type": "string", "enum": ["open", "not_open", "closed", "disabled"]},
                    "answer_scope": {"type": "string", "enum": ["campaign", "questionnaire", "evaluated_unit"],
                                     "description": "What one participant may answer once: the whole campaign, "
                                                    "each questionnaire, or each evaluated unit"},
                    "organizer": {"type": "string", "description": "主办单位 (may be empty)"},
                    "hotline": {"type": "string", "description": "咨询电话 (may be empty)"},
                },
            },
            "evaluated_unit": UNIT,
            "poster_unit": UNIT,
            "questionnaire": {
                "type": "object", "required": ["id", "version", "title", "intro", "questions"],
                "properties": {
                    "id": {"type": "integer"}, "version": {"type": "integer"}, "title": {"type": "string"},
                    "intro": NULLABLE_STRING,
                    "questions": {"type": "array", "items": _ref("Question")},
                },
            },
            "participant_token": {"type": "string", "description": "Send back as X-Participant-Token"},
        },
    },
    "SubmissionRequest": {
        "type": "object", "required": ["submission_id", "answers"], "additionalProperties": False,
        "properties": {
            "submission_id": {"type": "string", "format": "uuid",
                              "description": "Client-generated idempotency key: a retry with the same id "
                                             "returns the first receipt"},
            "answers": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "Question id -> option value or text"},
            "duration_seconds": {"type": "integer", "minimum": 0, "maximum": MAX_DURATION},
        },
    },
    "Receipt": {
        "type": "object", "required": ["status", "receipt_no", "submission_id", "created_at"],
        "properties": {
            "status": {"type": "string", "enum": ["accepted", "replayed"]},
            "receipt_no": {"type": "string"},
            "submission_id": {"type": "string", "format": "uuid"},
            "created_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "ParticipationStatus": {
        "type": "object", "required": ["participated", "receipt_no"],
        "properties": {"participated": {"type": "boolean"}, "receipt_no": NULLABLE_STRING},
    },
}


def build_spec() -> dict:
    """The whole document; plain data so tests and tools can load it without a server."""
    common_get = (404, 405, 429, 500, 503)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Social evaluation survey API (社会评价问卷接口)", "version": "1.0.0",
            "description": "The resident flow as JSON, for a WeChat mini-program or a kiosk. "
                           "Every error answers {\"error\": {\"code\", \"message\", \"fields\"?}}.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/entries/{code}": {
                "parameters": [CODE_PARAM],
                "get": {
                    "operationId": "getEntry",
                    "summary": "The questionnaire behind an entry code, and a participant token",
                    "parameters": [TOKEN_PARAM],
                    "responses": {"200": _json(_ref("Entry"), "The entry"), **_errors(*common_get)},
                },
            },
            "/api/v1/entries/{code}/responses": {
                "parameters": [CODE_PARAM],
                "post": {
                    "operationId": "submitResponse",
                    "summary": "Submit one response; retries with the same submission_id are safe",
                    "parameters": [TOKEN_PARAM],
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": _ref("SubmissionRequest")}}},
                    "responses": {
                        "201": _json(_ref("Receipt"), "Stored; status is accepted"),
                        "200": _json(_ref("Receipt"), "A retry of a stored submission; status is replayed"),
                        **_errors(400, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 503),
                    },
                },
            },
            "/api/v1/entries/{code}/status": {
                "parameters": [CODE_PARAM],
                "get": {
                    "operationId": "getParticipationStatus",
                    "summary": "Whether this participant has already answered what this entry asks about "
                               "(the campaign, its questionnaire or its evaluated unit: the campaign's answer_scope)",
                    "parameters": [TOKEN_PARAM],
                    "responses": {"200": _json(_ref("ParticipationStatus"), "Participation"),
                                  **_errors(*common_get)},
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "responses": {"200": _json({"type": "object"}, "OpenAPI 3.0 document"),
                                  **_errors(405, 429, 500)},
                },
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "responses": {f"E{s}": _json(_ref("Error"), text) for s, text in ERROR_TEXT.items()},
        },
    }


@bp.get("/api/v1/openapi.json")
def openapi_json():
    """The OpenAPI 3.0 document of the resident JSON API."""
    return jsonify(build_spec())
