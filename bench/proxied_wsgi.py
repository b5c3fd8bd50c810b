"""The app as production runs it behind one reverse proxy (nginx sets X-Forwarded-For).

wsgi.py itself trusts no proxy header; the bench sends every resident's address in
X-Forwarded-For so the per-IP limits and IP hashes see many networks, not 127.0.0.1.
"""

from werkzeug.middleware.proxy_fix import ProxyFix

from wsgi import app as flask_app

app = ProxyFix(flask_app, x_for=1)
