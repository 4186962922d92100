// SPDX-License-Identifier: MIT
// gen.mjs: writes golden Arrow IPC streams with apache-arrow (an implementation
// independent of ours) plus the expected cells of each, for tests/unit/test_arrow.c.
//
//   cd tests/golden && npm ci && node gen.mjs
//
// Output, in tests/data/golden/: NAME.arrows (an IPC stream) and NAME.expected:
//   field,<col>,<name>,<type>          one per top-level column (type: see typeDesc)
//   fmeta,<col>,<key>,<value>          field metadata
//   smeta,<key>,<value>                schema metadata
//   batch,<b>,<rows>                   one per record batch
//   cell,<b>,<col>,<row>,<value>       one per cell: NULL, or the value (see cellText)
// Expected values come from the JS source arrays, not from reading the stream back.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Binary, Bool, DateDay, DateMillisecond, Decimal, DurationNanosecond, Field, Float32,
  Float64, Int16, Int32, Int64, Int8, LargeUtf8, List, RecordBatch, Schema, Struct, Table,
  TimeNanosecond, TimestampNanosecond, Type, Uint16, Utf8, makeData, tableFromIPC, tableToIPC,
} from 'apache-arrow';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'golden');
mkdirSync(outDir, { recursive: true });
const enc = new TextEncoder();

// ---- building Data from plain JS arrays (null = a null cell) ----

function bitmap(values) {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null) nulls++;
    else bits[i >> 3] |= 1 << (i & 7);
  });
  return { bits, nulls };
}

function validity(values) {
  const { bits, nulls } = bitmap(values);
  return nulls ? { nullCount: nulls, nullBitmap: bits } : { nullCount: 0 };
}

// Bytes of a cell of a variable-width type.
function cellBytes(type, v) {
  return typeof v === 'string' ? enc.encode(v) : Uint8Array.from(v);
}

function dataFor(type, values) {
  const length = values.length;
  const base = { type, length, ...validity(values) };
  switch (type.typeId) {
    case Type.Bool: {
      const data = new Uint8Array(Math.ceil(length / 8));
      values.forEach((v, i) => { if (v) data[i >> 3] |= 1 << (i & 7); });
      return makeData({ ...base, data });
    }
    case Type.Utf8: case Type.Binary: case Type.LargeUtf8: {
      const parts = values.map((v) => (v === null ? new Uint8Array(0) : cellBytes(type, v)));
      const large = type.typeId === Type.LargeUtf8;
      const offsets = large ? new BigInt64Array(length + 1) : new Int32Array(length + 1);
      let total = 0;
      parts.forEach((p, i) => { total += p.length; offsets[i + 1] = large ? BigInt(total) : total; });
      const data = new Uint8Array(total);
      let at = 0;
      for (const p of parts) { data.set(p, at); at += p.length; }
      return makeData({ ...base, valueOffsets: offsets, data });
    }
    case Type.List: {
      const offsets = new Int32Array(length + 1);
      const flat = [];
      values.forEach((v, i) => {
        if (v !== null) flat.push(...v);
        offsets[i + 1] = flat.length;
      });
      const child = dataFor(type.children[0].type, flat);
      return makeData({ ...base, valueOffsets: offsets, child });
    }
    case Type.Decimal: {
      const words = type.bitWidth / 32;
      const data = new Uint32Array(length * words);
      values.forEach((v, i) => {
        let x = BigInt.asUintN(type.bitWidth, BigInt(v ?? 0));
        for (let w = 0; w < words; w++) {
          data[i * words + w] = Number(x & 0xFFFFFFFFn);
          x >>= 32n;
        }
      });
      return makeData({ ...base, data });
    }
    default: {
      const Arr = type.ArrayType;
      const big = Arr === BigInt64Array || Arr === BigUint64Array;
      const data = new Arr(length);
      values.forEach((v, i) => { data[i] = v === null ? (big ? 0n : 0) : (big ? BigInt(v) : v); });
      return makeData({ ...base, data });
    }
  }
}

// ---- the expected text ----

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function typeDesc(type) {
  switch (type.typeId) {
    case Type.Int: return `Int${type.bitWidth}${type.isSigned ? 's' : 'u'}`;
    case Type.Float: return `Float${[16, 32, 64][type.precision]}`;
    case Type.Bool: return 'Bool';
    case Type.Utf8: return 'Utf8';
    case Type.LargeUtf8: return 'LargeUtf8';
    case Type.Binary: return 'Binary';
    case Type.Timestamp: return `Timestamp(${type.unit},${type.timezone ?? ''})`;
    case Type.Date: return `Date(${type.unit})`;
    case Type.Time: return `Time(${type.unit},${type.bitWidth})`;
    case Type.Duration: return `Duration(${type.unit})`;
    case Type.Decimal: return `Decimal(${type.precision},${type.scale},${type.bitWidth})`;
    case Type.List: return `List<${typeDesc(type.children[0].type)}>`;
    default: throw new Error(`no description for ${type}`);
  }
}

// One cell as text; the C test formats its decoded cells the same way.
function cellText(type, v) {
  if (v === null) return 'NULL';
  switch (type.typeId) {
    case Type.Bool: return v ? '1' : '0';
    case Type.Float:
      return String(type.precision === 1 ? Math.fround(v) : v);
    case Type.Utf8: case Type.LargeUtf8: case Type.Binary:
      return hex(cellBytes(type, v));
    case Type.Decimal: {
      let x = BigInt.asUintN(type.bitWidth, BigInt(v));
      const bytes = [];
      for (let i = 0; i < type.bitWidth / 8; i++) { bytes.push(Number(x & 0xFFn)); x >>= 8n; }
      return hex(bytes);
    }
    case Type.List:
      return `[${v.map((e) => cellText(type.children[0].type, e)).join(';')}]`;
    default:
      return String(v);
  }
}

// Read the stream back with apache-arrow and compare the simple types, to catch
// mistakes in this script (the C test then checks our decoder against it).
const checkable = new Set([Type.Int, Type.Float, Type.Bool, Type.Utf8, Type.List]);
function selfCheck(name, bytes, columns, slice) {
  const table = tableFromIPC(bytes);
  table.batches.forEach((batch, b) => {
    columns.forEach((c, ci) => {
      if (!checkable.has(c.type.typeId)) return;
      if (c.type.typeId === Type.List && c.type.children[0].type.typeId !== Type.Int) return;
      let want = c.batches[b];
      if (slice) want = want.slice(slice[0], slice[0] + slice[1]);
      const col = batch.getChildAt(ci);
      want.forEach((v, r) => {
        let got = col.get(r);
        if (got !== null && c.type.typeId === Type.List) got = [...got];
        const a = cellText(c.type, v), g = cellText(c.type, got);
        if (a !== g) throw new Error(`${name}: batch ${b} col ${c.name} row ${r}: wrote ${a}, read ${g}`);
      });
    });
  });
}

// ---- streams ----

// columns: [{ name, type, meta?, batches: [[values of batch 0], [batch 1], ...] }]
function writeStream(name, columns, schemaMeta = new Map(), slice = null) {
  const fields = columns.map((c) => new Field(c.name, c.type, true, new Map(c.meta ?? [])));
  const schema = new Schema(fields, schemaMeta);
  const nBatches = columns[0].batches.length;
  const lines = [];
  fields.forEach((f, i) => {
    lines.push(`field,${i},${f.name},${typeDesc(f.type)}`);
    for (const [k, v] of f.metadata) lines.push(`fmeta,${i},${k},${v}`);
  });
  for (const [k, v] of schemaMeta) lines.push(`smeta,${k},${v}`);
  const batches = [];
  for (let b = 0; b < nBatches; b++) {
    let children = columns.map((c) => dataFor(c.type, c.batches[b]));
    let rows = columns[0].batches[b].length;
    let values = columns.map((c) => c.batches[b]);
    if (slice) { // apache-arrow writes sliced Data (non-zero offset) by rebasing buffers
      const [off, len] = slice;
      children = children.map((d) => d.slice(off, len));
      values = values.map((v) => v.slice(off, off + len));
      rows = len;
    }
    const data = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
    batches.push(new RecordBatch(schema, data));
    lines.push(`batch,${b},${rows}`);
    columns.forEach((c, ci) => {
      values[ci].forEach((v, r) => lines.push(`cell,${b},${ci},${r},${cellText(c.type, v)}`));
    });
  }
  const bytes = tableToIPC(new Table(schema, batches), 'stream');
  selfCheck(name, bytes, columns, slice);
  writeFileSync(join(outDir, `${name}.arrows`), bytes);
  writeFileSync(join(outDir, `${name}.expected`), `${lines.join('\n')}\n`);
  console.log(`${name}: ${bytes.length} bytes, ${nBatches} batches`);
}

const I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n;
const DAY = 86400000;

// Every supported type, with nulls, three batches (the middle one empty).
writeStream('types', [
  { name: 'i8', type: new Int8(), meta: [['deephaven:type', 'byte']],
    batches: [[1, -128, null, 127, 0], [], [-1, null, 5, 6]] },
  { name: 'i16', type: new Int16(), batches: [[-32768, 32767, null, 0, 12], [], [1, 2, 3, null]] },
  { name: 'i32', type: new Int32(), meta: [['deephaven:type', 'int']],
    batches: [[-2147483648, 2147483647, 7, null, -7], [], [0, 0, 0, 0]] },
  { name: 'i64', type: new Int64(), meta: [['deephaven:type', 'long']],
    batches: [[I64_MIN, I64_MAX, null, 42n, -42n], [], [1n, null, null, 9007199254740993n]] },
  { name: 'ch', type: new Uint16(), meta: [['deephaven:type', 'char']],
    batches: [[65, 0xFFFF, null, 0x263A, 0], [], [66, 67, 68, 69]] },
  { name: 'f32', type: new Float32(), batches: [[1.5, -0.25, null, 3.4028234663852886e38, NaN], [], [Infinity, -Infinity, 0, null]] },
  { name: 'f64', type: new Float64(), meta: [['deephaven:type', 'double']],
    batches: [[0.1, -1e300, null, 5e-324, -0], [], [1.7976931348623157e308, 2, null, 3.25]] },
  { name: 'b', type: new Bool(), meta: [['deephaven:type', 'java.lang.Boolean']],
    batches: [[true, false, null, true, true], [], [false, false, true, null]] },
  { name: 's', type: new Utf8(), meta: [['deephaven:type', 'java.lang.String']],
    batches: [['hello', '', null, 'h\u00e9llo \u263A', 'x'.repeat(40)], [], [null, null, 'a', 'bc']] },
  { name: 'bin', type: new Binary(), batches: [[[0, 1, 2], [], null, [255], [0x80, 0x7f]], [], [[9], null, [], [1, 2, 3, 4, 5]]] },
  { name: 'ls', type: new LargeUtf8(), batches: [['big', null, '', 'utf8', 'z'], [], ['q', 'r', null, 's']] },
  { name: 'ts', type: new TimestampNanosecond('UTC'), meta: [['deephaven:type', 'java.time.Instant']],
    batches: [[1700000000123456789n, 0n, null, -1n, I64_MAX], [], [1n, 2n, null, 3n]] },
  { name: 'dms', type: new DateMillisecond(), meta: [['deephaven:type', 'java.time.LocalDate']],
    batches: [[19000 * DAY, 0, null, -DAY, 20000 * DAY], [], [DAY, 2 * DAY, null, 0]] },
  { name: 'dday', type: new DateDay(), batches: [[19000, 0, null, -1, 2147483647], [], [1, 2, 3, null]] },
  { name: 'tns', type: new TimeNanosecond(), meta: [['deephaven:type', 'java.time.LocalTime']],
    batches: [[0n, 86399999999999n, null, 43200000000000n, 1n], [], [5n, null, 6n, 7n]] },
  { name: 'dur', type: new DurationNanosecond(), meta: [['deephaven:type', 'java.time.Duration']],
    batches: [[1000000000n, -5n, null, 0n, I64_MIN + 1n], [], [1n, 2n, 3n, null]] },
  { name: 'dec', type: new Decimal(2, 20, 128),
    batches: [[12345n, -12345n, null, 0n, 2n ** 100n], [], [1n, null, -1n, 99n]] },
  { name: 'li', type: new List(new Field('', new Int32(), true)),
    meta: [['deephaven:type', 'int[]'], ['deephaven:componentType', 'int']],
    batches: [[[1, 2, 3], [], null, [null, 4], [5]], [], [null, [6, 7], [], [8]]] },
  { name: 'lstr', type: new List(new Field('', new Utf8(), true)),
    batches: [[['a', 'bc'], null, [''], [null, 'd'], []], [], [['e'], ['f', 'g', 'h'], null, []]] },
], new Map([['deephaven:attribute.IsFlat', 'true'], ['deephaven:attribute_type.IsFlat', 'java.lang.Boolean']]));

// No nulls anywhere: validity buffers are empty.
writeStream('nonulls', [
  { name: 'a', type: new Int32(), batches: [[1, 2, 3], [4]] },
  { name: 'b', type: new Utf8(), batches: [['x', 'yy', 'zzz'], ['']] },
  { name: 'c', type: new Bool(), batches: [[true, false, true], [false]] },
  { name: 'd', type: new Float64(), batches: [[1, 2, 3], [4]] },
]);

// A single empty batch.
writeStream('empty', [
  { name: 'a', type: new Int64(), batches: [[]] },
  { name: 'b', type: new Utf8(), batches: [[]] },
  { name: 'c', type: new List(new Field('', new Int32(), true)), batches: [[]] },
]);

// Sliced arrays: rows 3..9 of 12 (bitmaps and offsets rebased by the writer).
const ten = (f) => Array.from({ length: 12 }, (_, i) => f(i));
writeStream('sliced', [
  { name: 'i', type: new Int32(), batches: [ten((i) => (i % 4 === 1 ? null : i * 10))] },
  { name: 's', type: new Utf8(), batches: [ten((i) => (i % 3 === 0 ? null : `row${i}`))] },
  { name: 'b', type: new Bool(), batches: [ten((i) => (i % 5 === 0 ? null : i % 2 === 0))] },
  { name: 'l', type: new List(new Field('', new Int32(), true)),
    batches: [ten((i) => (i % 4 === 2 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 ? null : i + k))))] },
  { name: 'd', type: new Float64(), batches: [ten((i) => (i === 5 ? null : i / 4))] },
], new Map(), [3, 7]);

// Deephaven-style metadata: style and format columns are hidden.
writeStream('dhmeta', [
  { name: 'X', type: new Int32(), meta: [['deephaven:type', 'int'], ['deephaven:isSortable', 'true']],
    batches: [[1, 2]] },
  { name: 'X__STYLE', type: new Int64(), meta: [['deephaven:type', 'long'], ['deephaven:isStyle', 'true']],
    batches: [[0n, 1n]] },
  { name: '__ROW_STYLE', type: new Int64(), meta: [['deephaven:type', 'long'], ['deephaven:isRowStyle', 'true']],
    batches: [[0n, 1n]] },
  { name: 'Y__FORMAT', type: new Utf8(), meta: [['deephaven:type', 'java.lang.String'], ['deephaven:isNumberFormat', 'true']],
    batches: [['#,##0', '0.00']] },
  { name: 'Z', type: new Utf8(), meta: [['deephaven:type', 'java.lang.String'], ['deephaven:isDateFormat', 'false']],
    batches: [['p', 'q']] },
]);
