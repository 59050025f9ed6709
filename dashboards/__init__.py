"""The moderator's Dash dashboard over the analysis snapshot (see ``docs/dashboard.md``).

``create_app(workspace)`` builds the app; ``run_dashboard(workspace, host='127.0.0.1', port=8050)`` serves it;
``dashboards.wsgi:application`` is the WSGI entry point for gunicorn.
"""

from dashboards.app import create_app, run_dashboard

__all__ = ["create_app", "run_dashboard"]
