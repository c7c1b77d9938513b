"""The folders are the layers: each imports only the ones below it; only the UI imports Streamlit; only the
API layer speaks HTTP; the API layer and the simulator know no pandas."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "carecycle_dash"

# Lower numbers are lower layers. Text helpers sit below everything; the store and the simulator sit beside
# the API layer; the CLI sits beside the UI.
LAYERS: dict[str, int] = {
    "text": 0,
    "api": 1,
    "store": 1,
    "simulator": 1,
    "data": 2,
    "output": 3,
    "ui": 4,
    "cli": 4,
    "__main__": 4,
}
STREAMLIT_ONLY_IN = {"ui"}
HTTP_ONLY_IN = {"api", "simulator"}
NO_PANDAS_IN = {"text", "api", "store", "simulator"}


def _top(module_path: Path) -> str:
    return module_path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imports(module_path: Path) -> set[str]:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "carecycle_dash":
                names.update(f"carecycle_dash.{alias.name}" for alias in node.names)
    return names


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.name != "__init__.py")


def test_every_module_lives_in_a_layer_folder() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py"}]
    assert loose == [], f"modules outside a layer folder: {loose}"
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(LAYERS) - {"__main__"}


@pytest.mark.parametrize("module_path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_lower_layers(module_path: Path) -> None:
    top = _top(module_path)
    own = LAYERS[top]
    for name in _imports(module_path):
        parts = name.split(".")
        if parts[0] == "carecycle_dash" and len(parts) > 1:
            target = parts[1]
            assert target in LAYERS, f"{name} is outside the layer folders"
            assert LAYERS[target] <= own, f"{top} (layer {own}) imports {name} (layer {LAYERS[target]})"
            if top == "api":
                assert target != "simulator", "the API layer must not depend on the simulator"
        if parts[0] == "streamlit":
            assert top in STREAMLIT_ONLY_IN, f"{top} imports streamlit"
        if parts[0] == "httpx":
            assert top in HTTP_ONLY_IN, f"{top} speaks HTTP; only the API layer may"
        if parts[0] in {"pandas", "numpy", "plotly"}:
            assert top not in NO_PANDAS_IN, f"{top} imports {parts[0]}"


def test_pages_and_app_reach_the_package_only_through_the_ui() -> None:
    root = PACKAGE.parent
    for script in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for name in _imports(script):
            assert not name.startswith("httpx"), f"{script.name} talks HTTP directly via {name}"
            if name.startswith("carecycle_dash"):
                assert name.startswith("carecycle_dash.ui"), f"{script.name} imports {name}, not the UI layer"
