/* SPDX-License-Identifier: MIT */
/* fuzz_filter_parse.c: libFuzzer target for the demo server's filter parser
 * (server/filter_parse.c, compiled in): any bytes either parse to a well-formed
 * tree or fail with a message; nothing reads out of bounds or leaks. */
#include "../../server/filter_parse.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walk the tree checking what derive.c relies on. */
static void check_tree(const struct demo_fnode *n)
{
    switch (n->kind) {
    case DEMO_FN_AND:
    case DEMO_FN_OR:
        if (!n->a || !n->b)
            __builtin_trap();
        check_tree(n->a);
        check_tree(n->b);
        return;
    case DEMO_FN_NOT:
        if (!n->a)
            __builtin_trap();
        check_tree(n->a);
        return;
    default:
        if (!n->column || !n->column[0])
            __builtin_trap();
        if (n->kind != DEMO_FN_ISNULL && n->n_values == 0)
            __builtin_trap();
        for (size_t i = 0; i < n->n_values; i++)
            if (n->values[i].kind == DEMO_FV_STRING &&
                (!n->values[i].s || strlen(n->values[i].s) != n->values[i].len))
                __builtin_trap();
        return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct demo_fnode *n = NULL;
    char err[256];
    if (demo_filter_parse(text, &n, err, sizeof err) == 0)
        check_tree(n);
    else if (!err[0] || n)
        __builtin_trap();
    demo_filter_free(n);
    free(text);
    return 0;
}
