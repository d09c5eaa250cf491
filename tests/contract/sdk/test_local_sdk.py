"""The pre-release gate end to end: a kestrapy wheel no index has, tested in a fresh environment.

`nox -s sdk -- --sdk WHEEL` must install that wheel (not the project's pinned kestrapy,
not a release from the index) into a new virtualenv, run the SDK tests with it against
the reference server in each contract version, and give it a row of its own in the
matrix, which the gate then reads. The wheel is the installed kestrapy's code under a version no release has, so the
version the SDK tests report proves which kestrapy they ran. It needs what `.ci/run`
needs (the package index, for the project's own dependencies in the fresh environment)
and takes about a minute, most of it installing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from contract.sdk.matrix import main as matrix_main
from tests.contract.sdk._noxfile import REPO, local_wheel

VERSION = "1.99.0.dev1"


def test_a_local_wheel_gets_a_row_and_passes_the_gate(tmp_path: Path) -> None:
    wheel = local_wheel(tmp_path, VERSION)
    matrix_dir = tmp_path / "matrix"
    command = [
        sys.executable,
        "-m",
        "nox",
        "--noxfile",
        str(REPO / "noxfile.py"),
        "--envdir",
        str(tmp_path / "nox"),
        "-s",
        "sdk",
        "--",
        "--sdk",
        str(wheel),
        "--matrix-dir",
        str(matrix_dir),
        f"--report-dir={tmp_path / 'reports'}",
    ]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=900, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    matrix = json.loads((matrix_dir / "matrix.json").read_text())
    row = matrix["sdks"][str(wheel)]
    assert row["source"] == {"given": str(wheel), "kind": "wheel", "requirement": str(wheel)}
    # The SDK tests ran the wheel: the version they report is the wheel's, not the pinned 1.0.0b7.
    assert row["version"] == VERSION
    assert row["clean_import"]["ok"] is True
    server = row["servers"]["1"]
    assert server["ran"] is True
    assert (server["works"], server["of"]) == (24, 24), server["operations"]
    # The same kestrapy against the server in contract 2 (1.x code meeting a 2.x server): a row, not a crash.
    other = row["servers"]["2"]
    assert other["ran"] is True
    assert other["server_version"].startswith("2.")
    assert other["of"] == 27
    assert other["works"] < 27
    assert other["operations"]["getUser"]["outcome"] == "does not parse"
    # The published versions' rows are there too, not run in this matrix folder.
    assert "1.0.0b7" in matrix["sdks"]
    assert matrix["sdks"]["1.0.0b7"]["servers"]["1"]["problem"] == "no results: its nox session has not run"
    assert f"| kestrapy {VERSION} ({wheel}) | wheel | yes | **24 of 24** |" in (matrix_dir / "matrix.md").read_text()

    # What the SDK under test gets wrong stays in its row: none of it joins the team's regression corpus.
    corpus = [p for p in (REPO / "regressions").glob("*.yaml") if f"kestrapy {VERSION}" in p.read_text()]
    assert corpus == [], "the matrix wrote this SDK's failures into ./regressions"

    assert matrix_main(["--root", str(matrix_dir), "--gate", str(wheel)]) == 0
    assert matrix_main(["--root", str(matrix_dir), "--gate", str(wheel), "--gate-contract", "2"]) == 1
