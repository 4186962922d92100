/* SPDX-License-Identifier: MIT */
/* test_rows_value.c: the JSON and CSV text `dhtui rows` writes for Map and
 * Struct cells (ui/rows_value.c), over the golden stream written by
 * apache-arrow (tests/data/golden/maps): a map whose keys are strings is an
 * object, any other map an array of [key, value] pairs, a struct an object. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "testutil.h"
/* ui/ is not a library: compile the modules under test into this program. */
#include "../../ui/rows_out.c"
#include "../../ui/rows_value.c"

/* The JSON of every cell of column col in the stream's batch `want_batch`,
 * one line per row, into out. */
static void column_json(int want_batch, size_t col, struct rows_buf *out, enum rows_kind *kind)
{
    size_t len;
    uint8_t *buf = tu_read_golden("maps", ".arrows", &len);
    CHECK_REQ(buf);
    struct tu_stream st;
    struct dh_error err;
    CHECK_REQ(tu_stream_open(&st, buf, len, &err) == DH_OK);
    struct rows_value_ctx ctx = {0};
    for (int b = 0; tu_stream_next(&st, &err) == DH_OK; b++) {
        if (b != want_batch)
            continue;
        const struct dh_column_view *c = &st.batch.columns[col];
        *kind = rows_kind_of(c->field);
        for (int64_t r = 0; r < c->length; r++) {
            rows_value_json(&ctx, out, c, r, *kind);
            rows_buf_byte(out, '\n');
        }
        if (*kind == RK_MAP && c->length > 0) { /* CSV and TSV take the same text */
            char tmp[ROWS_VALUE_TMP];
            const char *text;
            size_t n;
            rows_value_text(&ctx, c, 0, *kind, tmp, &text, &n);
            rows_buf_put(out, "text:", 5);
            rows_buf_put(out, text, n);
            rows_buf_byte(out, '\n');
        }
    }
    rows_buf_byte(out, '\0');
    rows_buf_free(&ctx.scratch);
    tu_stream_close(&st);
    free(buf);
}

static void check_column(int batch, size_t col, enum rows_kind want_kind, const char *want)
{
    struct rows_buf out = {0};
    enum rows_kind kind = RK_OTHER;
    column_json(batch, col, &out, &kind);
    CHECK_INT(kind, want_kind);
    CHECK_STR(out.p ? out.p : "", want);
    rows_buf_free(&out);
}

static void test_map_string_keys(void)
{
    check_column(0, 0, RK_MAP,
                 "{\"a\":1,\"b\":null}\nnull\n{}\n{\"x\":-5}\n"
                 "{\"k0\":0,\"k1\":1000,\"k2\":2000,\"k3\":3000,\"k4\":4000,\"k5\":5000,"
                 "\"k6\":6000,\"k7\":7000,\"k8\":8000,\"k9\":9000,\"k10\":10000,\"k11\":11000}\n"
                 "text:{\"a\":1,\"b\":null}\n");
    /* beyond 2^53 an integer is a string, as everywhere in rows' JSON */
    check_column(2, 0, RK_MAP,
                 "{\"\xc3\xa9\\t\":\"9007199254740993\"}\n{}\nnull\n"
                 "text:{\"\xc3\xa9\\t\":\"9007199254740993\"}\n");
}

static void test_map_other_keys(void)
{
    check_column(0, 1, RK_MAP,
                 "[[1,\"one\"],[2,\"two\"]]\n[]\n[[3,null]]\nnull\n[[-1,\"\"]]\n"
                 "text:[[1,\"one\"],[2,\"two\"]]\n");
}

static void test_map_of_lists_and_list_of_maps(void)
{
    check_column(0, 2, RK_MAP,
                 "{\"p\":[1,2],\"q\":null}\n{\"r\":[]}\nnull\n{}\n{\"s\":[null]}\n"
                 "text:{\"p\":[1,2],\"q\":null}\n");
    check_column(0, 4, RK_LIST, "[{\"a\":1},{}]\nnull\n[]\n[null]\n[{\"b\":2,\"c\":null}]\n");
}

static void test_struct(void)
{
    check_column(0, 3, RK_STRUCT,
                 "{\"a\":1,\"b\":\"x\"}\nnull\n{\"a\":null,\"b\":\"\"}\n{\"a\":-7,\"b\":null}\n"
                 "{\"a\":0,\"b\":\"y\xc3\xa9\"}\n");
}

int main(void)
{
    CHECK_RUN(T(test_map_string_keys), T(test_map_other_keys),
              T(test_map_of_lists_and_list_of_maps), T(test_struct));
}
