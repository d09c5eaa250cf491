"""A pytest plugin for a suite run in a subprocess (`-p tests._secret_probe`): which secrets did it use?

At the end of each process it writes every password and token the run sent or received
(the SecretBook the suite masks reports with) to $SECRET_PROBE_DIR, outside the report
folder, so that a project test can look for them in every artifact.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from contract.plugin import RUN_KEY


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(RUN_KEY, None)
    directory = os.environ.get("SECRET_PROBE_DIR")
    if run is None or not directory:
        return
    path = Path(directory) / f"secrets-{os.getpid()}.json"
    path.write_text(json.dumps(sorted(run.secrets.secrets)))
