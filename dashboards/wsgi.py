"""WSGI entry point: ``gunicorn -w 1 --threads 8 -b 127.0.0.1:8050 dashboards.wsgi:application``.

Reads the workspace from ``MODERATOR_KIT_WORKSPACE`` and, optionally, basic-auth credentials (``user:password``)
from ``MODERATOR_KIT_BASIC_AUTH`` and the upload limit in MiB from ``MODERATOR_KIT_MAX_UPLOAD_MB``. Use one worker
process (with threads): import jobs started from the Import page are tracked in the worker that runs them.
"""

from __future__ import annotations

import os

from dashboards.app import create_app

__all__ = ["application"]

application = create_app(
    os.environ["MODERATOR_KIT_WORKSPACE"],
    basic_auth=os.environ.get("MODERATOR_KIT_BASIC_AUTH") or None,
    max_upload_mb=float(os.environ.get("MODERATOR_KIT_MAX_UPLOAD_MB", "50")),
).server
