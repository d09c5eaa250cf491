"""The project's root conftest: nothing of its own.

The suite's plugin (`contract.plugin`) comes with the installed package and registers the
options, markers and hypothesis profiles in every session; it starts a target only in a
session that names the contract package, so `pytest tests` never does.
"""
