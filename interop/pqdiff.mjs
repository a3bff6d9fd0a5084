// Reads every Parquet file in the directory given as the first argument
// with DuckDB and prints, as JSON, each file's DuckDB column types and its
// values column by column, in forms the Go side compares exactly:
// integers, booleans, dates and strings as DuckDB casts them to VARCHAR,
// floats as numbers (JSON round-trips a double), times of day as
// milliseconds, timestamps as epoch nanoseconds, blobs as hex.
// raygo's TestInteropParquetDifferential writes the files and checks the
// output cell by cell.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const out = {};
for (const name of readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort()) {
  const path = join(dir, name).replaceAll("'", "''");
  const desc = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).getRowsJS();
  const exprs = desc.map(([col, type]) => {
    const c = `"${col.replaceAll('"', '""')}"`;
    if (type === 'FLOAT' || type === 'DOUBLE') return `CAST(${c} AS DOUBLE)`;
    if (type.startsWith('TIME') && !type.startsWith('TIMESTAMP')) return `hour(${c}) * 3600000 + minute(${c}) * 60000 + microsecond(${c}) // 1000`;
    if (type.startsWith('TIMESTAMP')) return `CAST(epoch_ns(${c}) AS VARCHAR)`;
    if (type === 'BLOB') return `hex(${c})`;
    return `CAST(${c} AS VARCHAR)`;
  });
  const rows = exprs.length === 0 ? [] : (await con.runAndReadAll(`SELECT ${exprs.join(', ')} FROM read_parquet('${path}')`)).getRowsJS();
  out[name] = {
    types: desc.map(([col, type]) => [col, type]),
    columns: desc.map((_, j) => rows.map((r) => {
      const v = r[j];
      if (v === null || v === undefined) return null;
      if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
      return String(v);
    })),
  };
}
console.log(JSON.stringify(out));
