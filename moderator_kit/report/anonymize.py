"""Stable pseudonyms for participant handles in reports (``--anonymize``).

A handle becomes ``person-`` plus the first 10 hex digits of HMAC-SHA256(salt, handle), so the same person gets the
same pseudonym in every report of the workspace (reports can be compared) while nobody without the salt can map a
pseudonym back to a handle by hashing candidate handles. The salt is 32 random bytes kept in the workspace at
``<workspace>/secrets/anonymize_salt`` (created on first use, readable by its owner only); delete it to break the
link between old and new reports.

Handles are compared lower-case without ``@`` (as in the canonical message table). The handles in ``keep`` (the
sponsor's own accounts) stay as they are. :meth:`Pseudonymizer.text` rewrites a free text: every ``@mention`` and
every known handle standing as a word (for example inside an ``x.com/<handle>/status/…`` link) is replaced.

Examples
--------
>>> p = Pseudonymizer(b"salt", keep=["acme"])
>>> p.handle("@Ann") == p.handle("ann"), p.handle("acme"), p.handle("ann")
(True, 'acme', 'person-5c72f4886b')
>>> p.known(["ann", "bob"]).text("thanks @ann and @Zed; ask acme or bob")
'thanks @person-5c72f4886b and @person-b7b5fb1d54; ask acme or person-876ccb7de6'
>>> p.text("https://x.com/bob/status/1")
'https://x.com/person-876ccb7de6/status/1'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from moderator_kit.errors import WorkspaceError

__all__ = ["Pseudonymizer", "SALT_FILE", "salt_path", "load_salt", "normalize_handle"]

#: Where the salt lives, relative to the workspace root.
SALT_FILE = Path("secrets") / "anonymize_salt"
_SALT_BYTES = 32
_PREFIX = "person-"
_MENTION = re.compile(r"@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)")
_WORD = r"[A-Za-z0-9_]"


def normalize_handle(handle: str) -> str:
    """A handle as the message table stores it: stripped, without a leading ``@``, lower-case.

    >>> normalize_handle(" @JenMakesCareers ")
    'jenmakescareers'
    """
    return handle.strip().lstrip("@").lower()


def salt_path(workspace_root: Path | str) -> Path:
    """``<workspace>/secrets/anonymize_salt``."""
    return Path(workspace_root) / SALT_FILE


def load_salt(workspace_root: Path | str, *, create: bool = True) -> bytes:
    """The workspace's anonymization salt; created (32 bytes from ``os.urandom``, mode 0600) on first use.

    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> first = load_salt(root)
    >>> len(first), load_salt(root) == first, oct(salt_path(root).stat().st_mode & 0o777)
    (32, True, '0o600')
    """
    path = salt_path(workspace_root)
    if path.exists():
        salt = path.read_bytes()
        if len(salt) < 16:
            raise WorkspaceError(f"{path}: the anonymization salt is too short ({len(salt)} bytes); delete the file "
                                 "to create a new one (pseudonyms will change)")
        return salt
    if not create:
        raise WorkspaceError(f"{path}: no anonymization salt; run an anonymized report once to create it")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    salt = os.urandom(_SALT_BYTES)
    # O_EXCL: if two reports race to create it, the second reads the first one's salt
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_salt(workspace_root, create=False)
    with os.fdopen(fd, "wb") as handle:
        handle.write(salt)
    return salt


#: Message ids that name nobody: X and Discord snowflakes, Slack's ``channel:timestamp``.
_OPAQUE_ID = re.compile(r"^(?:[0-9]{1,25}|[A-Z0-9]{1,20}:[0-9]{1,12}(?:\.[0-9]{1,9})?)$")


class Pseudonymizer:
    """Replaces participant handles with stable pseudonyms; the handles in ``keep`` stay.

    Parameters
    ----------
    salt
        The secret key of the HMAC (bytes, or text encoded as UTF-8).
    keep
        Handles that are not replaced (the sponsor's own accounts).
    """

    def __init__(self, salt: bytes | str, keep: Iterable[str] = ()):
        self._salt = salt.encode() if isinstance(salt, str) else bytes(salt)
        if not self._salt:
            raise ValueError("the anonymization salt is empty")
        self.keep = frozenset(normalize_handle(h) for h in keep if h)
        self._known: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None

    def handle(self, handle: str | None) -> str | None:
        """The pseudonym of one handle (None stays None; kept handles stay)."""
        if handle is None:
            return None
        key = normalize_handle(handle)
        if not key or key in self.keep:
            return key or handle
        digest = hmac.new(self._salt, key.encode(), hashlib.sha256).hexdigest()
        return _PREFIX + digest[:10]

    def known(self, handles: Iterable[str | None]) -> Pseudonymizer:
        """Also replace these handles where they stand as words in free text (not only as @mentions).

        Returns ``self`` (so calls chain). Kept handles and pseudonyms are left out.
        """
        extra = {normalize_handle(h) for h in handles if h}
        extra = {h for h in extra if h and h not in self.keep and not h.startswith(_PREFIX)}
        self._known = self._known | extra
        if self._known:
            words = "|".join(re.escape(h) for h in sorted(self._known, key=len, reverse=True))
            self._pattern = re.compile(rf"(?<!{_WORD})(?:{words})(?!{_WORD})", re.IGNORECASE)
        return self

    def text(self, text: str | None) -> str | None:
        """Free text with every @mention and every known handle replaced by its pseudonym."""
        if text is None:
            return None
        out = _MENTION.sub(lambda m: "@" + (self.handle(m.group(1)) or m.group(1)), text)
        if self._pattern is not None:
            out = self._pattern.sub(lambda m: self.handle(m.group(0)) or m.group(0), out)
        return out

    def mapping(self, handles: Iterable[str | None]) -> dict[str, str]:
        """{handle: pseudonym} for the distinct values given (for a vectorized ``replace_strict``)."""
        return {h: self.handle(h) for h in {h for h in handles if h is not None}}  # type: ignore[misc]

    def column(self, frame: pl.DataFrame, name: str) -> pl.Expr:
        """An expression that pseudonymizes a String (or List[String]) column of ``frame``.

        >>> import polars as pl
        >>> p = Pseudonymizer(b"k", keep=["acme"])
        >>> frame = pl.DataFrame({"h": ["acme", "ann", None], "m": [["ann"], [], None]})
        >>> out = frame.with_columns(p.column(frame, "h"), p.column(frame, "m"))
        >>> out["h"].to_list()[0], out["h"].to_list()[1].startswith("person-"), out["h"].to_list()[2]
        ('acme', True, None)
        >>> out["m"].to_list()[0] == [p.handle("ann")], out["m"].to_list()[2]
        (True, None)
        """
        dtype = frame.schema[name]
        if dtype == pl.List(pl.String):
            values = frame[name].explode().drop_nulls().unique().to_list()
            mapping = self.mapping(values)
            return pl.col(name).list.eval(
                pl.element().replace_strict(mapping, default=pl.element(), return_dtype=pl.String))
        values = frame[name].drop_nulls().unique().to_list()
        mapping = self.mapping(values)
        return pl.col(name).replace_strict(mapping, default=pl.col(name), return_dtype=pl.String)

    def texts(self, frame: pl.DataFrame, name: str) -> pl.Expr:
        """An expression with :meth:`text` applied to each value of a String column (distinct values only)."""
        values = frame[name].drop_nulls().unique().to_list()
        mapping = {v: self.text(v) for v in values}
        return pl.col(name).replace_strict(mapping, default=pl.col(name), return_dtype=pl.String)

    def message_ids(self, frame: pl.DataFrame, name: str = "message_id") -> pl.Expr:
        """An expression that keeps opaque message ids and replaces those that name a person.

        X, Discord and Slack ids are numbers or a channel and a time stamp: they stay, so the figures remain
        traceable. A Mastodon id is the status URI (``https://server/users/<handle>/statuses/<n>``) and a Bluesky
        id the ``at://`` URI with the author's DID: those become ``message-<HMAC>`` (the same salt, so the
        workspace's owner can match them; a reader of the report cannot).

        >>> import polars as pl
        >>> p = Pseudonymizer(b"k")
        >>> frame = pl.DataFrame({"message_id": ["1880000000000000001", "C1:1700000000.1",
        ...                                      "https://m.example/users/ann/statuses/1", None]})
        >>> out = frame.select(p.message_ids(frame))["message_id"].to_list()
        >>> out[:2], out[2].startswith("message-") and "ann" not in out[2], out[3]
        (['1880000000000000001', 'C1:1700000000.1'], True, None)
        """
        values = frame[name].drop_nulls().unique().to_list()
        mapping = {v: "message-" + hmac.new(self._salt, v.encode(), hashlib.sha256).hexdigest()[:12]
                   for v in values if not _OPAQUE_ID.match(v)}
        return pl.col(name).replace_strict(mapping, default=pl.col(name), return_dtype=pl.String)

