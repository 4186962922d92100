#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# rows_check.py: read a `dhtui rows` export back with independent readers
# (Python's csv and json modules; PostgreSQL COPY text unescaping for TSV)
# and compare it value by value with what the server holds: the Arrow stream
# of the same table decoded by apache-arrow (tests/golden/arrow_values.mjs).
#   rows_check.py csv|tsv|json|jsonl EXPORT ORACLE.json
# Prints one line per mismatch (at most 20) and exits 1 if there is any.
import csv
import datetime
import decimal
import json
import math
import re
import struct
import sys

EPOCH = datetime.date(1970, 1, 1).toordinal()
UNIT_PER_SECOND = [1, 1000, 1000000, 1000000000]


def parse_instant_ns(text, unit):
    """ISO 8601 instant ("...Z" or "...+hh:mm") -> units since the epoch."""
    m = re.fullmatch(r'([+-]?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?'
                     r'(Z|[+-]\d\d:\d\d(?::\d\d)?)', text)
    if not m:
        raise ValueError('not an ISO 8601 instant: %r' % text)
    y, mo, d, h, mi, s, frac, zone = m.groups()
    days = date_days(y, mo, d)
    secs = days * 86400 + int(h) * 3600 + int(mi) * 60 + int(s)
    if zone != 'Z':
        sign = -1 if zone[0] == '-' else 1
        parts = [int(p) for p in zone[1:].split(':')] + [0]
        secs -= sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])
    per = UNIT_PER_SECOND[unit]
    f = int(((frac or '') + '000000000')[:9]) // (1000000000 // per)
    return secs * per + f


def date_days(y, mo, d):
    y = int(y)
    if 1 <= y <= 9999:
        return datetime.date(y, int(mo), int(d)).toordinal() - EPOCH
    # outside datetime's range: shift by whole 400-year cycles (146097 days)
    cycles = (y - 2000) // 400
    return datetime.date(y - 400 * cycles, int(mo), int(d)).toordinal() - EPOCH + 146097 * cycles


def parse_time(text, unit):
    m = re.fullmatch(r'(\d\d):(\d\d):(\d\d)(?:\.(\d+))?', text)
    if not m:
        raise ValueError('not a time of day: %r' % text)
    h, mi, s, frac = m.groups()
    per = UNIT_PER_SECOND[unit]
    f = int(((frac or '') + '000000000')[:9]) // (1000000000 // per)
    return (int(h) * 3600 + int(mi) * 60 + int(s)) * per + f


def float_bits(value, bits):
    if bits == 64:
        return struct.pack('<d', value).hex()
    return struct.pack('<f', value).hex()


def same_float(got, want_hex, bits):
    fmt = '<d' if bits == 64 else '<f'
    want = struct.unpack(fmt, bytes.fromhex(want_hex))[0]
    if math.isnan(want):
        return math.isnan(got)
    return float_bits(got, bits) == want_hex


def parse_period(text):
    """java.time.Period.toString (PnYnMnD, no years here) -> (months, days)."""
    m = re.fullmatch(r'P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?', text)
    if not m or text == 'P':
        raise ValueError('not a Period: %r' % text)
    y, mo, d = (int(g or 0) for g in m.groups())
    return 12 * y + mo, d


def parse_duration_ns(text):
    """java.time.Duration.toString (PTnHnMn.nS, each part signed) -> nanoseconds."""
    m = re.fullmatch(r'PT(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?', text)
    if not m or text == 'PT':
        raise ValueError('not a Duration: %r' % text)
    h, mi, s = m.groups()
    secs = decimal.Decimal(s or 0) + 60 * int(mi or 0) + 3600 * int(h or 0)
    return int(secs * 1000000000)


def parse_interval(text, unit):
    """An Interval cell as dhtui writes it -> [months, days, nanoseconds]."""
    if unit == 1:  # DAY_TIME: a Duration of whole milliseconds
        ns = parse_duration_ns(text)
        days = int(ns / 86400000000000)
        return [0, days, ns - days * 86400000000000]
    if unit == 0:
        months, days = parse_period(text)
        return [months, days, 0]
    period, duration = text.split(' ')
    return list(parse_period(period)) + [parse_duration_ns(duration)]


def big_decimal(raw):
    """Deephaven's BigDecimal wire form: int32 LE scale, big-endian unscaled."""
    scale = struct.unpack('<i', raw[:4])[0]
    unscaled = int.from_bytes(raw[4:], 'big', signed=True)
    return decimal.Decimal('%dE%d' % (unscaled, -scale))  # exact: no context rounding


class Checker:
    def __init__(self, fmt, oracle):
        self.fmt = fmt
        self.columns = oracle['columns']
        self.rows = oracle['rows']
        self.errors = []

    def fail(self, where, msg):
        if len(self.errors) < 20:
            print('%s: %s' % (where, msg))
        self.errors.append(where)

    def text_bytes(self, text):
        if self.fmt in ('json', 'jsonl'):
            return text.encode('utf-8')
        return text.encode('utf-8', 'surrogateescape')

    def want_string(self, want_hex):
        raw = bytes.fromhex(want_hex)
        if self.fmt in ('json', 'jsonl'):  # JSON text is UTF-8: invalid bytes become U+FFFD
            return raw.decode('utf-8', 'replace').encode('utf-8')
        return raw

    def check_text(self, where, got, want, desc):
        """got: the value's text as read back (str); want: the oracle cell."""
        t = desc['type']
        dh = desc.get('dh_type')
        if t == 'int' and dh == 'char':
            ch = chr(int(want)) if not 0xD800 <= int(want) <= 0xDFFF else '\ufffd'
            ok = self.text_bytes(got) == ch.encode('utf-8', 'surrogatepass')
        elif t == 'int':
            ok = int(got) == int(want)
        elif t == 'float':
            ok = same_float(float(got), want, desc['bits'])
        elif t == 'bool':
            ok = got == ('true' if want else 'false')
        elif t == 'utf8':
            ok = self.text_bytes(got) == self.want_string(want)
        elif t == 'timestamp':
            ok = parse_instant_ns(got, desc['unit']) == int(want)
        elif t == 'date':
            days = int(want) // 86400000 if desc['unit'] == 1 else int(want)
            ok = date_days(*re.fullmatch(r'([+-]?\d+)-(\d\d)-(\d\d)', got).groups()) == days
        elif t == 'time':
            ok = parse_time(got, desc['unit']) == int(want)
        elif t == 'binary' and dh == 'java.math.BigDecimal':
            ok = decimal.Decimal(got) == big_decimal(bytes.fromhex(want))
        elif t == 'binary' and dh == 'java.math.BigInteger':
            ok = int(got) == int.from_bytes(bytes.fromhex(want), 'big', signed=True)
        elif t == 'binary':
            ok = got == '0x' + want
        elif t == 'interval':
            ok = parse_interval(got, desc['unit']) == [int(w) for w in want]
        elif t in ('list', 'map', 'struct'):  # CSV and TSV hold their JSON text
            return self.check_json(where, json.loads(got), want, desc)
        else:
            ok = False
        if not ok:
            self.fail(where, 'read back %r, the server holds %r (%s)' % (got, want, t))

    def check_json(self, where, got, want, desc):
        """got: a value decoded by the json module."""
        if want is None or got is None:
            if got is not want:
                self.fail(where, 'read back %r, the server holds %r' % (got, want))
            return
        t = desc['type']
        if t == 'list':
            if not isinstance(got, list) or len(got) != len(want):
                self.fail(where, 'read back %r, the server holds %r' % (got, want))
                return
            for k, (g, w) in enumerate(zip(got, want)):
                self.check_json('%s[%d]' % (where, k), g, w, desc['child'])
            return
        if t == 'map':
            self.check_map(where, got, want, desc)
            return
        if t == 'struct':
            names = [f['name'] for f in desc['fields']]
            if not isinstance(got, dict) or list(got) != names:
                self.fail(where, 'read back %r, the server holds a struct of %r' % (got, names))
                return
            for f, w in zip(desc['fields'], want):
                self.check_json('%s.%s' % (where, f['name']), got[f['name']], w, f)
            return
        if t == 'bool':
            if got is not want:
                self.fail(where, 'read back %r, the server holds %r' % (got, want))
            return
        if t == 'float':
            if isinstance(got, str):  # "NaN", "Infinity", "-Infinity"
                if got not in ('NaN', 'Infinity', '-Infinity'):
                    self.fail(where, 'float as the string %r' % got)
                    return
                got = float(got)
            if not same_float(float(got), want, desc['bits']):
                self.fail(where, 'read back %r, the server holds bits %s' % (got, want))
            return
        if t == 'int' and desc.get('dh_type') != 'char':
            if isinstance(got, float) or (isinstance(got, int) and abs(got) > 2 ** 53):
                self.fail(where, '%r: a JSON number a double reader would round' % got)
                return
            if isinstance(got, str) and abs(int(got)) <= 2 ** 53:
                self.fail(where, '%r: a safe integer written as a string' % got)
                return
            got = str(got)
        if not isinstance(got, str):
            self.fail(where, 'expected a JSON string for %s, read back %r' % (t, got))
            return
        self.check_text(where, got, want, desc)

    def check_map(self, where, got, want, desc):
        """A map: a JSON object in order when its keys are strings (none
        null), else an array of [key, value] pairs."""
        if desc['key']['type'] == 'utf8' and all(k is not None for k, _ in want):
            if not isinstance(got, dict) or len(got) != len(want):
                self.fail(where, 'read back %r, the server holds the map %r' % (got, want))
                return
            pairs = list(got.items())
        else:
            if not isinstance(got, list) or len(got) != len(want) or \
                    any(not isinstance(g, list) or len(g) != 2 for g in got):
                self.fail(where, 'read back %r, the server holds the pairs %r' % (got, want))
                return
            pairs = got
        for k, ((gk, gv), (wk, wv)) in enumerate(zip(pairs, want)):
            self.check_json('%s{%d}.key' % (where, k), gk, wk, desc['key'])
            self.check_json('%s{%d}.value' % (where, k), gv, wv, desc['value'])

    def check_rows(self, header, records, null_token):
        names = [c['name'] for c in self.columns]
        if header is not None and [self.text_bytes(h) for h in header] != \
                [self.want_string(n.encode('utf-8', 'surrogateescape').hex()) for n in names]:
            self.fail('header', 'read back %r, the columns are %r' % (header, names))
        if len(records) != len(self.rows):
            self.fail('rows', 'read back %d rows, the server holds %d' % (len(records), len(self.rows)))
        for r, (rec, want_row) in enumerate(zip(records, self.rows)):
            if len(rec) != len(self.columns):
                self.fail('row %d' % r, '%d fields, expected %d' % (len(rec), len(self.columns)))
                continue
            for c, (got, want) in enumerate(zip(rec, want_row)):
                where = 'row %d column %s' % (r, self.columns[c]['name'])
                desc = self.columns[c]
                if want is None or got is null_token:
                    if not (want is None and got is null_token):
                        self.fail(where, 'read back %r, the server holds %r' % (got, want))
                    continue
                try:
                    self.check_text(where, got, want, desc)
                except (ValueError, AttributeError) as e:
                    self.fail(where, 'cannot read %r back: %s' % (got, e))


def read_csv(path):
    # Python's csv module reads a null (empty unquoted field) and the empty
    # string ("") both as '': nulls are told apart from the raw lines below.
    with open(path, encoding='utf-8', errors='surrogateescape', newline='') as f:
        rows = list(csv.reader(f, strict=True))
    return rows[0], rows[1:]


def unescape_pg_text(field):
    """PostgreSQL COPY text format: \\N is null; \\\\ \\t \\n \\r."""
    if field == '\\N':
        return None
    out, i = [], 0
    while i < len(field):
        ch = field[i]
        if ch == '\\' and i + 1 < len(field):
            nxt = field[i + 1]
            out.append({'\\': '\\', 't': '\t', 'n': '\n', 'r': '\r'}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return ''.join(out)


def read_tsv(path):
    with open(path, encoding='utf-8', errors='surrogateescape', newline='') as f:
        text = f.read()
    if not text.endswith('\n'):
        raise ValueError('TSV does not end with a newline')
    lines = text[:-1].split('\n')
    rows = [[unescape_pg_text(x) for x in line.split('\t')] for line in lines]
    return rows[0], rows[1:]


def main():
    fmt, path, oracle_path = sys.argv[1:4]
    with open(oracle_path, encoding='utf-8') as f:
        ck = Checker(fmt, json.load(f))
    if fmt == 'csv':
        header, records = read_csv(path)
        null = object()
        # an oracle null must be '' in csv; treat '' as null only where the oracle says null
        fixed = [[null if (g == '' and w is None) else g for g, w in zip(rec, want)]
                 for rec, want in zip(records, ck.rows)]
        ck.check_rows(header, fixed + records[len(fixed):], null)
    elif fmt == 'tsv':
        header, records = read_tsv(path)
        ck.check_rows(header, records, None)
    else:
        with open(path, encoding='utf-8') as f:
            if fmt == 'json':
                objs = json.load(f)
            else:
                objs = [json.loads(line) for line in f]
        if len(objs) != len(ck.rows):
            ck.fail('rows', 'read back %d rows, the server holds %d' % (len(objs), len(ck.rows)))
        for r, (obj, want_row) in enumerate(zip(objs, ck.rows)):
            if list(obj) != [c['name'] for c in ck.columns]:
                ck.fail('row %d' % r, 'keys %r' % list(obj))
                continue
            for c, desc in enumerate(ck.columns):
                ck.check_json('row %d column %s' % (r, desc['name']), obj[desc['name']],
                              want_row[c], desc)
    n_values = len(ck.rows) * len(ck.columns)
    if ck.errors:
        print('%s: %d of %d values differ' % (fmt, len(ck.errors), n_values))
        return 1
    print('%s: all %d values read back identical' % (fmt, n_values))
    return 0


if __name__ == '__main__':
    sys.exit(main())
