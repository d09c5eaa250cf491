"""The regression corpus: each violation a run found, as a small file a team can commit.

One YAML file per test (a machine's shard, a fuzz test's operation): which test and
operation, the clauses it checks there, what failed, the curl line that showed it, the
replay line, and hypothesis's examples (the blob `@reproduce_failure` takes). Every run
reads the folder back (`read_corpus`) and hypothesis tries those examples first, before
anything new: with the run's own seed and names, so a replay never touches an object of
the run that found it. A fixed server turns them green; the file stays, a regression
test from then on. Review it like code: it holds generated data only, never the suite's
credentials (a blob is the choices hypothesis made, passwords of users the run created
and deleted among them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import hypothesis
import yaml

from contract.harness import decode_example, example_key, key_name
from contract.reporting._violations import violation_of

__all__ = ["read_corpus", "write_regressions"]

_HEADER = (
    "# A contract violation the Kestra Users API suite found: commit this file, and every\n"
    "# `pytest contract` tries its examples first. Once the server is fixed it passes, and stays a regression test.\n"
)


def _file_name(test: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", key_name(test).removeprefix("contract/").replace(".py::", "--")).strip("-")
    return f"{slug[:150]}.yaml"


def read_corpus(directory: Path) -> dict[bytes, list[bytes]]:
    """Every committed example, by the database key of its test; ValueError names a broken file."""
    corpus: dict[bytes, list[bytes]] = {}
    if not directory.is_dir():
        return corpus
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            examples = [decode_example(str(e["blob"])) for e in data.get("examples") or []]
            key = example_key(str(data["test"]))
        except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as error:
            raise ValueError(f"{path} is not a regression file: {error}") from None
        corpus.setdefault(key, []).extend(examples)
    return corpus


def _record(failure: Mapping[str, Any], found: Mapping[str, Any], earlier: Mapping[str, Any]) -> dict[str, Any]:
    violation = failure.get("violation") or violation_of(failure)
    blobs = [*(e for e in earlier.get("examples") or []), *failure.get("examples", [])]
    examples = list({str(e["blob"]) if isinstance(e, dict) else str(e): e for e in blobs}.values())
    return {
        "test": key_name(str(failure["nodeid"])),
        "operation": violation["operation"] or None,
        "clauses": violation["clauses"],
        "check": violation["check"],
        "message": failure.get("message", ""),
        "curl": failure.get("curl") or None,
        "replay": failure.get("replay") or None,
        "found": earlier.get("found") or dict(found),
        "last_seen": dict(found),
        "examples": [
            e if isinstance(e, dict) else {"hypothesis": hypothesis.__version__, "blob": str(e)} for e in examples
        ],
    }


def write_regressions(directory: Path, failures: Iterable[Mapping[str, Any]], found: Mapping[str, Any]) -> list[Path]:
    """Write (or add to) the file of each failing test; return the files written.

    `found` says where and when (run id, target, seed, time). A test that failed in its
    setup or teardown, or at collection, is no example of a violation: left out.
    """
    written = []
    for failure in failures:
        if failure.get("phase") != "call":
            continue
        path = directory / _file_name(str(failure["nodeid"]))
        earlier: dict[str, Any] = {}
        if path.is_file():
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
            earlier = loaded if isinstance(loaded, dict) else {}
        record = _record(failure, found, earlier)
        directory.mkdir(parents=True, exist_ok=True)
        text = _HEADER + yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=120)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        written.append(path)
    return written
