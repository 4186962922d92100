/* SPDX-License-Identifier: MIT */
/* itest_share: publish and fetch between two sessions against the demo server
 * (dh_exports, dh_table_info_fetch, dh_figure). Run by test_share.sh:
 *   itest_share PORT CTL_FIFO SERVER_OUT
 * CTL_FIFO is the server's stdin (we write "stats"), SERVER_OUT its stdout (we
 * read the "sessions=N exports=N shared=N" reply). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "dh_exports.h"
#include "dh_figure.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_ticket.h"

static int port;
static const char *ctl_path, *out_path;

/* Server export statistics from the control channel. */
struct stats {
    long sessions, exports, shared;
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Send "stats" and parse the reply line that appears after what is in
 * SERVER_OUT now. 0 on success. */
static int read_stats(struct stats *st)
{
    struct stat sb;
    if (stat(out_path, &sb) != 0)
        return -1;
    off_t start = sb.st_size;
    int fd = open(ctl_path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, "stats\n", 6);
    close(fd);
    if (w != 6)
        return -1;
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(out_path, "r");
        if (f && fseeko(f, start, SEEK_SET) == 0) {
            char line[256];
            while (fgets(line, sizeof line, f)) {
                if (sscanf(line, "sessions=%ld exports=%ld shared=%ld", &st->sessions, &st->exports,
                           &st->shared) == 3) {
                    fclose(f);
                    return 0;
                }
            }
        }
        if (f)
            fclose(f);
        sleep_ms(50);
    }
    return -1;
}

static struct dh_session *connect_session(void)
{
    struct dh_connect_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = port;
    struct dh_error err;
    dh_error_clear(&err);
    struct dh_session *s = dh_session_connect(&o, &err);
    if (!s)
        fprintf(stderr, "  connect: %s\n", err.msg);
    return s;
}

static void app_ticket(struct dh_ticket *t, const char *field)
{
    dh_ticket_make_app(t, "demo", field, NULL);
}

/* The whole scenario; one test because each step builds on the previous. */
static void test_share(void)
{
    struct dh_session *a = connect_session(), *b = connect_session();
    CHECK_REQ(a && b);
    struct dh_error err;
    struct stats st0, st;
    CHECK_REQ(read_stats(&st0) == 0);
    CHECK_INT(st0.sessions, 2);
    CHECK_INT(st0.exports, 0);

    /* A publishes trades and price_plot. */
    struct dh_ticket trades, plot, sh_t, sh_f, ex_t, ex_f;
    app_ticket(&trades, "trades");
    app_ticket(&plot, "price_plot");
    dh_error_clear(&err);
    CHECK_REQ(dh_publish_object(a, &trades, &sh_t, &ex_t, &err) == DH_OK);
    CHECK_REQ(dh_publish_object(a, &plot, &sh_f, &ex_f, &err) == DH_OK);
    CHECK_INT(dh_ticket_kind(&sh_t), DH_TICKET_SHARED);
    CHECK_INT(dh_ticket_kind(&ex_t), DH_TICKET_EXPORT);
    CHECK(!dh_ticket_equal(&sh_t, &sh_f));
    CHECK_REQ(read_stats(&st) == 0);
    CHECK_INT(st.exports, 2);
    CHECK_INT(st.shared, 2);

    /* B probes and fetches both. */
    CHECK_INT(dh_probe_ticket(b, &sh_t, &err), DH_PROBE_VALID_TABLE);
    CHECK_INT(dh_probe_ticket(b, &sh_f, &err), DH_PROBE_VALID_OTHER);
    struct dh_ticket bt, bf;
    CHECK_REQ(dh_export_from_ticket(b, &sh_t, &bt, &err) == DH_OK);
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    dh_error_clear(&err);
    CHECK_INT(dh_table_info_fetch(b, &bt, &info, &err), DH_OK);
    CHECK_INT(info.size, 1000000);
    CHECK_INT(info.is_static, 1);
    CHECK(info.schema.n_fields > 0);
    CHECK(dh_ticket_equal(&info.ticket, &bt));
    dh_table_info_reset(&info);

    CHECK_REQ(dh_export_from_ticket(b, &sh_f, &bf, &err) == DH_OK);
    dh_error_clear(&err);
    CHECK_INT(dh_table_info_fetch(b, &bf, &info, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    CHECK(dh_error_is_not_a_table(&err));
    struct dh_figure *fig = NULL;
    dh_error_clear(&err);
    CHECK_INT(dh_figure_fetch(b, &bf, &fig, &err), DH_OK);
    if (!fig)
        fprintf(stderr, "  figure: %s\n", err.msg);
    CHECK_REQ(fig);
    CHECK(fig->title[0] != '\0');
    CHECK_REQ(fig->n_charts >= 1 && fig->charts[0].n_series >= 1);
    const struct dh_figure_series *se = &fig->charts[0].series[0];
    CHECK(se->x_column[0] != '\0');
    CHECK(se->y_column[0] != '\0');
    CHECK_INT(se->table_index, 0);
    CHECK_REQ(fig->n_tables >= 1);
    CHECK_INT(dh_ticket_kind(&fig->tables[0]), DH_TICKET_EXPORT);
    int32_t ref_id = 0;
    dh_ticket_export_id(&fig->tables[0], &ref_id);
    CHECK(ref_id < 0); /* server-allocated */
    /* The referenced table is readable and has the plotted columns. */
    dh_error_clear(&err);
    CHECK_INT(dh_table_info_fetch(b, &fig->tables[0], &info, &err), DH_OK);
    int have_x = 0, have_y = 0;
    for (size_t i = 0; i < info.schema.n_fields; i++) {
        have_x |= strcmp(info.schema.fields[i].name, se->x_column) == 0;
        have_y |= strcmp(info.schema.fields[i].name, se->y_column) == 0;
    }
    CHECK(have_x && have_y);
    dh_table_info_reset(&info);
    CHECK_REQ(read_stats(&st) == 0);
    CHECK_INT(st.exports, 4 + (long)fig->n_tables + (long)fig->n_other_refs);
    dh_figure_release(b, fig);
    dh_figure_free(fig);
    CHECK_REQ(read_stats(&st) == 0);
    CHECK_INT(st.exports, 4);

    /* A duplicate publish and a publish from a non-export are refused. */
    dh_error_clear(&err);
    CHECK_INT(dh_publish_from_ticket(a, &ex_f, &sh_f, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_ALREADY_EXISTS);
    struct dh_ticket fresh;
    CHECK_REQ(dh_ticket_make_shared_random(&fresh, &err) == DH_OK);
    dh_error_clear(&err);
    CHECK_INT(dh_publish_from_ticket(a, &trades, &fresh, &err), DH_EGRPC);
    CHECK_INT(err.grpc_status, DH_GRPC_FAILED_PRECONDITION);
    /* A failed publish_object (unknown source) leaves no export behind. */
    dh_error_clear(&err);
    struct dh_ticket s2, e2;
    CHECK(dh_publish_object(a, &fresh, &s2, &e2, &err) != DH_OK);
    CHECK_INT(err.grpc_status, DH_GRPC_NOT_FOUND);
    /* A failed fetch leaves nothing either. */
    struct dh_ticket none;
    CHECK(dh_export_from_ticket(b, &fresh, &none, &err) != DH_OK);
    CHECK_INT(none.len, 0);
    CHECK_REQ(read_stats(&st) == 0);
    CHECK_INT(st.exports, 4);

    /* 200 probes create nothing. */
    long before = st.exports;
    int ok = 1;
    for (int i = 0; i < 200; i++) {
        const struct dh_ticket *t = i % 3 == 0 ? &sh_t : i % 3 == 1 ? &sh_f : &fresh;
        enum dh_probe_result want = i % 3 == 0   ? DH_PROBE_VALID_TABLE
                                    : i % 3 == 1 ? DH_PROBE_VALID_OTHER
                                                 : DH_PROBE_NOT_FOUND;
        ok &= dh_probe_ticket(b, t, &err) == want;
    }
    CHECK(ok);
    CHECK_REQ(read_stats(&st) == 0);
    CHECK_INT(st.exports, before);

    /* A releases trades: B's probe says invalid; B's own copy stays valid. */
    CHECK_INT(dh_release(a, &ex_t, &err), DH_OK);
    enum dh_probe_result pr = dh_probe_ticket(b, &sh_t, &err);
    CHECK(pr == DH_PROBE_NOT_FOUND || pr == DH_PROBE_FAILED);
    dh_error_clear(&err);
    CHECK_INT(dh_table_info_fetch(b, &bt, &info, &err), DH_OK);
    dh_table_info_reset(&info);
    CHECK_INT(dh_release(a, &ex_t, &err), DH_OK); /* releasing twice is fine */

    /* A's session ends: the figure's shared ticket becomes invalid. */
    CHECK_INT(dh_probe_ticket(b, &sh_f, &err), DH_PROBE_VALID_OTHER);
    dh_session_free(a);
    pr = dh_probe_ticket(b, &sh_f, &err);
    CHECK(pr == DH_PROBE_NOT_FOUND || pr == DH_PROBE_FAILED);

    /* B releases its copies: the server holds nothing more. */
    CHECK_INT(dh_release(b, &bt, &err), DH_OK);
    CHECK_INT(dh_release(b, &bf, &err), DH_OK);
    CHECK_REQ(read_stats(&st) == 0);
    CHECK_INT(st.sessions, 1);
    CHECK_INT(st.exports, 0);
    CHECK_INT(st.shared, 0);
    dh_session_free(b);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: itest_share PORT CTL_FIFO SERVER_OUT\n");
        return 2;
    }
    port = atoi(argv[1]);
    ctl_path = argv[2];
    out_path = argv[3];
    CHECK_RUN(T(test_share));
}
