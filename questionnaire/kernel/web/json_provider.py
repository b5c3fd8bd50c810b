"""Flask's JSON provider, with a body nested too deeply treated as malformed JSON.

Python's json decoder raises RecursionError (not ValueError) past ~1000 levels, so
`request.get_json(silent=True)` let `[[[[...` (10 000 levels fit in 20 KB, well under
MAX_CONTENT_LENGTH) escape as a 500. As a ValueError it takes Flask's ordinary
malformed-JSON path: None with silent=True, else a 400.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
