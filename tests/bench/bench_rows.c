/* SPDX-License-Identifier: MIT */
/* bench_rows.c: figures for the pager's promises (issue 4), printed, not judged.
 *   bench_rows pager  PORT TICKET  first screen, 1,000 page-downs, peak RSS
 *   bench_rows doget  PORT TICKET  the whole table through Flight DoGet
 *   bench_rows decode PORT TICKET  Arrow decode throughput next to memcpy
 *   bench_rows stream PORT TICKET  what `dhtui rows` transports: the whole table
 *                                  through one streamed snapshot, nothing formatted
 *   bench_rows loopback BYTES      a plain TCP copy of BYTES over loopback
 * TICKET is any ticket text (e.g. a/demo/f/trades). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "dh_arrow.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_ticket.h"
#include "dh_transport.h"

#define SCREEN_ROWS 50
#define PAGE_DOWNS 1000
#define FIRST_SCREEN_RUNS 20

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Peak resident set (VmHWM) in MiB. */
static double peak_rss_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtod(line + 6, NULL);
    if (f)
        fclose(f);
    return kib / 1024.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static int die(const char *what, const struct dh_error *e)
{
    fprintf(stderr, "bench_rows: %s: %s\n", what, e->msg);
    return 1;
}

/* What a user waits for: the table's description, then one screen of rows. */
static int first_screen(struct dh_session *s, const struct dh_ticket *t, int64_t *size, double *ms)
{
    struct dh_error e;
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    double t0 = now_us();
    if (dh_table_info_fetch(s, t, &info, &e) != DH_OK)
        return die("table info", &e);
    if (dh_table_snapshot(s, t, 0, SCREEN_ROWS, NULL, &rows, NULL, &e) != DH_OK)
        return die("snapshot", &e);
    *ms = (now_us() - t0) / 1000.0;
    *size = info.size;
    dh_table_info_reset(&info);
    dh_rows_reset(&rows);
    return 0;
}

static int bench_pager(struct dh_session *s, const struct dh_ticket *t)
{
    double fs[FIRST_SCREEN_RUNS];
    int64_t size = 0;
    for (int i = 0; i < FIRST_SCREEN_RUNS; i++)
        if (first_screen(s, t, &size, &fs[i]))
            return 1;
    static double lat[PAGE_DOWNS];
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    struct dh_error e;
    for (int i = 0; i < PAGE_DOWNS; i++) {
        /* Page down from the middle of the table, as a user reading on. */
        int64_t pos = size / 2 + (int64_t)i * SCREEN_ROWS;
        double t0 = now_us();
        if (dh_table_snapshot(s, t, pos, SCREEN_ROWS, NULL, &rows, NULL, &e) != DH_OK)
            return die("page", &e);
        lat[i] = (now_us() - t0) / 1000.0;
        if (rows.batch.length != SCREEN_ROWS) {
            fprintf(stderr, "bench_rows: page at %lld has %lld rows\n", (long long)pos,
                    (long long)rows.batch.length);
            return 1;
        }
    }
    dh_rows_reset(&rows);
    printf("rows=%lld first_screen_ms_p50=%.2f page_ms_p50=%.2f page_ms_p99=%.2f "
           "peak_rss_mib=%.1f\n",
           (long long)size, percentile(fs, FIRST_SCREEN_RUNS, 0.5),
           percentile(lat, PAGE_DOWNS, 0.5), percentile(lat, PAGE_DOWNS, 0.99), peak_rss_mib());
    return 0;
}

static int bench_doget(struct dh_session *s, const struct dh_ticket *t)
{
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    struct dh_error e;
    double t0 = now_us();
    if (dh_table_doget(s, t, &rows, NULL, &e) != DH_OK)
        return die("doget", &e);
    double ms = (now_us() - t0) / 1000.0;
    printf("rows=%lld doget_ms=%.1f doget_peak_rss_mib=%.1f\n", (long long)rows.batch.length, ms,
           peak_rss_mib());
    dh_rows_reset(&rows);
    return 0;
}

/* ---- decode throughput ---- */

struct raw_batch {
    uint8_t *header, *body;
    size_t hlen, blen;
};

/* Read the first DoGet record batches of the table, raw. */
static int read_raw(struct dh_session *s, const struct dh_ticket *t, struct dh_schema *schema,
                    struct raw_batch *out, size_t cap, size_t *n)
{
    Arrow__Flight__Protocol__Ticket req = ARROW__FLIGHT__PROTOCOL__TICKET__INIT;
    req.ticket.data = (uint8_t *)t->bytes;
    req.ticket.len = t->len;
    struct dh_error e;
    struct dh_stream *st = dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_DO_GET,
                                          &req.base, DH_STREAM_HALF_CLOSE, 60000, "DoGet", &e);
    if (!st)
        return die("DoGet", &e);
    *n = 0;
    int have_schema = 0;
    struct dh_buf msg = {0};
    while (*n < cap && dh_stream_read(st, &msg, &e) == DH_OK) {
        Arrow__Flight__Protocol__FlightData *fd =
            arrow__flight__protocol__flight_data__unpack(NULL, msg.len, msg.data);
        dh_buf_reset(&msg);
        if (!fd)
            break;
        if (!have_schema) {
            have_schema =
                dh_schema_decode(fd->data_header.data, fd->data_header.len, schema, &e) == DH_OK;
        } else if (fd->data_body.len > 0) {
            struct raw_batch *b = &out[(*n)++];
            b->hlen = fd->data_header.len;
            b->blen = fd->data_body.len;
            b->header = malloc(b->hlen);
            b->body = malloc(b->blen);
            memcpy(b->header, fd->data_header.data, b->hlen);
            memcpy(b->body, fd->data_body.data, b->blen);
        }
        arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    }
    dh_stream_free(st);
    return have_schema && *n ? 0 : die("DoGet", &e);
}

/* Bytes a column occupies in the body (validity, offsets, values). */
static double column_bytes(const struct dh_column_view *c)
{
    double b = (double)c->values_len;
    if (c->offsets)
        b += (double)(c->length + 1) * 4;
    if (c->validity)
        b += (double)(c->length + 7) / 8;
    return b;
}

static int bench_decode(struct dh_session *s, const struct dh_ticket *t)
{
    enum { MAXB = 8, REPS = 30 };
    struct raw_batch raw[MAXB];
    size_t n = 0;
    struct dh_schema schema;
    dh_schema_init(&schema);
    if (read_raw(s, t, &schema, raw, MAXB, &n))
        return 1;
    double fixed_bytes = 0, string_bytes = 0, body_bytes = 0;
    double fixed_us = 0, string_us = 0, decode_us = 0, memcpy_us = 0;
    volatile double sink = 0;
    struct dh_error e;
    /* Values land in native arrays, as a consumer of a column would want them. */
    static int64_t ibuf[1 << 20];
    static double fbuf[1 << 20];
    enum { STR_CHUNK = 1024 };
    static const uint8_t *sptr[STR_CHUNK];
    static size_t slen[STR_CHUNK];
    /* Destinations are faulted in before timing, as the memcpy copy below. */
    memset(ibuf, 0xA5, sizeof ibuf);
    memset(fbuf, 0xA5, sizeof fbuf);
    for (int rep = 0; rep < REPS; rep++) {
        for (size_t i = 0; i < n; i++) {
            struct dh_batch b;
            dh_batch_init(&b);
            double t0 = now_us();
            if (dh_batch_decode_borrowed(&schema, raw[i].header, raw[i].hlen, raw[i].body,
                                         raw[i].blen, &b, &e) != DH_OK)
                return die("decode", &e);
            decode_us += now_us() - t0;
            for (size_t c = 0; c < b.n_columns; c++) {
                const struct dh_column_view *col = &b.columns[c];
                int is_str = col->field->type == DH_TYPE_UTF8;
                int is_fixed = col->field->type == DH_TYPE_INT ||
                               col->field->type == DH_TYPE_FLOAT ||
                               col->field->type == DH_TYPE_TIMESTAMP;
                if (!is_str && !is_fixed)
                    continue;
                double acc = 0;
                double c0 = now_us();
                if (is_str) {
                    /* Bulk reads, as for fixed widths; the consumer still
                     * touches every value inside the clock. */
                    for (int64_t r = 0; r < col->length; r += STR_CHUNK) {
                        size_t k = dh_column_read_bytes(col, r, STR_CHUNK, sptr, slen);
                        for (size_t j = 0; j < k; j++)
                            if (slen[j])
                                acc += (double)slen[j] + sptr[j][0];
                    }
                } else {
                    /* Decoding a fixed-width column = validated view (above)
                     * plus conversion into a native array; the fold that keeps
                     * the result alive runs after the clock stops. */
                    size_t k = col->field->type == DH_TYPE_FLOAT
                                   ? dh_column_read_f64(col, 0, (size_t)col->length, fbuf)
                                   : dh_column_read_i64(col, 0, (size_t)col->length, ibuf);
                    c0 -= now_us();
                    uint64_t x = 0;
                    for (size_t r = 0; r < k; r++)
                        x ^= (uint64_t)ibuf[r] ^ (uint64_t)fbuf[r];
                    c0 += now_us();
                    acc = (double)x;
                }
                double el = now_us() - c0;
                sink += acc;
                if (is_str) {
                    string_us += el;
                    string_bytes += column_bytes(col);
                } else {
                    fixed_us += el;
                    fixed_bytes += column_bytes(col);
                }
            }
            dh_batch_reset(&b);
            uint8_t *copy = malloc(raw[i].blen);
            if (!copy)
                return 1;
            /* Fault the pages in before timing. Not with 0: GCC turns malloc +
             * memset(0) into calloc, which skips fresh pages (they then faulted
             * inside the timed memcpy). */
            memset(copy, 0xA5, raw[i].blen);
            double m0 = now_us();
            memcpy(copy, raw[i].body, raw[i].blen);
            sink += copy[raw[i].blen - 1];
            memcpy_us += now_us() - m0;
            free(copy);
            body_bytes += (double)raw[i].blen;
        }
    }
    /* The per-batch validation is shared by the columns: charge it by size. */
    double per_byte = decode_us / body_bytes;
    double fixed_mbs = fixed_bytes / (fixed_us + per_byte * fixed_bytes);
    double string_mbs = string_bytes / (string_us + per_byte * string_bytes);
    printf("batches=%zu body_mib=%.1f validate_mb_s=%.0f decode_fixed_mb_s=%.0f "
           "decode_string_mb_s=%.0f memcpy_mb_s=%.0f\n",
           n, body_bytes / REPS / 1048576.0, body_bytes / decode_us, fixed_mbs, string_mbs,
           body_bytes / memcpy_us);
    (void)sink;
    for (size_t i = 0; i < n; i++) {
        free(raw[i].header);
        free(raw[i].body);
    }
    dh_schema_reset(&schema);
    return 0;
}

/* Rows per batch of the stream, as `dhtui rows` asks for (ui/cli_rows.c). */
#define STREAM_BATCH 16384

/* The transport alone: every batch of the table received and decoded (views
 * checked), nothing formatted. Prints the Arrow body bytes, the time, the
 * rates and the peak RSS. */
static int bench_stream(struct dh_session *s, const struct dh_ticket *t)
{
    struct dh_error e;
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    double t0 = now_us();
    if (dh_table_info_fetch(s, t, &info, &e) != DH_OK)
        return die("table info", &e);
    struct dh_table_stream *st = NULL;
    if (dh_table_stream_open(s, t, 0, info.size, NULL, STREAM_BATCH, NULL, &st, &e) != DH_OK)
        return die("stream", &e);
    double body = 0;
    int64_t rows = 0;
    for (;;) {
        const struct dh_batch *b;
        struct dh_raw_message raw;
        int rc = dh_table_stream_next(st, &b, &raw, &e);
        if (rc == DH_END)
            break;
        if (rc != DH_OK)
            return die("stream", &e);
        body += (double)raw.blen;
        rows += b->length;
    }
    double sec = (now_us() - t0) / 1e6;
    dh_table_stream_free(st);
    dh_table_info_reset(&info);
    printf("rows=%lld body_mib=%.1f stream_ms=%.0f rows_per_s=%.0f body_mb_s=%.1f "
           "peak_rss_mib=%.1f\n",
           (long long)rows, body / 1048576.0, sec * 1000, (double)rows / sec, body / 1e6 / sec,
           peak_rss_mib());
    return 0;
}

struct loop_writer {
    int fd;
    double bytes;
};

/* Write the bytes in 1 MiB chunks, then close. */
static void *loopback_write(void *arg)
{
    struct loop_writer *w = arg;
    static char chunk[1 << 20];
    memset(chunk, 'x', sizeof chunk);
    for (double left = w->bytes; left > 0;) {
        size_t n = left < (double)sizeof chunk ? (size_t)left : sizeof chunk;
        ssize_t k = write(w->fd, chunk, n);
        if (k <= 0)
            break;
        left -= (double)k;
    }
    close(w->fd);
    return NULL;
}

/* A plain TCP copy of `bytes` over loopback, read in 1 MiB chunks. */
static int bench_loopback(double bytes)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) != 0)
        return 1;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) != 0)
        return 1;
    struct loop_writer w = {accept(ls, NULL, NULL), bytes};
    close(ls);
    pthread_t th;
    double t0 = now_us();
    if (w.fd < 0 || pthread_create(&th, NULL, loopback_write, &w) != 0)
        return 1;
    static char buf[1 << 20];
    double got = 0;
    for (ssize_t k; (k = read(c, buf, sizeof buf)) > 0;)
        got += (double)k;
    double sec = (now_us() - t0) / 1e6;
    pthread_join(th, NULL);
    close(c);
    printf("bytes_mib=%.1f loopback_ms=%.0f loopback_mb_s=%.0f\n", got / 1048576.0, sec * 1000,
           got / 1e6 / sec);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "loopback") == 0)
        return bench_loopback(strtod(argv[2], NULL));
    if (argc != 4) {
        fprintf(stderr, "usage: bench_rows pager|doget|decode|stream PORT TICKET\n"
                        "       bench_rows loopback BYTES\n");
        return 2;
    }
    struct dh_error e;
    struct dh_ticket t;
    if (dh_ticket_parse(&t, argv[3], strlen(argv[3]), &e) != DH_OK)
        return die("ticket", &e);
    struct dh_connect_options o = {
        .host = "127.0.0.1", .port = atoi(argv[2]), .call_timeout_ms = 600000};
    struct dh_session *s = dh_session_connect(&o, &e);
    if (!s)
        return die("connect", &e);
    int rc = strcmp(argv[1], "pager") == 0    ? bench_pager(s, &t)
             : strcmp(argv[1], "doget") == 0  ? bench_doget(s, &t)
             : strcmp(argv[1], "decode") == 0 ? bench_decode(s, &t)
             : strcmp(argv[1], "stream") == 0 ? bench_stream(s, &t)
                                              : 2;
    dh_session_free(s);
    return rc;
}
