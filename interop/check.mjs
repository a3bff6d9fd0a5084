// Reads the Arrow IPC file and the Parquet file that raygo's TestInterop
// wrote into the directory given as the first argument, with apache-arrow
// and with DuckDB, and checks every value, null and type against
// expected.json, which the Go side wrote from its own columns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
let checked = 0;
const failures = [];

function compare(reader, column, row, got, want) {
  checked++;
  if (got !== want) failures.push(`${reader}: column ${column} row ${row}: got ${got}, want ${want}`);
}

// Canonical strings, as the Go side renders them.
function fromArrow(kind, v) {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'date': return new Date(v).toISOString().slice(0, 10);
    case 'timestamp': return (BigInt(Math.round(v)) * 1000000n).toString(); // ms -> ns
    default: return String(v);
  }
}

const table = tableFromIPC(readFileSync(join(dir, 't.arrow')));
if (table.numRows !== expected.rows) failures.push(`apache-arrow: ${table.numRows} rows, want ${expected.rows}`);
for (const col of expected.columns) {
  const field = table.schema.fields.find((f) => f.name === col.name);
  if (!field) { failures.push(`apache-arrow: no column ${col.name}`); continue; }
  compare('apache-arrow', col.name, 'type', String(field.type), col.arrowType);
  const vec = table.getChild(col.name);
  col.values.forEach((want, i) => compare('apache-arrow', col.name, i, fromArrow(col.kind, vec.get(i)), want));
}

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const select = expected.columns.map((c) => {
  if (c.kind === 'date') return `CAST("${c.name}" AS VARCHAR) AS "${c.name}"`;
  if (c.kind === 'timestamp') return `epoch_ns("${c.name}") AS "${c.name}"`;
  return `"${c.name}"`;
}).join(', ');
const types = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(dir, 't.parquet')}')`);
const typeOf = Object.fromEntries(types.getRowsJS().map((r) => [r[0], r[1]]));
for (const col of expected.columns) compare('duckdb', col.name, 'type', typeOf[col.name], col.duckdbType);
const result = await con.runAndReadAll(`SELECT ${select} FROM read_parquet('${join(dir, 't.parquet')}')`);
const rows = result.getRowsJS();
if (rows.length !== expected.rows) failures.push(`duckdb: ${rows.length} rows, want ${expected.rows}`);
expected.columns.forEach((col, j) => {
  col.values.forEach((want, i) => {
    const v = rows[i]?.[j];
    compare('duckdb', col.name, i, v === null || v === undefined ? null : String(v), want);
  });
});

if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`interop: ${checked} values, nulls and types checked by apache-arrow and DuckDB`);
