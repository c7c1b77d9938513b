"""`python -m carecycle_dash store list|purge|copy`: what the call store keeps, deleting it, moving it.

No API key is needed: entries are listed by host, customer and key fingerprint, and copied sealed (a copy
opens with the same API key as the original). The store is CARECYCLE_STORE_URL's, else the default file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from carecycle_dash.api.client import validate_customer_id
from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.cli import common
from carecycle_dash.store import (
    ENV_STORE_URL,
    CallStore,
    StoreConfigError,
    StoreError,
    open_store,
    parse_store_url,
    resolve_store,
)

HEADERS = ("host", "customer", "key", "calls", "size", "last use (UTC)")


def register(subparsers: Any) -> None:
    """Add the `store` command and its `list`, `purge` and `copy` subcommands."""
    parser = subparsers.add_parser(
        "store",
        help="list, purge or copy the calls kept in the call store",
        description=f"The call store named by {ENV_STORE_URL} (default: a file under ~/.cache/carecycle-dash).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="host, customer, calls, size and last use of every entry")
    listing.set_defaults(run=run, work=_list)
    purge = actions.add_parser("purge", help="delete the entries of one customer, or all")
    purge.add_argument("--customer-id", metavar="ID", help="delete this customer's entries")
    purge.add_argument("--all", action="store_true", help="delete every entry")
    purge.set_defaults(run=run, work=_purge)
    copy = actions.add_parser("copy", help="copy every entry to another store (they stay encrypted)")
    copy.add_argument("--to", metavar="URL", required=True, help="sqlite:///ABSOLUTE/PATH.db or postgresql://...")
    copy.set_defaults(run=run, work=_copy)


def _list(args: argparse.Namespace, store: CallStore, out: TextIO, environ: Mapping[str, str]) -> int:
    rows = [
        (
            info.entry.host,
            info.entry.customer_id,
            info.entry.key_fingerprint,
            f"{info.calls:,}",
            common.describe_size(info.size),
            datetime.fromtimestamp(info.used_at, UTC).strftime("%Y-%m-%d %H:%M"),
        )
        for info in store.entries()
    ]
    if not rows:
        out.write(f"The call store at {store.where} keeps no calls.\n")
        return common.EXIT_OK
    widths = [max(len(str(row[i])) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]
    for row in [HEADERS, *rows]:
        out.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")
    return common.EXIT_OK


def _purge(args: argparse.Namespace, store: CallStore, out: TextIO, environ: Mapping[str, str]) -> int:
    if args.all == bool(args.customer_id):
        raise InvalidInputError("Give either --customer-id ID or --all.")
    customer = validate_customer_id(args.customer_id) if args.customer_id else None
    deleted = store.purge(customer)
    out.write(f"Deleted {deleted:,} {'entry' if deleted == 1 else 'entries'} from {store.where}.\n")
    return common.EXIT_OK


def _copy(args: argparse.Namespace, store: CallStore, out: TextIO, environ: Mapping[str, str]) -> int:
    target_settings = parse_store_url(args.to, "--to")
    target = open_store(target_settings)
    if target is None:
        raise InvalidInputError("--to must name a store, not none.")
    try:
        copied = 0
        for row in store.backend.rows():
            target.backend.put_row(row)
            copied += 1
    finally:
        target.close()
    out.write(f"Copied {copied:,} {'entry' if copied == 1 else 'entries'} to {target_settings.describe()}.\n")
    return common.EXIT_OK


def _run(args: argparse.Namespace, environ: Mapping[str, str], out: TextIO) -> int:
    settings = resolve_store(None, environ)
    try:
        store = open_store(settings)
    except StoreError as error:
        raise StoreConfigError(str(error)) from None
    if store is None:
        raise InvalidInputError(f"{ENV_STORE_URL} is none: no calls are kept.")
    try:
        return int(args.work(args, store, out, environ))
    except StoreError as error:
        raise StoreConfigError(str(error)) from None
    finally:
        store.close()


def run(
    args: argparse.Namespace,
    *,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """List, purge or copy; returns the exit code. Failures are one line on stderr."""
    environ = os.environ if environ is None else environ
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    return common.run_guarded(lambda progress: _run(args, environ, out), err)
