"""Root conftest: registers the suite's hypothesis profiles for every pytest run here.

The contract suite's own plugin lives in contract/conftest.py, so that `pytest tests`
never starts a target.
"""

from contract.harness import register_profiles

register_profiles()
