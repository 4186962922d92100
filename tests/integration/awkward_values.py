#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# awkward_values.py: the demo server's `awkward` table written out again in
# Python, from the same definitions (server/catalog.c awkward_rows), and
# compared with an oracle JSON (tests/golden/arrow_values.mjs of what
# `dhtui rows awkward --format arrow` wrote): the stream must carry exactly
# these values.   awkward_values.py ORACLE.json
import json
import math
import struct
import sys

INF, NAN = math.inf, math.nan
I64_MAX, I32_MAX, I16_MAX, I8_MAX = 2**63 - 1, 2**31 - 1, 2**15 - 1, 2**7 - 1


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


# name, double, float, long, int, short, byte, char, string (None: null), instant
ROWS = [
    ("zero", 0.0, 0.0, 0, 0, 0, 0, ord('0'), "0", 0),
    ("negative zero", -0.0, -0.0, -1, -1, -1, -1, ord('-'), "-0", -1),
    ("one tenth, empty string", 0.1, f32(0.1), 1, 1, 1, 1, ord('A'), "", 1),
    ("0.1 + 0.2, null string", 0.1 + 0.2, f32(f32(0.1) + f32(0.2)), 10, 10, 10, 10, ord('z'),
     None, 1704205800123456789),
    ("one third", 1.0 / 3.0, f32(f32(1.0) / f32(3.0)), 1000000007, 1000000007, 1007, 107,
     ord(' '), 'with "quotes", commas', 1000),
    ("2^53 + 1", 9007199254740992.0, 16777216.0, 9007199254740993, 16777217, 4097, 65,
     ord('\t'), "9007199254740993", 9007199254740993),
    ("-(2^53 + 1)", -9007199254740992.0, -16777216.0, -9007199254740993, -16777217, -4097, -65,
     ord('\n'), "line\nbreak", -9007199254740993),
    ("largest", 1.7976931348623157e308, f32(3.4028234663852886e38), I64_MAX, I32_MAX, I16_MAX,
     I8_MAX, 0xFFFE, "cr\rreturn", I64_MAX),
    ("smallest non-null", float.fromhex('-0x1.ffffffffffffep+1023'),
     float.fromhex('-0x1.fffffcp+127'), -I64_MAX, -I32_MAX, -I16_MAX, -I8_MAX, 0, "crlf\r\n",
     -I64_MAX),
    ("smallest subnormal", 5e-324, float.fromhex('0x1p-149'), 2, 2, 2, 2, 0xE9, "tab\there", 2),
    ("largest subnormal", float.fromhex('0x0.fffffffffffffp-1022'),
     float.fromhex('0x0.fffffep-126'), 3, 3, 3, 3, 0x65E5, "back\\slash", 3),
    ("smallest normal", 2.2250738585072014e-308, float.fromhex('0x1p-126'), 4, 4, 4, 4, ord('"'),
     "\\N", 4),
    ("negative subnormal", -5e-324, -float.fromhex('0x1p-149'), -2, -2, -2, -2, ord(','), "NULL",
     -2),
    ("infinity", INF, INF, 2**31, 2**15, 2**7, 0, ord('\\'), " leading and trailing ",
     86400000000000),
    ("-infinity", -INF, -INF, -2**31 - 1, -2**15 - 1, -2**7 - 1, -1, ord('\r'), '"',
     -86400000000000),
    ("NaN", NAN, NAN, 5, 5, 5, 5, ord('N'), "NaN", 5),
    ("1e21 and 1e-7", 1e21, f32(1e-7), 6, 6, 6, 6, ord('e'), ",", 6),
    ("1e22 and 1e23", 1e23, f32(1e22), 7, 7, 7, 7, ord('E'), "\\", 7),
    ("2^63 and long digits", 9223372036854775808.0, f32(1.2345678e-30), 8, 8, 8, 8, 0x7F,
     'multi\nline\r\nwith "all", of\tit\\', 8),
    ("shortest long decimals", 1.2345678901234567e-300, f32(3.4028234e38), 9, 9, 9, 9, 0x80,
     "\u00fcn\u00efc\u00f6d\u00e9 \u65e5\u672c", 9),
    ("5e-324 times 3", 1.5e-323, f32(2.8e-45), 11, 11, 11, 11, ord('='), "=1+2", 11),
]


def float_hex(x, bits):
    return struct.pack('<d' if bits == 64 else '<f', x).hex()


def expected_row(row):
    name, d, f, l, i, s, b, c, text, instant = row
    enc = lambda t: None if t is None else t.encode('utf-8').hex()
    return [enc(name), float_hex(d, 64), float_hex(f, 32), str(l), str(i), str(s), str(b), str(c),
            enc(text), str(instant)]


def same(got, want):
    # NaN: any NaN bits
    if isinstance(want, str) and len(want) in (8, 16) and got is not None:
        fmt = '<d' if len(want) == 16 else '<f'
        try:
            w = struct.unpack(fmt, bytes.fromhex(want))[0]
            g = struct.unpack(fmt, bytes.fromhex(got))[0]
            if math.isnan(w):
                return math.isnan(g)
        except ValueError:
            pass
    return got == want


def main():
    with open(sys.argv[1], encoding='utf-8') as fh:
        oracle = json.load(fh)
    names = [c['name'] for c in oracle['columns']]
    want_names = ["Case", "Double", "Float", "Long", "Int", "Short", "Byte", "Char", "String",
                  "Instant"]
    bad = 0
    if names != want_names:
        print('columns %r, expected %r' % (names, want_names))
        return 1
    if len(oracle['rows']) != len(ROWS):
        print('%d rows, expected %d' % (len(oracle['rows']), len(ROWS)))
        return 1
    for r, (got_row, row) in enumerate(zip(oracle['rows'], ROWS)):
        for c, (g, w) in enumerate(zip(got_row, expected_row(row))):
            if not same(g, w):
                bad += 1
                print('row %d (%s) column %s: stream has %r, the server defines %r'
                      % (r, row[0], names[c], g, w))
    if bad:
        return 1
    print('awkward: all %d values as the server defines them' % (len(ROWS) * len(want_names)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
