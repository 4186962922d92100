/* SPDX-License-Identifier: MIT */
/* test_epoch.c: the session-epoch rules for exports: a durable source is
 * resolved afresh in every epoch, an export ticket is never used outside its
 * own epoch, superseded and evicted exports of the current epoch are handed
 * back for release, and those of older epochs never are. */
#include <stdio.h>

#include "check.h"
#include "dh_epoch.h"

static struct dh_source scope_source(const char *name)
{
    struct dh_source s = {0};
    dh_ticket_make_scope(&s.ticket, name, NULL);
    return s;
}

static struct dh_ticket export_of(int32_t id)
{
    struct dh_ticket t;
    dh_ticket_make_export(&t, id);
    return t;
}

static int32_t id_of(const struct dh_ticket *t)
{
    int32_t id = -1;
    dh_ticket_export_id(t, &id);
    return id;
}

/* trades resolves to export 1 in epoch 1; in epoch 2 (ids restart) the old
 * export is not offered: the source must be resolved again. */
static void test_durable_source_per_epoch(void)
{
    struct dh_epoch_cache c;
    dh_epoch_cache_init(&c);
    struct dh_source trades = scope_source("trades"), wide = scope_source("wide");
    CHECK(dh_source_durable(&trades));
    struct dh_ticket out, rel;
    CHECK_INT(dh_epoch_resolve(&c, &trades, 1, &out), DH_RESOLVE_NEEDED);
    struct dh_ticket e1 = export_of(1), e2 = export_of(2);
    CHECK_INT(dh_epoch_put(&c, &trades.ticket, 1, &e1, &rel), 0);
    CHECK_INT(dh_epoch_put(&c, &wide.ticket, 1, &e2, &rel), 0);
    CHECK_INT(dh_epoch_resolve(&c, &trades, 1, &out), DH_RESOLVE_CACHED);
    CHECK_INT(id_of(&out), 1);
    CHECK_INT(dh_epoch_resolve(&c, &wide, 1, &out), DH_RESOLVE_CACHED);
    CHECK_INT(id_of(&out), 2);

    /* Session renewed: epoch 2. wide is resolved first and gets export 1. */
    CHECK_INT(dh_epoch_resolve(&c, &wide, 2, &out), DH_RESOLVE_NEEDED);
    CHECK_INT(dh_epoch_put(&c, &wide.ticket, 2, &e1, &rel), 0);
    /* trades must not come back as export 1 (that is wide now) nor as anything old. */
    CHECK_INT(dh_epoch_resolve(&c, &trades, 2, &out), DH_RESOLVE_NEEDED);
    CHECK_INT(dh_epoch_put(&c, &trades.ticket, 2, &e2, &rel), 0);
    CHECK_INT(dh_epoch_resolve(&c, &trades, 2, &out), DH_RESOLVE_CACHED);
    CHECK_INT(id_of(&out), 2);
    CHECK_INT(dh_epoch_resolve(&c, &wide, 2, &out), DH_RESOLVE_CACHED);
    CHECK_INT(id_of(&out), 1);
    CHECK_INT(c.n, 2);
}

/* An export ticket as a source is usable in its own epoch only. */
static void test_export_source_bound_to_epoch(void)
{
    struct dh_epoch_cache c;
    dh_epoch_cache_init(&c);
    struct dh_source s = {export_of(7), 3};
    CHECK(!dh_source_durable(&s));
    struct dh_ticket out;
    CHECK_INT(dh_epoch_resolve(&c, &s, 3, &out), DH_RESOLVE_DIRECT);
    CHECK_INT(id_of(&out), 7);
    CHECK_INT(dh_epoch_resolve(&c, &s, 4, &out), DH_RESOLVE_STALE);
    CHECK_INT(dh_epoch_resolve(&c, &s, 2, &out), DH_RESOLVE_STALE);
    struct dh_source empty = {0};
    CHECK_INT(dh_epoch_resolve(&c, &empty, 0, &out), DH_RESOLVE_STALE);
}

/* Re-resolving a source in the same epoch hands back the superseded export;
 * forgetting hands back the export only in its own epoch. */
static void test_release_rules(void)
{
    struct dh_epoch_cache c;
    dh_epoch_cache_init(&c);
    struct dh_source t = scope_source("trades");
    struct dh_ticket e5 = export_of(5), e6 = export_of(6), rel;
    dh_epoch_put(&c, &t.ticket, 1, &e5, &rel);
    CHECK_INT(dh_epoch_put(&c, &t.ticket, 1, &e5, &rel), 0); /* same export: nothing */
    CHECK_INT(dh_epoch_put(&c, &t.ticket, 1, &e6, &rel), 1);
    CHECK_INT(id_of(&rel), 5);
    CHECK_INT(dh_epoch_forget(&c, &t.ticket, 2, &rel), 0); /* epoch 1's: gone with its session */
    CHECK_INT(c.n, 0);
    dh_epoch_put(&c, &t.ticket, 2, &e5, &rel);
    rel = export_of(0);
    CHECK_INT(dh_epoch_forget(&c, &t.ticket, 2, &rel), 1);
    CHECK_INT(id_of(&rel), 5);
    CHECK_INT(dh_epoch_forget(&c, &t.ticket, 2, &rel), 0);
}

/* Full: the least recently used export of this epoch is pushed out and released. */
static void test_eviction(void)
{
    struct dh_epoch_cache c;
    dh_epoch_cache_init(&c);
    struct dh_source src[DH_EPOCH_CACHE_MAX + 1];
    struct dh_ticket rel, out;
    for (int i = 0; i <= DH_EPOCH_CACHE_MAX; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        src[i] = scope_source(name);
    }
    for (int i = 0; i < DH_EPOCH_CACHE_MAX; i++) {
        struct dh_ticket e = export_of(i + 1);
        CHECK_INT(dh_epoch_put(&c, &src[i].ticket, 9, &e, &rel), 0);
    }
    CHECK_INT(dh_epoch_resolve(&c, &src[0], 9, &out), DH_RESOLVE_CACHED); /* t0 is recent now */
    struct dh_ticket e = export_of(100);
    CHECK_INT(dh_epoch_put(&c, &src[DH_EPOCH_CACHE_MAX].ticket, 9, &e, &rel), 1);
    CHECK_INT(id_of(&rel), 2); /* t1: the least recently used */
    CHECK_INT(dh_epoch_resolve(&c, &src[1], 9, &out), DH_RESOLVE_NEEDED);
    CHECK_INT(dh_epoch_resolve(&c, &src[0], 9, &out), DH_RESOLVE_CACHED);
    CHECK_INT(c.n, DH_EPOCH_CACHE_MAX);
}

int main(void)
{
    CHECK_RUN(T(test_durable_source_per_epoch), T(test_export_source_bound_to_epoch),
              T(test_release_rules), T(test_eviction));
}
