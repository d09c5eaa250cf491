"""The files a run leaves: summary.json and index.html in its folder, `latest` beside `runs/`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["MATRIX_PATH", "point_latest", "read_matrix", "write_report"]

#: Where the SDK matrix job writes its result, relative to the report directory.
MATRIX_PATH = Path("sdk-matrix") / "matrix.json"


def write_report(run_dir: Path, summary: dict[str, Any], page: str) -> Path:
    """Write summary.json and index.html (each through a temporary file); return index.html."""
    run_dir.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n"),
        ("index.html", page),
    ):
        partial = run_dir / f".{name}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(run_dir / name)
    return run_dir / "index.html"


def point_latest(report_dir: Path, run_dir: Path) -> Path | None:
    """Make `<report_dir>/latest` point at `run_dir`: a relative symlink, else a text file naming it.

    Returns the pointer, or None when `latest` is a real directory that is not ours to replace.
    """
    latest = report_dir / "latest"
    if latest.is_dir() and not latest.is_symlink():
        return None
    target = os.path.relpath(run_dir, report_dir)
    temporary = report_dir / f".latest-{os.getpid()}"
    try:
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(target, target_is_directory=True)
    except OSError:
        temporary.write_text(target + "\n", encoding="utf-8")
    os.replace(temporary, latest)
    return latest


def read_matrix(report_dir: Path) -> tuple[Any, str]:
    """(the SDK matrix, "") if the matrix job left one, (None, why not) otherwise."""
    path = report_dir / MATRIX_PATH
    if not path.is_file():
        return None, ""
    try:
        return json.loads(path.read_text(encoding="utf-8")), ""
    except (OSError, ValueError) as error:
        return None, f"{path} is unreadable: {error}"
