/* SPDX-License-Identifier: MIT */
/* filter_parse: the demo server's subset of Deephaven filter strings (what
 * UnstructuredFilterTableRequest carries, as pydeephaven's where() sends them):
 *   COL op LITERAL        op: == = != < <= > >=     (also LITERAL op COL)
 *   COL in L1, L2, ...    COL not in L1, ...        COL icase in L1, ...
 *   COL.contains(S)       COL.startsWith(S)         isNull(COL)
 *   A && B    A || B    !A    (A)
 * LITERAL: a number (123, -1.5e3, NaN, Infinity), a string in backticks or double
 * quotes (no escapes: a quote inside a string is refused), true, false, null.
 * Pure: parses to a tree of column NAMES; derive.c binds them to a table. */
#ifndef DEMO_FILTER_PARSE_H
#define DEMO_FILTER_PARSE_H

#include <stddef.h>
#include <stdint.h>

enum demo_fval_kind { DEMO_FV_NUMBER, DEMO_FV_STRING, DEMO_FV_BOOL, DEMO_FV_NULL };

struct demo_fvalue {
    enum demo_fval_kind kind;
    double d;   /* NUMBER */
    int64_t i;  /* NUMBER when is_int; BOOL 0/1 */
    int is_int; /* NUMBER written without '.', exponent, NaN or Infinity */
    char *s;    /* STRING: owned, NUL-terminated */
    size_t len;
};

enum demo_fnode_kind {
    DEMO_FN_AND,
    DEMO_FN_OR,
    DEMO_FN_NOT, /* a, b (NOT: a) */
    DEMO_FN_CMP, /* column op values[0] */
    DEMO_FN_IN,  /* column in values (negate: not in; icase) */
    DEMO_FN_CONTAINS,
    DEMO_FN_STARTS, /* column.method(values[0]) */
    DEMO_FN_ISNULL, /* isNull(column) */
};

enum demo_fop { DEMO_OP_EQ, DEMO_OP_NE, DEMO_OP_LT, DEMO_OP_LE, DEMO_OP_GT, DEMO_OP_GE };

struct demo_fnode {
    enum demo_fnode_kind kind;
    enum demo_fop op;
    int negate, icase;
    char *column; /* owned */
    struct demo_fvalue *values;
    size_t n_values;
    struct demo_fnode *a, *b;
    size_t col; /* bound column index (derive.c) */
};

/* Parse text into *out (malloc'd tree; free with demo_filter_free). 0, or -1 with a
 * one-line reason in err (err_cap bytes) naming the position. Any thread. */
int demo_filter_parse(const char *text, struct demo_fnode **out, char *err, size_t err_cap);
void demo_filter_free(struct demo_fnode *n); /* NULL-safe. */

#endif
