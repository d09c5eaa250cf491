"""The schemathesis engine: one generated case at a time, aimed at real objects the run
created, sent through the harness's guarded `Api` and checked against the policy on top
of schemathesis's own checks.
"""

from contract.fuzz._engine import FuzzEngine, users_schema

__all__ = ["FuzzEngine", "users_schema"]
