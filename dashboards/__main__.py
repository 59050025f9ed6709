"""``python -m dashboards --workspace DIR [--host 127.0.0.1] [--port 8050]``: serve the dashboard.

``moderator-kit dashboard`` and ``moderator-kit demo`` hand over to this, so that the library never imports the
dashboard. Basic auth comes from ``MODERATOR_KIT_BASIC_AUTH`` (``user:password``), never from the command line;
extra host names from ``--allowed-host`` and ``MODERATOR_KIT_ALLOWED_HOSTS`` (comma-separated).
"""

from __future__ import annotations

import argparse
import os
import sys

from moderator_kit.errors import ModeratorKitError

__all__ = ["main", "env_hosts"]


def env_hosts() -> list[str]:
    """The host names in ``MODERATOR_KIT_ALLOWED_HOSTS`` (comma-separated)."""
    return [h.strip() for h in os.environ.get("MODERATOR_KIT_ALLOWED_HOSTS", "").split(",") if h.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboards", description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default=os.environ.get("MODERATOR_KIT_WORKSPACE", "workspace"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--allow-remote", action="store_true")
    parser.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                        help="a host name browsers may use besides 127.0.0.1 / localhost (repeatable; '*': any)")
    parser.add_argument("--max-upload-mb", type=float, default=50)
    parser.add_argument("--import-timeout-min", type=float, default=15,
                        help="stop an import started on the Import page after this many minutes")
    parser.add_argument("--live", metavar="SPEC", help="a live source as JSON (moderator-kit live writes it)")
    args = parser.parse_args(argv)
    from dashboards.app import run_dashboard
    from dashboards.jobs import JobLimits

    try:
        if args.import_timeout_min <= 0:
            raise ModeratorKitError("--import-timeout-min must be positive")
        live = None
        if args.live:
            from moderator_kit.live import LiveSpec, start_feed

            live = start_feed(LiveSpec.from_json(args.live))
            print(f"live: {live.description} (session {live.state.session_id}); open /live", file=sys.stderr)
        run_dashboard(args.workspace, host=args.host, port=args.port, allow_remote=args.allow_remote,
                      basic_auth=os.environ.get("MODERATOR_KIT_BASIC_AUTH") or None,
                      max_upload_mb=args.max_upload_mb, allowed_hosts=[*env_hosts(), *args.allowed_host],
                      import_limits=JobLimits(max_seconds=args.import_timeout_min * 60), live=live)
    except ModeratorKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
