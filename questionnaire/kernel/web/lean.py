"""Keep the request overhead of the resident submit endpoints down to what they use.

Residents submit by the million; office staff use the rest. Measured per submission
(bench/submit_cpu.py, in-process; worth 1.5-2x more inside gunicorn): Flask-Limiter's
before/after/teardown hooks 0.05 ms on endpoints it exempts, Flask-Login's remember-cookie
hook 0.01-0.04 ms, the session's signing serializer rebuilt per request 0.03 ms. On the
submit endpoints those hooks do nothing by construction (they count their own limits in
intake.admission; no office login or CSRF token is involved: the form carries its own signed
token), so there they return at once. Every other route runs them unchanged.
"""

from __future__ import annotations

import functools

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

# Handlers whose coroutine check is remembered: the app's views and hooks are a few dozen;
# functions made per request (after_this_request) are checked as Flask does, not kept.
_KEPT_HANDLERS = 512


class LeanFlask(Flask):
    """Flask that remembers which handlers are synchronous. Flask asks for every view and
    hook of every request (`inspect.iscoroutinefunction`, ten calls a submission, ~0.03 ms)."""

    def ensure_sync(self, func):
        kept = self.__dict__.setdefault("_sq_sync_handlers", {})
        try:
            return kept[func]
        except (KeyError, TypeError):  # TypeError: an unhashable callable
            pass
        sync = super().ensure_sync(func)
        if len(kept) < _KEPT_HANDLERS:
            try:
                kept[func] = sync
            except TypeError:
                pass
        return sync


def _owned_by(hook, owners: tuple) -> bool:
    """Registered by one of `owners`: its bound method, a partial over it, or a closure over it."""
    if isinstance(hook, functools.partial):
        return any(arg is owner for arg in hook.args for owner in owners) or _owned_by(hook.func, owners)
    if any(getattr(hook, "__self__", None) is owner for owner in owners):
        return True
    cells = getattr(hook, "__closure__", None) or ()
    return any(cell.cell_contents is owner for cell in cells for owner in owners)


def skip_hooks_on(app: Flask, endpoints: frozenset[str], owners: tuple) -> int:
    """Make the app-wide request hooks of `owners` return at once on `endpoints`; returns
    how many hooks were wrapped (the tests check the extensions' hooks were found)."""

    def before(hook):
        @functools.wraps(hook)
        def lean_before():
            return None if request.endpoint in endpoints else hook()
        return lean_before

    def after(hook):
        @functools.wraps(hook)
        def lean_after(response):
            return response if request.endpoint in endpoints else hook(response)
        return lean_after

    def teardown(hook):
        @functools.wraps(hook)
        def lean_teardown(exc):
            return None if request.endpoint in endpoints else hook(exc)
        return lean_teardown

    wrapped = 0
    for table, wrap in ((app.before_request_funcs, before), (app.after_request_funcs, after),
                        (app.teardown_request_funcs, teardown)):
        hooks = table.get(None, [])
        for i, hook in enumerate(hooks):
            if _owned_by(hook, owners):
                hooks[i] = wrap(hook)
                wrapped += 1
    return wrapped


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signing serializer built once per key set
    instead of on every request (Flask builds one to open even an absent cookie)."""

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get("sq_session_serializer")
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            app.extensions["sq_session_serializer"] = kept
        return kept[1]
