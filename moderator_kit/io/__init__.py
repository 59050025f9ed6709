"""Importers: one module per format family, plus :mod:`moderator_kit.io.detect` to pick one from the content.

Each module has pure ``parse_*`` functions (already-read records in, a ``ParseResult`` out) and ``read_*`` functions
(file I/O), and lists its formats in ``FORMATS``. See ``docs/formats/``.
"""

__all__: list[str] = []
