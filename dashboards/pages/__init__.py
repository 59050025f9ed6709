"""One module per dashboard page, each registering itself with ``dash.register_page`` and its own callbacks.

Dash executes these modules when :func:`dashboards.app.create_app` builds an app; do not import them before that.
"""

__all__: list[str] = []
