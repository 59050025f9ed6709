"""What the Import page imports: checked uploads, and archives and configs chosen under the workspace.

Files chosen "under the workspace" must stay inside it: names with ``..``, NUL or control characters, symlinks that
lead out (the chosen file itself, or anything inside a chosen folder) and the workspace's own data are refused. The
job that runs import + analyze is :mod:`dashboards.jobs`.

Examples
--------
>>> safe_file_name("../../etc/passwd"), safe_file_name("my chat (1).jsonl"), safe_file_name("<script>.csv")
('passwd', 'my_chat_1_.jsonl', 'script_.csv')
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import yaml

from moderator_kit.config import ChatConfig, parse_config
from moderator_kit.errors import ConfigError, ModeratorKitError
from moderator_kit.workspace import validate_chat_name

__all__ = [
    "ARCHIVE_SUFFIXES",
    "CONFIG_SUFFIXES",
    "CONFIG_LIMIT",
    "UploadError",
    "safe_file_name",
    "decode_upload",
    "save_upload",
    "read_uploaded_config",
    "workspace_files",
    "resolve_workspace_file",
    "read_workspace_config",
    "discard_upload",
    "default_chat_name",
]

#: Archive files the Import page accepts (a folder export is chosen from the workspace, or zipped; any of them may
#: be gzip-compressed, ``chat.jsonl.gz``: moderator_kit.io.compressed).
ARCHIVE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".js", ".csv", ".zip", ".gz")
CONFIG_SUFFIXES = (".yaml", ".yml")
#: The largest chat.yaml accepted (bytes).
CONFIG_LIMIT = 1 << 20
#: Folders and files of the workspace that hold its own data (moderator_kit.workspace), never offered for import.
_INTERNAL_DIRS = {"messages", "quarantine", "analysis", "secrets", "configs", "uploads", "__pycache__", "state", ".data",
                  ".locks"}
_INTERNAL_FILES = {"workspace.json", "imports.jsonl"}
_MAX_LISTED = 500
_MAX_DEPTH = 4
#: Entries a chosen folder may hold (checked for symlinks leading out of the workspace).
_MAX_FOLDER_ENTRIES = 200_000


class UploadError(ModeratorKitError):
    """An uploaded file cannot be used (too large, wrong type, not decodable); the message says what to do."""


def safe_file_name(name: str, default: str = "upload") -> str:
    """A file name safe to write: the last path part, only letters, digits, '.', '-' and '_'."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")[:120]
    return clean or default


def decode_upload(upload: dict | None, *, limit: int, suffixes: Sequence[str], what: str) -> tuple[str, bytes]:
    """(file name, bytes) of an upload kept by the page (``{"name", "contents"}``, contents a base64 data URL).

    >>> decode_upload({"name": "a.csv", "contents": "data:text/csv;base64,aGk="}, limit=10, suffixes=[".csv"],
    ...               what="archive")
    ('a.csv', b'hi')
    >>> decode_upload({"name": "a.exe", "contents": "data:;base64,aGk="}, limit=10, suffixes=[".csv"], what="archive")
    Traceback (most recent call last):
    ...
    dashboards.imports.UploadError: a.exe: an archive must be a .csv file
    """
    if not isinstance(upload, dict) or not isinstance(upload.get("contents"), str):
        raise UploadError(f"no {what} uploaded")
    name = safe_file_name(upload.get("name") or what)
    if not name.lower().endswith(tuple(suffixes)):
        article = "an" if what[:1] in "aeiou" else "a"
        raise UploadError(f"{name}: {article} {what} must be a {', '.join(suffixes)} file")
    payload = upload["contents"].split(",", 1)[-1]
    if len(payload) * 3 // 4 > limit + 3:
        raise UploadError(f"{name} is larger than the {limit / (1 << 20):.1f} MiB upload limit; put it under the "
                          "workspace folder and choose it from the list instead")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError(f"{name}: the upload was damaged (not valid base64); try again") from None
    if not data:
        raise UploadError(f"{name} is empty")
    if len(data) > limit:
        raise UploadError(f"{name} is larger than the {limit / (1 << 20):.1f} MiB upload limit")
    return name, data


def save_upload(workspace: Path, name: str, data: bytes) -> Path:
    """Keep an uploaded file under ``<workspace>/uploads/<time>-<id>/`` (imports record where messages came from)."""
    folder = Path(workspace) / "uploads" / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, exist_ok=False)
    path = folder / safe_file_name(name)
    path.write_bytes(data)
    return path


def discard_upload(path: Path, workspace: Path) -> None:
    """Delete a saved upload, and its folder ``uploads/<time>-<id>/`` once empty (only files under ``uploads/``)."""
    uploads = (Path(workspace) / "uploads").resolve()
    path = Path(path).resolve()
    if uploads not in path.parents:
        return
    path.unlink(missing_ok=True)
    if path.parent != uploads:
        try:
            path.parent.rmdir()
        except OSError:
            pass


def read_uploaded_config(name: str, data: bytes) -> ChatConfig:
    """Validate an uploaded chat.yaml (raises :class:`ConfigError` naming the problem)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not a UTF-8 text file; save the chat config as UTF-8 YAML") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{name}{where}: not valid YAML ({getattr(err, 'problem', None) or 'syntax error'})"
                          ) from None
    try:
        return parse_config(loaded)
    except ConfigError as err:
        raise ConfigError(f"{name}: {err}") from None


def workspace_files(workspace: Path) -> tuple[list[str], list[str]]:
    """Archives and configs found under the workspace, as paths relative to it (sorted, at most 500 each).

    Archives: files with an archive suffix, and folders holding a Slack export (``users.json`` or
    ``channels.json``). The workspace's own data folders are skipped.
    """
    root = Path(workspace)
    archives: list[str] = []
    configs: list[str] = []
    if not root.is_dir():
        return archives, configs

    def walk(folder: Path, depth: int) -> None:
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError:
            return
        for entry in entries:
            if len(archives) >= _MAX_LISTED or entry.name.startswith((".", "_")) or entry.is_symlink():
                continue
            rel = entry.relative_to(root).as_posix()
            if entry.is_dir():
                if depth == 0 and entry.name in _INTERNAL_DIRS:
                    continue
                if (entry / "users.json").is_file() or (entry / "channels.json").is_file():
                    archives.append(rel + "/")
                elif depth < _MAX_DEPTH:
                    walk(entry, depth + 1)
            elif entry.suffix.lower() in CONFIG_SUFFIXES:
                configs.append(rel)
            elif depth == 0 and entry.name in _INTERNAL_FILES:
                continue
            elif entry.suffix.lower() in ARCHIVE_SUFFIXES:
                archives.append(rel)

    walk(root, 0)
    return sorted(archives), sorted(configs)[:_MAX_LISTED]


def resolve_workspace_file(workspace: Path, relative: str) -> Path:
    """An archive or config chosen from the list, checked to lie inside the workspace.

    The name must be a relative path without NUL or control characters; the file (after following symlinks) must
    lie inside the workspace and not be one of its own data files; in a chosen folder, no symlink may lead out.

    >>> import tempfile
    >>> resolve_workspace_file(Path(tempfile.mkdtemp()), "../../etc/passwd")
    Traceback (most recent call last):
    ...
    dashboards.imports.UploadError: ../../etc/passwd: not a file under the workspace
    >>> resolve_workspace_file(Path(tempfile.mkdtemp()), "a\\x00b.jsonl")
    Traceback (most recent call last):
    ...
    dashboards.imports.UploadError: 'a\\x00b.jsonl': not a valid file name
    """
    if not isinstance(relative, str) or not relative or len(relative) > 1000 or any(
            ord(c) < 32 or ord(c) == 127 for c in relative):
        raise UploadError(f"{str(relative)[:100]!r}: not a valid file name")
    try:
        root = Path(workspace).resolve()
        path = (root / relative).resolve()
        inside = root in path.parents and path.exists()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop
        inside = False
    if not inside:
        raise UploadError(f"{relative}: not a file under the workspace")
    top = path.relative_to(root).parts[0]
    if top in _INTERNAL_DIRS or (len(path.relative_to(root).parts) == 1 and top in _INTERNAL_FILES):
        raise UploadError(f"{relative}: this is the workspace's own data, not an archive to import")
    if path.is_dir():
        _refuse_links_out(root, path, relative)
    return path


def _refuse_links_out(root: Path, folder: Path, relative: str) -> None:
    """Refuse a folder with a symlink (at any depth) that leads out of the workspace, or that is too large."""
    count = 0
    for current, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            count += 1
            if count > _MAX_FOLDER_ENTRIES:
                raise UploadError(f"{relative}: the folder holds more than {_MAX_FOLDER_ENTRIES:,} files; import it "
                                  "with 'moderator-kit import' instead")
            entry = Path(current) / name
            if not entry.is_symlink():
                continue
            try:
                target = entry.resolve()
                outside = root not in target.parents and target != root
            except (OSError, RuntimeError):
                outside = True
            if outside:
                inner = entry.relative_to(root).as_posix()
                raise UploadError(f"{relative}: {inner} is a link that leads out of the workspace; remove it, or "
                                  "copy the file it points to into the folder")


def read_workspace_config(workspace: Path, relative: str) -> tuple[Path, ChatConfig]:
    """A chat config chosen under the workspace: its path and the validated config (errors name it as chosen).

    >>> import tempfile
    >>> ws = Path(tempfile.mkdtemp()); _ = (ws / "bad.yaml").write_bytes(b"chat: caf\\xe9")
    >>> read_workspace_config(ws, "bad.yaml")
    Traceback (most recent call last):
    ...
    moderator_kit.errors.ConfigError: bad.yaml: not a UTF-8 text file; save the chat config as UTF-8 YAML
    """
    path = resolve_workspace_file(workspace, relative)
    if not path.is_file() or path.suffix.lower() not in CONFIG_SUFFIXES:
        raise UploadError(f"{relative}: a chat config must be a {', '.join(CONFIG_SUFFIXES)} file")
    if path.stat().st_size > CONFIG_LIMIT:
        raise UploadError(f"{relative} is larger than {CONFIG_LIMIT >> 10} KiB; is it really a chat config?")
    return path, read_uploaded_config(relative, path.read_bytes())


def default_chat_name(typed: str | None, config: ChatConfig | None, sources: Sequence[Path]) -> str:
    """The chat to import into: what the user typed, else the config's chat, else the first file's name.

    >>> default_chat_name(None, None, [Path("uploads/x/My-Chat.jsonl")])
    'my-chat'
    >>> default_chat_name(" #JobHuntChat ", None, [])
    'jobhuntchat'
    """
    if typed and typed.strip():
        return validate_chat_name(typed)
    if config is not None:
        return validate_chat_name(config.chat)
    for source in sources:
        stem = re.sub(r"[^a-z0-9._-]+", "-", Path(source).name.split(".")[0].lower()).strip("-._")
        if stem:
            return validate_chat_name(stem[:60])
    raise UploadError("type a chat name: it could not be taken from the config or the file name")
