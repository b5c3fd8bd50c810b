"""Dashboard fixtures: the office accounts and the real submission path, reused."""

from __future__ import annotations

from tests.office.conftest import PASSWORD, accounts, login, login_as  # noqa: F401 - fixtures
from tests.tallies.conftest import Submitter, submit  # noqa: F401 - fixtures
