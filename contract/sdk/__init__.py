"""The real `kestrapy` client against the target: load it, call each documented operation
through its `KestraClient` with built arguments, compare the parsed model with the raw answer, and record one
outcome per operation. `python -m contract.sdk.matrix` runs the version matrix.
"""

from contract.sdk._check import check_call, check_unknown_id
from contract.sdk._client import Sdk, SdkMethod, load_sdk
from contract.sdk._outcome import PROPERTY, Outcome, Result

__all__ = ["PROPERTY", "Outcome", "Result", "Sdk", "SdkMethod", "check_call", "check_unknown_id", "load_sdk"]
