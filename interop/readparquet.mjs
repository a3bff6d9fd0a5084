// Times DuckDB reading a Parquet file into a table, for the benchmarks'
// side-by-side BenchmarkReadParquet (impl=duckdb):
//
//	node readparquet.mjs <file> <runs>
//
// Each run is CREATE TABLE t AS SELECT * FROM read_parquet(<file>) on 2
// threads in one in-memory database (the table dropped after each), so the
// runs after the first are warm, as the Go benchmarks are. It prints
// {"ms": [each run's milliseconds]}.
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 1);
if (!file || !(runs >= 1)) {
  console.error('usage: node readparquet.mjs <file> <runs>');
  process.exit(2);
}
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
const ms = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
  ms.push(performance.now() - t0);
  await con.run('DROP TABLE t');
}
con.closeSync();
db.closeSync();
console.log(JSON.stringify({ ms }));
