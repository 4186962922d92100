/* SPDX-License-Identifier: MIT */
/* test_tableops: the view chain and its BatchTableRequest, decoded back with
 * protobuf-c and checked field by field. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deephaven_core/proto/table.pb-c.h"
#include "dh_tableops.h"

#define PB(x) Io__Deephaven__Proto__Backplane__Grpc__##x

static PB(BatchTableRequest) *build(const struct dh_view_ops *v)
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
    CHECK_INT(cc->operation,
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

int main(void)
{
    CHECK_RUN(T(test_chain_order_and_offsets), T(test_literals), T(test_bad_input));
}
