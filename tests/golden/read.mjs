// SPDX-License-Identifier: MIT
// read.mjs: print an Arrow IPC stream with apache-arrow, to cross-check streams
// that our C code (dh_fbb, the demo server) writes against an independent reader.
//
//   cd tests/golden && node read.mjs FILE.arrows
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';

const file = process.argv[2];
if (!file) {
  console.error('usage: node read.mjs FILE.arrows');
  process.exit(2);
}
const table = tableFromIPC(readFileSync(file));
for (const f of table.schema.fields)
  console.log(`field ${f.name}: ${f.type} nullable=${f.nullable} ${JSON.stringify([...f.metadata])}`);
console.log(`schema metadata ${JSON.stringify([...table.schema.metadata])}`);
table.batches.forEach((batch, b) => {
  console.log(`batch ${b}: ${batch.numRows} rows`);
  for (let r = 0; r < batch.numRows; r++) {
    const cells = table.schema.fields.map((_, i) => {
      const v = batch.getChildAt(i).get(r);
      return v !== null && typeof v === 'object' && v.toArray ? `[${[...v].join(';')}]` : String(v);
    });
    console.log(`  ${cells.join(' | ')}`);
  }
});
