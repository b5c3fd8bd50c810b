"""The office-side request hooks return at once on the resident submit endpoints, and only there."""

from flask import Flask

from questionnaire.kernel.web.lean import LeanFlask, skip_hooks_on


class Extension:
    """Stands for Flask-Limiter / Flask-Login: registers a bound method, a partial and a closure."""

    def __init__(self, app: Flask, calls: list):
        import functools

        self.calls = calls
        app.before_request(self.before)
        app.after_request(functools.partial(Extension.after, self))
        ext = self

        def teardown(exc):
            ext.calls.append("teardown")

        app.teardown_request(teardown)

    def before(self):
        self.calls.append("before")

    def after(self, response):
        self.calls.append("after")
        return response


def test_hooks_of_the_named_owners_skip_the_lean_endpoints_only():
    app, calls, own = LeanFlask(__name__), [], []
    ext = Extension(app, calls)
    app.before_request(lambda: own.append("ours"))
    app.add_url_rule("/submit", "submit", lambda: "ok", methods=["POST"])
    app.add_url_rule("/page", "page", lambda: "ok")
    assert skip_hooks_on(app, frozenset({"submit"}), owners=(ext,)) == 3
    client = app.test_client()
    client.post("/submit")
    assert calls == [] and own == ["ours"]
    client.get("/page")
    assert calls == ["before", "after", "teardown"] and own == ["ours", "ours"]


def test_the_app_leaves_no_limiter_login_or_csrf_hook_unwrapped(app):
    from questionnaire.extensions import csrf, login_manager
    from questionnaire.kernel.web.lean import _owned_by

    owners = (app.extensions["sq_limiter"], login_manager, csrf)
    hooks = [*app.before_request_funcs[None], *app.after_request_funcs[None], *app.teardown_request_funcs[None]]
    assert not [h for h in hooks if _owned_by(h, owners)]  # every one of theirs is behind a lean wrapper
    assert sum(hasattr(h, "__wrapped__") for h in hooks) >= 2  # at least CSRF's and Flask-Login's
