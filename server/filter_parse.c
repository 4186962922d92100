/* SPDX-License-Identifier: MIT */
/* filter_parse.c: a recursive-descent parser for the demo server's filter subset. */
#include "filter_parse.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting deeper than this is refused (bounded recursion on hostile input). */
#define MAX_DEPTH 64

struct parser {
    const char *s;
    size_t pos;
    int depth;
    char *err;
    size_t err_cap;
    int failed;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    p->failed = 1;
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->err_cap, "%s at position %zu of filter '%.80s'", why, p->pos + 1, p->s);
    return -1;
}

static void skip_ws(struct parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
           p->s[p->pos] == '\r')
        p->pos++;
}

/* Consume tok (after blanks) if it is next. */
static int accept(struct parser *p, const char *tok)
{
    skip_ws(p);
    size_t n = strlen(tok);
    if (strncmp(p->s + p->pos, tok, n) != 0)
        return 0;
    p->pos += n;
    return 1;
}

static int is_ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static int is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Consume the keyword word (a whole identifier) if it is next. */
static int accept_word(struct parser *p, const char *word)
{
    skip_ws(p);
    size_t n = strlen(word);
    if (strncmp(p->s + p->pos, word, n) != 0 || is_ident_char(p->s[p->pos + n]))
        return 0;
    p->pos += n;
    return 1;
}

/* 1 if the whole identifier word is next (not consumed). */
static int at_word(const struct parser *p, const char *word)
{
    size_t n = strlen(word);
    return strncmp(p->s + p->pos, word, n) == 0 && !is_ident_char(p->s[p->pos + n]);
}

/* An identifier, malloc'd; NULL (failed) if none. */
static char *ident(struct parser *p)
{
    skip_ws(p);
    size_t start = p->pos;
    if (!is_ident_start(p->s[start])) {
        fail(p, "expected a column name");
        return NULL;
    }
    while (is_ident_char(p->s[p->pos]))
        p->pos++;
    char *out = strndup(p->s + start, p->pos - start);
    if (!out)
        fail(p, "out of memory");
    return out;
}

static void value_clear(struct demo_fvalue *v)
{
    free(v->s);
    memset(v, 0, sizeof *v);
}

static int number(struct parser *p, struct demo_fvalue *v)
{
    const char *start = p->s + p->pos;
    int neg = 0;
    const char *q = start;
    if (*q == '-' || *q == '+')
        neg = *q++ == '-';
    v->kind = DEMO_FV_NUMBER;
    if (strncmp(q, "NaN", 3) == 0 && !is_ident_char(q[3])) {
        v->d = NAN;
        p->pos += (size_t)(q + 3 - start);
        return 0;
    }
    if (strncmp(q, "Infinity", 8) == 0 && !is_ident_char(q[8])) {
        v->d = neg ? -INFINITY : INFINITY;
        p->pos += (size_t)(q + 8 - start);
        return 0;
    }
    if (!isdigit((unsigned char)*q) && !(*q == '.' && isdigit((unsigned char)q[1])))
        return fail(p, "expected a value");
    char *end = NULL;
    v->d = strtod(start, &end);
    size_t len = (size_t)(end - start);
    v->is_int = strcspn(start, ".eE") >= len;
    if (v->is_int) {
        char *iend = NULL;
        long long i = strtoll(start, &iend, 10);
        if (iend != end)
            v->is_int = 0; /* out of range for a long: keep the double */
        v->i = (int64_t)i;
    }
    if (*end == 'L' || *end == 'l' || *end == 'f' || *end == 'F' || *end == 'd' || *end == 'D')
        end++;
    if (is_ident_char(*end))
        return fail(p, "bad number");
    p->pos += (size_t)(end - start);
    return 0;
}

/* A literal value into *v (zeroed). */
static int literal(struct parser *p, struct demo_fvalue *v)
{
    memset(v, 0, sizeof *v);
    skip_ws(p);
    char c = p->s[p->pos];
    if (c == '`' || c == '"') {
        const char *start = p->s + p->pos + 1;
        const char *close = strchr(start, c);
        if (!close)
            return fail(p, "unterminated string");
        v->kind = DEMO_FV_STRING;
        v->len = (size_t)(close - start);
        if (v->len && close[-1] == '\\')
            return fail(p, "escaped quotes are not supported by the demo server");
        v->s = strndup(start, v->len);
        if (!v->s)
            return fail(p, "out of memory");
        p->pos += v->len + 2;
        return 0;
    }
    if (c == '\'')
        return fail(p, "a char literal is not supported by the demo server");
    if (accept_word(p, "true") || accept_word(p, "false")) {
        v->kind = DEMO_FV_BOOL;
        v->i = p->s[p->pos - 1] == 'e' && p->s[p->pos - 2] == 'u';
        return 0;
    }
    if (accept_word(p, "null")) {
        v->kind = DEMO_FV_NULL;
        return 0;
    }
    return number(p, v);
}

static struct demo_fnode *node_new(struct parser *p, enum demo_fnode_kind kind)
{
    struct demo_fnode *n = calloc(1, sizeof *n);
    if (!n)
        fail(p, "out of memory");
    else
        n->kind = kind;
    return n;
}

void demo_filter_free(struct demo_fnode *n)
{
    if (!n)
        return;
    demo_filter_free(n->a);
    demo_filter_free(n->b);
    for (size_t i = 0; i < n->n_values; i++)
        value_clear(&n->values[i]);
    free(n->values);
    free(n->column);
    free(n);
}

/* Append a literal to n->values. */
static int add_value(struct parser *p, struct demo_fnode *n)
{
    struct demo_fvalue *vs = realloc(n->values, (n->n_values + 1) * sizeof *vs);
    if (!vs)
        return fail(p, "out of memory");
    n->values = vs;
    if (literal(p, &vs[n->n_values]) != 0) {
        value_clear(&vs[n->n_values]);
        return -1;
    }
    n->n_values++;
    return 0;
}

static int comparison_op(struct parser *p, enum demo_fop *op)
{
    if (accept(p, "=="))
        *op = DEMO_OP_EQ;
    else if (accept(p, "!="))
        *op = DEMO_OP_NE;
    else if (accept(p, "<="))
        *op = DEMO_OP_LE;
    else if (accept(p, ">="))
        *op = DEMO_OP_GE;
    else if (accept(p, "<"))
        *op = DEMO_OP_LT;
    else if (accept(p, ">"))
        *op = DEMO_OP_GT;
    else if (accept(p, "="))
        *op = DEMO_OP_EQ;
    else
        return -1;
    return 0;
}

/* The same comparison with its operands swapped (5 < X is X > 5). */
static enum demo_fop mirrored(enum demo_fop op)
{
    switch (op) {
    case DEMO_OP_LT: return DEMO_OP_GT;
    case DEMO_OP_LE: return DEMO_OP_GE;
    case DEMO_OP_GT: return DEMO_OP_LT;
    case DEMO_OP_GE: return DEMO_OP_LE;
    default: return op;
    }
}

/* A predicate that starts with a column name. */
static struct demo_fnode *column_predicate(struct parser *p)
{
    char *col = ident(p);
    if (!col)
        return NULL;
    struct demo_fnode *n = node_new(p, DEMO_FN_CMP);
    if (!n) {
        free(col);
        return NULL;
    }
    n->column = col;
    if (accept(p, ".")) {
        if (accept_word(p, "contains"))
            n->kind = DEMO_FN_CONTAINS;
        else if (accept_word(p, "startsWith"))
            n->kind = DEMO_FN_STARTS;
        else {
            fail(p, "unsupported method (the demo server knows contains and startsWith)");
            goto bad;
        }
        if (!accept(p, "(") || add_value(p, n) != 0 || !accept(p, ")")) {
            fail(p, "expected (\"text\")");
            goto bad;
        }
        if (n->values[0].kind != DEMO_FV_STRING) {
            fail(p, "%s takes a string", n->kind == DEMO_FN_CONTAINS ? "contains" : "startsWith");
            goto bad;
        }
        return n;
    }
    int is_in = 0;
    if (accept_word(p, "not")) {
        n->negate = 1;
        is_in = accept_word(p, "in");
    } else if (accept_word(p, "icase")) {
        n->icase = 1;
        if (accept_word(p, "not"))
            n->negate = 1;
        is_in = accept_word(p, "in");
    } else {
        is_in = accept_word(p, "in");
    }
    if (is_in) {
        n->kind = DEMO_FN_IN;
        do {
            if (add_value(p, n) != 0)
                goto bad;
        } while (accept(p, ","));
        return n;
    }
    if (n->negate || n->icase) {
        fail(p, "expected 'in'");
        goto bad;
    }
    if (comparison_op(p, &n->op) != 0) {
        fail(p, "expected a comparison (== != < <= > >=), in, or a method");
        goto bad;
    }
    if (add_value(p, n) != 0)
        goto bad;
    return n;
bad:
    demo_filter_free(n);
    return NULL;
}

/* LITERAL op COL, written the other way round. */
static struct demo_fnode *literal_first(struct parser *p)
{
    struct demo_fnode *n = node_new(p, DEMO_FN_CMP);
    if (!n)
        return NULL;
    enum demo_fop op;
    if (add_value(p, n) != 0)
        goto bad;
    if (comparison_op(p, &op) != 0) {
        fail(p, "expected a comparison");
        goto bad;
    }
    n->op = mirrored(op);
    n->column = ident(p);
    if (!n->column)
        goto bad;
    return n;
bad:
    demo_filter_free(n);
    return NULL;
}

static struct demo_fnode *or_expr(struct parser *p);

static struct demo_fnode *unary(struct parser *p)
{
    if (++p->depth > MAX_DEPTH) {
        fail(p, "filter nested too deeply");
        return NULL;
    }
    struct demo_fnode *n = NULL;
    skip_ws(p);
    if (p->s[p->pos] == '!' && p->s[p->pos + 1] != '=') {
        p->pos++;
        struct demo_fnode *inner = unary(p);
        if (inner && (n = node_new(p, DEMO_FN_NOT)) != NULL)
            n->a = inner;
        else
            demo_filter_free(inner);
    } else if (accept(p, "(")) {
        n = or_expr(p);
        if (n && !accept(p, ")")) {
            fail(p, "expected ')'");
            demo_filter_free(n);
            n = NULL;
        }
    } else if (accept_word(p, "isNull")) {
        if (!accept(p, "(")) {
            fail(p, "expected '(' after isNull");
        } else if ((n = node_new(p, DEMO_FN_ISNULL)) != NULL) {
            n->column = ident(p);
            if (!n->column || !accept(p, ")")) {
                fail(p, "expected isNull(Column)");
                demo_filter_free(n);
                n = NULL;
            }
        }
    } else if (is_ident_start(p->s[p->pos]) && !at_word(p, "NaN") && !at_word(p, "Infinity") &&
               !at_word(p, "true") && !at_word(p, "false") && !at_word(p, "null")) {
        n = column_predicate(p);
    } else if (p->s[p->pos]) {
        n = literal_first(p);
    } else {
        fail(p, "expected a condition");
    }
    p->depth--;
    return n;
}

/* kind-joined list of sub (AND of unary, OR of AND). */
static struct demo_fnode *binary_list(struct parser *p, const char *tok, enum demo_fnode_kind kind,
                                      struct demo_fnode *(*sub)(struct parser *))
{
    struct demo_fnode *left = sub(p);
    while (left && accept(p, tok)) {
        struct demo_fnode *right = sub(p);
        struct demo_fnode *n = right ? node_new(p, kind) : NULL;
        if (!n) {
            demo_filter_free(left);
            demo_filter_free(right);
            return NULL;
        }
        n->a = left;
        n->b = right;
        left = n;
    }
    return left;
}

static struct demo_fnode *and_expr(struct parser *p)
{
    return binary_list(p, "&&", DEMO_FN_AND, unary);
}

static struct demo_fnode *or_expr(struct parser *p)
{
    return binary_list(p, "||", DEMO_FN_OR, and_expr);
}

int demo_filter_parse(const char *text, struct demo_fnode **out, char *err, size_t err_cap)
{
    *out = NULL;
    if (err_cap)
        err[0] = '\0';
    struct parser p = {text, 0, 0, err, err_cap, 0};
    struct demo_fnode *n = or_expr(&p);
    if (n) {
        skip_ws(&p);
        if (p.s[p.pos]) {
            fail(&p, "unexpected text");
            demo_filter_free(n);
            n = NULL;
        }
    }
    if (!n) {
        if (!p.failed)
            fail(&p, "cannot parse");
        return -1;
    }
    *out = n;
    return 0;
}
