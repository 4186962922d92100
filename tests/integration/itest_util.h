/* SPDX-License-Identifier: MIT */
/* itest_util.h: helpers shared by the C integration programs that talk to the
 * demo server (itest_rows, itest_subscription_client, itest_client,
 * itest_epochs, itest_tree_live): connecting (a session or an asynchronous
 * client), waiting for a client event, the server's control fifo, exporting an application field,
 * sleeping, and comparing cells of two row windows. */
#ifndef DH_ITEST_UTIL_H
#define DH_ITEST_UTIL_H

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dh_arrow.h"
#include "dh_client.h"
#include "dh_clock.h"
#include "dh_exports.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_ticket.h"

typedef int (*it_ev_pred)(const struct dh_event *ev, void *arg);

/* Wait up to timeout_ms for a client event matching pred; it is returned (caller
 * frees); other events are dropped. NULL on timeout. */
static inline struct dh_event *it_wait_event(struct dh_client *c, it_ev_pred pred, void *arg,
                                             int timeout_ms)
{
    int64_t until = dh_now_ms() + timeout_ms;
    while (dh_now_ms() < until) {
        struct dh_event *ev;
        while ((ev = dh_client_next_event(c))) {
            if (pred(ev, arg))
                return ev;
            dh_event_free(ev);
        }
        struct pollfd p = {.fd = dh_client_wake_fd(c), .events = POLLIN};
        poll(&p, 1, 100);
    }
    return NULL;
}

static inline void it_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Connect to the demo server at 127.0.0.1:port (60 s call timeout); NULL, with
 * the reason printed, on failure. */
static inline struct dh_session *it_connect(int port)
{
    struct dh_connect_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = port;
    o.call_timeout_ms = 60000;
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_session *s = dh_session_connect(&o, &err);
    if (!s)
        fprintf(stderr, "connect: %s\n", err.msg);
    return s;
}

/* Send one control command to the demo server (the fifo on its stdin). */
static inline void it_control(const char *fifo, const char *cmd)
{
    int fd = open(fifo, O_WRONLY);
    if (fd < 0)
        return;
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", cmd);
    ssize_t w = write(fd, line, (size_t)n);
    (void)w;
    close(fd);
}

/* An asynchronous client of the demo server at 127.0.0.1:port; NULL, with the
 * reason printed, on failure. */
static inline struct dh_client *it_client_new(int port, int probe_ms)
{
    struct dh_client_options o;
    memset(&o, 0, sizeof o);
    o.connect.host = "127.0.0.1";
    o.connect.port = port;
    o.probe_interval_ms = probe_ms;
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_client *c = dh_client_new(&o, &e);
    if (!c)
        fprintf(stderr, "dh_client_new: %s\n", e.msg);
    return c;
}

/* A session export of the demo application's field `name` into *out. */
static inline int it_export_app(struct dh_session *s, const char *name, struct dh_ticket *out)
{
    struct dh_ticket src;
    dh_ticket_make_app(&src, "demo", name, NULL);
    struct dh_error err;
    dh_error_clear(&err);
    int rc = dh_export_from_ticket(s, &src, out, &err);
    if (rc != DH_OK)
        fprintf(stderr, "  export %s: %s\n", name, err.msg);
    return rc;
}

static inline int it_cell_equal(const struct dh_column_view *a, int64_t i,
                                const struct dh_column_view *b, int64_t j);

/* Two LIST cells: same element count and equal elements. */
static inline int it_list_equal(const struct dh_column_view *a, int64_t i,
                                const struct dh_column_view *b, int64_t j)
{
    int64_t as, an, bs, bn;
    if (dh_column_list_range(a, i, &as, &an) != DH_OK ||
        dh_column_list_range(b, j, &bs, &bn) != DH_OK || an != bn)
        return 0;
    for (int64_t k = 0; k < an; k++)
        if (!it_cell_equal(a->child, as + k, b->child, bs + k))
            return 0;
    return 1;
}

/* Two MAP cells: the same entries in the same order. */
static inline int it_map_equal(const struct dh_column_view *a, int64_t i,
                               const struct dh_column_view *b, int64_t j)
{
    int64_t as, an, bs, bn;
    if (dh_column_list_range(a, i, &as, &an) != DH_OK ||
        dh_column_list_range(b, j, &bs, &bn) != DH_OK || an != bn)
        return 0;
    for (int64_t k = 0; k < an; k++)
        for (int f = 0; f < 2; f++)
            if (!it_cell_equal(&a->child->children[f], as + k, &b->child->children[f], bs + k))
                return 0;
    return 1;
}

/* Two STRUCT cells: every field equal. */
static inline int it_struct_equal(const struct dh_column_view *a, int64_t i,
                                  const struct dh_column_view *b, int64_t j)
{
    for (size_t f = 0; f < a->field->n_children; f++)
        if (!it_cell_equal(&a->children[f], i, &b->children[f], j))
            return 0;
    return 1;
}

/* Whether cell a[i] equals cell b[j] (same column type). */
static inline int it_cell_equal(const struct dh_column_view *a, int64_t i,
                                const struct dh_column_view *b, int64_t j)
{
    if (i >= a->length || j >= b->length)
        return 0;
    int na = dh_column_is_null(a, i), nb = dh_column_is_null(b, j);
    if (na || nb)
        return na == nb;
    const uint8_t *pa, *pb;
    size_t la, lb;
    switch (a->field->type) {
    case DH_TYPE_NULL: return 1;
    case DH_TYPE_BOOL: return dh_column_get_bool(a, i) == dh_column_get_bool(b, j);
    case DH_TYPE_UTF8:
    case DH_TYPE_BINARY:
    case DH_TYPE_LARGE_UTF8:
    case DH_TYPE_LARGE_BINARY:
    case DH_TYPE_FIXED_BINARY:
    case DH_TYPE_DECIMAL:
        if (dh_column_get_bytes(a, i, &pa, &la) != DH_OK ||
            dh_column_get_bytes(b, j, &pb, &lb) != DH_OK)
            return 0;
        return la == lb && (la == 0 || memcmp(pa, pb, la) == 0);
    case DH_TYPE_LIST: return it_list_equal(a, i, b, j);
    case DH_TYPE_MAP: return it_map_equal(a, i, b, j);
    case DH_TYPE_STRUCT: return it_struct_equal(a, i, b, j);
    case DH_TYPE_FLOAT:
        /* Exact bits: NaN payloads and -0.0 must survive too. */
        return a->value_width == b->value_width && a->value_width > 0 &&
               memcmp(a->values + (size_t)i * (size_t)a->value_width,
                      b->values + (size_t)j * (size_t)b->value_width, (size_t)a->value_width) == 0;
    default: return dh_column_get_i64(a, i) == dh_column_get_i64(b, j);
    }
}

/* Compare every row r of window w with row ref_first + r of ref, for the
 * columns in mask (NULL = all); the first differences are printed with their
 * table positions. Returns the number of differing cells. */
static inline long it_compare_cells(const struct dh_rows *w, const struct dh_rows *ref,
                                    int64_t ref_first, const uint8_t *mask)
{
    long bad = 0;
    for (size_t c = 0; c < w->schema.n_fields; c++) {
        if (mask && !((mask[c / 8] >> (c % 8)) & 1))
            continue;
        for (int64_t r = 0; r < w->batch.length; r++) {
            if (!it_cell_equal(&w->batch.columns[c], r, &ref->batch.columns[c], ref_first + r)) {
                if (bad < 5)
                    fprintf(stderr, "  cell differs: column '%s', position %lld\n",
                            w->schema.fields[c].name, (long long)(w->first + r));
                bad++;
            }
        }
    }
    return bad;
}

#endif
