"""Survey platform for a city performance office's yearly social evaluation."""

from questionnaire.app import create_app

__all__ = ["create_app"]
