"""The schemathesis engine: one generated case at a time, aimed at real objects the run
created, sent through the harness's guarded `Api` and judged by every registered check
(`@check`: schemathesis's own, the policy's, and a team's, one registry).
"""

from contract.fuzz import _checks  # noqa: F401 - the built-in checks register themselves
from contract.fuzz._engine import FuzzEngine, users_schema
from contract.fuzz._registry import CheckContext, FuzzCheck, check, load_extensions, registered_checks

__all__ = ["CheckContext", "FuzzCheck", "FuzzEngine", "check", "load_extensions", "registered_checks", "users_schema"]
