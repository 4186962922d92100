/* SPDX-License-Identifier: MIT */
/* test_objects.c: folding ListFields updates into the sorted object model. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deephaven_core/proto/application.pb-c.h"
#include "dh_objects.h"

typedef Io__Deephaven__Proto__Backplane__Grpc__FieldInfo field_info;

struct packed {
    uint8_t *data;
    size_t len;
};

/* Room for a ticket "s/<name>" with the longest name a test uses. */
enum { TICKET_BUF = 6000 };

/* Build one FieldInfo for ticket "s/<name>". */
static void field_make(field_info *f, Io__Deephaven__Proto__Backplane__Grpc__TypedTicket *tt,
                       Io__Deephaven__Proto__Backplane__Grpc__Ticket *t, char *ticket_buf,
                       const char *name, const char *type)
{
    io__deephaven__proto__backplane__grpc__field_info__init(f);
    io__deephaven__proto__backplane__grpc__typed_ticket__init(tt);
    io__deephaven__proto__backplane__grpc__ticket__init(t);
    size_t n = (size_t)snprintf(ticket_buf, TICKET_BUF, "s/%s", name);
    t->ticket.data = (uint8_t *)ticket_buf;
    t->ticket.len = n;
    tt->ticket = t;
    tt->type = (char *)type;
    f->typed_ticket = tt;
    f->field_name = (char *)name;
    f->field_description = (char *)"query scope variable";
    f->application_id = (char *)"scope";
    f->application_name = (char *)"";
}

/* Pack an update with created / removed names (NULL-terminated lists). */
static struct packed pack_update(const char *const *created, const char *const *removed,
                                 const char *type)
{
    enum { MAX = 8 };
    field_info f[2 * MAX], *pc[MAX], *pr[MAX];
    Io__Deephaven__Proto__Backplane__Grpc__TypedTicket tt[2 * MAX];
    Io__Deephaven__Proto__Backplane__Grpc__Ticket t[2 * MAX];
    static char bufs[2 * MAX][TICKET_BUF];
    Io__Deephaven__Proto__Backplane__Grpc__FieldsChangeUpdate u =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__FIELDS_CHANGE_UPDATE__INIT;
    size_t k = 0;
    for (size_t i = 0; created && created[i]; i++, k++) {
        field_make(&f[k], &tt[k], &t[k], bufs[k], created[i], type);
        pc[u.n_created++] = &f[k];
    }
    for (size_t i = 0; removed && removed[i]; i++, k++) {
        field_make(&f[k], &tt[k], &t[k], bufs[k], removed[i], type);
        pr[u.n_removed++] = &f[k];
    }
    u.created = pc;
    u.removed = pr;
    struct packed p;
    p.len = io__deephaven__proto__backplane__grpc__fields_change_update__get_packed_size(&u);
    p.data = malloc(p.len ? p.len : 1);
    io__deephaven__proto__backplane__grpc__fields_change_update__pack(&u, p.data);
    return p;
}

static void apply(struct dh_objects *m, struct packed p)
{
    CHECK_INT(dh_objects_apply(m, p.data, p.len, NULL), DH_OK);
    free(p.data);
}

static void test_created_sorted(void)
{
    struct dh_objects *m = dh_objects_new();
    const char *names[] = {"trades", "empty", "quotes", NULL};
    apply(m, pack_update(names, NULL, "Table"));
    struct dh_object_list *l = dh_objects_snapshot(m);
    CHECK_REQ(l && l->n == 3);
    CHECK_STR(l->items[0].name, "empty");
    CHECK_STR(l->items[1].name, "quotes");
    CHECK_STR(l->items[2].name, "trades");
    CHECK_STR(l->items[2].type, "Table");
    CHECK_INT(l->items[2].ticket.len, 8);
    CHECK(memcmp(l->items[2].ticket.bytes, "s/trades", 8) == 0);
    CHECK(dh_object_list_find(l, "quotes") == &l->items[1]);
    CHECK(dh_object_list_find(l, "nope") == NULL);
    dh_object_list_free(l);
    dh_objects_free(m);
}

static void test_removed_and_updated(void)
{
    struct dh_objects *m = dh_objects_new();
    const char *a[] = {"a", "b", "c", NULL};
    apply(m, pack_update(a, NULL, "Table"));
    const char *rm[] = {"b", NULL};
    apply(m, pack_update(NULL, rm, "Table"));
    CHECK_INT(dh_objects_count(m), 2);
    /* Re-creating an existing ticket replaces it (a type change arrives so). */
    const char *again[] = {"c", NULL};
    apply(m, pack_update(again, NULL, "Figure"));
    struct dh_object_list *l = dh_objects_snapshot(m);
    CHECK_REQ(l && l->n == 2);
    CHECK_STR(l->items[1].name, "c");
    CHECK_STR(l->items[1].type, "Figure");
    dh_object_list_free(l);
    /* Removing an unknown ticket is harmless. */
    const char *ghost[] = {"zz", NULL};
    apply(m, pack_update(NULL, ghost, "Table"));
    CHECK_INT(dh_objects_count(m), 2);
    dh_objects_free(m);
}

/* An object dhtui cannot use (a 5,000-character name makes a ticket longer
 * than DH_TICKET_MAX) is listed with the reason, and removed like any other. */
static void test_unusable_listed(void)
{
    char *longname = malloc(5001);
    CHECK_REQ(longname);
    memset(longname, 'n', 5000);
    longname[5000] = '\0';
    struct dh_objects *m = dh_objects_new();
    const char *names[] = {"trades", longname, NULL};
    apply(m, pack_update(names, NULL, "Table"));
    struct dh_object_list *l = dh_objects_snapshot(m);
    CHECK_REQ(l && l->n == 2);
    const struct dh_object *o = dh_object_list_find(l, longname);
    CHECK_REQ(o != NULL);
    CHECK(o->unusable != NULL && strstr(o->unusable, "5002 bytes") != NULL);
    CHECK_INT(o->ticket.len, 0);
    CHECK(dh_object_list_find(l, "trades")->unusable == NULL);
    struct dh_object copy;
    CHECK_INT(dh_object_copy(&copy, o), DH_OK);
    CHECK_STR(copy.unusable, o->unusable);
    dh_object_reset(&copy);
    dh_object_list_free(l);
    /* Created again: replaced, not duplicated; then removed by name. */
    apply(m, pack_update(names + 1, NULL, "Table"));
    CHECK_INT(dh_objects_count(m), 2);
    apply(m, pack_update(NULL, names + 1, "Table"));
    CHECK_INT(dh_objects_count(m), 1);
    dh_objects_free(m);
    free(longname);
}

static void test_malformed(void)
{
    struct dh_objects *m = dh_objects_new();
    const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f};
    struct dh_error e;
    CHECK_INT(dh_objects_apply(m, junk, sizeof junk, &e), DH_EINVAL);
    CHECK(strstr(e.msg, "FieldsChangeUpdate") != NULL);
    CHECK_INT(dh_objects_count(m), 0);
    dh_objects_free(m);
}

int main(void)
{
    CHECK_RUN(T(test_created_sorted), T(test_removed_and_updated), T(test_unusable_listed),
              T(test_malformed));
}
