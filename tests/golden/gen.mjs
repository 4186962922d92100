// SPDX-License-Identifier: MIT
// gen.mjs: writes golden Arrow IPC streams with apache-arrow (an implementation
// independent of ours) plus the expected cells of each, for tests/unit/test_arrow.c,
// and the expected display text of each cell, for tests/unit/test_golden_render.c.
//
//   cd tests/golden && npm ci && node gen.mjs
//
// Output, in tests/data/golden/: NAME.arrows (an IPC stream), NAME.expected and
// NAME.render. NAME.expected:
//   field,<col>,<name>,<type>          one per top-level column (type: see typeDesc)
//   fmeta,<col>,<key>,<value>          field metadata
//   smeta,<key>,<value>                schema metadata
//   batch,<b>,<rows>                   one per record batch
//   cell,<b>,<col>,<row>,<value>       one per cell: NULL, or the value (see cellText)
// NAME.render (for tests/unit/test_golden_render.c), the text dhtui shows:
//   render,<b>,<col>,<row>,<text>      one per cell, as dh_format_cell writes it
// with ONE fixed setting of struct dh_format_opts (src/include/dh_format.h):
// dh_format_opts_init's defaults plus group_digits = 1, that is: digit grouping
// on, UTC ("Z"), float_precision 0 (DH_FORMAT_SHORTEST: the shortest digits
// that read back to the same double, or float32; "-0" keeps its sign),
// null_text "(null)", deephaven_nulls 0 (Arrow validity only), max_list_items 0
// (10), max_binary_bytes 0 (32). See renderCell.
// Expected values and texts come from the JS source arrays, not from reading the
// stream back, and the texts are computed here, independently of our C code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Binary, Bool, DateDay, DateMillisecond, Decimal, DurationMicrosecond, DurationMillisecond,
  Dictionary, DurationNanosecond, FixedSizeList, DurationSecond, Field, Float16, Float32, Float64, Int16, Int32, Int64, Int8,
  IntervalDayTime, IntervalMonthDayNano, IntervalYearMonth,
  LargeBinary, LargeUtf8, List, Map_, RecordBatch, Schema, Struct, Table, TimeMicrosecond,
  TimeMillisecond, TimeNanosecond, TimeSecond, TimestampMicrosecond, TimestampMillisecond,
  TimestampNanosecond, TimestampSecond, Type, Uint16, Uint32, Uint64, Uint8, Utf8, makeData,
  tableFromIPC, tableToIPC, Vector,
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

// The IEEE 754 half bits of x, which must be a half exactly (NaN as 0x7E00).
function halfBits(x) {
  if (Number.isNaN(x)) return 0x7E00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7C00;
  if (a === 0) return sign;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; else if (2 ** (e + 1) <= a) e++;
  const bits = e < -14 ? a / 2 ** -24 : ((e + 15) << 10) | (a / 2 ** (e - 10) - 1024);
  if (!Number.isInteger(bits) || e > 15) throw new Error(`${x} is not a half`);
  return sign | bits;
}

// The interval parts [months, days, nanos] of a cell (unit 0 YEAR_MONTH: a
// number of months; 1 DAY_TIME: [days, ms]; 2 MONTH_DAY_NANO: [months, days, nanos]).
function intervalParts(unit, v) {
  if (unit === 0) return [v, 0, 0n];
  if (unit === 1) return [0, v[0], BigInt(v[1]) * 1000000n];
  return [v[0], v[1], BigInt(v[2])];
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
    case Type.Utf8: case Type.Binary: case Type.LargeUtf8: case Type.LargeBinary: {
      const parts = values.map((v) => (v === null ? new Uint8Array(0) : cellBytes(type, v)));
      const large = type.typeId === Type.LargeUtf8 || type.typeId === Type.LargeBinary;
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
    case Type.FixedSizeList: { // every row holds listSize child slots, nulls too
      const flat = [];
      values.forEach((v) => flat.push(...(v ?? Array(type.listSize).fill(null))));
      const child = dataFor(type.children[0].type, flat);
      return makeData({ ...base, child });
    }
    case Type.Map: { // a cell: an array of [key, value] pairs, in order
      const offsets = new Int32Array(length + 1);
      const keys = [], vals = [];
      values.forEach((v, i) => {
        for (const [k, x] of v ?? []) { keys.push(k); vals.push(x); }
        offsets[i + 1] = keys.length;
      });
      const entries = type.children[0].type;
      const child = makeData({ type: entries, length: keys.length, nullCount: 0,
        children: [dataFor(entries.children[0].type, keys), dataFor(entries.children[1].type, vals)] });
      return makeData({ ...base, valueOffsets: offsets, child });
    }
    case Type.Struct: { // a cell: an object of the fields' values
      const children = type.children.map((f) => dataFor(f.type, values.map((v) => (v === null ? null : v[f.name]))));
      return makeData({ ...base, children });
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
    case Type.Float:
      if (type.precision !== 0) break;
      return makeData({ ...base, data: Uint16Array.from(values, (v) => (v === null ? 0 : halfBits(v))) });
    case Type.Interval: {
      const stride = [1, 2, 4][type.unit];
      const data = new Int32Array(length * stride);
      values.forEach((v, i) => {
        if (v === null) return;
        const [m, d, n] = intervalParts(type.unit, v);
        if (type.unit === 0) data[i] = m;
        else if (type.unit === 1) { data[2 * i] = v[0]; data[2 * i + 1] = v[1]; } else {
          data[4 * i] = m; data[4 * i + 1] = d;
          data[4 * i + 2] = Number(BigInt.asUintN(32, n)) | 0;
          data[4 * i + 3] = Number(BigInt.asIntN(32, n >> 32n));
        }
      });
      return makeData({ ...base, data });
    }
    default: break;
  }
  {
    {
      const Arr = type.ArrayType;
      const big = Arr === BigInt64Array || Arr === BigUint64Array;
      const data = new Arr(length);
      values.forEach((v, i) => { data[i] = v === null ? (big ? 0n : 0) : (big ? BigInt(v) : v); });
      return makeData({ ...base, data });
    }
  }
}

// A dictionary-encoded column's Data for one batch: `chunks` are the
// dictionary's value arrays (the same array objects across batches share Data,
// so the writer sends only the new chunks as deltas; a new first chunk is a
// replacement); each value is looked up in their concatenation.
const chunkData = new Map();
function dictData(type, values, chunks) {
  const datas = chunks.map((ch) => {
    if (!chunkData.has(ch)) chunkData.set(ch, dataFor(type.dictionary, ch));
    return chunkData.get(ch);
  });
  const all = chunks.flat();
  const Idx = type.indices.ArrayType;
  const big = Idx === BigInt64Array || Idx === BigUint64Array;
  const idx = new Idx(values.length);
  values.forEach((v, i) => {
    if (v === null) return;
    const k = all.findIndex((d) => d !== null && String(d) === String(v));
    if (k < 0) throw new Error(`${v} is not in the dictionary`);
    idx[i] = big ? BigInt(k) : k;
  });
  return makeData({ type, length: values.length, ...validity(values), data: idx,
    dictionary: new Vector(datas) });
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
    case Type.LargeBinary: return 'LargeBinary';
    case Type.Timestamp: return `Timestamp(${type.unit},${type.timezone ?? ''})`;
    case Type.Date: return `Date(${type.unit})`;
    case Type.Time: return `Time(${type.unit},${type.bitWidth})`;
    case Type.Duration: return `Duration(${type.unit})`;
    case Type.Decimal: return `Decimal(${type.precision},${type.scale},${type.bitWidth})`;
    case Type.List: return `List<${typeDesc(type.children[0].type)}>`;
    case Type.Interval: return `Interval(${type.unit})`;
    case Type.Dictionary: return `Dict<${typeDesc(type.dictionary)}>`;
    case Type.FixedSizeList: return `FixedSizeList<${typeDesc(type.children[0].type)}>[${type.listSize}]`;
    case Type.Map:
      return `Map<${typeDesc(type.keyType)},${typeDesc(type.valueType)}${type.keysSorted ? ',sorted' : ''}>`;
    case Type.Struct: return `Struct<${type.children.map((f) => `${f.name}:${typeDesc(f.type)}`).join(',')}>`;
    default: throw new Error(`no description for ${type}`);
  }
}

// One cell as text; the C test formats its decoded cells the same way.
function cellText(type, v) {
  if (v === null) return 'NULL';
  switch (type.typeId) {
    case Type.Bool: return v ? '1' : '0';
    case Type.Float:
      return String(type.precision !== 2 ? Math.fround(v) : v);
    case Type.Utf8: case Type.LargeUtf8: case Type.Binary: case Type.LargeBinary:
      return hex(cellBytes(type, v));
    case Type.Decimal: {
      let x = BigInt.asUintN(type.bitWidth, BigInt(v));
      const bytes = [];
      for (let i = 0; i < type.bitWidth / 8; i++) { bytes.push(Number(x & 0xFFn)); x >>= 8n; }
      return hex(bytes);
    }
    case Type.List: case Type.FixedSizeList:
      return `[${v.map((e) => cellText(type.children[0].type, e)).join(';')}]`;
    case Type.Interval: return intervalParts(type.unit, v).join('/');
    case Type.Dictionary: return cellText(type.dictionary, v);
    case Type.Map:
      return `{${v.map(([k, x]) => `${cellText(type.keyType, k)}=${cellText(type.valueType, x)}`).join(';')}}`;
    case Type.Struct:
      return `{${type.children.map((f) => `${f.name}=${cellText(f.type, v[f.name])}`).join(';')}}`;
    default:
      return String(v);
  }
}

// ---- the expected rendering (dh_format_cell with RENDER_OPTS) ----
// Written from the rules documented in src/include/dh_format.h, not from format.c.

const RENDER_OPTS = { groupDigits: true, nullText: '(null)', floatPrecision: 'shortest',
  maxListItems: 10, maxBinaryBytes: 32 };
const ELLIPSIS = '\u2026';
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // not fatal: U+FFFD

// "1234567" -> "1,234,567" (digits only).
function groupDigits(digits) {
  if (!RENDER_OPTS.groupDigits) return digits;
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) {
    const part = digits.slice(Math.max(0, end - 3), end);
    out = out ? `${part},${out}` : part;
  }
  return out;
}

// A BigInt as dhtui writes integers: "-1,234".
function renderInteger(v) {
  const x = BigInt(v);
  return (x < 0n ? '-' : '') + groupDigits((x < 0n ? -x : x).toString());
}

// The exact value of a finite double |x| > 0 as [n, e], |x| = n * 10^e (BigInt n),
// from its IEEE 754 bits: m * 2^k = m * 5^-k * 10^k for k < 0.
function exactDecimal(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7FFn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? frac : frac | (1n << 52n);
  const k = (biased === 0 ? 1 : biased) - 1075;
  return k >= 0 ? [m << BigInt(k), 0] : [m * 5n ** BigInt(-k), k];
}

// The shortest decimal that reads back to x, as [digits, exponent of the
// first digit]. Doubles: ECMAScript's Number-to-String rule is exactly that
// (fewest digits, then closest, then even), so the engine's own digits serve.
// float32: searched here with exact BigInt arithmetic: for each length, the
// two decimals around x; those Math.fround reads back to x; the closer, ties
// to the even one.
function shortestDigits(x, isFloat32) {
  const ax = Math.abs(x);
  if (!isFloat32) {
    const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(ax.toExponential());
    return [m[1] + (m[2] ?? ''), Number(m[3])];
  }
  const [n, e] = exactDecimal(ax);
  const all = n.toString();
  const exp0 = all.length - 1 + e; // exponent of the first digit of x
  for (let len = 1; len <= 9; len++) {
    const drop = all.length - len;
    let lo, ulp = 1n, rest = 0n;
    if (drop <= 0) { lo = n * 10n ** BigInt(-drop); } else {
      ulp = 10n ** BigInt(drop); lo = n / ulp; rest = n % ulp;
    }
    const scale = exp0 - (len - 1); // exponent of the last digit
    const reads = (d) => d > 0n && Math.fround(Number(`${d}e${scale}`)) === ax;
    const cands = [];
    if (reads(lo)) cands.push([lo, 2n * rest]);            // distance * 2 (in units of the last digit / ulp)
    if (drop > 0 && rest !== 0n && reads(lo + 1n)) cands.push([lo + 1n, 2n * (ulp - rest)]);
    if (cands.length === 0) continue;
    cands.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : Number(a[0] % 2n) - Number(b[0] % 2n)));
    let d = cands[0][0].toString(), ex = exp0;
    if (d.length > len) ex += 1; // 9.99 -> 10.0
    d = d.replace(/0+$/, '') || '0';
    return [d, ex];
  }
  throw new Error(`no shortest float32 for ${x}`);
}

// A float shown as DH_FORMAT_SHORTEST writes it: its shortest digits, fixed
// for 1e-5 <= |x| < 1e15 (exp, the exponent of the first digit), else
// "1.5E20"; NaN, Infinity; "0" and "-0".
function renderShortest(x, isFloat32) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const [digits, exp] = shortestDigits(x, isFloat32);
  if (exp < -5 || exp >= 15)
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}E${exp}`;
  const point = exp + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + groupDigits(digits + '0'.repeat(point - digits.length));
  return `${sign}${groupDigits(digits.slice(0, point))}.${digits.slice(point)}`;
}

// Days since 1970-01-01 (BigInt) as "YYYY-MM-DD"; years outside 0..9999 signed,
// as ISO 8601 expands them. JS Date covers +-100e6 days only, so whole 400-year
// Gregorian cycles (146097 days each) are moved out first and added back.
const CYCLE_DAYS = 146097n;
function civil(days) {
  const d = new Date(Number(days % CYCLE_DAYS) * DAY);
  return [BigInt(d.getUTCFullYear()) + 400n * (days / CYCLE_DAYS), d.getUTCMonth() + 1, d.getUTCDate()];
}
function renderDate(days) {
  const [y, m, d] = civil(BigInt(days));
  const abs = (y < 0n ? -y : y).toString().padStart(4, '0');
  const year = y >= 0n && y <= 9999n ? abs : (y < 0n ? '-' : '+') + abs;
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// Floor division and modulo of BigInts (b > 0).
function floorDiv(a, b) { const q = a / b; return a % b < 0n ? q - 1n : q; }
function floorMod(a, b) { const r = a % b; return r < 0n ? r + b : r; }

// Arrow TimeUnit (0 s, 1 ms, 2 us, 3 ns): units per second and fraction digits.
function unitInfo(unit) {
  return [[1n, 0], [1000n, 3], [1000000n, 6], [1000000000n, 9]][unit];
}

// "HH:MM:SS" plus "." and `digits` fraction digits (zero-padded, never trimmed).
function renderClock(secondOfDay, frac, digits) {
  const s = Number(secondOfDay);
  const two = (n) => String(n).padStart(2, '0');
  const clock = `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  return digits ? `${clock}.${frac.toString().padStart(digits, '0')}` : clock;
}

// An instant (BigInt count of `unit` since the epoch) in UTC, ISO 8601.
function renderTimestamp(v, unit) {
  const [per, digits] = unitInfo(unit);
  const secs = floorDiv(v, per);
  const date = renderDate(floorDiv(secs, 86400n));
  return `${date}T${renderClock(floorMod(secs, 86400n), floorMod(v, per), digits)}Z`;
}

// A time of day; counts outside one day are shown raw.
function renderTime(v, unit) {
  const [per, digits] = unitInfo(unit);
  if (v < 0n || v / per >= 86400n) return v.toString();
  return renderClock(v / per, v % per, digits);
}

// A duration as java.time.Duration.toString() writes it (seconds floored, nanos
// 0..999999999; hours, minutes and seconds then truncate towards zero).
function renderDuration(v, unit) {
  const [per] = unitInfo(unit);
  const seconds = floorDiv(v, per);
  const nanos = floorMod(v, per) * (1000000000n / per);
  if (seconds === 0n && nanos === 0n) return 'PT0S';
  const effective = seconds < 0n && nanos > 0n ? seconds + 1n : seconds;
  const hours = effective / 3600n;
  const minutes = (effective % 3600n) / 60n;
  const secs = effective % 60n;
  let out = 'PT';
  if (hours !== 0n) out += `${hours}H`;
  if (minutes !== 0n) out += `${minutes}M`;
  if (secs === 0n && nanos === 0n && out.length > 2) return out;
  out += seconds < 0n && nanos > 0n && secs === 0n ? '-0' : `${secs}`;
  if (nanos > 0n) {
    const frac = seconds < 0n ? 1000000000n - nanos : nanos;
    out += `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  }
  return `${out}S`;
}

// A Period of months and days as java.time.Period.toString writes
// Period.of(0, months, days): "P17M", "P1M-3D", "P0D".
function renderPeriod(months, days) {
  if (months === 0 && days === 0) return 'P0D';
  return `P${months !== 0 ? `${months}M` : ''}${days !== 0 ? `${days}D` : ''}`;
}

// An Interval as the Java type Deephaven reads it into prints: YEAR_MONTH a
// Period, DAY_TIME a Duration, MONTH_DAY_NANO a PeriodDuration (Arrow Java:
// the Period, a space, the Duration).
function renderInterval(unit, v) {
  const [m, d, n] = intervalParts(unit, v);
  if (unit === 0) return renderPeriod(m, 0);
  if (unit === 1) return renderDuration(BigInt(d) * BigInt(DAY) + n / 1000000n, 1);
  return `${renderPeriod(m, d)} ${renderDuration(n, 3)}`;
}

// An unscaled BigInt over 10^scale, exact: the decimal point put into the digit
// string ("0.05", "-123.45"; scale <= 0 appends zeros, zero stays "0"). When
// that takes more than 32 padding zeros (format.c's PAD_ZEROS_MAX), Java
// BigDecimal.toString's E notation: "1.2345E+44", "1E-40".
const PAD_ZEROS_MAX = 32;
function renderDecimal(unscaled, scale) {
  const sign = unscaled < 0n ? '-' : '';
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString();
  const zero = unscaled === 0n;
  if (scale <= 0 && (zero || -scale <= PAD_ZEROS_MAX))
    return sign + groupDigits(zero ? '0' : digits + '0'.repeat(-scale));
  if (scale > 0 && scale - digits.length <= PAD_ZEROS_MAX) {
    const padded = digits.padStart(scale + 1, '0');
    const ip = padded.length - scale;
    return `${sign}${groupDigits(padded.slice(0, ip))}.${padded.slice(ip)}`;
  }
  const adjusted = digits.length - 1 - scale;
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mant}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

// Untrusted text made terminal-safe as dh_text_sanitize documents it.
const NAMED_ESCAPES = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v',
  12: '\\f', 13: '\\r', 0x1b: '\\e' };
function isBidiControl(cp) {
  return cp === 0x061c || cp === 0x200e || cp === 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069);
}
function sanitize(text) {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (NAMED_ESCAPES[cp] !== undefined) out += NAMED_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x80 && cp < 0xa0) || isBidiControl(cp)) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd'; // a lone surrogate
    else out += ch;
  }
  return out;
}

// Whether a column is a Deephaven char column: uint16, deephaven:type "char" or none.
function isCharColumn(type, dhType) {
  return type.typeId === Type.Int && type.bitWidth === 16 && !type.isSigned &&
    (dhType === undefined || dhType === 'char');
}

// The display text of one source value v of a column of `type` (dhType: its
// deephaven:type metadata or undefined).
function renderCell(type, dhType, v) {
  if (v === null) return RENDER_OPTS.nullText;
  switch (type.typeId) {
    case Type.Int:
      if (isCharColumn(type, dhType)) return sanitize(String.fromCharCode(v));
      return renderInteger(v);
    case Type.Float: // a half is a float32 exactly: its shortest float32 digits
      return type.precision !== 2
        ? renderShortest(Math.fround(v), true)
        : renderShortest(v, false);
    case Type.Interval: return renderInterval(type.unit, v);
    case Type.Dictionary: return renderCell(type.dictionary, dhType, v);
    case Type.Bool: return v ? 'true' : 'false';
    case Type.Utf8: case Type.LargeUtf8:
      return sanitize(typeof v === 'string' ? v : utf8Decoder.decode(Uint8Array.from(v)));
    case Type.Binary: case Type.LargeBinary: {
      const bytes = cellBytes(type, v);
      const shown = hex(bytes.slice(0, RENDER_OPTS.maxBinaryBytes));
      return `0x${shown}${bytes.length > RENDER_OPTS.maxBinaryBytes ? ELLIPSIS : ''}`;
    }
    case Type.Timestamp: return renderTimestamp(BigInt(v), type.unit);
    case Type.Date:
      return renderDate(type.unit === 0 ? BigInt(v) : floorDiv(BigInt(v), BigInt(DAY)));
    case Type.Time: return renderTime(BigInt(v), type.unit);
    case Type.Duration: return renderDuration(BigInt(v), type.unit);
    case Type.Decimal: return renderDecimal(BigInt(v), type.scale);
    case Type.List: case Type.FixedSizeList: {
      const child = type.children[0].type;
      const items = v.slice(0, RENDER_OPTS.maxListItems).map((e) => renderCell(child, undefined, e));
      if (v.length > RENDER_OPTS.maxListItems) items.push(ELLIPSIS);
      return `[${items.join(', ')}]`;
    }
    case Type.Map: { // java.util.Map.toString: {k=v, k2=v2}; never cut by the server
      const items = v.slice(0, RENDER_OPTS.maxListItems)
        .map(([k, x]) => `${renderCell(type.keyType, undefined, k)}=${renderCell(type.valueType, undefined, x)}`);
      if (v.length > RENDER_OPTS.maxListItems) items.push(ELLIPSIS);
      return `{${items.join(', ')}}`;
    }
    case Type.Struct:
      return `{${type.children.map((f) => `${sanitize(f.name)}=${renderCell(f.type, undefined, v[f.name])}`).join(', ')}}`;
    default: throw new Error(`no rendering for ${type}`);
  }
}

// Read the stream back with apache-arrow and compare the simple types, to catch
// mistakes in this script (the C test then checks our decoder against it).
const checkable = new Set([Type.Int, Type.Float, Type.Bool, Type.Utf8, Type.List]);
function selfCheck(name, bytes, columns, slice) {
  const table = tableFromIPC(bytes);
  table.batches.forEach((batch, b) => {
    columns.forEach((c, ci) => {
      const vt = c.type.typeId === Type.Dictionary ? c.type.dictionary : c.type;
      if (!checkable.has(vt.typeId)) return;
      if (c.type.typeId === Type.List && c.type.children[0].type.typeId !== Type.Int) return;
      let want = c.batches[b];
      if (slice) want = want.slice(slice[0], slice[0] + slice[1]);
      const col = batch.getChildAt(ci);
      want.forEach((v, r) => {
        let got = col.get(r);
        if (got !== null && c.type.typeId === Type.List) got = [...got];
        const a = cellText(vt, v), g = cellText(vt, got);
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
  const renders = [];
  fields.forEach((f, i) => {
    lines.push(`field,${i},${f.name},${typeDesc(f.type)}`);
    for (const [k, v] of f.metadata) lines.push(`fmeta,${i},${k},${v}`);
  });
  for (const [k, v] of schemaMeta) lines.push(`smeta,${k},${v}`);
  const batches = [];
  for (let b = 0; b < nBatches; b++) {
    let children = columns.map((c) => (c.type.typeId === Type.Dictionary
      ? dictData(c.type, c.batches[b], c.dicts[b]) : dataFor(c.type, c.batches[b])));
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
    columns.forEach((c, ci) => {
      const dhType = new Map(c.meta ?? []).get('deephaven:type');
      values[ci].forEach((v, r) => renders.push(`render,${b},${ci},${r},${renderCell(c.type, dhType, v)}`));
    });
  }
  const bytes = tableToIPC(new Table(schema, batches), 'stream');
  selfCheck(name, bytes, columns, slice);
  writeFileSync(join(outDir, `${name}.arrows`), bytes);
  writeFileSync(join(outDir, `${name}.expected`), `${lines.join('\n')}\n`);
  writeFileSync(join(outDir, `${name}.render`), renders.length ? `${renders.join('\n')}\n` : '');
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

// Display edge cases for NAME.render (test_golden_render.c): grouping, float
// rounding and notation, escapes, cut binary and lists, every time unit, far
// dates, Java Duration signs, decimal scales. One batch of 8 rows per column.
const bytes = (n, f) => Array.from({ length: n }, (_, i) => f(i));
writeStream('display', [
  { name: 'i64', type: new Int64(), batches: [[1000n, -1000n, 999n, -100000n, 123456789n, null, 0n, -1n]] },
  { name: 'u8', type: new Uint8(), batches: [[255, 0, 1, 128, null, 7, 200, 99]] },
  { name: 'u32', type: new Uint32(), batches: [[4294967295, 0, 1000, null, 65536, 1, 2, 3]] },
  { name: 'u64', type: new Uint64(), batches: [[2n ** 64n - 1n, 0n, 1000n, null, 2n ** 63n, 1n, 2n, 3n]] },
  { name: 'u16int', type: new Uint16(), meta: [['deephaven:type', 'int']],
    batches: [[65535, 0, 1000, null, 65, 1, 2, 3]] },
  { name: 'ch', type: new Uint16(), meta: [['deephaven:type', 'char']],
    batches: [[0xD800, 0x1B, 0x85, 0x7F, 0x202E, 0x09, 0xE9, 0x0A]] },
  { name: 'f64', type: new Float64(),
    batches: [[1234567.891, 1e14, 1e15, 999999999999999.9, 0.00001, 0.000009999, 1234567890.5, -1234567891.5]] },
  { name: 'f64b', type: new Float64(),
    batches: [[1 / 3, 2 / 3, -123456.5, 123456789012.3456, 9.9999999996, 1e-5 - 1e-16, 0.125, -0]] },
  { name: 'f32', type: new Float32(),
    batches: [[1 / 3, 16777216, 1e10, 0.1, -1e-7, 1234.5675, 2.5e-5, 1e15]] },
  { name: 's', type: new Utf8(),
    batches: [['a\u0000b', 'tab\there', '\u001b[31mred', '\u0085c1', '\u202eevil\u2066', 'cr\rlf\n',
      '\u007f\\back\\slash', '\ud83d\ude00 \ufffd \u00a0\u200b']] },
  { name: 'bad', type: new LargeUtf8(), // bytes: invalid UTF-8 (not read back as JS strings)
    batches: [[[0x61, 0xFF, 0x62], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
      [0xE2, 0x82], [0xEF, 0xBB, 0xBF, 0x41], [0xF0, 0x9F, 0x98], null]] },
  { name: 'bin', type: new Binary(),
    batches: [[bytes(32, (i) => i), bytes(33, (i) => 255 - i), [], null, [0xAB], bytes(40, () => 0), [1], [2]]] },
  { name: 'lbin', type: new LargeBinary(), batches: [[[0xDE, 0xAD, 0xBE, 0xEF], null, [], [0], [1], [2], [3], [4]]] },
  { name: 'li64', type: new List(new Field('', new Int64(), true)),
    batches: [[bytes(10, (i) => BigInt(i)), bytes(11, (i) => BigInt(i)), bytes(12, (i) => BigInt(i * 1000)),
      [1000n, null, -1000000n], [], null, [null], [2n ** 62n]]] },
  { name: 'lf64', type: new List(new Field('', new Float64(), true)),
    batches: [[[0.5, 1e20, NaN], [1234.5], null, [], [-0], [1e-300], [Infinity], [3]]] },
  { name: 'll', type: new List(new Field('', new List(new Field('', new Int32(), true)), true)),
    batches: [[[[1, 2], [3]], [[], null], null, [], [[1000000]], [[5]], [[6, 7, 8]], [null]]] },
  { name: 'tss', type: new TimestampSecond(),
    batches: [[I64_MAX, I64_MIN, 951782400n, -62198755200n, 253402300800n, -1n, 0n, null]] },
  { name: 'tsms', type: new TimestampMillisecond('UTC'),
    batches: [[-1n, -62135596800001n, 253402300800000n, 1704164645123n, null, 0n, 1n, 999n]] },
  { name: 'tsus', type: new TimestampMicrosecond(),
    batches: [[1500000n, -1n, I64_MAX, I64_MIN, null, 0n, 1n, 1000000n]] },
  { name: 'tsns', type: new TimestampNanosecond(),
    batches: [[I64_MIN, 951782400000000000n, -86400000000000n, null, 1n, 10n, 100n, 1000n]] },
  { name: 'dday', type: new DateDay(),
    batches: [[-2147483648, -719528, -719529, 2932896, 2932897, 11016, -1, null]] },
  { name: 'dms', type: new DateMillisecond(),
    batches: [[-1, I64_MIN, I64_MAX, 951782400000, 253402300800000, -62198755200000, null, 86399999]] },
  { name: 'ts32', type: new TimeSecond(), batches: [[45296, 0, 86399, 86400, -5, null, 3600, 59]] },
  { name: 'tms32', type: new TimeMillisecond(), batches: [[3723004, 86399999, 0, 86400000, -1, null, 1, 999]] },
  { name: 'tus64', type: new TimeMicrosecond(), batches: [[3723000001n, 86399999999n, 0n, 86400000000n, -1n, null, 1n, 999999n]] },
  { name: 'tns64', type: new TimeNanosecond(), batches: [[3723000000001n, 0n, 86400000000000n, -5n, null, 1n, 999999999n, 1000000000n]] },
  { name: 'durs', type: new DurationSecond(), batches: [[3661n, -3661n, I64_MAX, I64_MIN, 0n, null, 60n, -60n]] },
  { name: 'durms', type: new DurationMillisecond(), batches: [[-1500n, 1500n, 90061001n, -1n, 3600000n, null, -60001n, 1n]] },
  { name: 'durus', type: new DurationMicrosecond(), batches: [[90061001000n, -500000n, 1n, -1n, I64_MAX, I64_MIN, null, 60000000n]] },
  { name: 'durns', type: new DurationNanosecond(), batches: [[3723500000000n, -1500000000n, 60000000001n, -3600000000000n, I64_MIN, I64_MAX, -1000000000n, null]] },
  { name: 'dec0', type: new Decimal(0, 38, 128),
    batches: [[2n ** 127n - 1n, -(2n ** 127n), 0n, 1000n, -999n, null, 1n, -1n]] },
  { name: 'dec38', type: new Decimal(38, 38, 128),
    batches: [[1n, -1n, 0n, 10n ** 37n, -(10n ** 38n) + 1n, null, 123456n, 12345n]] },
  { name: 'decneg', type: new Decimal(-3, 10, 128),
    batches: [[5n, -12345n, 0n, 1n, null, 1000n, -1n, 7n]] },
  { name: 'dec256', type: new Decimal(40, 76, 256),
    batches: [[1n, -(10n ** 40n), 0n, 10n ** 75n, -(2n ** 255n), 2n ** 255n - 1n, 123n, null]] },
]);

// Types a real server sends beyond the first set (issue 11): half floats
// (-0.0 shares NULL_SHORT's bits; here validity alone marks nulls) and the
// three Interval units, with nulls, over three batches (the middle one empty).
writeStream('coverage', [
  { name: 'f16', type: new Float16(),
    batches: [[1.5, -0, null, 65504, NaN, 2 ** -24], [], [-Infinity, 0.1005859375, null, 1]] },
  { name: 'ym', type: new IntervalYearMonth(), meta: [['deephaven:type', 'java.time.Period']],
    batches: [[17, 0, null, -3, 2147483647, 12], [], [null, 1, -2147483648, 24]] },
  { name: 'dt', type: new IntervalDayTime(),
    batches: [[[1, 500], [0, 0], null, [-1, -1], [2, 3600000], [0, 86399999]], [], [[5, 0], null, [0, 1], [-2, 7]]] },
  { name: 'mdn', type: new IntervalMonthDayNano(), meta: [['deephaven:type', 'org.apache.arrow.vector.PeriodDuration']],
    batches: [[[1, 3, 1500000000n], [0, 0, 0n], null, [-1, -3, -1500000000n], [14, 0, 3723000000001n], [0, 1, I64_MIN]],
      [], [null, [0, 0, 1n], [2147483647, -2147483648, I64_MAX], [0, 0, -1n]]] },
]);

// Dictionary-encoded columns over four batches: the first defines each
// dictionary, the second adds values with a delta (isDelta), the third
// replaces one (a new first chunk: isDelta false), the last is empty.
const colours = ['red', 'green', 'blue'];
const moreColours = ['cyan'];
const shades = ['x', 'y\u00e9'];
const nums = [10n, -1n, 9007199254740993n];
writeStream('dictionary', [
  { name: 'c', type: new Dictionary(new Utf8(), new Int32(), 1),
    meta: [['deephaven:type', 'java.lang.String']],
    dicts: [[colours], [colours, moreColours], [shades], [shades]],
    batches: [['red', 'blue', null, 'red', 'green'], ['cyan', 'red', null], ['y\u00e9', 'x', 'x', null], []] },
  { name: 'n', type: new Dictionary(new Int64(), new Uint8(), 2),
    dicts: [[nums], [nums], [nums], [nums]],
    batches: [[10n, null, -1n, 9007199254740993n, 10n], [-1n, -1n, null], [null, null, 10n, 10n], []] },
  { name: 'plain', type: new Int32(), batches: [[1, 2, 3, 4, 5], [6, 7, 8], [9, 10, 11, 12], []] },
]);

// FixedSizeList (upstream's ListChunkWriter writes it for a FixedSizeList
// field): no offsets, listSize child slots per row, a null row's slots too.
writeStream('fixedlist', [
  { name: 'xyz', type: new FixedSizeList(3, new Field('', new Int32(), true)),
    batches: [[[1, 2, 3], null, [null, 5, 6]], [], [[7, 8, 9], [10, 11, null]]] },
  { name: 'pair', type: new FixedSizeList(2, new Field('', new Utf8(), true)),
    batches: [[['a', 'b'], ['', null], null], [], [['c', 'd\u00e9'], null]] },
]);

// Map (a List of a Struct of key and value, as apache-arrow writes it: the
// Arrow form, the entries' node as long as the entries) and Struct columns,
// with a null map, empty maps, null values, more than 10 entries, nesting,
// over three batches (the middle one empty).
const mapOf = (key, value, sorted = false) => new Map_(new Field('entries',
  new Struct([new Field('key', key, false), new Field('value', value, true)]), false), sorted);
const many = Array.from({ length: 12 }, (_, i) => [`k${i}`, BigInt(i * 1000)]);
writeStream('maps', [
  { name: 'm', type: mapOf(new Utf8(), new Int64()), meta: [['deephaven:type', 'java.util.Map']],
    batches: [[[['a', 1n], ['b', null]], null, [], [['x', -5n]], many], [],
      [[['\u00e9\t', 9007199254740993n]], [], null]] },
  { name: 'ms', type: mapOf(new Int32(), new Utf8(), true),
    batches: [[[[1, 'one'], [2, 'two']], [], [[3, null]], null, [[-1, '']]], [], [null, [[7, 'x']], []]] },
  { name: 'ml', type: mapOf(new Utf8(), new List(new Field('', new Int32(), true))),
    batches: [[[['p', [1, 2]], ['q', null]], [['r', []]], null, [], [['s', [null]]]], [], [[], null, [['t', [3]]]]] },
  { name: 'st', type: new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]),
    batches: [[{ a: 1, b: 'x' }, null, { a: null, b: '' }, { a: -7, b: null }, { a: 0, b: 'y\u00e9' }], [],
      [{ a: 2, b: 'z' }, null, { a: 3, b: 'w' }]] },
  { name: 'lm', type: new List(new Field('', mapOf(new Utf8(), new Int32()), true)),
    batches: [[[[['a', 1]], []], null, [], [null], [[['b', 2], ['c', null]]]], [], [[[['d', 4]]], [], null]] },
]);
