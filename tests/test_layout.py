"""The one-way flow of DESIGN.md: data → geo → layers → dashboard, with feed beside geo."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package → packages (under gridmap) and third-party modules it must never import
FORBIDDEN = {
    "geo": {
        "gridmap.layers",
        "gridmap.dashboard",
        "gridmap.feed",
        "gridmap.demo",
        "gridmap.bench",
        "dash",
        "flask",
    },
    "layers": {"gridmap.dashboard", "dash", "flask"},
    "feed": {"gridmap.layers", "gridmap.dashboard", "gridmap.demo", "gridmap.bench", "dash"},
}


def _imports(path: Path) -> set[str]:
    module_parts = ["gridmap", *path.relative_to(ROOT).with_suffix("").parts]
    return _imports_text(path.read_text(encoding="utf-8"), module_parts)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package):
    files = sorted((ROOT / package).rglob("*.py"))
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
    for package in ("geo", "feed", "layers", "dashboard", "demo", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.parent.name == "pages":
                continue  # Dash pages register themselves when the app loads them
            name = ".".join(["gridmap", *path.relative_to(ROOT).with_suffix("").parts])
            importlib.import_module(name.removesuffix(".__init__"))
    assert not [f for f in opened if "/data/" in f]
