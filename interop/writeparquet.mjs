// Times DuckDB writing a table to Parquet, for the benchmarks'
// side-by-side BenchmarkWriteParquet (impl=duckdb):
//
//	node writeparquet.mjs <in.parquet> <out.parquet> <runs>
//
// It loads <in.parquet> into a table (untimed), then runs COPY t TO
// <out.parquet> (FORMAT parquet, COMPRESSION zstd) <runs> times on 2
// threads, and prints {"ms": [each run's milliseconds], "bytes": the
// file's size}.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [input, output, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 1);
if (!input || !output || !(runs >= 1)) {
  console.error('usage: node writeparquet.mjs <in.parquet> <out.parquet> <runs>');
  process.exit(2);
}
const q = (s) => s.replaceAll("'", "''");
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${q(input)}')`);
const ms = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await con.run(`COPY t TO '${q(output)}' (FORMAT parquet, COMPRESSION zstd)`);
  ms.push(performance.now() - t0);
}
con.closeSync();
db.closeSync();
console.log(JSON.stringify({ ms, bytes: statSync(output).size }));
