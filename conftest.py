"""Root conftest: registers the suite's hypothesis profiles and markers for every pytest run here.

The contract suite's own plugin lives in contract/conftest.py, so that `pytest tests`
never starts a target.
"""

import pytest

from contract import MARKERS
from contract.harness import register_profiles

register_profiles()


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
