"""The one-way flow of docs/ARCHITECTURE.md: the domain floor under everything; data → geo →
layers → dashboard, with feed beside geo; the store the only place of SQL; the screens of the
dashboard apart from each other; the bench reached only from the command line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package → packages (under gridmap) and third-party modules it must never import
FORBIDDEN = {
    "domain": {
        "gridmap.geo",
        "gridmap.layers",
        "gridmap.feed",
        "gridmap.dashboard",
        "gridmap.demo",
        "gridmap.bench",
        "gridmap.settings",
        "dash",
        "flask",
    },
    "geo": {
        "gridmap.layers",
        "gridmap.dashboard",
        "gridmap.feed",
        "gridmap.demo",
        "gridmap.bench",
        "dash",
        "flask",
    },
    # layers take the rules from the floor, never from feed
    "layers": {
        "gridmap.feed",
        "gridmap.dashboard",
        "gridmap.demo",
        "gridmap.bench",
        "dash",
        "flask",
    },
    "feed": {"gridmap.layers", "gridmap.dashboard", "gridmap.demo", "gridmap.bench", "dash"},
    "demo": {"gridmap.dashboard", "gridmap.bench", "dash", "flask"},
    # the screens stand apart: each takes what they share from dashboard.shared
    "dashboard/wall": {
        "gridmap.dashboard.desk",
        "gridmap.dashboard.login",
        "gridmap.dashboard.shell",
    },
    "dashboard/desk": {
        "gridmap.dashboard.wall",
        "gridmap.dashboard.login",
        "gridmap.dashboard.shell",
    },
    "dashboard/login": {
        "gridmap.dashboard.wall",
        "gridmap.dashboard.desk",
        "gridmap.dashboard.shell",
    },
    "dashboard/shared": {
        "gridmap.dashboard.wall",
        "gridmap.dashboard.desk",
        "gridmap.dashboard.login",
        "gridmap.dashboard.shell",
    },
}
#: The packages of the project (tests aside).
PACKAGES = ("domain", "geo", "layers", "feed", "dashboard", "demo", "bench")


def _imports(path: Path) -> set[str]:
    module_parts = ["gridmap", *path.relative_to(ROOT).with_suffix("").parts]
    return _imports_text(path.read_text(encoding="utf-8"), module_parts)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package):
    files = sorted((ROOT / package).rglob("*.py"))  # package: a folder under the root
    assert files, f"no modules in {package}/"
    bad = []
    for path in files:
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package]):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "imports against the one-way flow:\n" + "\n".join(bad)


def test_the_checker_sees_a_violation():
    """The checker itself works: a relative import upwards is caught."""
    # resolved as if the module sat in geo/
    names = _imports_text("from ..dashboard import app\nimport dash\n", ["gridmap", "geo", "probe"])
    assert "gridmap.dashboard" in names and "dash" in names


def _imports_text(text: str, module_parts: list[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = module_parts[: -node.level] if node.level else []
            found.add(
                ".".join([*base, node.module] if node.module else base)
                if node.level
                else node.module
            )
    return found


def test_nothing_loads_data_at_import(monkeypatch):
    """Importing every module opens no file under data/ (nothing loads at import time)."""
    import builtins
    import importlib

    opened = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(["gridmap", *path.relative_to(ROOT).with_suffix("").parts])
            importlib.import_module(name.removesuffix(".__init__"))
    assert not [f for f in opened if "/data/" in f]


#: Private methods of the store that nothing outside it calls.
_STORE_PRIVATE = re.compile(r"\._(query|execute|frame|transaction|sql|conn)\(")
#: SQL that names a table of the store.
_SQL = re.compile(
    r"\b(SELECT\b[^\n]*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\s+"
    r"(incidents|events|areas|buildings|open_counts|api_keys|users|sessions|login_failures|meta)\b",
    re.IGNORECASE,
)
#: Outside the store, the one place that reads tables itself: a test helper that looks at
#: what is on disk with a database client of its own (as an operator would), never the store.
_SQL_ALLOWED = {"tests/helpers.py"}


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "data") or parts[:2] == ("feed", "store"):
            continue
        if parts == ("tests", "test_layout.py"):  # its own examples of what it looks for
            continue
        yield path


def test_nothing_outside_the_store_writes_sql_or_calls_its_private_methods():
    private, sql = [], []
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(ROOT))
        private += [f"{relative}: {m.group(0)}" for m in _STORE_PRIVATE.finditer(text)]
        if relative not in _SQL_ALLOWED:
            sql += [f"{relative}: {m.group(0)}" for m in _SQL.finditer(text)]
    assert not private, "private store methods called outside the store:\n" + "\n".join(private)
    assert not sql, "SQL outside the store:\n" + "\n".join(sql)


def test_the_bench_is_reached_only_from_the_command_lines_bench_verb():
    users = []
    for package in PACKAGES:
        if package == "bench":
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            if any(n.startswith("gridmap.bench") for n in _imports(path)):
                users.append(str(path.relative_to(ROOT)))
    assert users == ["dashboard/shell/cli.py"]
    cli = (ROOT / "dashboard/shell/cli.py").read_text(encoding="utf-8")
    bench_imports = [line for line in cli.splitlines() if "gridmap.bench" in line]
    assert len(bench_imports) == 1 and bench_imports[0].startswith("    ")  # inside the verb


def test_the_checker_sees_sql_and_private_calls():
    assert _SQL.search('f"SELECT count(*) FROM incidents WHERE {x}"')
    assert _SQL.search("DELETE FROM sessions WHERE username = ?")
    assert _STORE_PRIVATE.search("store." + "_query('x')")  # (split: no such call here)
    assert not _SQL.search("select the rows from the table")


def test_nothing_reaches_into_plotlys_private_fields():
    """The map stands on public ground: no file of ours reads plotly's full layout or a
    subplot's private map (the words are put together here, so that this file does not name
    them either and a plain grep of the project finds nothing)."""
    words = ("_full" + "Layout", "_sub" + "plot")
    found = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "data") or "vendor" in parts or path.suffix not in (".py", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        found += [str(path.relative_to(ROOT)) for word in words if word in text]
    assert not found, found
