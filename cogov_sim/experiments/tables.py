"""Arrow tables with the results store's schema rules (used by the workers and the store)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def arrow_table(frame: pd.DataFrame) -> Any:
    """A DataFrame as an Arrow table with the store's schema rules.

    Every part of a table must share one schema: a column that is empty in a run must not
    become type ``null``, text is always plain ``string``, and no pandas metadata is kept.
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) or pa.types.is_large_string(f.type)
                        else f for f in table.schema])
    return table.cast(schema).replace_schema_metadata(None)
