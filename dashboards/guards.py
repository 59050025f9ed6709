"""Request guards run before anything else is served: the Host header check and HTTP basic auth with a throttle.

* **Host header.** A browser that loads a page from ``http://attacker.example/`` whose DNS name is then re-pointed
  at 127.0.0.1 (DNS rebinding) would read a loopback dashboard as that site; it still sends
  ``Host: attacker.example``. Only the loopback names (``127.0.0.1``, ``localhost``, ``::1``), the address the
  server binds and the names the user allowed are served; any other Host gets 400.
* **Basic auth.** Both the user and the password are compared in constant time (through their SHA-256, so neither
  their length leaks), and a client address that failed :attr:`LoginThrottle.max_failures` times in a row is
  refused with 429 and ``Retry-After`` until its lock-out ends (doubling with each further lock-out, up to
  :attr:`LoginThrottle.max_lockout`), whatever it sends meanwhile, so guessing stays slow.

Examples
--------
>>> host_name("[::1]:8050"), host_name("LocalHost."), host_name("127.0.0.1:80"), host_name("bad host")
('::1', 'localhost', '127.0.0.1', None)
>>> allowed = allowed_host_names(["chats.example.org"], bound="0.0.0.0")
>>> sorted(allowed)
['127.0.0.1', '::1', 'chats.example.org', 'localhost']
>>> host_allowed("attacker.example:8050", allowed), host_allowed("localhost:8050", allowed)
(False, True)
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import re
import threading
import time
from collections.abc import Callable, Iterable

import flask

__all__ = [
    "LOOPBACK_NAMES",
    "host_name",
    "allowed_host_names",
    "host_allowed",
    "install_host_check",
    "LoginThrottle",
    "install_basic_auth",
]

#: Host names that always reach a loopback dashboard.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_HOST = re.compile(r"^(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.-]+))(?::(?P<port>\d{1,5}))?$")
_WILDCARDS = {"0.0.0.0", "::", ""}


def host_name(header: str | None) -> str | None:
    """The host name of a ``Host`` header (lower case, no port, no trailing dot), None when it is malformed."""
    match = _HOST.match((header or "").strip().lower())
    if match is None:
        return None
    return match["v6"] or match["name"].rstrip(".") or None


def _clean(name: str) -> str:
    name = name.strip().lower()
    if name.startswith("[") and "]" in name:
        return name[1:name.index("]")]
    parsed = host_name(name)
    return parsed if parsed is not None else name


def allowed_host_names(extra: Iterable[str] | None = None, *, bound: str | None = None) -> frozenset[str] | None:
    """The host names a dashboard answers to: loopback, the bound address (unless a wildcard) and ``extra``.

    ``"*"`` in ``extra`` turns the check off (None): only for a proxy that checks the Host itself.
    """
    names = set(LOOPBACK_NAMES)
    for item in extra or ():
        for part in str(item).split(","):
            if part.strip() == "*":
                return None
            if part.strip():
                names.add(_clean(part))
    if bound is not None and _clean(bound) not in _WILDCARDS:
        names.add(_clean(bound))
    return frozenset(names)


def host_allowed(header: str | None, allowed: frozenset[str] | None) -> bool:
    """Whether a request's ``Host`` header names one of the ``allowed`` hosts (None allows every host)."""
    if allowed is None:
        return True
    name = host_name(header)
    if name is None:
        return False
    try:  # "127.000.000.001" and other spellings of an allowed address
        name = str(ipaddress.ip_address(name))
    except ValueError:
        pass
    return name in allowed


def install_host_check(server: flask.Flask, allowed: frozenset[str] | None) -> None:
    """Answer 400 to any request whose Host header is not allowed (runs before every other hook)."""
    if allowed is None:
        return

    def _check_host():
        if not host_allowed(flask.request.headers.get("Host"), allowed):
            return flask.Response(
                "Unknown host. This dashboard answers only to the names it was started for; start it with "
                "--allowed-host NAME (or MODERATOR_KIT_ALLOWED_HOSTS) to add one.\n", 400,
                {"Content-Type": "text/plain; charset=utf-8"})
        return None

    server.before_request(_check_host)
    _run_first(server, _check_host)


def _run_first(server: flask.Flask, func: Callable) -> None:
    # Dash registers its own before_request hooks in its constructor; guards must run before them.
    funcs = server.before_request_funcs.setdefault(None, [])
    funcs.insert(0, funcs.pop(funcs.index(func)))


class LoginThrottle:
    """Failed basic-auth attempts per client address, and the lock-outs they earn.

    Parameters
    ----------
    max_failures
        Failures in a row that lock an address out.
    lockout
        Seconds of the first lock-out; each further lock-out of the same address doubles it, up to ``max_lockout``.
    max_lockout
        The longest lock-out, in seconds.
    clock
        A monotonic clock (tests pass a fake one).

    Examples
    --------
    >>> now = [0.0]
    >>> throttle = LoginThrottle(max_failures=2, lockout=30, clock=lambda: now[0])
    >>> throttle.retry_after("10.0.0.1"), throttle.failed("10.0.0.1"), throttle.failed("10.0.0.1")
    (0, 0, 30)
    >>> throttle.retry_after("10.0.0.1"), throttle.retry_after("10.0.0.2")
    (30, 0)
    >>> now[0] = 31.0
    >>> throttle.retry_after("10.0.0.1"), throttle.failed("10.0.0.1"), throttle.failed("10.0.0.1")
    (0, 0, 60)
    >>> throttle.succeeded("10.0.0.1"); throttle.retry_after("10.0.0.1")
    0
    """

    #: Addresses remembered at most (the oldest are forgotten first).
    max_clients = 10_000

    def __init__(self, *, max_failures: int = 5, lockout: float = 30.0, max_lockout: float = 900.0,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures = int(max_failures)
        self.lockout = float(lockout)
        self.max_lockout = float(max_lockout)
        self._clock = clock
        self._lock = threading.Lock()
        # address -> [failures in a row, lock-outs so far, locked until]
        self._clients: dict[str, list[float]] = {}

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may try again (0: it may try now)."""
        with self._lock:
            entry = self._clients.get(client)
            if entry is None:
                return 0
            left = entry[2] - self._clock()
        return math.ceil(left) if left > 0 else 0

    def failed(self, client: str) -> int:
        """Record a failure; returns the lock-out it started in seconds (0 when none)."""
        with self._lock:
            entry = self._clients.pop(client, None) or [0, 0, 0.0]
            self._clients[client] = entry  # most recent last: the oldest are dropped first
            while len(self._clients) > self.max_clients:
                del self._clients[next(iter(self._clients))]
            entry[0] += 1
            if entry[0] < self.max_failures:
                return 0
            seconds = min(self.max_lockout, self.lockout * 2 ** entry[1])
            entry[0], entry[1], entry[2] = 0, entry[1] + 1, self._clock() + seconds
            return int(seconds)

    def succeeded(self, client: str) -> None:
        """Forget ``client``'s failures."""
        with self._lock:
            self._clients.pop(client, None)


def _digest(value: str | None) -> bytes:
    return hashlib.sha256((value or "").encode("utf-8", "surrogatepass")).digest()


def install_basic_auth(server: flask.Flask, credentials: tuple[str, str], throttle: LoginThrottle) -> None:
    """Require HTTP basic auth on every request, before anything else (after the Host check)."""
    expected_user, expected_password = _digest(credentials[0]), _digest(credentials[1])

    def _too_many(seconds: int) -> flask.Response:
        return flask.Response(f"Too many failed logins from this address; try again in {seconds} s.\n", 429,
                              {"Retry-After": str(seconds), "Content-Type": "text/plain; charset=utf-8"})

    def _require_auth():
        client = flask.request.remote_addr or "unknown"
        wait = throttle.retry_after(client)
        if wait:
            return _too_many(wait)
        auth = flask.request.authorization
        given = auth is not None and auth.type == "basic"
        # both comparisons always run (no short cut that would tell a right user name by timing)
        user_ok = hmac.compare_digest(_digest(auth.username if given else ""), expected_user)
        password_ok = hmac.compare_digest(_digest(auth.password if given else ""), expected_password)
        if given and user_ok & password_ok:
            throttle.succeeded(client)
            return None
        if given:  # a browser's first request carries no credentials: that is not a guess
            locked = throttle.failed(client)
            if locked:
                return _too_many(locked)
        return flask.Response("Authentication required.\n", 401,
                              {"WWW-Authenticate": 'Basic realm="moderator-kit", charset="UTF-8"'})

    server.before_request(_require_auth)
    _run_first(server, _require_auth)
