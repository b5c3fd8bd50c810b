"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import pytest

# Each dialect runs the migrations.
pytestmark = pytest.mark.both_backends


def test_the_migrated_schema_matches_the_models(clean_app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from questionnaire.extensions import db

    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert differences == []


def test_a_response_has_one_foreign_key_its_entry_point(clean_app):
    from sqlalchemy import inspect

    from questionnaire.extensions import db

    keys = inspect(db.engine).get_foreign_keys("responses")
    foreign_keys = [(k["constrained_columns"], k["referred_table"]) for k in keys]
    assert foreign_keys == [(["collection_point_id"], "collection_points")]
