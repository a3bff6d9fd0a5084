// Runs the engine example's five queries in DuckDB over the Parquet files
// the engine wrote, and checks DuckDB's answers against the engine's.
//
//	node engine.mjs <dir> [<results dir>]
//
// <dir> holds trades.parquet and ref.parquet, and <results dir> (<dir>
// when not given) results.json, which `go run ./examples/engine -duckdb`
// writes (results.json: the queries' SQL, the engine's rows, the float
// tolerance, the number of runs); with -in, the Parquet files are anyone's
// and results.json goes to a directory of its own. The tables are loaded
// twice, once with the SYM columns as DuckDB ENUMs (its best
// representation of symbols) and once as VARCHAR; each query runs warm,
// best of `runs`, on 2 threads. The times go to duckdb.json in <results
// dir> (the best of each query by load, and every run's time under
// samples); any cell that differs from the engine's is printed and the
// exit status is 1.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const out = process.argv[3] ?? dir;
if (!dir) {
  console.error('usage: node engine.mjs <dir written by go run ./examples/engine -duckdb>');
  process.exit(2);
}
const want = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
const trades = `read_parquet('${join(dir, 'trades.parquet')}')`;
const ref = `read_parquet('${join(dir, 'ref.parquet')}')`;

// Each load makes the tables `trades` and `ref` the SQL names. The ENUMs
// list their symbols in sorted order, so ORDER BY sym sorts by name as
// the engine does.
const loads = {
  enum: [
    `CREATE TYPE sym_t AS ENUM (SELECT sym FROM (SELECT sym FROM ${trades} UNION SELECT sym FROM ${ref}) ORDER BY sym)`,
    `CREATE TYPE venue_t AS ENUM (SELECT DISTINCT venue FROM ${trades} ORDER BY venue)`,
    `CREATE TYPE sector_t AS ENUM (SELECT DISTINCT sector FROM ${ref} ORDER BY sector)`,
    `CREATE TABLE trades AS SELECT ts, sym::sym_t AS sym, px, qty, venue::venue_t AS venue, note FROM ${trades}`,
    `CREATE TABLE ref AS SELECT sym::sym_t AS sym, sector::sector_t AS sector, lot FROM ${ref}`,
  ],
  varchar: [
    `CREATE TABLE trades AS SELECT * FROM ${trades}`,
    `CREATE TABLE ref AS SELECT * FROM ${ref}`,
  ],
};

// cell turns a DuckDB value into the engine's JSON form: integers and
// timestamps (nanoseconds) as decimal strings, floats as numbers.
function cell(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v.nanos === 'bigint') return v.nanos.toString();
  if (typeof v.micros === 'bigint') return (v.micros * 1000n).toString();
  return String(v);
}

function same(kind, got, exp) {
  if (got === null || exp === null) return got === exp;
  if (kind === 'float') {
    const a = Number(got), b = Number(exp);
    return a === b || Math.abs(a - b) <= want.tolerance * Math.max(Math.abs(a), Math.abs(b));
  }
  return String(got) === String(exp);
}

const failures = [];
const report = { rows: want.rows, runs: want.runs, threads: 2, samples: {} };
for (const [mode, statements] of Object.entries(loads)) {
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  const t0 = performance.now();
  for (const sql of statements) await con.run(sql);
  const times = { load_ms: performance.now() - t0 };
  const samples = {};
  for (const q of want.queries) {
    let best = Infinity;
    let rows;
    samples[q.name] = [];
    for (let i = 0; i < Math.max(want.runs, 1); i++) {
      const start = performance.now();
      const reader = await con.runAndReadAll(q.sql);
      const ms = performance.now() - start;
      samples[q.name].push(ms);
      best = Math.min(best, ms);
      rows = reader.getRows();
    }
    times[q.name] = best;
    if (rows.length !== q.rows.length) {
      failures.push(`${mode} ${q.name}: ${rows.length} rows, the engine has ${q.rows.length}`);
      continue;
    }
    let shown = 0;
    rows.forEach((row, i) => row.forEach((v, j) => {
      const got = cell(v);
      if (!same(q.types[j], got, q.rows[i][j]) && shown++ < 5) {
        failures.push(`${mode} ${q.name}: row ${i}, ${q.columns[j]}: DuckDB ${got}, engine ${q.rows[i][j]}`);
      }
    }));
  }
  report[mode] = times;
  report.samples[mode] = samples;
  con.closeSync();
  db.closeSync();
}
report.failures = failures;
writeFileSync(join(out, 'duckdb.json'), JSON.stringify(report, null, 1));
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
