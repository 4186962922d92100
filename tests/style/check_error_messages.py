#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the error-message form (HACKING.md, "Error messages").

Every message libdh writes with a literal is a fragment: it starts lower-case
and does not end with a period, so that callers can chain context in front
("fetch s/trades: NOT_FOUND: ...") and the UI can make the sentence.

Checked: the format of dh_error_set (third argument), the context of
dh_error_prefix and the `what` of dh_error_set_grpc (second argument), and
the CLI's one-line errors (cli_errorf, cli_error_line, main_usage_error: first
argument, printed as "dhtui: <fragment>"), when they are string literals, adjacent literals, string macros defined in the same
file, or the literals of a `? :` choice. An argument that is a variable is the
caller's business and is checked where its literal is written.

The first word may start upper-case only when it is a name that keeps its
case: an acronym or status (TLS, HTTP, NOT_FOUND), an identifier with a
capital after its first letter (DoGet, FlightData, gRPC), or one of the
proper names in PROPER_NAMES. A message may start with a conversion ("%s: ..."),
since the caller's context comes first.

Usage: check_error_messages.py DIR|FILE...   (every *.c and *.h under a DIR)
       check_error_messages.py --self-test
"""
import os
import re
import sys

PROPER_NAMES = {"Arrow", "Barrage", "Deephaven", "Basic", "Bearer", "Flight"}

# function name -> index of the message argument
CALLS = {"dh_error_set": 2, "dh_error_prefix": 1, "dh_error_set_grpc": 1, "cli_errorf": 0, "cli_error_line": 0, "main_usage_error": 0}

STRING = r'"(?:[^"\\\n]|\\.)*"'


def blank_comments(src):
    """src with comments replaced by spaces (newlines kept), strings intact."""
    out, i, n = [], 0, len(src)
    while i < n:
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif src[i] in "\"'":
            q, j = src[i], i + 1
            while j < n and src[j] != q:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i : j + 1])
            i = j + 1
        else:
            out.append(src[i])
            i += 1
    return "".join(out)


def split_args(src, open_paren):
    """The top-level arguments of the call whose '(' is at open_paren."""
    args, depth, start, j = [], 0, open_paren + 1, open_paren + 1
    while j < len(src):
        c = src[j]
        if c in "\"'":
            k = j + 1
            while k < len(src) and src[k] != c:
                k += 2 if src[k] == "\\" else 1
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append(src[start:j])
                return args
            depth -= 1
        elif c == "," and depth == 0:
            args.append(src[start:j])
            start = j + 1
        j += 1
    return args


def string_macros(src):
    macros = {}
    for m in re.finditer(r"^\s*#\s*define\s+(\w+)\s+((?:%s\s*)+)$" % STRING, src, re.M):
        macros[m.group(1)] = "".join(re.findall(STRING, m.group(2)))
    return macros


def messages_of(arg, macros):
    """The literal messages an argument can produce (empty if none is literal)."""
    text = re.sub(r"\b(\w+)\b", lambda m: macros.get(m.group(1), m.group(1)), arg)
    run = r"(?:%s\s*)+" % STRING
    return ["".join(s[1:-1] for s in re.findall(STRING, r)) for r in re.findall(run, text)]


def problem(msg):
    """Why msg breaks the form, or None."""
    if not msg:
        return "is empty"
    if msg.rstrip() != msg or msg.endswith("\\n"):
        return "ends with white space"
    if msg.endswith("."):
        return "ends with a period"
    if msg.startswith("%"):
        return None
    word = re.match(r"[A-Za-z0-9_]*", msg).group(0)
    if not word or not word[0].isupper():
        return None
    if word in PROPER_NAMES or word.upper() == word or any(c.isupper() for c in word[1:]):
        return None
    return "starts with a capital ('%s'); a fragment starts lower-case" % word


def check_file(path):
    src = blank_comments(open(path, encoding="utf-8").read())
    macros = string_macros(src)
    found = []
    for m in re.finditer(r"\b(%s)\s*\(" % "|".join(CALLS), src):
        before = src[: m.start()].rstrip()
        if re.search(r"\b(int|void)\s*$", before):
            continue  # the declaration or definition itself
        args = split_args(src, m.end() - 1)
        index = CALLS[m.group(1)]
        if len(args) <= index:
            continue
        line = src.count("\n", 0, m.start()) + 1
        for msg in messages_of(args[index], macros):
            why = problem(msg)
            if why:
                found.append('%s:%d: %s: "%s" %s' % (path, line, m.group(1), msg, why))
    return found


def self_test():
    bad = ["Out of memory.", "That ticket is gone", "out of memory.", "", "trailing "]
    good = ["out of memory", "%s: cancelled", "Arrow schema has too many fields",
            "DoGet: no schema", "gRPC call failed", "TLS needs --cert and --key",
            "NOT_FOUND", "/ searches text columns", "'%s' is not a column"]
    ok = True
    for msg in bad:
        if problem(msg) is None:
            print("self-test: accepted %r" % msg)
            ok = False
    for msg in good:
        if problem(msg) is not None:
            print("self-test: rejected %r: %s" % (msg, problem(msg)))
            ok = False
    src = '#define E "Expected x"\nf() { dh_error_set(err, 1, E " but %s", s);\n' \
          'dh_error_prefix(err, c ? "Fetch" : "ok"); }\n'
    got = [problem(m) for a in (split_args(src, src.index("dh_error_set(") + 12)[2],
                                split_args(src, src.index("dh_error_prefix(") + 15)[1])
           for m in messages_of(a, string_macros(src))]
    if got != [problem("Expected x but %s"), problem("Fetch"), None] or None in got[:2]:
        print("self-test: call parsing found %r" % got)
        ok = False
    return ok


def main(argv):
    if argv == ["--self-test"]:
        return 0 if self_test() else 1
    if not argv:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    found, files = [], 0
    for top in argv:
        if os.path.isfile(top):
            files += 1
            found += check_file(top)
        for root, _, names in os.walk(top):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    files += 1
                    found += check_file(os.path.join(root, name))
    for line in found:
        print(line)
    if found:
        print("error messages: %d not in the form (HACKING.md, \"Error messages\")" % len(found))
        return 1
    print("error messages: %d files, all in the form" % files)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
