/* SPDX-License-Identifier: MIT */
/* bench_tableops: what the pager's questions cost on a large table, wall
 * time of each call as the client sees it (the server's compute included):
 * SeekRow for a value near the end and for one that is nowhere (a scan of
 * every row), ComputeColumnStatistics of a number and a text column, and the
 * frequency view (count by, sorted by count). Each is one call and reads no
 * rows. Prints figures; asserts nothing.
 * Usage: bench_tableops PORT TICKET */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dh_exports.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_tableops.h"
#include "dh_ticket.h"

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int die(const char *what, const struct dh_error *e)
{
    fprintf(stderr, "bench_tableops: %s: %s\n", what, e->msg);
    return 1;
}

static int seek(struct dh_session *s, const struct dh_ticket *t, const char *col, int type,
                const char *text, int64_t start)
{
    struct dh_seek q;
    struct dh_error e;
    if (dh_seek_prepare(&q, col, type, 0, text, &e) != DH_OK)
        return die("seek", &e);
    q.start = start;
    int64_t row = -1;
    double t0 = wall_ms();
    if (dh_table_seek_row(s, t, &q, &row, &e) != DH_OK)
        return die("seek", &e);
    printf("seek %-6s %-12s from row %-9lld -> row %-9lld %8.1f ms\n", col, text,
           (long long)start, (long long)row, wall_ms() - t0);
    return 0;
}

/* A chain ending in a result we export, describe and release. */
static int derive(struct dh_session *s, const struct dh_ticket *t, struct dh_view_ops *v,
                  const char *label)
{
    struct dh_error e;
    struct dh_ticket result;
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    dh_ticket_make_export(&result, dh_session_next_export_id(s));
    double t0 = wall_ms();
    if (dh_table_derive(s, t, v, &result, &info, &e) != DH_OK)
        return die(label, &e);
    double t1 = wall_ms();
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    int rc = 0;
    if (info.size >= 0 && info.size <= 1000) {
        if (dh_table_doget(s, &result, &rows, NULL, &e) != DH_OK)
            rc = die(label, &e);
    }
    printf("%-32s %9lld rows  %8.1f ms (+ %.1f ms to read the answer)\n", label,
           (long long)info.size, t1 - t0, wall_ms() - t1);
    dh_rows_reset(&rows);
    dh_table_info_reset(&info);
    dh_release(s, &result, NULL);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_tableops PORT TICKET\n");
        return 2;
    }
    struct dh_error e;
    struct dh_ticket t, copy;
    if (dh_ticket_parse(&t, argv[2], strlen(argv[2]), &e) != DH_OK)
        return die("ticket", &e);
    struct dh_connect_options o = {.host = "127.0.0.1", .port = atoi(argv[1]),
                                   .call_timeout_ms = 600000};
    struct dh_session *s = dh_session_connect(&o, &e);
    if (!s)
        return die("connect", &e);
    if (dh_export_from_ticket(s, &t, &copy, &e) != DH_OK)
        return die("export", &e);
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    if (dh_table_info_fetch(s, &copy, &info, &e) != DH_OK)
        return die("describe", &e);
    int64_t n = info.size;
    dh_table_info_reset(&info);
    printf("table: %lld rows\n", (long long)n);
    int rc = seek(s, &copy, "Sym", DH_TYPE_UTF8, "nvda", 0) ||
             seek(s, &copy, "Id", DH_TYPE_INT, "0", n > 2 ? n - 2 : 0) || /* wraps: every row */
             seek(s, &copy, "Sym", DH_TYPE_UTF8, "zzzz", 0);               /* nowhere */
    const char *stats_cols[] = {"Price", "Sym"};
    for (int i = 0; i < 2 && rc == 0; i++) {
        struct dh_view_ops v;
        dh_view_ops_init(&v);
        char label[64];
        snprintf(label, sizeof label, "statistics of %s", stats_cols[i]);
        rc = dh_view_ops_add_stats(&v, stats_cols[i], &e) != DH_OK ? die("stats", &e)
                                                                 : derive(s, &copy, &v, label);
        dh_view_ops_reset(&v);
    }
    if (rc == 0) {
        struct dh_view_ops v;
        dh_view_ops_init(&v);
        rc = dh_view_ops_add_frequency(&v, "Sym", &e) != DH_OK
                 ? die("frequency", &e)
                 : derive(s, &copy, &v, "frequency of Sym (count, sort)");
        dh_view_ops_reset(&v);
    }
    dh_release(s, &copy, NULL);
    dh_session_free(s);
    return rc;
}
