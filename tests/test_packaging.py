"""pyproject's dependencies are exactly what moderator_kit and dashboards import at run time.

A package imported at run time but not declared works in the test environment (the test extras pull it in) and fails
after a plain ``pip install .``; scripts/plain-install-check.sh proves that by running every command in a fresh
virtualenv, and this static check catches it in the normal suite, in well under a second.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = ("moderator_kit", "dashboards")
#: Declared run-time dependencies that no module imports, each with the reason it is still needed (none today).
NOT_IMPORTED: dict[str, str] = {}
#: Extras whose packages a module may import, only inside the function that needs them, behind a one-line error
#: naming the extra (``dask``: moderator_kit.scale, ``analyze --engine dask``).
OPTIONAL_EXTRAS = ("dask",)


def normalize(distribution: str) -> str:
    """PEP 503 name: ``PyYAML`` and ``pyyaml``, ``Jinja2`` and ``jinja2`` are one distribution."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.AST) -> Iterable[str]:
    """Absolute module names imported anywhere in the tree (inside functions too), except under TYPE_CHECKING."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module
        pending.extend(ast.iter_child_nodes(node))


def third_party_imports(root: Path = ROOT) -> dict[str, set[str]]:
    """Top-level third-party module -> the files of moderator_kit and dashboards that import it.

    conftest.py files are pytest settings, not run-time code.
    """
    found: dict[str, set[str]] = {}
    for package in FIRST_PARTY:
        for path in sorted((root / package).rglob("*.py")):
            if path.name == "conftest.py":
                continue
            for name in _imported_names(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, set()).add(str(path.relative_to(root)))
    return found


def declared_dependencies(root: Path = ROOT) -> set[str]:
    """Normalized names of ``[project.dependencies]`` (the run-time ones, without extras)."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {normalize(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec).group(1)) for spec in project["dependencies"]}


def undeclared_imports(imports: Mapping[str, set[str]], declared: set[str],
                       providers: Mapping[str, list[str]]) -> list[str]:
    """One line per imported module that no declared distribution provides (``providers``: module -> distributions).

    >>> undeclared_imports({"yaml": {"a.py"}, "numpy": {"b.py"}}, {"pyyaml"}, {"yaml": ["PyYAML"], "numpy": ["numpy"]})
    ["numpy (imported by b.py): add 'numpy' to [project.dependencies]"]
    >>> undeclared_imports({"nowhere": {"a.py"}}, set(), {})
    ['nowhere (imported by a.py): no installed distribution provides it, so it cannot be checked']
    """
    problems = []
    for module, files in sorted(imports.items()):
        where = ", ".join(sorted(files))
        distributions = providers.get(module, [])
        if not distributions:
            problems.append(f"{module} (imported by {where}): no installed distribution provides it, "
                            "so it cannot be checked")
        elif not {normalize(d) for d in distributions} & declared:
            problems.append(f"{module} (imported by {where}): add {distributions[0]!r} to [project.dependencies]")
    return problems


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    return third_party_imports()


@pytest.fixture(scope="module")
def providers() -> Mapping[str, list[str]]:
    return packages_distributions()


def optional_dependencies(root: Path = ROOT) -> set[str]:
    """Normalized names of the packages of :data:`OPTIONAL_EXTRAS`."""
    extras = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    return {normalize(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec).group(1))
            for name in OPTIONAL_EXTRAS for spec in extras[name]}


def test_every_run_time_import_is_declared(imports, providers):
    problems = undeclared_imports(imports, declared_dependencies() | optional_dependencies(), providers)
    assert not problems, "imported at run time but not declared:\n" + "\n".join(problems)


def test_every_declared_dependency_is_imported(imports, providers):
    used = {normalize(d) for module in imports for d in providers.get(module, [])}
    unused = declared_dependencies() - used - set(NOT_IMPORTED)
    assert not unused, (f"declared in [project.dependencies] but imported by no module of {' or '.join(FIRST_PARTY)}: "
                        f"{sorted(unused)} (move it to an extra, or list it in NOT_IMPORTED with the reason)")


def test_the_check_catches_numpy_undeclared(imports, providers):
    # the bug of issue 9: numpy imported by the library (graph metrics, figures) but missing from the dependencies
    assert "numpy" in imports and any(path.startswith("moderator_kit/graph/") for path in imports["numpy"])
    problems = undeclared_imports(imports, (declared_dependencies() | optional_dependencies()) - {"numpy"}, providers)
    assert [line.split(" ")[0] for line in problems] == ["numpy"]
    assert "add 'numpy' to [project.dependencies]" in problems[0]


def test_imports_in_functions_count_and_type_checking_ones_do_not(tmp_path):
    package = tmp_path / "moderator_kit"
    package.mkdir()
    (package / "pdf.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pandas\nelse:\n    import orjson\n"
        "def render():\n    import weasyprint.urls\n    from . import sibling\n")
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "conftest.py").write_text("import pytest\n")
    assert third_party_imports(tmp_path) == {"orjson": {"moderator_kit/pdf.py"}, "weasyprint": {"moderator_kit/pdf.py"}}


def test_license_is_an_spdx_expression_for_a_setuptools_that_reads_it():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # a table ({text = ...}) makes setuptools >= 77 print a deprecation warning on every build
    assert pyproject["project"]["license"] == "MIT"
    setuptools = [r for r in pyproject["build-system"]["requires"] if normalize(r).startswith("setuptools")]
    minimum = re.search(r">=\s*(\d+)", setuptools[0])
    assert minimum and int(minimum.group(1)) >= 77, setuptools
