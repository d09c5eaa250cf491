"""The installed kestrapy against the target: every documented Users operation, through the SDK.

Each documented operation is found in the SDK by its HTTP method and path (names changed
between versions), called with realistic arguments on objects this run created, and
judged: works, missing from the SDK, response does not parse, or error. Operations with
ids in the path are also called on unknown ids, which must raise the SDK's ApiException
with 404. Every check records its outcome as JUnit properties for the version matrix
(`nox -s sdk_matrix`).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable

import pytest

import specs
from contract.harness import Run
from contract.sdk import PROPERTY, Outcome, Result, Sdk, SdkMethod, check_call, check_unknown_id, load_sdk

#: One xdist worker runs them all: loading kestrapy costs seconds of CPU in each process.
pytestmark = [pytest.mark.sdk, pytest.mark.xdist_group("sdk")]

RecordProperty = Callable[[str, object], None]

#: listUsers needs nothing created (it lists what exists when the run is read-only).
_READS_ONLY = {"listUsers"}


def _call_params() -> list[object]:
    return [
        pytest.param(op, id=op.operation_id, marks=[] if op.operation_id in _READS_ONLY else [pytest.mark.mutating])
        for op in specs.operations()
    ]


def _unknown_id_params() -> list[object]:
    return [
        pytest.param(op, id=op.operation_id, marks=[] if op.method == "GET" else [pytest.mark.mutating])
        for op in specs.operations()
        if any(p["in"] == "path" and p["name"] != "tenant" for p in op.definition.get("parameters", []))
    ]


def _installed_version() -> str:
    try:
        return importlib.metadata.version("kestrapy")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _major(version: str) -> int | None:
    head = version.lstrip("v").split(".")[0]
    return int(head) if head.isdigit() else None


@pytest.fixture(scope="session")
def sdk(run: Run, record_testsuite_property: RecordProperty) -> Sdk:
    version = _installed_version()
    record_testsuite_property("kestrapy_version", version)
    record_testsuite_property("target", "the embedded reference server" if run.target.embedded else run.target.base_url)
    built_for = _major(version)
    if built_for is not None and built_for != specs.active_version() and not run.sdk_across_majors:
        # A compatibility question, answered by the version matrix, not a contract violation of the server.
        pytest.skip(
            f"kestrapy {version} is built for contract {built_for}; this run speaks contract "
            f"{specs.active_version()}: `nox -s sdk_matrix` crosses SDK and server versions "
            "(--sdk-across-majors runs them here)"
        )
    try:
        loaded = load_sdk()
    except Exception as error:
        record_testsuite_property("kestrapy_import_error", f"{type(error).__name__}: {error}")
        pytest.fail(f"kestrapy {version} cannot be used: {type(error).__name__}: {error}", pytrace=False)
    record_testsuite_property("kestrapy_style", loaded.style)
    return loaded


def _report(
    record_property: RecordProperty,
    run: Run,
    sdk: Sdk,
    operation: specs.Operation,
    check: str,
    method: SdkMethod | None,
    result: Result,
) -> None:
    # Properties go to junit.xml as they are: mask every secret the run (and the SDK) saw.
    mask = run.secrets.mask
    record_property(PROPERTY["operation"], operation.operation_id)
    record_property(PROPERTY["check"], check)
    record_property(PROPERTY["outcome"], str(result.outcome))
    record_property(PROPERTY["method"], str(method or ""))
    if result.detail:
        record_property(PROPERTY["detail"], mask(result.detail))
    for note in result.notes:
        record_property(PROPERTY["note"], mask(note))
    if result.outcome is not Outcome.WORKS:
        pytest.fail(mask(result.describe(operation.operation_id, f"kestrapy {sdk.version}")), pytrace=False)


@pytest.mark.parametrize("operation", _call_params())
def test_sdk_call(operation: specs.Operation, sdk: Sdk, run: Run, record_property: RecordProperty) -> None:
    """The call succeeds, returns the declared model, and that model agrees with the JSON."""
    method, result = check_call(sdk, run, operation)
    _report(record_property, run, sdk, operation, "call", method, result)


@pytest.mark.parametrize("operation", _unknown_id_params())
def test_sdk_unknown_id(operation: specs.Operation, sdk: Sdk, run: Run, record_property: RecordProperty) -> None:
    """On an id that does not exist, the SDK raises its ApiException with the 404."""
    method, result = check_unknown_id(sdk, run, operation)
    _report(record_property, run, sdk, operation, "unknown_id", method, result)
