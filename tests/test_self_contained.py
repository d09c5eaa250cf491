"""The repository states its own contract: no tracked file points outside it.

A clone has none of the files that sat beside it, so a link or a comment that sends the reader there
leads nowhere; what the project relies on is written down inside it
(`docs/contract-semantics.md`, comments that restate the fact they cite).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Spelled in two parts, so that this file does not mention what it looks for.
OUTSIDE = ("../" + "shared", "/work/" + "shared")
_MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _tracked() -> list[str]:
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    return [name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]


def test_no_tracked_file_points_outside_the_repository() -> None:
    offenders = []
    for name in _tracked():
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if any(outside in line for outside in OUTSIDE):
                offenders.append(f"{name}:{number}: {line.strip()[:120]}")
    assert not offenders, "files that point outside the repository:\n" + "\n".join(offenders)


def test_every_relative_link_in_markdown_names_a_tracked_file() -> None:
    tracked = set(_tracked())
    broken = []
    for name in (n for n in tracked if n.endswith(".md")):
        for target in _MARKDOWN_LINK.findall((ROOT / name).read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = (ROOT / name).parent.joinpath(target).resolve()
            inside = resolved.is_relative_to(ROOT)
            if not inside or not (str(resolved.relative_to(ROOT)) in tracked or resolved.is_dir()):
                broken.append(f"{name}: {target}")
    assert not broken, "links to nothing in the repository:\n" + "\n".join(broken)


def test_the_contract_semantics_are_in_the_repository() -> None:
    text = (ROOT / "docs" / "contract-semantics.md").read_text(encoding="utf-8")
    for section in ("## Users", "## Real deployments", "## Kestra 2.x"):
        assert section in text
