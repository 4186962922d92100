#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tableops_check.py DHTUI PORT: the server's sorts and filters, read with
`dhtui rows --sort/--where --format json`, against the same computation done
here on a full read of the table (Deephaven's rules: nulls first and NaN last
ascending, -0 equal to 0, ties in source order; < and <= match nulls, no range
comparison matches NaN, == never matches NaN). Prints one line per case; exit 1
if any differs."""
import json
import math
import subprocess
import sys

DHTUI, PORT = sys.argv[1], sys.argv[2]
FAILS = 0


def rows(table, *args):
    cmd = [DHTUI, "rows", table, "--port", PORT, "--format", "json", *args]
    out = subprocess.run(cmd, capture_output=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {out.returncode}: {out.stderr.decode()[:300]}")
    return json.loads(out.stdout)


def num(v):
    """A JSON cell as a number (big integers and NaN/Infinity come as strings)."""
    if v is None or isinstance(v, (int, float)):
        return v
    if v in ("NaN", "Infinity", "-Infinity"):
        return float(v)
    return int(v)


def order_key(v):
    if v is None:
        return (0, 0)
    if isinstance(v, float) and math.isnan(v):
        return (2, 0)
    return (1, v)


def local_sort(data, keys):
    out = list(data)
    for col, desc in reversed(keys):  # stable sorts, last key first
        out.sort(key=lambda r: order_key(r[col]), reverse=desc)
    return out


def report(what, got, want):
    global FAILS
    if got == want:
        print(f"ok: {what} ({len(got)} rows)")
        return
    FAILS += 1
    first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    print(f"FAIL: {what}: {len(got)} rows, expected {len(want)}; first difference at row {first}: "
          f"{got[first] if first < len(got) else None} vs {want[first] if first < len(want) else None}")


def normalise(data, numeric):
    for r in data:
        for c in numeric:
            if c in r:
                r[c] = num(r[c])
    return data


def same(a, b):
    """Cell equality that tells -0 from 0 and NaN from NaN (the rows must be the same rows)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def check_sort(table, spec, numeric, full):
    keys = [(k.lstrip("-"), k.startswith("-")) for k in spec.split(",")]
    got = normalise(rows(table, "--sort", spec), numeric)
    want = local_sort(full, keys)
    report(f"{table} --sort {spec}", [json.dumps(r, sort_keys=True) for r in got],
           [json.dumps(r, sort_keys=True) for r in want])


def check_where(table, filters, pred, numeric, full, sort=None):
    args = []
    for f in filters:
        args += ["--where", f]
    if sort:
        args += ["--sort", sort]
    got = normalise(rows(table, *args), numeric)
    want = [r for r in full if pred(r)]
    if sort:
        want = local_sort(want, [(k.lstrip("-"), k.startswith("-")) for k in sort.split(",")])
    report(f"{table} " + " ".join(f"--where '{f}'" for f in filters) + (f" --sort {sort}" if sort else ""),
           [json.dumps(r, sort_keys=True) for r in got], [json.dumps(r, sort_keys=True) for r in want])


def lt(v, x):  # Deephaven's range filter: null is the lowest value, NaN matches nothing
    if v is None:
        return True
    return not (isinstance(v, float) and math.isnan(v)) and v < x


def gt(v, x):
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and v > x


def main():
    tn = ["Price", "Size", "Id"]
    trades = normalise(rows("trades"), tn)
    an = ["Double", "Float", "Long", "Int", "Short", "Byte"]
    awkward = normalise(rows("awkward"), an)

    check_sort("trades", "-Price", tn, trades)
    check_sort("trades", "Sym,-Price", tn, trades)
    check_sort("trades", "Flag,Exchange,-Size,Id", tn, trades)
    for spec in ["Double", "-Double", "Float,Case", "-Long", "String", "-String,Int", "Int"]:
        check_sort("awkward", spec, an, awkward)

    check_where("trades", ["Price > 180"], lambda r: gt(r["Price"], 180), tn, trades)
    check_where("trades", ["Price <= 150.5", "Size >= 2000"],
                lambda r: (lt(r["Price"], 150.5) or r["Price"] == 150.5) and not lt(r["Size"], 2000),
                tn, trades)
    check_where("trades", ["Sym in `AAPL`, `MSFT`"], lambda r: r["Sym"] in ("AAPL", "MSFT"), tn, trades,
                sort="-Price,Id")
    check_where("trades", ["Sym not in `AAPL`, `MSFT` && Flag == true"],
                lambda r: r["Sym"] not in ("AAPL", "MSFT") and r["Flag"] is True, tn, trades)
    check_where("trades", ["Sym icase in `aapl`"], lambda r: r["Sym"] == "AAPL", tn, trades)
    check_where("trades", ["(Sym == `AAPL` || Exchange = \"IEX\") && !(Size < 1000)"],
                lambda r: (r["Sym"] == "AAPL" or r["Exchange"] == "IEX") and not lt(r["Size"], 1000),
                tn, trades)
    check_where("trades", ["Sym.startsWith(`MS`) || Exchange.contains(`AS`)"],
                lambda r: r["Sym"].startswith("MS") or "AS" in r["Exchange"], tn, trades)
    check_where("trades", ["Id != 5", "Id < 40"], lambda r: r["Id"] != 5 and r["Id"] < 40, tn, trades)
    check_where("awkward", ["Double < 1"], lambda r: lt(r["Double"], 1), an, awkward)
    check_where("awkward", ["Double > -1"], lambda r: gt(r["Double"], -1), an, awkward)
    check_where("awkward", ["Double == 0"], lambda r: r["Double"] == 0, an, awkward)
    check_where("awkward", ["Double != NaN"], lambda r: True, an, awkward)
    check_where("awkward", ["Double == NaN"], lambda r: False, an, awkward)
    check_where("awkward", ["isNull(String)"], lambda r: r["String"] is None, an, awkward)
    check_where("awkward", ["!isNull(String) && String.contains(`,`)"],
                lambda r: r["String"] is not None and "," in r["String"], an, awkward)
    check_where("awkward", ["Long >= 9007199254740993"],
                lambda r: r["Long"] is not None and r["Long"] >= 9007199254740993, an, awkward)
    print(f"{FAILS} case(s) differ" if FAILS else "every case agrees")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
