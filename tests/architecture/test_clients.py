"""Every HTTP client of the suite is made in one place, and every engine that sends itself is vetted and observed.

`contract/harness/sending/_network.py` builds the clients from the run's `Network` (CA
bundle, --insecure, extra headers, timeout): a client made anywhere else would not honour
them. An engine that sends without `Api.call` (schemathesis's `case.call`, the SDK) must
call `Api.vet` before and `Api.notify` after, as ARCHITECTURE.md says.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "contract" / "harness" / "sending" / "_network.py"
#: Calls that make an HTTP client or send without one.
MAKERS = {
    ("httpx", "Client"),
    ("httpx", "AsyncClient"),
    ("httpx", "get"),
    ("httpx", "post"),
    ("httpx", "request"),
    ("requests", "Session"),
    ("requests", "get"),
    ("requests", "post"),
    ("requests", "request"),
}
#: Modules whose engine sends requests itself, and the call that sends.
SELF_SENDING = {"contract/fuzz/_engine.py": "case.call(", "contract/sdk/_check.py": "client.call("}


def _makers(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and (owner.id, node.func.attr) in MAKERS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {owner.id}.{node.func.attr}(...)")
    return found


def test_no_module_of_the_suite_makes_its_own_http_client() -> None:
    found = [hit for path in sorted((ROOT / "contract").rglob("*.py")) if path != FACTORY for hit in _makers(path)]
    assert found == [], "build clients with Target.client() / Network, not:\n" + "\n".join(found)
    assert _makers(FACTORY), "the factory itself makes the clients"


def test_engines_that_send_themselves_are_vetted_before_and_observed_after() -> None:
    for module, sends in SELF_SENDING.items():
        text = (ROOT / module).read_text(encoding="utf-8")
        assert sends in text, module
        assert ".vet(" in text, f"{module} sends without Api.vet"
        assert ".notify(" in text, f"{module} sends without Api.notify"
