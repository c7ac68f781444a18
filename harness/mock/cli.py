"""``ocpi-mock``: serve the mock OCPI peer on 127.0.0.1 with uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from harness.console import guarded_output
from harness.mock.auth import header_value
from harness.mock.faults import FAULTS, parse_faults
from harness.mock.settings import MockSettings
from harness.versions import DEFAULT_VERSION, SUPPORTED_VERSIONS

EXIT_OK, EXIT_USAGE = 0, 2
EXIT_NOT_STARTED = 3  # uvicorn's own code for a server that could not start


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ocpi-mock``."""
    parser = argparse.ArgumentParser(
        prog="ocpi-mock",
        description="A mock OCPI peer: CPO (CDR sender) and/or eMSP (CDR receiver), with a "
        "SQLite store, seeded CDRs and named faults. Ctrl-C stops it.",
    )
    parser.add_argument("--role", choices=("cpo", "emsp", "both"), default="both")
    parser.add_argument(
        "--version", action="append", choices=SUPPORTED_VERSIONS, help="repeat for several"
    )
    parser.add_argument("--port", type=int, default=8090, help="1..65535 (default 8090)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--token",
        default=os.environ.get("OCPI_MOCK_TOKEN", "secret"),
        help="the token partners send (default: env OCPI_MOCK_TOKEN, which keeps it out of "
        "the process list, else 'secret'; write --token=VALUE when it starts with '-')",
    )
    parser.add_argument("--seed", default="1", help="seed of the generated CDRs")
    parser.add_argument("--cdrs", type=int, default=0, help="CDRs to serve per version (cpo)")
    parser.add_argument("--profile", default="default", help="generator profile of the CDRs")
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    parser.add_argument("--page-limit", type=int, default=100, help="server maximum per page")
    parser.add_argument(
        "--token-encoding",
        choices=("STRICT", "ACCEPT_BOTH"),
        default="STRICT",
        help="STRICT: Base64 in 2.2+, raw in 2.1.1; ACCEPT_BOTH: either (AMB-01)",
    )
    parser.add_argument(
        "--register",
        metavar="VERSIONS_URL",
        help="register with this partner at start (run the credentials handshake as client)",
    )
    parser.add_argument(
        "--register-token",
        metavar="TOKEN_A",
        help="the partner's TOKEN_A for --register (--register-token=VALUE if it starts with '-')",
    )
    parser.add_argument(
        "--read-timeout",
        type=float,
        default=MockSettings.read_timeout,
        metavar="SECONDS",
        help="time a client has to send a request's head, and then its body, before it is "
        f"answered 408 and disconnected (default {MockSettings.read_timeout:g})",
    )
    parser.add_argument("--fault", action="append", default=[], metavar="NAME")
    parser.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    return parser


def _list_faults() -> int:
    for fault in FAULTS.values():
        kind = " (transport)" if fault.transport else ""
        sys.stdout.write(f"{fault.name:<24} {fault.requirement:<10} {fault.description}{kind}\n")
    return EXIT_OK


def settings_from(args: argparse.Namespace) -> MockSettings:
    """MockSettings from the parsed arguments (ValueError names what is wrong)."""
    roles = ("cpo", "emsp") if args.role == "both" else (args.role,)
    if args.cdrs < 0:
        raise ValueError("--cdrs takes a number >= 0")
    if not 1 <= args.port <= 65535:
        raise ValueError(f"--port takes 1..65535, got {args.port}: choose a free port, e.g. 8090")
    if not args.read_timeout > 0:  # NaN too
        raise ValueError(f"--read-timeout takes a number of seconds > 0, got {args.read_timeout}")
    return MockSettings(
        roles=roles,
        versions=tuple(args.version or [DEFAULT_VERSION]),
        token=args.token,
        seed=args.seed,
        cdrs=args.cdrs,
        profile=args.profile,
        db=args.db,
        faults=parse_faults(args.fault),
        page_limit=args.page_limit,
        token_encoding=args.token_encoding,
        register_url=args.register,
        register_token=args.register_token,
        public_url=f"http://{args.host}:{args.port}",
        read_timeout=args.read_timeout,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted; returns the exit code."""
    args = build_parser().parse_args(argv)
    return guarded_output("ocpi-mock", lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    if args.list_faults:
        return _list_faults()
    from harness.mock.store import StoreError

    try:
        settings = settings_from(args)
        from harness.mock.app import create_app

        app = create_app(settings)
    except StoreError as exc:
        print(f"ocpi-mock: --db {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"ocpi-mock: {exc}", file=sys.stderr)
        return EXIT_USAGE
    base = f"http://{args.host}:{args.port}"
    print(f"ocpi-mock: versions at {base}/ocpi/versions", flush=True)
    for version in settings.versions:
        header = header_value(settings.token, version)
        print(f"ocpi-mock: OCPI {version}: send 'Authorization: {header}'", flush=True)
    if settings.faults:
        print(f"ocpi-mock: faults: {', '.join(sorted(settings.faults))}", flush=True)
    from harness.mock.server import serve

    return EXIT_OK if serve(app, settings, args.host, args.port) else EXIT_NOT_STARTED


if __name__ == "__main__":
    sys.exit(main())
