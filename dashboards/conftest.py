"""pytest settings for ``pytest --doctest-modules dashboards``.

Page modules register themselves with ``dash.register_page``, which only works while ``create_app`` builds an app,
and ``wsgi.py`` needs ``MODERATOR_KIT_WORKSPACE``: neither can be imported on its own, so doctest collection skips
them (the pages are tested through ``tests/test_dashboard_callbacks.py``).
"""

collect_ignore = ["wsgi.py"]
collect_ignore_glob = ["pages/*.py"]
