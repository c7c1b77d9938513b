"""The sidebar's sort applied to loaded calls, so a change of sort or order costs no download.

The order matches the API's documented sort fields (`createdAt`, `disposition`, `duration`) the way the
simulator serves them, like SQL's `ORDER BY field ASC, id ASC`: missing values after every value, ties broken
by the call's `id`, and `desc` the exact reverse of `asc` (missing values first, ties by `id` descending).
The tie-break is our choice (the API documents none): it makes every order total, so it is the same on every
run and for every person. Values the frame set to missing as impossible sort as missing.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from carecycle_dash.api.contract import SORT_FIELDS, SortField, SortOrder

SORT_COLUMNS: Final[dict[str, str]] = {"createdAt": "createdAt", "disposition": "disposition", "duration": "durationMs"}
assert set(SORT_COLUMNS) == set(SORT_FIELDS)


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(an integer per row that sorts like the value, whether the value is missing)."""
    missing = values.isna().to_numpy(dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.to_numpy(dtype="datetime64[us]").view("int64"), missing
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype="float64", na_value=0.0), missing
    text = pc.fill_null(pc.cast(pa.array(values), pa.large_string()), "")
    return pc.rank(text, sort_keys="ascending", tiebreaker="dense").to_numpy(), missing


def id_codes(df: pd.DataFrame) -> np.ndarray:
    """An integer per row that sorts like its `id`: the tie-break of every sort, worth computing once."""
    return _codes(df["id"])[0]


def sort_positions(df: pd.DataFrame, sort_by: SortField, order: SortOrder, ids: np.ndarray | None = None) -> np.ndarray:
    """Row positions of `df` in the chosen order (see the module's note for ties and missing values);
    `ids` is `id_codes(df)` when the caller keeps it."""
    values, missing = _codes(df[SORT_COLUMNS[sort_by]])
    ids = id_codes(df) if ids is None else ids
    ascending = np.lexsort((ids, values, missing))
    return ascending[::-1].copy() if order == "desc" else ascending


def ranks(positions: np.ndarray) -> np.ndarray:
    """Each row's place in an order given as positions: rank[row] = where that row comes."""
    rank = np.empty(len(positions), dtype=np.int64)
    rank[positions] = np.arange(len(positions), dtype=np.int64)
    return rank


def in_rank_order(rows: pd.Index, rank: np.ndarray) -> pd.Index:
    """Row labels of the frame (a filtered subset, say) rearranged by `rank`: cheap, the rows stay put."""
    return rows[np.argsort(rank[rows.to_numpy()], kind="stable")]
