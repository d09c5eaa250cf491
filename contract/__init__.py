"""The contract suite that pytest collects (`pytest contract`); its parts are the packages below."""

#: The suite's markers. The root conftest registers them for every pytest run of the
#: project, so that the project's tests can import the suite's test modules too.
MARKERS = {
    "fuzz": "schemathesis property-based requests for every documented operation",
    "stateful": "hypothesis state machines that check what the server does",
    "sdk": "the real kestrapy client against the target",
    "mutating": "changes state on the target (never runs with --read-only)",
    "smoke": "changes nothing: safe against a production server; the only tests --read-only runs",
}
