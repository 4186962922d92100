// SPDX-License-Identifier: MIT
// arrow_values.mjs: decode an Arrow IPC stream with apache-arrow and print
// every value in a canonical, lossless JSON form, as the oracle the export
// round-trip tests compare CSV, TSV and JSON read back by Python against:
//   {"columns": [{"name", "type", ...}], "rows": [[cell, ...], ...]}
// Cells: null; integers, timestamps, times and dates as decimal strings of
// their raw value; floats as the hex of their bits; booleans; strings and
// binary as the hex of their bytes; lists as arrays of cells; maps as arrays
// of [key, value] cells, in order; structs as arrays of their fields' cells;
// intervals as [months, days, nanoseconds]; dictionary-encoded cells as their
// values.
//
//   node arrow_values.mjs FILE.arrows
import { readFileSync } from 'node:fs';
import { tableFromIPC, Type } from 'apache-arrow';

const hex = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');

function valid(data, i) {
  if (!data.nullBitmap || data.nullCount === 0) return true;
  const j = data.offset + i;
  return (data.nullBitmap[j >> 3] >> (j & 7)) & 1;
}

function describe(field) {
  const t = field.type;
  const d = { name: field.name, dh_type: field.metadata.get('deephaven:type') ?? null };
  switch (t.typeId) {
    case Type.Int: return { ...d, type: 'int', bits: t.bitWidth, signed: t.isSigned };
    case Type.Float: return { ...d, type: 'float', bits: t.precision === 1 ? 32 : t.precision === 2 ? 64 : 16 };
    case Type.Bool: return { ...d, type: 'bool' };
    case Type.Utf8: return { ...d, type: 'utf8' };
    case Type.Binary: return { ...d, type: 'binary' };
    case Type.Timestamp: return { ...d, type: 'timestamp', unit: t.unit };
    case Type.Date: return { ...d, type: 'date', unit: t.unit };
    case Type.Time: return { ...d, type: 'time', unit: t.unit };
    case Type.List: return { ...d, type: 'list', child: describe(t.children[0]) };
    case Type.Interval: return { ...d, type: 'interval', unit: t.unit };
    case Type.Map: {
      const [key, value] = t.children[0].type.children;
      return { ...d, type: 'map', key: describe(key), value: describe(value) };
    }
    case Type.Struct: return { ...d, type: 'struct', fields: t.children.map(describe) };
    case Type.Dictionary: // the values' description; cells looked up in the dictionary
      return { ...describe({ type: t.dictionary, metadata: field.metadata, name: field.name }),
        dictionary: true };
    default: return { ...d, type: String(t) };
  }
}

function cell(data, i, desc) {
  if (!valid(data, i)) return null;
  const j = data.offset + i;
  if (desc.dictionary) { // an index into the dictionary's chunks
    let k = Number(data.values[j]);
    for (const chunk of data.dictionary.data) {
      if (k < chunk.length) return cell(chunk, k, { ...desc, dictionary: false });
      k -= chunk.length;
    }
    throw new Error('index past the dictionary');
  }
  switch (desc.type) {
    case 'int': case 'timestamp': case 'date': case 'time':
      return String(data.values[j]);
    case 'float': {
      const w = desc.bits / 8;
      return hex(new Uint8Array(data.values.buffer, data.values.byteOffset + j * w, w));
    }
    case 'bool': return Boolean((data.values[j >> 3] >> (j & 7)) & 1);
    case 'interval': { // [months, days, nanoseconds] as decimal strings
      const v = data.values;
      if (desc.unit === 0) return [String(v[j]), '0', '0'];
      if (desc.unit === 1) return ['0', String(v[2 * j]), String(BigInt(v[2 * j + 1]) * 1000000n)];
      const ns = (BigInt(v[4 * j + 3]) << 32n) + BigInt(v[4 * j + 2] >>> 0);
      return [String(v[4 * j]), String(v[4 * j + 1]), String(ns)];
    }
    case 'utf8': case 'binary':
      return hex(data.values.subarray(data.valueOffsets[j], data.valueOffsets[j + 1]));
    case 'list': {
      const child = data.children[0];
      const out = [];
      for (let k = data.valueOffsets[j]; k < data.valueOffsets[j + 1]; k++)
        out.push(cell(child, k - child.offset, desc.child));
      return out;
    }
    case 'map': { // entries k of the Struct child: its key and value rows
      const entries = data.children[0];
      const [keys, vals] = entries.children;
      const out = [];
      for (let k = data.valueOffsets[j]; k < data.valueOffsets[j + 1]; k++) {
        const e = entries.offset + k;
        out.push([cell(keys, e - keys.offset, desc.key), cell(vals, e - vals.offset, desc.value)]);
      }
      return out;
    }
    case 'struct':
      return desc.fields.map((f, k) => cell(data.children[k], j - data.children[k].offset, f));
    default: throw new Error(`unsupported type ${desc.type}`);
  }
}

const table = tableFromIPC(readFileSync(process.argv[2]));
const columns = table.schema.fields.map(describe);
const rows = [];
for (const batch of table.batches) {
  const datas = columns.map((_, c) => batch.getChildAt(c).data[0]);
  for (let r = 0; r < batch.numRows; r++)
    rows.push(columns.map((desc, c) => cell(datas[c], r, desc)));
}
console.log(JSON.stringify({ columns, rows }));
