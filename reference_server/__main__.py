"""python -m reference_server: run the embedded reference server standalone."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from reference_server._app import ReferenceApp
from reference_server._config import DEFAULT_CROWD_ACTIVITY, LockoutRule, ServerConfig
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
    parser.add_argument(
        "--tenant", dest="tenants", action="append", help="tenants to create (default: main and second)"
    )
    parser.add_argument(
        "--kestra-version",
        default=defaults.kestra_version,
        metavar="VERSION",
        help="the Kestra EE version to play: 1 or 2, or a full version (2.0.1); its major picks the contract "
        "(2: POST /login and API tokens, no basic auth, the 2.x statuses and shapes)",
    )
    parser.add_argument("--create-user-body", choices=["empty", "user"], default=defaults.create_user_body)
    parser.add_argument(
        "--auth-error-body", choices=["empty", "json", "problem"], help="401/403 bodies (default json; 2.x: problem)"
    )
    parser.add_argument(
        "--error-body", choices=["json", "problem"], help="other error bodies (default json; 2.x: problem)"
    )
    parser.add_argument("--invalid-input-status", type=int, choices=[400, 422], default=defaults.invalid_input_status)
    parser.add_argument("--lenient-required", action="store_true", help="accept omitted required fields")
    parser.add_argument(
        "--faults",
        default=os.environ.get(FAULTS_ENV, ""),
        help=f"comma-separated deliberate defects (or ${FAULTS_ENV}); 'list' prints them",
    )
    parser.add_argument("--seed-file", help="JSON file of objects that exist before any run (see _seed.py)")
    _version_2_options(parser.add_argument_group("choices of Kestra 2.x servers (with --kestra-version 2)"), defaults)
    _deployment_options(parser.add_argument_group("real deployments (docs/contract-semantics.md); all off by default"))
    return parser


def _version_2_options(group: argparse._ArgumentGroup, defaults: ServerConfig) -> None:
    group.add_argument(
        "--owner-field",
        choices=["superAdmin", "instanceOwner", "both"],
        default=defaults.owner_field,
        help="the fields that say a user is a superadmin (July 2026: superAdmin; released SDKs: instanceOwner)",
    )
    group.add_argument(
        "--impersonate-status",
        type=int,
        choices=[200, 303],
        default=defaults.impersonate_status,
        help="impersonate answers 200 with an object or 303 with a cookie",
    )
    group.add_argument(
        "--me-token-status",
        type=int,
        choices=[200, 201],
        default=defaults.me_token_status,
        help="POST /api/v1/me/api-tokens answers 200 or 201",
    )
    group.add_argument(
        "--oversized-page",
        choices=["refuse", "cap"],
        default=defaults.oversized_page,
        help="a page size above 1000 is refused (422) or capped",
    )


def _deployment_options(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--lockout",
        metavar="THRESHOLD/WINDOW/DURATION",
        help="lock an account's basic auth after THRESHOLD wrong passwords within WINDOW seconds, "
        "for DURATION seconds (Kestra EE's default: 10/300/1800)",
    )
    group.add_argument(
        "--search-lag",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="listUsers, autocompleteUsers and token lists see writes up to SECONDS late",
    )
    group.add_argument("--crowd", type=int, default=0, metavar="N", help="N users made by other people")
    group.add_argument(
        "--crowd-activity",
        type=float,
        metavar="OPS",
        help=f"the crowd's creates, renames and deletes per second (default {DEFAULT_CROWD_ACTIVITY:g} with a crowd)",
    )
    group.add_argument("--crowd-seed", type=int, default=0, help="seed of the crowd's choices")
    group.add_argument(
        "--password-policy",
        choices=["none", "kestra-1.1.5", "kestra-2"],
        default="none",
        help="the policy new passwords must also meet",
    )
    group.add_argument(
        "--expose-configs", action="store_true", help="serve GET /api/v1/configs with the passwordRegexp in force"
    )
    group.add_argument(
        "--flaky-proxy",
        type=float,
        default=0.0,
        metavar="RATE",
        help="a proxy answers this fraction of requests itself with 502, 503, 504 or 429",
    )
    group.add_argument("--flaky-seed", type=int, default=0, help="seed of which requests the proxy answers")
    group.add_argument("--latency", type=int, default=0, metavar="MS", help="delay every answer by MS milliseconds")
    group.add_argument(
        "--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain), as a server behind a private CA"
    )
    group.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    return ServerConfig(
        admin_username=args.username,
        admin_password=args.password,
        tenants=tuple(args.tenants) if args.tenants else ServerConfig.tenants,
        kestra_version=args.kestra_version,
        owner_field=args.owner_field,
        impersonate_status=args.impersonate_status,
        me_token_status=args.me_token_status,
        oversized_page=args.oversized_page,
        create_user_body=args.create_user_body,
        auth_error_body=args.auth_error_body,
        error_body=args.error_body,
        invalid_input_status=args.invalid_input_status,
        lenient_required=args.lenient_required,
        faults=frozenset(f.strip() for f in args.faults.split(",") if f.strip()),
        lockout=LockoutRule.parse(args.lockout) if args.lockout else None,
        search_lag=args.search_lag,
        crowd=args.crowd,
        crowd_activity=args.crowd_activity,
        crowd_seed=args.crowd_seed,
        password_policy=args.password_policy,
        expose_configs=args.expose_configs,
        flaky_proxy=args.flaky_proxy,
        flaky_seed=args.flaky_seed,
        latency_ms=args.latency,
    )


def _deployment_summary(config: ServerConfig) -> list[str]:
    """The real-deployment behaviours switched on, one phrase each."""
    parts = []
    if config.lockout is not None:
        rule = config.lockout
        parts.append(f"lockout {rule.threshold} in {rule.window:g}s for {rule.duration:g}s")
    if config.search_lag:
        parts.append(f"search lag {config.search_lag:g}s")
    if config.crowd or config.crowd_rate:
        parts.append(f"crowd {config.crowd} at {config.crowd_rate:g}/s (seed {config.crowd_seed})")
    if config.password_policy != "none":
        parts.append(f"password policy {config.password_policy}")
    if config.expose_configs:
        parts.append("configs exposed")
    if config.flaky_proxy:
        parts.append(f"flaky proxy {config.flaky_proxy:g} (seed {config.flaky_seed})")
    if config.latency_ms:
        parts.append(f"latency {config.latency_ms}ms")
    return parts


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
    app = ReferenceApp(config)
    if args.seed_file:
        try:
            load_seed_file(app.store, args.seed_file)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if bool(args.tls_cert) != bool(args.tls_key):
        print("error: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    server = make_http_server(config, args.host, args.port, app=app, tls=tls)
    host, port = str(server.host), server.port
    scheme = "https" if tls else "http"
    print(f"Kestra reference server listening on {scheme}://{host}:{port}", flush=True)
    login = "POST /login, then an API token" if config.contract_version == 2 else "HTTP basic"
    print(f"Kestra EE {config.announced_version} (contract version {config.contract_version})", flush=True)
    print(f"Superadmin: {config.admin_username} / {config.admin_password} ({login})", flush=True)
    if config.faults:
        print(f"Faults on: {', '.join(sorted(config.faults))}", flush=True)
    if _deployment_summary(config):
        print(f"Deployment: {', '.join(_deployment_summary(config))}", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    app.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
