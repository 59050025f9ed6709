"""WSGI entry point: ``gunicorn -w 1 --threads 8 -b 127.0.0.1:8050 dashboards.wsgi:application``.

Reads the workspace from ``MODERATOR_KIT_WORKSPACE`` (created when new or empty) and, optionally, basic-auth
credentials (``user:password``) from ``MODERATOR_KIT_BASIC_AUTH``, the upload limit in MiB from
``MODERATOR_KIT_MAX_UPLOAD_MB``, the host names browsers may use besides loopback from
``MODERATOR_KIT_ALLOWED_HOSTS`` (comma-separated; the proxy's public name) and the time limit of an import in minutes
from ``MODERATOR_KIT_IMPORT_TIMEOUT_MIN``. Use one worker process (with threads): import jobs started from the Import
page are tracked in the worker that runs them.
"""

from __future__ import annotations

import os

from dashboards.__main__ import env_hosts
from dashboards.app import create_app, prepare_workspace
from dashboards.jobs import JobLimits

__all__ = ["application"]

application = create_app(
    prepare_workspace(os.environ["MODERATOR_KIT_WORKSPACE"]),
    basic_auth=os.environ.get("MODERATOR_KIT_BASIC_AUTH") or None,
    max_upload_mb=float(os.environ.get("MODERATOR_KIT_MAX_UPLOAD_MB", "50")),
    allowed_hosts=env_hosts(),
    import_limits=JobLimits(max_seconds=60 * float(os.environ.get("MODERATOR_KIT_IMPORT_TIMEOUT_MIN", "15"))),
).server
