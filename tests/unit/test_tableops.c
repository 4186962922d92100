/* SPDX-License-Identifier: MIT */
/* test_tableops: the view chain and its BatchTableRequest, decoded back with
 * protobuf-c and checked field by field. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "dh_tableops.h"

#define PB(x) Io__Deephaven__Proto__Backplane__Grpc__##x

static PB(BatchTableRequest) * build(const struct dh_view_ops *v)
{
    struct dh_ticket src, res;
    struct dh_error err;
    dh_ticket_make_export(&src, 7);
    dh_ticket_make_export(&res, 9);
    uint8_t *buf = NULL;
    size_t len = 0;
    if (dh_view_ops_batch_request(v, &src, &res, &buf, &len, &err) != DH_OK)
        return NULL;
    PB(BatchTableRequest) *m =
        io__deephaven__proto__backplane__grpc__batch_table_request__unpack(NULL, len, buf);
    free(buf);
    return m;
}

static void test_chain_order_and_offsets(void)
{
    struct dh_view_ops v;
    struct dh_error err;
    dh_view_ops_init(&v);
    CHECK_INT(dh_view_ops_add_sort_spec(&v, "Id", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_where(&v, "Price > 180", &err), DH_OK);
    struct dh_literal lit = {.kind = DH_LIT_STRING, .s = (char *)"AAPL"};
    CHECK_INT(dh_view_ops_add_match(&v, "Sym", 1, &lit, &err), DH_OK);
    CHECK_INT(dh_view_ops_add_sort_spec(&v, "-Price, Id", &err), DH_OK);
    char title[128];
    dh_view_ops_describe(&v, title, sizeof title);
    CHECK_STR(title, "Price > 180 | Sym != AAPL | sort -Price,Id");

    PB(BatchTableRequest) *m = build(&v);
    CHECK_REQ(m != NULL);
    CHECK_INT(m->n_ops, 3); /* two filters, then only the newest sort */
    PB(UnstructuredFilterTableRequest) *w = m->ops[0]->unstructured_filter;
    CHECK_REQ(w != NULL);
    CHECK_INT(w->n_filters, 1);
    CHECK_STR(w->filters[0], "Price > 180");
    CHECK_INT(w->source_id->ref_case,
              IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__TABLE_REFERENCE__REF_TICKET);
    CHECK_INT(w->source_id->ticket->ticket.data[0], 'e');
    CHECK_INT(w->source_id->ticket->ticket.data[1], 7);
    CHECK(w->result_id == NULL);
    PB(FilterTableRequest) *f = m->ops[1]->filter;
    CHECK_REQ(f != NULL && f->n_filters == 1);
    CHECK_INT(f->source_id->batch_offset, 0);
    PB(CompareCondition) *cc = f->filters[0]->compare;
    CHECK_REQ(cc != NULL);
    CHECK_INT(
        cc->operation,
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COMPARE_CONDITION__COMPARE_OPERATION__NOT_EQUALS);
    CHECK_STR(cc->lhs->reference->column_name, "Sym");
    CHECK_STR(cc->rhs->literal->string_value, "AAPL");
    PB(SortTableRequest) *s = m->ops[2]->sort;
    CHECK_REQ(s != NULL && s->n_sorts == 2);
    CHECK_INT(s->source_id->batch_offset, 1);
    CHECK_STR(s->sorts[0]->column_name, "Price");
    CHECK_INT(s->sorts[0]->direction, -1);
    CHECK_STR(s->sorts[1]->column_name, "Id");
    CHECK_INT(s->sorts[1]->direction, 1);
    CHECK_INT(s->sorts[0]->is_absolute, 0);
    CHECK_REQ(s->result_id != NULL);
    CHECK_INT(s->result_id->ticket.data[1], 9);
    io__deephaven__proto__backplane__grpc__batch_table_request__free_unpacked(m, NULL);

    /* undo: the older sort is in effect again */
    CHECK_INT(dh_view_ops_pop(&v), 1);
    dh_view_ops_describe(&v, title, sizeof title);
    CHECK_STR(title, "Price > 180 | Sym != AAPL | sort Id");
    struct dh_view_ops copy;
    dh_view_ops_init(&copy);
    CHECK_INT(dh_view_ops_copy(&copy, &v, &err), DH_OK);
    CHECK_INT(copy.n, 3);
    dh_view_ops_reset(&v);
    dh_view_ops_describe(&copy, title, sizeof title);
    CHECK_STR(title, "Price > 180 | Sym != AAPL | sort Id");
    dh_view_ops_reset(&copy);
}

static void test_literals(void)
{
    struct dh_view_ops v;
    struct dh_error err;
    dh_view_ops_init(&v);
    struct dh_literal l = {.kind = DH_LIT_LONG, .i = -5};
    CHECK_INT(dh_view_ops_add_match(&v, "Id", 0, &l, &err), DH_OK);
    PB(BatchTableRequest) *m = build(&v);
    CHECK_REQ(m && m->n_ops == 1);
    PB(Literal) *lit = m->ops[0]->filter->filters[0]->compare->rhs->literal;
    CHECK_INT(lit->value_case, IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_LONG_VALUE);
    CHECK_INT(lit->long_value, -5);
    CHECK_INT(m->ops[0]->filter->filters[0]->compare->operation,
              IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__COMPARE_CONDITION__COMPARE_OPERATION__EQUALS);
    CHECK(m->ops[0]->filter->result_id != NULL); /* a chain of one is exported */
    io__deephaven__proto__backplane__grpc__batch_table_request__free_unpacked(m, NULL);
    dh_view_ops_pop(&v);
    l.kind = DH_LIT_DOUBLE;
    l.d = -0.0;
    CHECK_INT(dh_view_ops_add_match(&v, "Price", 0, &l, &err), DH_OK);
    m = build(&v);
    CHECK_REQ(m);
    lit = m->ops[0]->filter->filters[0]->compare->rhs->literal;
    CHECK_INT(lit->value_case, IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_DOUBLE_VALUE);
    CHECK(lit->double_value == 0 && 1 / lit->double_value < 0);
    io__deephaven__proto__backplane__grpc__batch_table_request__free_unpacked(m, NULL);
    dh_view_ops_reset(&v);
}

static void test_bad_input(void)
{
    struct dh_view_ops v;
    struct dh_error err;
    dh_view_ops_init(&v);
    CHECK_INT(dh_view_ops_add_where(&v, "  ", &err), DH_EINVAL);
    CHECK_INT(dh_view_ops_add_sort_spec(&v, "-", &err), DH_EINVAL);
    CHECK(strstr(err.msg, "bad sort") != NULL);
    CHECK_INT(dh_view_ops_add_sort_spec(&v, "A,,B", &err), DH_OK); /* empty parts skipped */
    CHECK_INT(v.ops[0].n_keys, 2);
    dh_view_ops_pop(&v);
    CHECK_INT(dh_view_ops_add_sort_spec(&v, "", &err), DH_EINVAL);
    CHECK_INT(v.n, 0);
    CHECK(build(&v) == NULL); /* nothing to send */
    for (int i = 0; i < DH_VIEW_MAX_OPS; i++)
        CHECK_INT(dh_view_ops_add_where(&v, "X > 1", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_where(&v, "X > 1", &err), DH_EINVAL);
    char small[12];
    dh_view_ops_describe(&v, small, sizeof small);
    CHECK_STR(small, "X > 1 | ...");
    dh_view_ops_reset(&v);
    CHECK_INT(dh_view_ops_pop(&v), 0);
}

/* Hidden columns go after the filters and the sort (which may name them);
 * a count-by starts a new stage whose sort and filters apply to the counts. */
static void test_drop_count_stages(void)
{
    struct dh_view_ops v;
    struct dh_error err;
    dh_view_ops_init(&v);
    CHECK_INT(dh_view_ops_add_drop(&v, "Size", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_drop(&v, "Size", &err), DH_EINVAL); /* already hidden */
    CHECK_INT(dh_view_ops_add_sort_spec(&v, "-Size", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_where(&v, "Price > 1", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_drop(&v, "Id", &err), DH_OK);
    char title[200];
    dh_view_ops_describe(&v, title, sizeof title);
    CHECK_STR(title, "Price > 1 | sort -Size | drop Size,Id");
    PB(BatchTableRequest) *m = build(&v);
    CHECK_REQ(m != NULL);
    CHECK_INT(m->n_ops, 4);
    CHECK(m->ops[0]->unstructured_filter != NULL);
    CHECK(m->ops[1]->sort != NULL);
    PB(DropColumnsRequest) *d = m->ops[2]->drop_columns;
    CHECK_REQ(d != NULL && d->n_column_names == 1);
    CHECK_STR(d->column_names[0], "Size");
    CHECK_INT(d->source_id->batch_offset, 1);
    CHECK(d->result_id == NULL);
    d = m->ops[3]->drop_columns;
    CHECK_REQ(d != NULL && d->n_column_names == 1);
    CHECK_STR(d->column_names[0], "Id");
    CHECK_INT(d->source_id->batch_offset, 2);
    CHECK_REQ(d->result_id != NULL);
    CHECK_INT(d->result_id->ticket.data[1], 9);
    io__deephaven__proto__backplane__grpc__batch_table_request__free_unpacked(m, NULL);

    /* The frequency of Sym: the sort of the view is dropped, the hidden
     * columns and the filter stay, then count by Sym and sort -Count. */
    CHECK_INT(dh_view_ops_add_frequency(&v, "Sym", &err), DH_OK);
    CHECK_INT(v.n, 5);
    dh_view_ops_describe(&v, title, sizeof title);
    CHECK_STR(title, "Price > 1 | drop Size,Id | count by Sym | sort -Count");
    const struct dh_table_op *sort = dh_view_ops_sort(&v);
    CHECK_REQ(sort != NULL);
    CHECK_STR(sort->keys[0].column, "Count");
    CHECK_INT(sort->keys[0].descending, 1);
    /* A filter on the counts comes after the count-by, before its sort. */
    CHECK_INT(dh_view_ops_add_where(&v, "Count > 5", &err), DH_OK);
    m = build(&v);
    CHECK_REQ(m != NULL);
    CHECK_INT(m->n_ops, 6);
    CHECK(m->ops[0]->unstructured_filter != NULL);
    CHECK(m->ops[1]->drop_columns != NULL);
    CHECK(m->ops[2]->drop_columns != NULL);
    PB(AggregateRequest) *agg = m->ops[3]->aggregate;
    CHECK_REQ(agg != NULL);
    CHECK_INT(agg->n_group_by_columns, 1);
    CHECK_STR(agg->group_by_columns[0], "Sym");
    CHECK_REQ(agg->n_aggregations == 1 && agg->aggregations[0]->count != NULL);
    CHECK_INT(agg->aggregations[0]->type_case,
              IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__AGGREGATION__TYPE_COUNT);
    CHECK_STR(agg->aggregations[0]->count->column_name, "Count");
    CHECK_INT(agg->source_id->batch_offset, 2);
    CHECK(agg->result_id == NULL);
    CHECK_REQ(m->ops[4]->unstructured_filter != NULL);
    CHECK_STR(m->ops[4]->unstructured_filter->filters[0], "Count > 5");
    PB(SortTableRequest) *st = m->ops[5]->sort;
    CHECK_REQ(st != NULL && st->n_sorts == 1);
    CHECK_STR(st->sorts[0]->column_name, "Count");
    CHECK_INT(st->sorts[0]->direction,
              IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SORT_DESCRIPTOR__SORT_DIRECTION__DESCENDING);
    CHECK_REQ(st->result_id != NULL);
    io__deephaven__proto__backplane__grpc__batch_table_request__free_unpacked(m, NULL);
    /* _ shows the columns hidden in the current stage only (here: none). */
    CHECK_INT(dh_view_ops_show_all(&v), 0);
    dh_view_ops_reset(&v);

    CHECK_INT(dh_view_ops_add_drop(&v, "A", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_where(&v, "B > 1", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_drop(&v, "C", &err), DH_OK);
    CHECK_INT(dh_view_ops_show_all(&v), 2);
    CHECK_INT(v.n, 1);
    CHECK_INT(v.ops[0].kind, DH_OP_WHERE);
    CHECK_STR(dh_view_ops_count_column("Count"), "Count_");
    CHECK_STR(dh_view_ops_count_column("Sym"), "Count");
    dh_view_ops_reset(&v);
}

/* Statistics end the chain: ColumnStatisticsRequest as the last operation. */
static void test_stats_request(void)
{
    struct dh_view_ops v;
    struct dh_error err;
    dh_view_ops_init(&v);
    CHECK_INT(dh_view_ops_add_where(&v, "Price > 1", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_stats(&v, "Price", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_where(&v, "Price > 2", &err), DH_EINVAL);
    CHECK_INT(dh_view_ops_add_stats(&v, "", &err), DH_EINVAL);
    PB(BatchTableRequest) *m = build(&v);
    CHECK_REQ(m != NULL && m->n_ops == 2);
    PB(ColumnStatisticsRequest) *cs = m->ops[1]->column_statistics;
    CHECK_REQ(cs != NULL);
    CHECK_INT(
        m->ops[1]->op_case,
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__BATCH_TABLE_REQUEST__OPERATION__OP_COLUMN_STATISTICS);
    CHECK_STR(cs->column_name, "Price");
    CHECK_INT(cs->source_id->batch_offset, 0);
    CHECK_REQ(cs->result_id != NULL);
    /* unique_value_limit left unset: the server's default */
    CHECK_INT(cs->unique_value_limit_set_case, 0);
    io__deephaven__proto__backplane__grpc__batch_table_request__free_unpacked(m, NULL);
    dh_view_ops_reset(&v);
}

static PB(SeekRowRequest) * seek_build(const struct dh_seek *q)
{
    struct dh_ticket src;
    struct dh_error err;
    dh_ticket_make_export(&src, 5);
    uint8_t *buf = NULL;
    size_t len = 0;
    if (dh_seek_request(q, &src, &buf, &len, &err) != DH_OK)
        return NULL;
    PB(SeekRowRequest) *m =
        io__deephaven__proto__backplane__grpc__seek_row_request__unpack(NULL, len, buf);
    free(buf);
    return m;
}

/* Smart case: any capital makes the search match case; numbers go as numbers. */
static void test_seek_request(void)
{
    struct dh_seek q;
    struct dh_error err;
    CHECK_INT(dh_seek_prepare(&q, "Sym", DH_TYPE_UTF8, 0, "aap", &err), DH_OK);
    CHECK_INT(q.contains, 1);
    CHECK_INT(q.insensitive, 1);
    q.start = 41;
    PB(SeekRowRequest) *m = seek_build(&q);
    CHECK_REQ(m != NULL);
    CHECK_INT(m->source_id->ticket.data[1], 5);
    CHECK_INT(m->starting_row, 41);
    CHECK_STR(m->column_name, "Sym");
    CHECK_REQ(m->seek_value != NULL);
    CHECK_INT(m->seek_value->value_case,
              IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_STRING_VALUE);
    CHECK_STR(m->seek_value->string_value, "aap");
    CHECK_INT(m->insensitive, 1);
    CHECK_INT(m->contains, 1);
    CHECK_INT(m->is_backward, 0);
    io__deephaven__proto__backplane__grpc__seek_row_request__free_unpacked(m, NULL);

    CHECK_INT(dh_seek_prepare(&q, "Sym", DH_TYPE_UTF8, 0, "AAp", &err), DH_OK);
    CHECK_INT(q.insensitive, 0);
    q.backward = 1;
    m = seek_build(&q);
    CHECK_REQ(m != NULL);
    CHECK_INT(m->insensitive, 0);
    CHECK_INT(m->is_backward, 1);
    CHECK_INT(m->starting_row, 0);
    io__deephaven__proto__backplane__grpc__seek_row_request__free_unpacked(m, NULL);

    CHECK_INT(dh_seek_prepare(&q, "Id", DH_TYPE_INT, 0, "1,234", &err), DH_OK);
    m = seek_build(&q);
    CHECK_REQ(m != NULL);
    CHECK_INT(m->seek_value->value_case,
              IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__LITERAL__VALUE_LONG_VALUE);
    CHECK_INT(m->seek_value->long_value, 1234);
    CHECK_INT(m->contains, 0);
    io__deephaven__proto__backplane__grpc__seek_row_request__free_unpacked(m, NULL);

    CHECK_INT(dh_seek_prepare(&q, "Price", DH_TYPE_FLOAT, 0, "181.5", &err), DH_OK);
    CHECK_INT(q.value.kind, DH_LIT_DOUBLE);
    CHECK(q.value.d == 181.5);
    CHECK_INT(dh_seek_prepare(&q, "Id", DH_TYPE_INT, 0, "abc", &err), DH_EINVAL);
    CHECK(strstr(err.msg, "whole numbers") != NULL);
    CHECK_INT(dh_seek_prepare(&q, "Price", DH_TYPE_FLOAT, 0, "1.5x", &err), DH_EINVAL);
    CHECK_INT(dh_seek_prepare(&q, "T", DH_TYPE_TIMESTAMP, 0, "2024", &err), DH_EINVAL);
    CHECK(strstr(err.msg, "use w") != NULL);
    CHECK_INT(dh_seek_prepare(&q, "Sym", DH_TYPE_UTF8, 0, "", &err), DH_EINVAL);
    /* A char column: upstream compares it by equality. */
    CHECK_INT(dh_seek_prepare(&q, "C", DH_TYPE_INT, 1, "x", &err), DH_OK);
    CHECK_INT(q.contains, 0);
    CHECK_INT(q.value.kind, DH_LIT_STRING);
}

static void test_seek_response(void)
{
    struct dh_error err;
    int64_t row = 0;
    PB(SeekRowResponse) r = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__SEEK_ROW_RESPONSE__INIT;
    uint8_t buf[32];
    r.result_row = 9999999;
    size_t n = protobuf_c_message_pack(&r.base, buf);
    CHECK_INT(dh_seek_response_decode(buf, n, &row, &err), DH_OK);
    CHECK_INT(row, 9999999);
    r.result_row = -1;
    n = protobuf_c_message_pack(&r.base, buf);
    CHECK_INT(dh_seek_response_decode(buf, n, &row, &err), DH_OK);
    CHECK_INT(row, -1);
    r.result_row = 0; /* proto3 default: no bytes at all means row 0 */
    n = protobuf_c_message_pack(&r.base, buf);
    CHECK_INT(n, 0);
    CHECK_INT(dh_seek_response_decode(buf, n, &row, &err), DH_OK);
    CHECK_INT(row, 0);
    r.result_row = -7;
    n = protobuf_c_message_pack(&r.base, buf);
    CHECK_INT(dh_seek_response_decode(buf, n, &row, &err), DH_EINVAL);
    CHECK_INT(row, -1);
    const uint8_t junk[] = {0x08, 0xff}; /* a varint cut short */
    CHECK_INT(dh_seek_response_decode(junk, sizeof junk, &row, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "malformed") != NULL);
}

/* The statistics table's one row as "NAME  value" lines. */
static void test_stats_text(void)
{
    struct dh_field fields[3];
    memset(fields, 0, sizeof fields);
    fields[0].name = (char *)"COUNT";
    fields[0].type = DH_TYPE_INT;
    fields[0].bit_width = 64;
    fields[0].is_signed = 1;
    fields[1].name = (char *)"AVG";
    fields[1].type = DH_TYPE_FLOAT;
    fields[1].bit_width = 64;
    fields[2].name = (char *)"MAX\033";
    fields[2].type = DH_TYPE_FLOAT;
    fields[2].bit_width = 64;
    int64_t count = 9876543;
    double avg = 181.25, max = 0.1;
    struct dh_column_view cols[3];
    memset(cols, 0, sizeof cols);
    const void *vals[3] = {&count, &avg, &max};
    for (int i = 0; i < 3; i++) {
        cols[i].field = &fields[i];
        cols[i].length = 1;
        cols[i].values = vals[i];
        cols[i].values_len = 8;
        cols[i].value_width = 8;
    }
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    rows.schema.n_fields = 3;
    rows.schema.fields = fields;
    rows.batch.length = 1;
    rows.batch.n_columns = 3;
    rows.batch.columns = cols;
    char *text = NULL;
    size_t len = 0;
    struct dh_error err;
    CHECK_INT(dh_stats_text(&rows, &text, &len, &err), DH_OK);
    CHECK_REQ(text != NULL);
    CHECK_STR(text, "COUNT  9,876,543\nAVG    181.25\nMAX\\e  0.1\n");
    CHECK_INT(len, strlen(text));
    free(text);
    rows.batch.length = 2;
    CHECK_INT(dh_stats_text(&rows, &text, &len, &err), DH_EINVAL);
    CHECK(text == NULL);
    CHECK_INT(dh_stats_text(NULL, &text, &len, &err), DH_EINVAL);
}

/* Upstream's most common values (two lists) shown as pairs. */
static void test_stats_text_pairs(void)
{
    struct dh_field fields[3], key_el, count_el;
    memset(fields, 0, sizeof fields);
    memset(&key_el, 0, sizeof key_el);
    memset(&count_el, 0, sizeof count_el);
    key_el.name = (char *)"item";
    key_el.type = DH_TYPE_UTF8;
    count_el.name = (char *)"item";
    count_el.type = DH_TYPE_INT;
    count_el.bit_width = 64;
    count_el.is_signed = 1;
    fields[0].name = (char *)"COUNT";
    fields[0].type = DH_TYPE_INT;
    fields[0].bit_width = 64;
    fields[0].is_signed = 1;
    fields[1].name = (char *)"UNIQUE_KEYS";
    fields[1].type = DH_TYPE_LIST;
    fields[1].child = &key_el;
    fields[2].name = (char *)"UNIQUE_COUNTS";
    fields[2].type = DH_TYPE_LIST;
    fields[2].child = &count_el;
    int64_t total = 20133, counts[2] = {10086, 47};
    int32_t str_off[3] = {0, 4, 10}, list_off[2] = {0, 2};
    const char *chars = "TSLA\xe6\x97\xa5\xe6\x9c\xac"; /* TSLA, then two wide characters */
    struct dh_column_view cols[3], kchild, cchild;
    memset(cols, 0, sizeof cols);
    memset(&kchild, 0, sizeof kchild);
    memset(&cchild, 0, sizeof cchild);
    kchild.field = &key_el;
    kchild.length = 2;
    kchild.offsets = (const uint8_t *)str_off;
    kchild.values = (const uint8_t *)chars;
    kchild.values_len = 10;
    cchild.field = &count_el;
    cchild.length = 2;
    cchild.values = (const uint8_t *)counts;
    cchild.values_len = 16;
    cchild.value_width = 8;
    cols[0].field = &fields[0];
    cols[0].length = 1;
    cols[0].values = (const uint8_t *)&total;
    cols[0].values_len = 8;
    cols[0].value_width = 8;
    for (int i = 1; i < 3; i++) {
        cols[i].field = &fields[i];
        cols[i].length = 1;
        cols[i].offsets = (const uint8_t *)list_off;
    }
    cols[1].child = &kchild;
    cols[2].child = &cchild;
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    rows.schema.n_fields = 3;
    rows.schema.fields = fields;
    rows.batch.length = 1;
    rows.batch.n_columns = 3;
    rows.batch.columns = cols;
    char *text = NULL;
    size_t len = 0;
    struct dh_error err;
    CHECK_INT(dh_stats_text(&rows, &text, &len, &err), DH_OK);
    CHECK_REQ(text != NULL);
    CHECK_STR(text, "COUNT          20,133\n"
                    "\n"
                    "MOST COMMON  ROWS\n"
                    "TSLA         10,086\n"
                    "\xe6\x97\xa5\xe6\x9c\xac         47\n");
    free(text);
    /* Lists of different lengths are shown as they are. */
    list_off[1] = 1;
    int32_t other[2] = {0, 2};
    cols[2].offsets = (const uint8_t *)other;
    CHECK_INT(dh_stats_text(&rows, &text, &len, &err), DH_OK);
    CHECK_REQ(text != NULL);
    CHECK(strstr(text, "UNIQUE_KEYS    [TSLA]\n") != NULL);
    CHECK(strstr(text, "UNIQUE_COUNTS  [10,086, 47]\n") != NULL);
    CHECK(strstr(text, "MOST COMMON") == NULL);
    free(text);
}

/* The hidden columns of the last stage: which are hidden, the chain without
 * them, and chains that differ only in them. */
static void test_hidden_columns(void)
{
    struct dh_error err;
    struct dh_view_ops a, b, shown;
    dh_view_ops_init(&a);
    dh_view_ops_init(&b);
    dh_view_ops_init(&shown);
    CHECK_INT(dh_view_ops_add_drop(&a, "Venue", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_count_by(&a, "Sym", &err), DH_OK); /* Venue: an earlier stage */
    CHECK_INT(dh_view_ops_add_where(&a, "Count > 2", &err), DH_OK);
    CHECK_INT(dh_view_ops_copy(&b, &a, &err), DH_OK);
    CHECK_INT(dh_view_ops_add_drop(&a, "Sym", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_sort_spec(&a, "-Count", &err), DH_OK);
    CHECK_INT(dh_view_ops_add_sort_spec(&b, "-Count", &err), DH_OK);
    CHECK_INT(dh_view_ops_hides(&a, "Sym"), 1);
    CHECK_INT(dh_view_ops_hides(&a, "Venue"), 0);
    CHECK_INT(dh_view_ops_hides(&b, "Sym"), 0);
    CHECK_INT(dh_view_ops_same_but_hidden(&a, &b), 1);
    CHECK_INT(dh_view_ops_copy_shown(&shown, &a, &err), DH_OK);
    CHECK_INT(shown.n, a.n - 1);
    CHECK_INT(dh_view_ops_hides(&shown, "Sym"), 0);
    CHECK_INT(dh_view_ops_same_but_hidden(&shown, &b), 1);
    char text[256];
    dh_view_ops_describe(&shown, text, sizeof text);
    CHECK(strstr(text, "drop Venue") != NULL); /* before the count-by: kept */
    CHECK(strstr(text, "drop Sym") == NULL);
    CHECK_INT(dh_view_ops_add_sort_spec(&b, "Count", &err), DH_OK); /* another sort */
    CHECK_INT(dh_view_ops_same_but_hidden(&a, &b), 0);
    dh_view_ops_pop(&b);
    dh_view_ops_pop(&b);
    CHECK_INT(dh_view_ops_same_but_hidden(&a, &b), 0); /* one sort fewer */
    dh_view_ops_reset(&a);
    dh_view_ops_reset(&b);
    dh_view_ops_reset(&shown);
}

int main(void)
{
    CHECK_RUN(T(test_chain_order_and_offsets), T(test_literals), T(test_bad_input),
              T(test_drop_count_stages), T(test_stats_request), T(test_seek_request),
              T(test_seek_response), T(test_stats_text), T(test_stats_text_pairs),
              T(test_hidden_columns));
}
