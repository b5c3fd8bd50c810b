"""The bare-Flask baseline: the same gunicorn settings serving one constant route.

The benchmark reports the survey's accepted submissions/s as a ratio of this
number, so a result measured on another machine can be compared.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
