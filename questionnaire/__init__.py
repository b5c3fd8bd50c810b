"""Survey platform for a city performance office's yearly social evaluation.

The app factory is `questionnaire.app.create_app`. It is not re-exported here: importing
any module of the package (a pure domain module, an RQ job) must not load the whole app.
"""
