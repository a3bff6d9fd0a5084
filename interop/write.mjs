// Writes Arrow IPC files and streams with apache-arrow into the directory
// given as the first argument, for raygo's reader to read (TestInterop and
// the fixtures in rayarrow/testdata/ipc). apache-arrow's file writer puts
// the schema only in the footer: the body starts with a batch.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  tableToIPC, makeTable, vectorFromArray, Table, Dictionary, Utf8, Int32, Int8, Uint32,
} from 'apache-arrow';

const dir = process.argv[2];
const rows = 5;

// Two numeric columns, one with a null.
const numbers = new Table({
  i: vectorFromArray([1, -2, 3, null, 2147483647], new Int32()),
  f: vectorFromArray([0.5, -1.25, 3e10, 4, null]),
});
// A dictionary-encoded string column beside a plain one.
const dict = new Table({
  d: vectorFromArray(['x', 'y', 'x', null, 'zz'], new Dictionary(new Utf8(), new Int32())),
  s: vectorFromArray(['a', 'bb', null, 'dddd', 'a long string of more than twelve bytes']),
});
// Types raygo widens: int8 and uint32.
const narrow = new Table({
  b: vectorFromArray([-128, 0, 127, null, 1], new Int8()),
  u: vectorFromArray([0, 1, 4294967295, 7, null], new Uint32()),
});

for (const [name, t] of Object.entries({ numbers, dict, narrow })) {
  if (t.numRows !== rows) throw new Error(`${name}: ${t.numRows} rows`);
  writeFileSync(join(dir, `apache-arrow-${name}.arrow`), tableToIPC(t, 'file'));
  writeFileSync(join(dir, `apache-arrow-${name}.arrows`), tableToIPC(t, 'stream'));
}
console.log(`interop: apache-arrow wrote 3 files and 3 streams`);
