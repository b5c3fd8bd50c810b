"""Form bodies decoded so that bytes which are not UTF-8 stay visible to answer validation.

Werkzeug 3 decodes `application/x-www-form-urlencoded` with errors="werkzeug.url_quote": a
percent-escape that is not UTF-8 (`%FF%FE%C3%28`, or `%ED%A0%80`, a surrogate encoded as
UTF-8) becomes the literal text "%FF%FE%C3(", which no rule can tell from typed text, so the
survey form stored it while the JSON API refused the same bytes. Decoded with errors="replace"
each such byte is U+FFFD, as Werkzeug's multipart parser already makes it, and the one answer
rule (`campaigns.definition.UNTYPEABLE`) refuses U+FFFD in free text with the message it gives
the API's lone surrogates. Not surrogateescape: a lone surrogate cannot be encoded into a page,
a log line or a database query, so every office form would turn bad bytes into a 500.
The body is still parsed once by the same `parse_qsl`; only the error handler differs.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Request
from werkzeug.formparser import FormDataParser


class ReplacingFormParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        items = parse_qsl(stream.read().decode("utf-8", "replace"), keep_blank_values=True,
                          encoding="utf-8", errors="replace")
        return stream, self.cls(items), self.cls()


class AppRequest(Request):
    form_data_parser_class = ReplacingFormParser
