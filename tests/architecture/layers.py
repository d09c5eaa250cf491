"""The layer table of ARCHITECTURE.md as data, and the imports the code really makes.

Kept apart from the test so that the test can also prove it catches a forbidden import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Who may import whom: one row per layer, as ARCHITECTURE.md's table says.
#: A layer's own modules may always import each other.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "specs": frozenset(),
    "strategies": frozenset({"specs"}),
    "reference_server": frozenset({"specs"}),
    "contract.harness.records": frozenset({"specs", "strategies"}),
    "contract.harness.lifecycle": frozenset({"contract.harness.records", "specs", "strategies"}),
    "contract.harness.sending": frozenset(
        {"contract.harness.records", "contract.harness.lifecycle", "specs", "strategies"}
    ),
    "contract.harness.cleanup": frozenset(
        {"contract.harness.records", "contract.harness.lifecycle", "contract.harness.sending", "specs", "strategies"}
    ),
    # Run and Arranger, and the harness's surface.
    "contract.harness": frozenset(
        {
            "contract.harness.records",
            "contract.harness.lifecycle",
            "contract.harness.sending",
            "contract.harness.cleanup",
            "specs",
            "strategies",
        }
    ),
    "contract.fuzz": frozenset({"contract.harness", "specs", "strategies"}),
    "contract.machines": frozenset({"contract.harness", "specs", "strategies"}),
    "contract.sdk": frozenset({"contract.harness", "specs"}),
    "contract.reporting": frozenset({"contract.harness", "specs"}),
    "contract.plugin": frozenset(
        {
            "contract",
            "contract.harness",
            "contract.fuzz",
            "contract.reporting",
            "specs",
            "strategies",
            "reference_server",
        }
    ),
    # sweep.py, compare.py and the test modules at the top of contract/.
    "contract": frozenset(
        {
            "contract.harness",
            "contract.fuzz",
            "contract.machines",
            "contract.sdk",
            "contract.reporting",
            "specs",
            "strategies",
        }
    ),
    "bench": frozenset({"contract.harness", "reference_server", "specs", "strategies"}),
}

#: Packages whose private modules (`_name`) only they and tests/ may import.
SURFACES = (
    "contract.harness",
    "contract.harness.records",
    "contract.harness.lifecycle",
    "contract.harness.sending",
    "contract.harness.cleanup",
    "contract.fuzz",
    "contract.machines",
    "contract.sdk",
    "contract.reporting",
    "contract.plugin",
)

#: The one name the suite may take from the reference server: it embeds it, nothing more.
EMBED = frozenset({"spawn", "RunningServer"})


@dataclass(frozen=True)
class Import:
    source: str  # the importing module's dotted name
    target: str  # the imported module's dotted name
    names: tuple[str, ...]
    line: int


def module_name(path: Path, root: Path = REPO) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path = REPO) -> Iterator[Import]:
    """Every `import x` and `from x import y` in a file, at any depth (lazy imports too)."""
    source = module_name(path, root)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield Import(source, node.module, tuple(a.name for a in node.names), node.lineno)


def layer_of(module: str) -> str | None:
    """The most specific row of the table that holds the module, or None for outside code."""
    best = None
    for layer in MAY_IMPORT:
        if (module == layer or module.startswith(layer + ".")) and (best is None or len(layer) > len(best)):
            best = layer
    return best


def violations(files: list[Path], root: Path = REPO) -> list[str]:
    """What breaks the table: a layer importing one it may not, or a private module from outside."""
    found = []
    for path in files:
        for imp in imports_of(path, root):
            own, theirs = layer_of(imp.source), layer_of(imp.target)
            if own is None or theirs is None or own == theirs:
                continue
            where = f"{path.relative_to(root)}:{imp.line}"
            if theirs not in MAY_IMPORT[own]:
                found.append(f"{where}: {own} may not import {imp.target}")
            elif theirs in SURFACES and imp.target != theirs:
                found.append(f"{where}: {imp.target} is private to {theirs}; import from {theirs}")
            elif theirs == "reference_server" and own.startswith("contract") and not set(imp.names) <= EMBED:
                found.append(f"{where}: the suite takes only {sorted(EMBED)} from reference_server")
    return found


def checked_files(root: Path = REPO) -> list[Path]:
    """The code the table governs: every layer's Python files, tests excluded."""
    return sorted(
        p
        for layer in ("specs", "strategies", "reference_server", "contract", "bench")
        for p in (root / layer).rglob("*.py")
    )
