"""The written tables load unchanged with pandas, polars and DuckDB, with the schema module's types."""

import pyarrow.parquet as pq
import pytest

from corpusclean import schema as S


@pytest.mark.parametrize("name", list(S.TABLES))
def test_written_schema_equals_schema_module(seed_run, name):
    _, out, _ = seed_run
    for part in sorted((out / name).glob("*.parquet")):
        f = pq.ParquetFile(part)
        got = f.schema_arrow
        assert got.remove_metadata() == S.TABLES[name].remove_metadata()
        assert got.metadata[b"corpusclean.schema_version"] == S.SCHEMA_VERSION.encode()


def test_no_unsigned_or_map_types():
    import pyarrow as pa

    def walk(t):
        if pa.types.is_map(t) or pa.types.is_unsigned_integer(t):
            return False
        if pa.types.is_list(t):
            return walk(t.value_type)
        if pa.types.is_struct(t):
            return all(walk(f.type) for f in t)
        return True

    for schema in S.TABLES.values():
        assert all(walk(f.type) for f in schema)


def test_pandas_reads_every_table(seed_run):
    import pandas as pd

    _, out, _ = seed_run
    for name in S.TABLES:
        df = pd.read_parquet(out / name)
        assert list(df.columns) == S.TABLES[name].names
    docs = pd.read_parquet(out / "documents")
    assert str(docs["published"].dtype).startswith("datetime64") and "UTC" in str(docs["published"].dtype)
    assert len(docs) == pq.read_table(out / "documents").num_rows


def test_polars_reads_every_table(seed_run):
    import polars as pl

    _, out, _ = seed_run
    for name in S.TABLES:
        df = pl.read_parquet(str(out / name / "*.parquet"))
        assert df.columns == S.TABLES[name].names
    paras = pl.read_parquet(str(out / "paragraphs" / "*.parquet"))
    assert paras.schema["hash"] == pl.Int64 and paras.schema["cites"] == pl.List(pl.Int32)


def test_duckdb_reads_and_joins(seed_run):
    import duckdb

    _, out, _ = seed_run
    con = duckdb.connect()
    n = con.execute(
        f"SELECT count(*) FROM '{out}/paragraphs/*.parquet' p JOIN '{out}/documents/*.parquet' d USING (doc_id)"
    ).fetchone()[0]
    assert n == pq.read_table(out / "paragraphs").num_rows
    ident = con.execute(f"SELECT typeof(identifiers) FROM '{out}/citations/*.parquet' LIMIT 1").fetchall()
    assert not ident or ident[0][0].startswith("STRUCT")
