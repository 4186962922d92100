/* SPDX-License-Identifier: MIT */
/* bench_tableops: what the pager's questions cost on a large table as the
 * client sees them, each split into the server's part and the client's. In
 * order: view changes as the pager makes them on a key press (sort -Price, the
 * first use of Price; Price > 180; the two chained; sort -Price again): the
 * Batch call in which the server sorts or filters and exports the result, then
 * the first screen of rows read from it; search to match on screen (SeekRow,
 * then the screen around the match: near, far, nowhere); statistics (`i`) of a
 * number column already kept, of one never read and of a text column, and the
 * frequency view (`F`): the Batch call, then the small answer read. Each line
 * gives the wall time of each part, with SERVER_PID the server's CPU time in
 * each, and the client's CPU time. Then what a pydeephaven user pays for the
 * same answers: the whole table downloaded (Flight DoGet, the client's fastest
 * whole-table path, as pydeephaven's to_arrow) and sorted and filtered locally
 * in C; the client's RSS before and after the download. Prints figures;
 * asserts nothing.
 * Usage: bench_tableops PORT TICKET [SERVER_PID] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/resource.h>

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

/* CPU time of this process (every thread), ms. */
static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* CPU time of process pid (utime + stime from /proc), ms; -1 if unknown. */
static double proc_cpu_ms(long pid)
{
    if (pid <= 0)
        return -1;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

/* A chain ending in a small result (statistics, frequency) we export, read whole,
 * and release, as the pager's `i` and `F` do: the Batch call (the server computes),
 * then the answer read, with the server's CPU time in each and the client's. */
static int derive(struct dh_session *s, const struct dh_ticket *t, struct dh_view_ops *v,
                  const char *label, long server_pid)
{
    struct dh_error e;
    struct dh_ticket result;
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    dh_ticket_make_export(&result, dh_session_next_export_id(s));
    double c0 = cpu_ms(), s0 = proc_cpu_ms(server_pid), t0 = wall_ms();
    if (dh_table_derive(s, t, v, &result, &info, &e) != DH_OK)
        return die(label, &e);
    double t1 = wall_ms(), s1 = proc_cpu_ms(server_pid);
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    int rc = 0;
    if (info.size >= 0 && info.size <= 1000) {
        if (dh_table_doget(s, &result, &rows, NULL, &e) != DH_OK)
            rc = die(label, &e);
    }
    double t2 = wall_ms(), s2 = proc_cpu_ms(server_pid), c1 = cpu_ms();
    char server_cpu[48] = "", read_cpu[48] = "";
    if (s0 >= 0 && s1 >= 0 && s2 >= 0) {
        snprintf(server_cpu, sizeof server_cpu, ", server CPU %.0f ms", s1 - s0);
        snprintf(read_cpu, sizeof read_cpu, ", server CPU %.0f ms", s2 - s1);
    }
    printf("%-30s %2lld rows: key to screen %7.1f ms = server's Batch call %7.1f ms%s"
           " + reading the answer %5.1f ms%s (client CPU %.1f ms)\n",
           label, (long long)info.size, t2 - t0, t1 - t0, server_cpu, t2 - t1, read_cpu, c1 - c0);
    dh_rows_reset(&rows);
    dh_table_info_reset(&info);
    dh_release(s, &result, NULL);
    return rc;
}

/* Rows on one pager screen (a 40-line terminal). */
#define SCREEN_ROWS 35

/* Resident set size now and at its peak, MiB. */
static void rss_mib(double *now, double *peak)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *peak = (double)ru.ru_maxrss / 1024.0;
    *now = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    long pages_total = 0, pages_resident = 0;
    if (f && fscanf(f, "%ld %ld", &pages_total, &pages_resident) == 2)
        *now = (double)pages_resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
    if (f)
        fclose(f);
}

/* One screen of rows from first, every column, as the pager reads it. */
static int read_screen(struct dh_session *s, const struct dh_ticket *t, int64_t first, double *ms)
{
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    struct dh_error e;
    double t0 = wall_ms();
    int rc = dh_table_snapshot(s, t, first, SCREEN_ROWS, NULL, &rows, NULL, &e);
    *ms = wall_ms() - t0;
    dh_rows_reset(&rows);
    return rc == DH_OK ? 0 : die("screen", &e);
}

/* A view change as the pager makes it on a key press: the Batch call (the
 * server sorts or filters and exports the result), then the first screen. */
static int view_change(struct dh_session *s, const struct dh_ticket *t, struct dh_view_ops *v,
                       const char *label, long server_pid, double *key_ms)
{
    struct dh_error e;
    struct dh_ticket result;
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    dh_ticket_make_export(&result, dh_session_next_export_id(s));
    double c0 = cpu_ms(), s0 = proc_cpu_ms(server_pid), t0 = wall_ms();
    if (dh_table_derive(s, t, v, &result, &info, &e) != DH_OK)
        return die(label, &e);
    double batch = wall_ms() - t0, s1 = proc_cpu_ms(server_pid), screen = 0;
    int rc = read_screen(s, &result, 0, &screen);
    double c1 = cpu_ms(), s2 = proc_cpu_ms(server_pid);
    char server_cpu[48] = "", screen_cpu[48] = "";
    if (s0 >= 0 && s1 >= 0 && s2 >= 0) { /* a lazy sort orders the screen's rows on reading */
        snprintf(server_cpu, sizeof server_cpu, ", server CPU %.0f ms", s1 - s0);
        snprintf(screen_cpu, sizeof screen_cpu, ", server CPU %.0f ms", s2 - s1);
    }
    printf("%-22s %9lld rows: key to screen %7.1f ms = server's Batch call %7.1f ms%s"
           " + first screen %5.1f ms%s (client CPU %.1f ms)\n",
           label, (long long)info.size, batch + screen, batch, server_cpu, screen, screen_cpu,
           c1 - c0);
    *key_ms = batch + screen;
    dh_table_info_reset(&info);
    dh_release(s, &result, NULL);
    return rc;
}

/* Search to match on screen: SeekRow (the server scans), then the screen
 * around the row found. */
static int search_to_screen(struct dh_session *s, const struct dh_ticket *t, const char *col,
                            int type, const char *text, int64_t start, long server_pid)
{
    struct dh_seek q;
    struct dh_error e;
    if (dh_seek_prepare(&q, col, type, 0, text, &e) != DH_OK)
        return die("seek", &e);
    q.start = start;
    int64_t row = -1;
    double c0 = cpu_ms(), s0 = proc_cpu_ms(server_pid), t0 = wall_ms();
    if (dh_table_seek_row(s, t, &q, &row, &e) != DH_OK)
        return die("seek", &e);
    double seek_ms = wall_ms() - t0, s1 = proc_cpu_ms(server_pid), screen = 0;
    if (row >= 0 && read_screen(s, t, row > SCREEN_ROWS / 2 ? row - SCREEN_ROWS / 2 : 0, &screen))
        return 1;
    double s2 = proc_cpu_ms(server_pid), c1 = cpu_ms();
    char server_cpu[48] = "", screen_cpu[48] = "";
    if (s0 >= 0 && s1 >= 0 && s2 >= 0) {
        snprintf(server_cpu, sizeof server_cpu, ", server CPU %.0f ms", s1 - s0);
        snprintf(screen_cpu, sizeof screen_cpu, ", server CPU %.0f ms", s2 - s1);
    }
    printf("search %-3s for %-8s from row %lld -> row %-8lld: key to screen %7.1f ms = "
           "SeekRow %7.1f ms%s + screen %5.1f ms%s (client CPU %.1f ms)\n",
           col, text, (long long)start, (long long)row, seek_ms + screen, seek_ms, server_cpu,
           screen, screen_cpu, c1 - c0);
    return 0;
}

/* A row's Price and position, for the local sort. */
struct price_row {
    double price;
    int64_t row;
};

/* Descending by price (NaN last), then in table order, as sort -Price. */
static int price_desc(const void *pa, const void *pb)
{
    const struct price_row *a = pa, *b = pb;
    int an = a->price != a->price, bn = b->price != b->price;
    if (an != bn)
        return an - bn;
    if (!an && a->price != b->price)
        return a->price > b->price ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Key to screen of the pager's view changes, ms. */
struct key_times {
    double sort_first, filter, filter_sort, sort_again;
};

/* What a pydeephaven user pays: the whole table downloaded, then sorted by
 * Price descending and filtered (Price > 180) locally; and how far ahead the
 * pager's view changes (k) are. */
static int download_and_sort(struct dh_session *s, const struct dh_ticket *t,
                             const struct key_times *k)
{
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    struct dh_error e;
    double t0 = wall_ms();
    if (dh_table_doget(s, t, &rows, NULL, &e) != DH_OK)
        return die("doget", &e);
    double t1 = wall_ms();
    const struct dh_column_view *price = NULL;
    for (size_t i = 0; i < rows.schema.n_fields && i < rows.batch.n_columns; i++)
        if (strcmp(rows.schema.fields[i].name, "Price") == 0)
            price = &rows.batch.columns[i];
    int64_t n = rows.batch.length;
    struct price_row *pr = price ? malloc((size_t)(n > 0 ? n : 1) * sizeof *pr) : NULL;
    if (!pr || price->value_width != 8) {
        fprintf(stderr, "bench_tableops: no double Price column to sort\n");
        free(pr);
        dh_rows_reset(&rows);
        return 1;
    }
    for (int64_t r = 0; r < n; r++) {
        int valid = !price->validity || (price->validity[r / 8] >> (r % 8)) & 1;
        double d = 0;
        memcpy(&d, price->values + (size_t)r * 8, 8);
        pr[r].price = valid ? d : -HUGE_VAL; /* nulls first ascending: last descending */
        pr[r].row = r;
    }
    qsort(pr, (size_t)n, sizeof *pr, price_desc);
    double t2 = wall_ms();
    int64_t kept = 0;
    for (int64_t r = 0; r < n; r++)
        if (pr[r].price > 180)
            pr[kept++].row = pr[r].row;
    double t3 = wall_ms();
    double now = 0, peak = 0;
    rss_mib(&now, &peak);
    printf("download and sort locally (what a pydeephaven user pays): DoGet of %lld rows "
           "%.1f s (%.0f MiB of Arrow body) + qsort by -Price %.1f s = %.1f s to the first "
           "sorted screen; + filter Price > 180 (%lld rows) %.0f ms\n",
           (long long)n, (t1 - t0) / 1e3, (double)rows.batch.body_len / 1048576.0, (t2 - t1) / 1e3,
           (t2 - t0) / 1e3, (long long)kept, t3 - t2);
    printf("client RSS after the download: %.0f MiB (peak %.0f MiB)\n", now, peak);
    /* a local filter needs the download, not the sort: DoGet + the filter's pass */
    printf("ahead of download-and-do-it-locally: sort (1st use) %.0fx, filter %.0fx, filter "
           "then sort %.0fx, sort again %.0fx\n",
           (t2 - t0) / k->sort_first, (t1 - t0 + t3 - t2) / k->filter, (t3 - t0) / k->filter_sort,
           (t2 - t0) / k->sort_again);
    free(pr);
    dh_rows_reset(&rows);
    return 0;
}

/* The pager's view changes on t, then the download-and-sort baseline. */
static int pager_vs_download(struct dh_session *s, const struct dh_ticket *t, int64_t n,
                             long server_pid)
{
    struct dh_error e;
    struct dh_view_ops v;
    struct key_times k = {0};
    dh_view_ops_init(&v);
    int rc = dh_view_ops_add_sort_spec(&v, "-Price", &e) != DH_OK
                 ? die("sort", &e)
                 : view_change(s, t, &v, "sort -Price (1st use)", server_pid, &k.sort_first);
    dh_view_ops_reset(&v);
    if (rc == 0) {
        dh_view_ops_init(&v);
        rc = dh_view_ops_add_where(&v, "Price > 180", &e) != DH_OK
                 ? die("where", &e)
                 : view_change(s, t, &v, "where Price > 180", server_pid, &k.filter);
        dh_view_ops_reset(&v);
    }
    if (rc == 0) {
        dh_view_ops_init(&v);
        rc = dh_view_ops_add_where(&v, "Price > 180", &e) != DH_OK ||
                     dh_view_ops_add_sort_spec(&v, "-Price", &e) != DH_OK
                 ? die("where+sort", &e)
                 : view_change(s, t, &v, "Price > 180 | sort", server_pid, &k.filter_sort);
        dh_view_ops_reset(&v);
    }
    if (rc == 0) { /* Price is generated whole on its first sort or filter and kept */
        dh_view_ops_init(&v);
        rc = dh_view_ops_add_sort_spec(&v, "-Price", &e) != DH_OK
                 ? die("sort", &e)
                 : view_change(s, t, &v, "sort -Price again", server_pid, &k.sort_again);
        dh_view_ops_reset(&v);
    }
    char far[32]; /* a match 90% of the table below the cursor: the server scans to it */
    snprintf(far, sizeof far, "%lld", (long long)(n / 10 * 9));
    if (rc == 0)
        rc = search_to_screen(s, t, "Sym", DH_TYPE_UTF8, "nvda", 0, server_pid) ||
             search_to_screen(s, t, "Id", DH_TYPE_INT, far, 0, server_pid) ||
             search_to_screen(s, t, "Sym", DH_TYPE_UTF8, "zzzz", 0, server_pid);
    /* statistics of a column kept by the sort above, of one never read (the demo server
     * generates it whole first) and of a text column, then the frequency view */
    const char *stats_cols[] = {"Price", "Size", "Sym"};
    for (int i = 0; i < 3 && rc == 0; i++) {
        dh_view_ops_init(&v);
        char label[64];
        snprintf(label, sizeof label, "`i` statistics of %s", stats_cols[i]);
        rc = dh_view_ops_add_stats(&v, stats_cols[i], &e) != DH_OK
                 ? die("stats", &e)
                 : derive(s, t, &v, label, server_pid);
        dh_view_ops_reset(&v);
    }
    if (rc == 0) {
        dh_view_ops_init(&v);
        rc = dh_view_ops_add_frequency(&v, "Sym", &e) != DH_OK
                 ? die("frequency", &e)
                 : derive(s, t, &v, "`F` frequency of Sym", server_pid);
        dh_view_ops_reset(&v);
    }
    if (rc != 0)
        return rc;
    double now = 0, peak = 0;
    rss_mib(&now, &peak);
    printf("client RSS after every view change, search and statistics above: %.1f MiB (peak "
           "%.1f MiB)\n",
           now, peak);
    return download_and_sort(s, t, &k);
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: bench_tableops PORT TICKET [SERVER_PID]\n");
        return 2;
    }
    long server_pid = argc == 4 ? atol(argv[3]) : 0;
    struct dh_error e;
    struct dh_ticket t, copy;
    if (dh_ticket_parse(&t, argv[2], strlen(argv[2]), &e) != DH_OK)
        return die("ticket", &e);
    struct dh_connect_options o = {
        .host = "127.0.0.1", .port = atoi(argv[1]), .call_timeout_ms = 600000};
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
    int rc = pager_vs_download(s, &copy, n, server_pid);
    dh_release(s, &copy, NULL);
    dh_session_free(s);
    return rc;
}
