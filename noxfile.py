"""Does this kestrapy version work with this server? `nox -s sdk_matrix` answers for several.

Each version gets a fresh virtualenv: kestrapy alone first (does `import kestrapy` work
in a clean environment?), then this project, then kestrapy at that version again (the
project pins 1.0.0b7), then `pytest contract -m sdk` against the embedded reference
server (or the server given after `--`, e.g. `nox -s sdk_matrix -- --base-url URL
--username U --password P`). Every session then rebuilds reports/sdk-matrix/matrix.md
and matrix.json from all versions' results. One version: `nox -s "sdk_matrix(kestrapy='2.0.3')"`.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import nox

nox.options.sessions = ["sdk_matrix"]
# A reused environment would hide what a clean install cannot import.
nox.options.reuse_venv = "no"

SDK_VERSIONS = ["1.0.0b7", "1.0.10", "1.3.1", "2.0.3"]
MATRIX_DIR = Path("reports") / "sdk-matrix"
#: How many undeclared modules a session installs by hand before it gives up on a version.
MAX_ADDED_MODULES = 3

_PROBE = """
import json
try:
    import kestrapy
    kestrapy.UsersApi
    print(json.dumps({"error": None, "missing_module": None}))
except Exception as error:
    missing = error.name if isinstance(error, ModuleNotFoundError) else None
    print(json.dumps({"error": f"{type(error).__name__}: {error}", "missing_module": missing}))
"""


def _probe(session: nox.Session) -> dict[str, Any]:
    """Try `import kestrapy` in the session's environment; never fails the session."""
    output = session.run("python", "-c", _PROBE, silent=True)
    lines = [line for line in str(output).splitlines() if line.startswith("{")]
    if not lines:
        return {"error": f"the import probe printed nothing usable: {str(output)[-300:]}", "missing_module": None}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


@nox.session
@nox.parametrize("kestrapy", SDK_VERSIONS)
def sdk_matrix(session: nox.Session, kestrapy: str) -> None:
    """Run the `sdk` tests with one kestrapy version and rebuild the matrix."""
    started = time.monotonic()
    out = MATRIX_DIR / "raw" / kestrapy
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    session.install(f"kestrapy=={kestrapy}")
    clean = _probe(session)
    session.install("-e", ".")
    session.install(f"kestrapy=={kestrapy}")
    usable = _probe(session)
    added: list[str] = []
    while usable["error"] and usable["missing_module"] and len(added) < MAX_ADDED_MODULES:
        added.append(str(usable["missing_module"]))
        session.install(added[-1])
        usable = _probe(session)

    if usable["error"] is None:
        session.run(
            "pytest",
            "contract",
            "-m",
            "sdk",
            f"--junitxml={out / 'junit.xml'}",
            "-o",
            "junit_family=xunit1",
            *session.posargs,
            success_codes=[0, 1],
        )
    record = {
        "version": kestrapy,
        "clean_import": clean,
        "added": added,
        "usable_import": usable,
        "seconds": round(time.monotonic() - started, 1),
    }
    (out / "import.json").write_text(json.dumps(record, indent=2) + "\n")
    session.run("python", "-m", "contract.sdk.matrix", "--root", str(MATRIX_DIR), "--versions", *SDK_VERSIONS)
