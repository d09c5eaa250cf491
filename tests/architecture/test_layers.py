"""ARCHITECTURE.md's layer table holds in the code, and the check notices when it does not."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.architecture.layers import MAY_IMPORT, REPO, checked_files, layer_of, violations


def test_every_import_keeps_to_the_layer_table() -> None:
    assert violations(checked_files()) == []


def test_the_table_in_architecture_md_is_the_one_checked() -> None:
    text = (REPO / "ARCHITECTURE.md").read_text()
    rows = dict(re.findall(r"^\| `([\w.]+)`\s*\|\s*(.*?)\s*\|$", text, re.M))
    for layer, allowed in MAY_IMPORT.items():
        assert layer in rows, f"ARCHITECTURE.md has no row for {layer}"
        named = set(re.findall(r"`([\w.]+)`", rows[layer]))
        assert named == set(allowed), f"{layer}: ARCHITECTURE.md says {sorted(named)}, the check {sorted(allowed)}"


def test_every_part_of_the_suite_has_a_surface() -> None:
    for package in sorted(p for p in (REPO / "contract").iterdir() if (p / "__init__.py").exists()):
        init = (package / "__init__.py").read_text()
        assert init.startswith('"""'), f"{package.name}: no docstring saying what the part is for"
        assert "__all__" in init, f"{package.name}: no __all__"
        assert layer_of(f"contract.{package.name}") == f"contract.{package.name}", f"{package.name} has no row"


def test_the_top_of_contract_reads_as_what_the_suite_checks() -> None:
    top = sorted(p.name for p in (REPO / "contract").glob("*.py"))
    assert len(top) <= 13, top
    tools = {"__init__.py", "conftest.py", "sweep.py", "compare.py"}
    assert all(name.startswith("test_") or name in tools for name in top), top
    conftest = (REPO / "contract" / "conftest.py").read_text()
    assert "def " not in conftest, "contract/conftest.py stays empty: the plugin holds the hooks"
    assert "import" not in conftest, "contract/conftest.py stays empty: the plugin holds the hooks"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for layer in ("specs", "strategies", "reference_server", "contract", "bench"):
        shutil.copytree(REPO / layer, root / layer, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    engine = root / "contract" / "harness" / "sending" / "_api.py"
    engine.write_text(engine.read_text() + "\nfrom contract.reporting import render\n")
    ledger = root / "contract" / "harness" / "records" / "_ledger.py"
    ledger.write_text(ledger.read_text() + "\nfrom contract.harness.sending import Api\n")
    found = violations(checked_files(root), root)
    assert len(found) == 2, found
    assert "contract.harness.sending may not import contract.reporting" in found[1]
    assert "contract.harness.records may not import contract.harness.sending" in found[0]


def test_reaching_past_a_surface_is_caught(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    test = root / "contract" / "test_fuzz.py"
    test.write_text(test.read_text() + "\nfrom contract.fuzz._engine import FuzzEngine\n")
    api = root / "contract" / "harness" / "cleanup" / "_delete.py"
    api.write_text(api.read_text() + "\nfrom contract.harness.sending._api import Api\n")
    found = violations(checked_files(root), root)
    assert len(found) == 2, found
    assert "contract.harness.sending._api is private to contract.harness.sending" in found[0]
    assert "contract.fuzz._engine is private to contract.fuzz" in found[1]


def test_the_suite_only_embeds_the_reference_server(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    world = root / "contract" / "fuzz" / "_world.py"
    world.write_text(world.read_text() + "\nfrom reference_server import FAULTS\n")
    (found,) = violations(checked_files(root), root)
    assert "contract.fuzz may not import reference_server" in found
