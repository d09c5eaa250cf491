"""python -m reference_server: run the embedded reference server standalone."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any, cast

from reference_server._app import ReferenceApp
from reference_server._config import ServerConfig
from reference_server._faults import FAULTS
from reference_server._seed import load_seed_file
from reference_server._serve import make_http_server

FAULTS_ENV = "REFERENCE_SERVER_FAULTS"


def _parser() -> argparse.ArgumentParser:
    defaults = ServerConfig()
    parser = argparse.ArgumentParser(prog="python -m reference_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback only, unless you mean it")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--username", default=defaults.admin_username, help="the bootstrapped superadmin")
    parser.add_argument("--password", default=defaults.admin_password)
    parser.add_argument("--tenant", dest="tenants", action="append", help="tenants to create (default: main)")
    parser.add_argument("--create-user-body", choices=["empty", "user"], default=defaults.create_user_body)
    parser.add_argument("--auth-error-body", choices=["empty", "json", "problem"], default=defaults.auth_error_body)
    parser.add_argument("--error-body", choices=["json", "problem"], default=defaults.error_body)
    parser.add_argument("--invalid-input-status", type=int, choices=[400, 422], default=defaults.invalid_input_status)
    parser.add_argument("--lenient-required", action="store_true", help="accept omitted required fields")
    parser.add_argument(
        "--faults",
        default=os.environ.get(FAULTS_ENV, ""),
        help=f"comma-separated deliberate defects (or ${FAULTS_ENV}); 'list' prints them",
    )
    parser.add_argument("--seed-file", help="JSON file of objects that exist before any run (see _seed.py)")
    return parser


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    return ServerConfig(
        admin_username=args.username,
        admin_password=args.password,
        tenants=tuple(args.tenants or ["main"]),
        create_user_body=args.create_user_body,
        auth_error_body=args.auth_error_body,
        error_body=args.error_body,
        invalid_input_status=args.invalid_input_status,
        lenient_required=args.lenient_required,
        faults=frozenset(f.strip() for f in args.faults.split(",") if f.strip()),
    )


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.faults == "list":
        for name, fault in sorted(FAULTS.items()):
            print(f"{name:30} {fault.category:15} {fault.description}")
        return 0
    try:
        config = config_from_args(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    server = make_http_server(config, args.host, args.port)
    if args.seed_file:
        try:
            load_seed_file(cast(ReferenceApp, server.app).store, args.seed_file)
        except ValueError as error:
            server.server_close()
            print(f"error: {error}", file=sys.stderr)
            return 2
    host, port = str(server.host), server.port
    print(f"Kestra reference server listening on http://{host}:{port}", flush=True)
    print(f"Superadmin: {config.admin_username} / {config.admin_password} (HTTP basic)", flush=True)
    if config.faults:
        print(f"Faults on: {', '.join(sorted(config.faults))}", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
