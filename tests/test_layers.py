"""Each layer imports only the layers below it; only the UI imports Streamlit; the client knows no pandas."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "carecycle_dash"

# Lower numbers are lower layers. The simulator sits beside the client; the CLI sits beside the UI.
LAYERS: dict[str, int] = {
    "contract": 1,
    "config": 1,
    "errors": 1,
    "models": 1,
    "safety": 1,
    "retry": 1,
    "client": 1,
    "paging": 1,
    "simulator": 1,
    "recordings": 1,
    "logs": 1,
    "cache": 2,
    "frame": 2,
    "filters": 2,
    "metrics": 2,
    "table": 2,
    "transcript": 2,
    "access": 2,
    "charts": 3,
    "export": 3,
    "export_cli": 4,
    "cli": 4,
    "__main__": 4,
    "ui": 4,
}
NO_STREAMLIT_BELOW = 4
NO_PANDAS_IN = {
    "contract",
    "config",
    "errors",
    "models",
    "safety",
    "retry",
    "client",
    "paging",
    "simulator",
    "recordings",
}


def _top(module_path: Path) -> str:
    relative = module_path.relative_to(PACKAGE).with_suffix("")
    return relative.parts[0]


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


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("module_path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_lower_layers(module_path: Path) -> None:
    top = _top(module_path)
    assert top in LAYERS, f"{top} has no layer: add it to LAYERS"
    own = LAYERS[top]
    for name in _imports(module_path):
        parts = name.split(".")
        if parts[0] == "carecycle_dash" and len(parts) > 1:
            target = parts[1]
            assert target in LAYERS, f"{name} has no layer"
            assert LAYERS[target] <= own, f"{top} (layer {own}) imports {name} (layer {LAYERS[target]})"
            if top != "simulator" and own == 1:
                assert target != "simulator", f"{top} must not depend on the simulator"
        if parts[0] == "streamlit":
            assert own >= NO_STREAMLIT_BELOW and top != "cli", f"{top} imports streamlit"
        if parts[0] == "httpx":
            assert own == 1, f"{top} speaks HTTP; only the client layer may"
        if parts[0] in {"pandas", "numpy", "plotly"}:
            assert top not in NO_PANDAS_IN, f"{top} imports {parts[0]}"


def test_pages_and_app_reach_the_package_only_through_its_public_modules() -> None:
    root = PACKAGE.parent
    for script in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for name in _imports(script):
            assert not name.startswith(("httpx", "carecycle_dash.client", "carecycle_dash.paging")), (
                f"{script.name} talks HTTP directly via {name}"
            )
