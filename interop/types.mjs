// Writes Parquet files of the types other tools write, with DuckDB, into
// the directory given as the first argument, for raygo's readers to read
// (rayarrow's TestInteropDuckDBTypes): one file a type, <name>.parquet,
// each a column `v` of 3000 rows (every seventh null) in row groups of
// 1000 rows, plus files of several columns. The cases are listed in
// cases.json in the same directory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node types.mjs <dir>');
  process.exit(2);
}
// name: a SQL expression of i, the row number (0..2999).
const cases = {
  tinyint: '(i % 256 - 128)::TINYINT',
  utinyint: '(i % 256)::UTINYINT',
  smallint: '(i * 7 - 10000)::SMALLINT',
  usmallint: '(i * 21)::USMALLINT',
  integer: '(i * 1000003 - 1500000000)::INTEGER',
  uinteger: '(i::UBIGINT * 1431655)::UINTEGER',
  bigint: '(i::BIGINT * 3074457345618258)::BIGINT',
  ubigint: '(i::UBIGINT * 3074457345618258)::UBIGINT',
  ubigint_big: '(18446744073709551615 - i)::UBIGINT',
  float: '(i / 7)::FLOAT',
  double: '(i / 3 - 500)::DOUBLE',
  decimal_4_2: '((i - 1500) / 100)::DECIMAL(4,2)',
  decimal_9_3: '((i - 1500) * 123.457)::DECIMAL(9,3)',
  decimal_18_4: '((i - 1500) * 12345678.9123)::DECIMAL(18,4)',
  decimal_38_10: "((i - 1500)::DECIMAL(38,10) * 1000 + '12345678901234567890.0123456789'::DECIMAL(38,10))::DECIMAL(38,10)",
  date: "(DATE '1970-01-01' + (i * 37 - 50000)::INTEGER)",
  time: "(TIME '00:00:00' + INTERVAL (i * 28) SECOND)",
  timestamp: "(TIMESTAMP '2026-01-01' + INTERVAL (i * 1234567) MILLISECOND)",
  timestamp_ms: "(TIMESTAMP '2026-01-01' + INTERVAL (i * 1234567) MILLISECOND)::TIMESTAMP_MS",
  timestamp_ns: "(TIMESTAMP '2026-01-01' + INTERVAL (i * 1234567) MILLISECOND)::TIMESTAMP_NS",
  timestamp_s: "(TIMESTAMP '2026-01-01' + INTERVAL (i * 1234567) MILLISECOND)::TIMESTAMP_S",
  timestamptz: "(TIMESTAMPTZ '2026-01-01 00:00:00+00' + INTERVAL (i * 1234567) MILLISECOND)",
  timestamp_far: "(TIMESTAMP '2300-01-01' + INTERVAL (i) DAY)",
  varchar: "'s' || (i % 50)::VARCHAR",
  varchar_unique: "'a string longer than twelve bytes ' || i::VARCHAR",
  blob: "('\\xAA\\x00' || (i % 256)::VARCHAR)::BLOB",
  boolean: 'i % 3 = 0',
  uuid: "('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID",
  interval: 'INTERVAL (i) DAY',
  list: '[i, i + 1]',
  struct: "{'a': i, 'b': 'x'}",
  map: "MAP {'k': i}",
  enum: "('s' || (i % 5)::VARCHAR)::ENUM('s0', 's1', 's2', 's3', 's4')",
};
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
await con.run("SET TimeZone = 'UTC'");
for (const [name, expr] of Object.entries(cases)) {
  await con.run(`COPY (SELECT CASE WHEN i % 7 = 3 THEN NULL ELSE ${expr} END AS v FROM range(3000) t(i)) TO '${join(dir, name + '.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 1000)`);
}
// A table of many types, and its strings dictionary-encoded until the
// dictionary is too large (unique strings past a point).
await con.run(`COPY (SELECT i::BIGINT AS id, (i / 7)::DOUBLE AS x, 's' || (i % 40)::VARCHAR AS cat,
  CASE WHEN i < 20000 THEN 'r' || (i % 10)::VARCHAR ELSE 'unique value number ' || i::VARCHAR END AS mixed,
  CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 3)::INTEGER END AS n
  FROM range(120000) t(i)) TO '${join(dir, 'mixed.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 50000)`);
con.closeSync();
db.closeSync();
writeFileSync(join(dir, 'cases.json'), JSON.stringify(Object.keys(cases).concat(['mixed'])));
console.log(`interop: DuckDB wrote ${Object.keys(cases).length + 1} Parquet files into ${dir}`);
