"""Give the memory a load freed back to the system, so a server that loaded a customer holds the calls, not
what loading them took.

A load frees far more than it keeps: the API's pages, the store's decrypted entry, the frame's previous
version after a reload. The allocators keep what is freed for later: Arrow's memory pool (mimalloc, which
holds the frame's columns) and glibc's malloc (long texts, buffers) both keep it mapped, about 250 MB after a
100,000-call load (benchmarks/store.py). Both are asked to return it once a load and its store write end: a
few milliseconds, and nothing held is touched. `malloc_trim` exists only in glibc, so it is looked up once
and skipped elsewhere (musl, macOS).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform
from collections.abc import Callable
from functools import cache

import pyarrow as pa

log = logging.getLogger("carecycle_dash.data")

Trim = Callable[[int], object]


@cache
def glibc_malloc_trim() -> Trim | None:
    """glibc's `malloc_trim(pad)`, or None when the C library is not glibc."""
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_unused_memory(pool: pa.MemoryPool | None = None, trim: Trim | None = None) -> list[str]:
    """Return freed memory to the system: Arrow's pool (`pool`, the default one when None), then glibc's
    heaps (`trim`, glibc's `malloc_trim` when None and there is one). The names of the allocators asked."""
    asked = []
    (pool or pa.default_memory_pool()).release_unused()
    asked.append("arrow")
    trim = trim or glibc_malloc_trim()
    if trim is not None:
        trim(0)
        asked.append("malloc")
    log.debug("Returned freed memory to the system (%s)", ", ".join(asked))
    return asked
