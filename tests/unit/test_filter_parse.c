/* SPDX-License-Identifier: MIT */
/* test_filter_parse: the demo server's filter-string parser (server/filter_parse.c,
 * compiled in), tree shapes, and the reasons given for bad filters. */
#include "../../server/filter_parse.c"

#include "check.h"

/* The tree as compact text, to compare shapes in one line. */
static void show(const struct demo_fnode *n, char *out, size_t cap)
{
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
    size_t len = strlen(out);
    char *p = out + len;
    size_t room = cap - len;
    switch (n->kind) {
    case DEMO_FN_AND:
    case DEMO_FN_OR:
        snprintf(p, room, "(");
        show(n->a, out, cap);
        len = strlen(out);
        snprintf(out + len, cap - len, n->kind == DEMO_FN_AND ? " AND " : " OR ");
        show(n->b, out, cap);
        len = strlen(out);
        snprintf(out + len, cap - len, ")");
        return;
    case DEMO_FN_NOT:
        snprintf(p, room, "NOT ");
        show(n->a, out, cap);
        return;
    case DEMO_FN_ISNULL: snprintf(p, room, "isNull %s", n->column); return;
    case DEMO_FN_CONTAINS: snprintf(p, room, "%s contains %s", n->column, n->values[0].s); return;
    case DEMO_FN_STARTS: snprintf(p, room, "%s starts %s", n->column, n->values[0].s); return;
    case DEMO_FN_IN:
        snprintf(p, room, "%s %s%sin[%zu]", n->column, n->icase ? "icase " : "",
                 n->negate ? "not " : "", n->n_values);
        return;
    case DEMO_FN_CMP: {
        const struct demo_fvalue *v = &n->values[0];
        if (v->kind == DEMO_FV_STRING)
            snprintf(p, room, "%s %s '%s'", n->column, ops[n->op], v->s);
        else if (v->kind == DEMO_FV_NUMBER && v->is_int)
            snprintf(p, room, "%s %s %lld", n->column, ops[n->op], (long long)v->i);
        else if (v->kind == DEMO_FV_NUMBER)
            snprintf(p, room, "%s %s %g", n->column, ops[n->op], v->d);
        else if (v->kind == DEMO_FV_BOOL)
            snprintf(p, room, "%s %s %s", n->column, ops[n->op], v->i ? "true" : "false");
        else
            snprintf(p, room, "%s %s null", n->column, ops[n->op]);
        return;
    }
    }
}

static void expect(const char *text, const char *shape)
{
    struct demo_fnode *n = NULL;
    char err[256];
    int rc = demo_filter_parse(text, &n, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "  '%s': %s\n", text, err);
        CHECK_INT(rc, 0);
        return;
    }
    char out[512] = "";
    show(n, out, sizeof out);
    CHECK_STR(out, shape);
    demo_filter_free(n);
}

static void expect_error(const char *text, const char *part)
{
    struct demo_fnode *n = NULL;
    char err[256];
    CHECK_INT(demo_filter_parse(text, &n, err, sizeof err), -1);
    CHECK(n == NULL);
    if (!strstr(err, part))
        fprintf(stderr, "  '%s': got '%s', wanted '%s'\n", text, err, part);
    CHECK(strstr(err, part) != NULL);
}

static void test_comparisons(void)
{
    expect("Price > 180", "Price > 180");
    expect("Price>=1.5e2", "Price >= 150");
    expect("Sym == `AAPL`", "Sym == 'AAPL'");
    expect("Sym = \"AAPL\"", "Sym == 'AAPL'");
    expect("Size != -3", "Size != -3");
    expect("Size <= 3L", "Size <= 3");
    expect("180 < Price", "Price > 180");
    expect("Flag == true", "Flag == true");
    expect("Price == NaN", "Price == nan");
    expect("Price < -Infinity", "Price < -inf");
    expect("X == null", "X == null");
    expect("nullable > 1", "nullable > 1"); /* a column whose name starts with a keyword */
}

static void test_combinations(void)
{
    expect("A > 1 && B < 2 || C == 3", "((A > 1 AND B < 2) OR C == 3)");
    expect("A > 1 && (B < 2 || C == 3)", "(A > 1 AND (B < 2 OR C == 3))");
    expect("!(A > 1)", "NOT A > 1");
    expect("!isNull(Sym) && Sym.contains(`AP`)", "(NOT isNull Sym AND Sym contains AP)");
    expect("Sym.startsWith(\"MS\")", "Sym starts MS");
    expect("Sym in `AAPL`, `MSFT`", "Sym in[2]");
    expect("Sym not in `AAPL`", "Sym not in[1]");
    expect("Sym icase in `aapl`, `msft`, `x`", "Sym icase in[3]");
    expect("Id in 1, 2, 3", "Id in[3]");
}

static void test_errors(void)
{
    expect_error("", "expected a condition");
    expect_error("Price >", "expected a value at position 8");
    expect_error("Price 180", "expected a comparison");
    expect_error("(Price > 1", "expected ')'");
    expect_error("Price > 1 extra", "unexpected text");
    expect_error("Sym == `AAPL", "unterminated string");
    expect_error("Sym == 'A'", "char literal");
    expect_error("Sym.matches(`x`)", "unsupported method");
    expect_error("Sym.contains(3)", "contains takes a string");
    expect_error("Sym == \"a\\\"b\"", "escaped quotes");
    expect_error("Price > 12abc", "bad number");
    expect_error("Sym not `A`", "expected 'in'");
    char deep[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(deep, "(");
    expect_error(deep, "nested too deeply");
}

int main(void)
{
    CHECK_RUN(T(test_comparisons), T(test_combinations), T(test_errors));
}
