"""The suite's markers: which engine a test belongs to, and whether it may change the target."""

from __future__ import annotations

__all__ = ["MARKERS"]

#: Registered in every session (the project's tests import the suite's test modules too).
MARKERS = {
    "fuzz": "schemathesis property-based requests for every documented operation",
    "stateful": "hypothesis state machines that check what the server does",
    "sdk": "the real kestrapy client against the target",
    "mutating": "changes state on the target (never runs with --read-only)",
    "smoke": "changes nothing: safe against a production server; the only tests --read-only runs",
}
