"""The moderator's dashboard: the app factory :func:`create_app` and :func:`run_dashboard`.

``create_app(workspace)`` builds a multi-page Dash app (``use_pages=True``; one module per page in
``dashboards/pages/``, each with its own callbacks) over the analysis snapshots of a workspace. It keeps no global
mutable state of its own: the workspace, the cached snapshots and the import jobs live on the app
(``app.server.config['MODERATOR_KIT']``, see :mod:`dashboards.data`).

Security choices (see ``docs/dashboard.md``):

* :func:`run_dashboard` binds 127.0.0.1 and refuses any other address unless ``allow_remote=True`` (then it warns);
* optional HTTP basic auth (``basic_auth="user:password"``), checked before every request;
* message text, names and URLs are shown as text (never as HTML or Markdown); only http(s) URLs become links;
* a Content-Security-Policy allows only the app's own scripts (and Dash's inline renderer, by hash), no plugins, no
  framing; uploads are limited to ``max_upload_mb``.
"""

from __future__ import annotations

import ipaddress
import math
import os
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

import dash
import flask
from dash import dcc, html

from dashboards.components.picker import (
    CHATS_VERSION_STORE,
    OPEN_REQUEST_STORE,
    SELECTION_STORE,
    URL,
    nav_layout,
    picker_layout,
    register_callbacks,
)
from dashboards.cache import ResponseCache, install_response_cache
from dashboards.data import APP_KEY, DashboardState
from dashboards.guards import LoginThrottle, allowed_host_names, install_basic_auth, install_host_check
from dashboards.jobs import JOBS_KEY, ImportRunner, JobLimits
from moderator_kit import __version__
from moderator_kit.errors import ModeratorKitError

__all__ = ["create_app", "run_dashboard", "prepare_workspace", "reset_dash_registries", "parse_basic_auth",
           "is_loopback"]

HERE = Path(__file__).resolve().parent
#: Key of the :class:`dashboards.cache.ResponseCache` in ``app.server.config`` (absent when the cache is off).
CACHE_KEY = "MODERATOR_KIT_CACHE"
#: Key of the live feed (:class:`moderator_kit.live.LiveFeed`) the Live page reads (None: no live source).
LIVE_KEY = "MODERATOR_KIT_LIVE"


def reset_dash_registries() -> None:
    """Forget the pages and callbacks Dash keeps in module-level registries.

    Dash collects ``dash.register_page`` and ``@dash.callback`` in globals and hands them to the app that serves
    first; :func:`create_app` calls this before building an app (and binds the collected callbacks to the new app
    at once), so several apps in one process each get exactly their own pages and callbacks.
    """
    from dash import _callback, _pages

    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_INLINE_SCRIPTS.clear()
    _pages.PAGE_REGISTRY.clear()


def parse_basic_auth(value: str | tuple[str, str] | None) -> tuple[str, str] | None:
    """``"user:password"`` (or a pair) as a pair; None stays None.

    >>> parse_basic_auth("mod:s3cret:x")
    ('mod', 's3cret:x')
    >>> parse_basic_auth("nopassword")
    Traceback (most recent call last):
    ...
    moderator_kit.errors.ModeratorKitError: basic auth must look like 'user:password' (both non-empty)
    """
    if value is None:
        return None
    if isinstance(value, (tuple, list)) and len(value) == 2:
        user, password = str(value[0]), str(value[1])
    elif isinstance(value, str) and ":" in value:
        user, password = value.split(":", 1)
    else:
        user = password = ""
    if not user or not password:
        raise ModeratorKitError("basic auth must look like 'user:password' (both non-empty)")
    return user, password


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine.

    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.5", "example.com")]
    [True, True, True, False, False, False]
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _install_first_start(server: flask.Flask, state: DashboardState) -> None:
    """Open the Import page instead of an empty overview while the workspace holds no analysed chat."""

    @server.before_request
    def _first_start():
        if flask.request.method == "GET" and flask.request.path == "/" and not state.analyzed_chats():
            return flask.redirect("/import", code=302)
        return None


def prepare_workspace(workspace: Path | str) -> Path:
    """The dashboard's workspace, created when the folder is new or empty (first start).

    Raises
    ------
    moderator_kit.errors.ModeratorKitError
        For a folder that holds files but is no workspace (the dashboard would offer them for import).

    Examples
    --------
    >>> import tempfile
    >>> folder = prepare_workspace(Path(tempfile.mkdtemp()) / "new")
    >>> (folder / "workspace.json").is_file()
    True
    """
    from moderator_kit.workspace import Workspace

    root = Path(workspace)
    if not (root / "workspace.json").is_file() and root.exists():
        if not root.is_dir():
            raise ModeratorKitError(f"{root} is a file; pass --workspace with a folder (a new one is created)")
        if any(root.iterdir()):
            raise ModeratorKitError(f"{root} holds files but no moderator-kit workspace; pass --workspace with a new "
                                    "or empty folder (it is created), or one made by 'moderator-kit import'")
    return Workspace(root, create=True).root


def _content_security_policy(app: dash.Dash) -> str:
    hashes = " ".join(app.csp_hashes())
    return "; ".join([
        "default-src 'self'",
        # plotly.js compiles WebGL shaders (scattergl, used for big networks) with new Function: 'unsafe-eval'
        f"script-src 'self' 'unsafe-eval' {hashes}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _install_security_headers(app: dash.Dash) -> None:
    cache: dict[int, str] = {}

    @app.server.after_request
    def _headers(response: flask.Response) -> flask.Response:
        # Dash adds inline scripts (the pages' title callback) on the first request, so the script hashes are
        # taken when a response goes out, and recomputed only when the number of inline scripts changes.
        key = len(app._inline_scripts)
        if key not in cache:
            cache.clear()
            cache[len(app._inline_scripts)] = policy = _content_security_policy(app)
        else:
            policy = cache[key]
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response


def _frame() -> html.Div:
    """The app's frame around the pages: header with navigation, the session picker, the page, the footer."""
    return html.Div(className="mk-app", children=[
        dcc.Location(id=URL),
        dcc.Store(id=SELECTION_STORE, storage_type="memory"),
        dcc.Store(id=CHATS_VERSION_STORE, data=0),
        dcc.Store(id=OPEN_REQUEST_STORE),
        dcc.Store(id="mk-url-sync"),
        html.Header(className="mk-header", children=html.Div(className="mk-header-inner", children=[
            dcc.Link(className="mk-brand", href="/", children=[
                html.Span("◆", className="mk-brand-mark", **{"aria-hidden": "true"}),
                html.Span("moderator-kit", className="mk-brand-name"),
            ]),
            nav_layout(),
        ])),
        html.Div(className="mk-picker-bar", children=picker_layout()),
        html.Main(className="mk-main", children=dash.page_container),
        html.Footer(className="mk-footer", children=[
            html.Span(f"moderator-kit {__version__}"),
            html.Span(" · figures read from the analysis snapshot; re-run 'moderator-kit analyze' after changing "
                      "chat.yaml"),
        ]),
    ])


def create_app(workspace: Path | str, *, chats: list[str] | None = None,
               basic_auth: str | tuple[str, str] | None = None, max_upload_mb: float = 50,
               title: str = "moderator-kit", response_cache: int = 256,
               allowed_hosts: Iterable[str] | None = None, bound_host: str | None = None,
               import_limits: JobLimits | None = None, login_throttle: LoginThrottle | None = None,
               live: object | None = None) -> dash.Dash:
    """Build the dashboard for a workspace.

    Parameters
    ----------
    workspace
        The moderator-kit workspace folder (it may not exist yet: the Import page creates it).
    chats
        Show only these chats (default: every analysed chat).
    basic_auth
        ``"user:password"`` to require HTTP basic auth on every request (use it whenever the dashboard is shared).
    max_upload_mb
        The largest archive the Import page accepts, in MiB.
    title
        The browser tab's title.
    response_cache
        How many page-callback responses to keep (:mod:`dashboards.cache`; 0 turns the cache off). Many viewers of
        the same chat then cost one computation; a new analysis invalidates the cache.
    allowed_hosts
        Host names (``Host`` header) to answer besides ``127.0.0.1``, ``localhost`` and ``::1``, e.g. the name of a
        TLS proxy in front; ``["*"]`` answers any host (only behind a proxy that checks it). Other hosts get 400
        (:mod:`dashboards.guards`: DNS rebinding).
    bound_host
        The address the server listens on (:func:`run_dashboard` passes it): allowed as a host name too.
    import_limits
        Time and unpacking limits of imports started from the Import page (:class:`dashboards.jobs.JobLimits`).
    login_throttle
        How failed basic-auth logins are throttled (default: 5 failures lock an address out for 30 s, doubling).
    live
        The :class:`moderator_kit.live.LiveFeed` the Live page shows (``moderator-kit live``); None: the page says
        how to start one.

    Returns
    -------
    dash.Dash
        The app; ``app.server`` is the Flask (WSGI) application.

    Examples
    --------
    >>> import tempfile
    >>> app = create_app(tempfile.mkdtemp())
    >>> {"/", "/flow", "/network", "/import"} <= {p["path"] for p in dash.page_registry.values()}
    True
    >>> app.server.config["MODERATOR_KIT"].max_upload_bytes
    52428800
    >>> app.server.test_client().get("/", headers={"Host": "attacker.example"}).status_code
    400
    """
    if max_upload_mb <= 0:
        raise ModeratorKitError("max_upload_mb must be positive")
    credentials = parse_basic_auth(basic_auth)
    state = DashboardState(workspace, chats=chats, max_upload_bytes=int(max_upload_mb * (1 << 20)))
    reset_dash_registries()
    app = dash.Dash(
        "dashboards",
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title=title,
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        include_pages_meta=False,
    )
    server = app.server
    server.config[APP_KEY] = state
    server.config[LIVE_KEY] = live
    # An upload travels base64-encoded (4/3 of its size) inside a JSON callback request, next to the config file.
    server.config["MAX_CONTENT_LENGTH"] = int(math.ceil((state.max_upload_bytes + (1 << 20)) * 4 / 3)) + (64 << 10)
    runner = ImportRunner(state, import_limits)
    server.config[JOBS_KEY] = runner
    if credentials:
        install_basic_auth(server, credentials, login_throttle or LoginThrottle())
    install_host_check(server, allowed_host_names(allowed_hosts, bound=bound_host))  # runs first of all
    _install_first_start(server, state)
    if response_cache > 0:  # after basic auth: nothing is served, cached or not, without credentials
        cache = ResponseCache(max_entries=response_cache)
        server.config[CACHE_KEY] = cache
        install_response_cache(server, state, cache)
    app.layout = _frame
    register_callbacks(app)
    app.clientside_callback(
        dash.ClientsideFunction(namespace="mk", function_name="replaceQuery"),
        dash.Output("mk-url-sync", "data"),
        dash.Input(SELECTION_STORE, "data"),
    )
    # Bind the callbacks the page modules just registered with @dash.callback to this app now (Dash would do it on
    # the first request, and hand them to whichever app served first).
    with server.test_request_context("/"):
        app._setup_server()
    _install_security_headers(app)
    return app


def run_dashboard(workspace: Path | str, host: str = "127.0.0.1", port: int = 8050, allow_remote: bool = False,
                  basic_auth: str | tuple[str, str] | None = None, *, chats: list[str] | None = None,
                  max_upload_mb: float = 50, debug: bool = False, allowed_hosts: Iterable[str] | None = None,
                  import_limits: JobLimits | None = None, live: object | None = None) -> None:
    """Serve the dashboard (Flask's threaded server) until interrupted.

    Binds loopback only unless ``allow_remote=True``: anyone who can reach a remote address could read the chat
    data, so a non-loopback ``host`` is refused without it and warned about with it (use ``basic_auth`` and a TLS
    proxy then). A new or empty workspace folder is created (first start: the Import page opens). Running imports
    are stopped and their temporary files removed when the server stops (Ctrl+C or SIGTERM). For production, serve
    ``dashboards.wsgi:application`` with gunicorn instead.

    Raises
    ------
    moderator_kit.errors.ModeratorKitError
        For a non-loopback host without ``allow_remote``, a bad port, bad basic-auth credentials or a folder that
        holds files but is no workspace.
    """
    if not is_loopback(host) and not allow_remote:
        raise ModeratorKitError(f"refusing to listen on {host}: the dashboard binds 127.0.0.1 by default; pass "
                                "--allow-remote (and --basic-auth user:password) to serve other machines")
    if not 0 < int(port) < 65536:
        raise ModeratorKitError(f"port {port} is out of range (1-65535)")
    fresh = not (Path(workspace) / "workspace.json").is_file()
    prepare_workspace(workspace)
    app = create_app(workspace, chats=chats, basic_auth=basic_auth, max_upload_mb=max_upload_mb,
                     allowed_hosts=allowed_hosts, bound_host=host, import_limits=import_limits, live=live)
    if not is_loopback(host):
        print(f"WARNING: the dashboard listens on {host}:{port}, reachable from other machines; "
              + ("it asks for the basic-auth password, but traffic is not encrypted: put it behind a TLS proxy."
                 if basic_auth else "anyone who can reach it can read the chat data: add --basic-auth user:password "
                                    "and a TLS proxy.")
              + " Browsers must use an allowed host name (--allowed-host NAME).", file=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    if fresh:
        print(f"created a new workspace in {Path(workspace)}: open the Import page to add a chat", file=sys.stderr)
    print(f"moderator-kit dashboard on http://{shown}:{port}/ (workspace {Path(workspace)}); Ctrl+C to stop",
          file=sys.stderr)
    runner: ImportRunner = app.server.config[JOBS_KEY]
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if in_main else None
    try:
        app.run(host=host, port=int(port), debug=debug, use_reloader=False, threaded=True)
    finally:
        runner.shutdown()
        if live is not None:
            live.stop()
        if in_main:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(_sig: int, _frame: object) -> None:
    # SIGTERM would end the server without unwinding: raise instead, so running imports are stopped and cleaned up
    raise SystemExit(0)


if __name__ == "__main__":  # pragma: no cover - python -m dashboards.app WORKSPACE
    run_dashboard(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MODERATOR_KIT_WORKSPACE", "workspace"))
