"""An embedded server that behaves as a conforming Kestra Users API does.

Run it with `python -m reference_server --port 8080`, or start it from Python with
`spawn()`. Its routes and request validation come from specs/, and its behaviour
from docs/contract-semantics.md. `ServerConfig` selects among the answers the
contract allows and switches on deliberate faults.
"""

from reference_server._app import ReferenceApp
from reference_server._config import ServerConfig
from reference_server._faults import AREAS, FAULTS, Fault
from reference_server._serve import make_http_server
from reference_server._spawn import RunningServer, spawn

__all__ = ["AREAS", "FAULTS", "Fault", "ReferenceApp", "RunningServer", "ServerConfig", "make_http_server", "spawn"]
