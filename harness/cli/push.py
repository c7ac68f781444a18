"""``ocpi-harness push``: push generated CDRs to an eMSP's receiver, as a CPO's client does
(with ``--fault``, as a faulty one does): what an eMSP under test needs, and the trigger of the
harness's own push scenario."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from harness.cli.inputs import usage_failure
from harness.client import OcpiClient
from harness.push import CLIENT_FAULTS, PeerError, find_receiver, push_cdrs
from harness.redaction import RUN_SECRETS
from harness.versions import SUPPORTED_VERSIONS

EXIT_OK, EXIT_REFUSED, EXIT_UNREACHABLE = 0, 1, 3


def add_parser(commands: Any) -> None:
    """Register the ``push`` subcommand."""
    parser = commands.add_parser(
        "push",
        help="push generated CDRs to an eMSP's CDR receiver, as a CPO's client does",
        description="Find the cdrs receiver through --to (a versions URL) and POST --count "
        "generated CDRs to it, one line per push. The token comes from --token or "
        "OCPI_RECEIVER_TOKEN (an --ocpi-trigger command gets it there). Exit status 1 when "
        "the receiver refused a push, 3 when it could not be found.",
    )
    parser.add_argument("--to", help="the receiver's versions URL (env OCPI_RECEIVER_VERSIONS_URL)")
    parser.add_argument("--token", help="the token to push with (env OCPI_RECEIVER_TOKEN)")
    parser.add_argument(
        "--version", choices=SUPPORTED_VERSIONS, help="OCPI version (env OCPI_VERSION)"
    )
    parser.add_argument("--count", type=int, default=5, help="CDRs to push (default 5)")
    parser.add_argument("--seed", default="push", help="seed of the generated CDRs")
    parser.add_argument("--profile", default="default", help="generator profile of the CDRs")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        choices=sorted(CLIENT_FAULTS),
        help="push as a faulty client does (repeatable): " + "; ".join(
            f"{name}: {what}" for name, what in CLIENT_FAULTS.items()
        ),
    )  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Push; return the exit code."""
    to = args.to or os.environ.get("OCPI_RECEIVER_VERSIONS_URL")
    token = args.token or os.environ.get("OCPI_RECEIVER_TOKEN")
    version = args.version or os.environ.get("OCPI_VERSION")
    if not to or not token:
        return usage_failure("push", "give --to VERSIONS_URL and --token TOKEN")
    if version not in SUPPORTED_VERSIONS:
        return usage_failure("push", f"--version is one of {', '.join(SUPPORTED_VERSIONS)}")
    if args.count < 1:
        return usage_failure("push", "--count takes a number >= 1")
    RUN_SECRETS.add(token)
    client = OcpiClient(version, token)
    try:
        receiver = find_receiver(client, to)
        result = push_cdrs(client, receiver, args.count, args.seed, frozenset(args.fault),
                           args.profile)  # fmt: skip
    except PeerError as exc:
        sys.stderr.write(f"ocpi-harness push: {RUN_SECRETS.redact(str(exc))}\n")
        return EXIT_UNREACHABLE
    except ValueError as exc:  # an unknown profile
        return usage_failure("push", str(exc))
    finally:
        client.close()
    refused = 0
    for push in result.pushes:
        said = (push.envelope or {}).get("status_message") or push.error or ""
        ok = push.status in (200, 201) and (push.envelope or {}).get("status_code") == 1000
        refused += not ok
        line = f"{push.method} {push.url}: HTTP {push.status}" + (f" ({said})" if said else "")
        sys.stdout.write(RUN_SECRETS.redact(line) + "\n")
    return EXIT_REFUSED if refused else EXIT_OK
