// Rewrites the engine's Parquet files as DuckDB writes them, for the engine
// to read back as "anyone's data" (go run ./examples/engine -in, and the
// engine package's TestAdoptDuckDBFiles):
//
//	node rewrite.mjs <from dir> <to dir>
//
// DuckDB reads <from>/trades.parquet and <from>/ref.parquet (symbols come
// in as VARCHAR) and writes them to <to> with its own writer (snappy,
// row groups of 122,880 rows, its own types and encodings).
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error('usage: node rewrite.mjs <from dir> <to dir>');
  process.exit(2);
}
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
for (const t of ['trades', 'ref']) {
  await con.run(`COPY (SELECT * FROM read_parquet('${join(from, t + '.parquet')}')) TO '${join(to, t + '.parquet')}' (FORMAT parquet)`);
}
con.closeSync();
db.closeSync();
console.log(`interop: DuckDB rewrote trades.parquet and ref.parquet into ${to}`);
