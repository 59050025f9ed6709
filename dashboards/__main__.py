"""``python -m dashboards --workspace DIR [--host 127.0.0.1] [--port 8050]``: serve the dashboard.

``moderator-kit dashboard`` and ``moderator-kit demo`` hand over to this, so that the library never imports the
dashboard. Basic auth comes from ``MODERATOR_KIT_BASIC_AUTH`` (``user:password``), never from the command line.
"""

from __future__ import annotations

import argparse
import os
import sys

from moderator_kit.errors import ModeratorKitError

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboards", description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default=os.environ.get("MODERATOR_KIT_WORKSPACE", "workspace"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--allow-remote", action="store_true")
    parser.add_argument("--max-upload-mb", type=float, default=50)
    args = parser.parse_args(argv)
    from dashboards.app import run_dashboard

    try:
        run_dashboard(args.workspace, host=args.host, port=args.port, allow_remote=args.allow_remote,
                      basic_auth=os.environ.get("MODERATOR_KIT_BASIC_AUTH") or None,
                      max_upload_mb=args.max_upload_mb)
    except ModeratorKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
