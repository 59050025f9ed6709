"""Probes that scripts/plain-install-check.sh runs with the fresh virtualenv's Python (standard library only).

``python plain_install_probe.py import-all VENV`` imports every module of moderator_kit and dashboards (walked with
pkgutil) and checks that they come from VENV, not from a source checkout on the path; it prints one line per failure
and exits 1 if any failed.

``python plain_install_probe.py fetch URL [--json]`` fetches URL once and exits 0 only for HTTP 200 with a non-empty
body (and, with ``--json``, a body that parses as JSON); otherwise it prints why and exits 1.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import pkgutil
import sys
import traceback
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["import_all", "fetch", "main"]

PACKAGES = ("moderator_kit", "dashboards")
#: Modules that are scripts, not libraries: importing ``__main__`` runs it (``moderator_kit.synth`` writes the
#: sample), and conftest modules are pytest settings. They are compiled instead, and what they import is walked anyway.
SCRIPT_MODULES = ("__main__", "conftest")


def _failure(name: str, err: BaseException) -> str:
    last = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
    where = f" (at {last.filename}:{last.lineno})" if last else ""
    return f"{name}: {type(err).__name__}: {err}{where}"


def import_all(venv: Path) -> tuple[int, list[str]]:
    """Import every module of PACKAGES; returns (modules tried, one line per failure)."""
    failures: list[str] = []
    prefix = str(venv.resolve()) + os.sep
    try:
        # Dash pages call dash.register_page at import, which works only while an app with use_pages is built.
        from dashboards.app import create_app

        create_app(os.environ.get("MODERATOR_KIT_WORKSPACE", "workspace"))
    except BaseException as err:  # noqa: BLE001 - report it, then try every module anyway
        failures.append(_failure("dashboards.app.create_app", err))
    count = 0
    for name in PACKAGES:
        count += 1
        try:
            package = importlib.import_module(name)
        except BaseException as err:  # noqa: BLE001
            failures.append(_failure(name, err))
            continue
        where = str(Path(package.__file__).resolve())
        if not where.startswith(prefix):
            failures.append(f"{name}: imported from {where}, not from the virtualenv {prefix}")
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}.", onerror=lambda _name: None):
            count += 1
            try:
                if info.name.rsplit(".", 1)[-1] in SCRIPT_MODULES:
                    spec = importlib.util.find_spec(info.name)
                    compile(Path(spec.origin).read_bytes(), spec.origin, "exec")
                else:
                    importlib.import_module(info.name)
            except BaseException as err:  # noqa: BLE001 - report every module, whatever it raised
                failures.append(_failure(info.name, err))
    return count, failures


def fetch(url: str, *, as_json: bool = False) -> str | None:
    """None when ``url`` answers 200 with a body (valid JSON if ``as_json``); otherwise the reason."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as err:
        return f"HTTP {err.code} from {url}"
    except (OSError, ValueError) as err:
        return f"{type(err).__name__}: {err}"
    if status != 200 or not body:
        return f"HTTP {status} with {len(body)} bytes from {url}"
    if as_json:
        try:
            json.loads(body)
        except ValueError as err:
            return f"{url} did not return JSON ({err})"
    return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "import-all":
        count, failures = import_all(Path(args[1]))
        for line in failures:
            print(f"FAILED {line}")
        print(f"{len(failures)} failures importing the {count} modules of {' and '.join(PACKAGES)}")
        return 1 if failures else 0
    if len(args) in (2, 3) and args[0] == "fetch" and args[2:] in ([], ["--json"]):
        problem = fetch(args[1], as_json=args[2:] == ["--json"])
        if problem:
            print(problem)
        return 1 if problem else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
