"""`python -m carecycle_dash store list|purge|copy|rekey`: what the call store keeps, deleting it, moving it,
and re-sealing the review notes under a new instance secret.

No API key is needed: entries are listed by host, customer and key fingerprint, and copied sealed (a copy
opens with the same API key as the original); reviews are copied with their history, their notes sealed
under the same instance secret. The store is CARECYCLE_STORE_URL's, else the default file; the secret is
CARECYCLE_STORE_SECRET, else a SQLite store's own file beside it (the environment only, as every command).
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
from carecycle_dash.data.formatting import plural
from carecycle_dash.store import (
    ENV_STORE_URL,
    CallStore,
    StoreConfigError,
    StoreError,
    StoreSettings,
    open_store,
    parse_store_url,
    resolve_store,
)
from carecycle_dash.store.reviews import copy_reviews, open_reviews

HEADERS = ("host", "customer", "key", "calls", "size", "last use (UTC)")
MAX_SECRET_CHARS = 4096
"""The most of `--old-secret -` read from standard input (a secret is a line, not a file)."""


def register(subparsers: Any) -> None:
    """Add the `store` command and its `list`, `purge` and `copy` subcommands."""
    parser = subparsers.add_parser(
        "store",
        help="list, purge or copy the calls and reviews kept in the call store; re-seal review notes",
        description=f"The call store named by {ENV_STORE_URL} (default: a file under ~/.cache/carecycle-dash).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="host, customer, calls, size and last use of every entry")
    listing.set_defaults(run=run, work=_list)
    purge = actions.add_parser("purge", help="delete the entries of one customer, or all")
    purge.add_argument("--customer-id", metavar="ID", help="delete this customer's entries")
    purge.add_argument("--all", action="store_true", help="delete every entry")
    purge.set_defaults(run=run, work=_purge)
    copy = actions.add_parser("copy", help="copy every entry and review to another store (they stay encrypted)")
    copy.add_argument("--to", metavar="URL", required=True, help="sqlite:///ABSOLUTE/PATH.db or postgresql://...")
    copy.set_defaults(run=run, work=_copy)
    rekey = actions.add_parser("rekey", help="re-encrypt the review notes under the current instance secret")
    rekey.add_argument(
        "--old-secret",
        metavar="OLD",
        required=True,
        help="the secret the notes were sealed under; - reads it from standard input (kept out of ps)",
    )
    rekey.set_defaults(run=run, work=_rekey)


def _list(args: argparse.Namespace, store: CallStore, out: TextIO, settings: StoreSettings) -> int:
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


def _purge(args: argparse.Namespace, store: CallStore, out: TextIO, settings: StoreSettings) -> int:
    if args.all == bool(args.customer_id):
        raise InvalidInputError("Give either --customer-id ID or --all.")
    customer = validate_customer_id(args.customer_id) if args.customer_id else None
    deleted = store.purge(customer)
    out.write(f"Deleted {deleted:,} {'entry' if deleted == 1 else 'entries'} from {store.where}.\n")
    return common.EXIT_OK


def _copy(args: argparse.Namespace, store: CallStore, out: TextIO, settings: StoreSettings) -> int:
    target_settings = parse_store_url(args.to, "--to")
    target = open_store(target_settings)
    if target is None:
        raise InvalidInputError("--to must name a store, not none.")
    try:
        copied = 0
        for row in store.backend.rows():
            target.backend.put_row(row)
            copied += 1
        reviews = copy_reviews(store.backend, target.backend)
    finally:
        target.close()
    out.write(
        f"Copied {plural(copied, 'entry', 'entries')} and {plural(reviews, 'review')} "
        f"to {target_settings.describe()}.\n"
    )
    return common.EXIT_OK


def _rekey(args: argparse.Namespace, store: CallStore, out: TextIO, settings: StoreSettings) -> int:
    old_secret = args.old_secret.strip()
    if not old_secret:
        raise InvalidInputError("--old-secret is empty.")
    done = open_reviews(store, settings).rekey(old_secret)
    out.write(f"Re-encrypted {plural(done, 'review note')}.\n")
    return common.EXIT_OK


def _run(args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, stdin: TextIO) -> int:
    settings = resolve_store(None, environ)
    if getattr(args, "old_secret", None) == "-":
        args = argparse.Namespace(**{**vars(args), "old_secret": stdin.readline(MAX_SECRET_CHARS)})
    try:
        store = open_store(settings)
    except StoreError as error:
        raise StoreConfigError(str(error)) from None
    if store is None:
        raise InvalidInputError(f"{ENV_STORE_URL} is none: no calls are kept.")
    try:
        return int(args.work(args, store, out, settings))
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
    stdin: TextIO | None = None,
) -> int:
    """List, purge, copy or rekey; returns the exit code. Failures are one line on stderr."""
    environ = os.environ if environ is None else environ
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    return common.run_guarded(lambda progress: _run(args, environ, out, sys.stdin if stdin is None else stdin), err)
