/* SPDX-License-Identifier: MIT */
/* encode_barrage.c: DoGet streams and Barrage snapshots (DoExchange) of catalogue
 * tables, split into snapshot chunks and record batches the way Deephaven does
 * (BarrageUtil.createAndSendSnapshot / createAndSendStaticSnapshot,
 * BarrageMessageWriterImpl.SnapshotView and processBatches). The batch writer and the
 * schema message are shared with live subscriptions (subscription.h). */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh_barrage.h"
#include "dh_rowset.h"
#include "encode_arrow.h"
#include "subscription.h"

/* BarrageUtil.MIN_SNAPSHOT_CELL_COUNT / MAX_SNAPSHOT_CELL_COUNT: a static table is
 * snapshotted in chunks of about this many cells. Upstream grows the chunk by timing;
 * here it grows 4x per chunk, deterministically. */
#define DEMO_MIN_SNAPSHOT_CELLS 8192
#define DEMO_MAX_SNAPSHOT_CELLS (1 << 24)
/* BarrageMessageWriterImpl.DEFAULT_INITIAL_BATCH_SIZE: the first batch of a chunk. */
#define DEMO_INITIAL_BATCH_ROWS 4096
/* Ours: no chunk or batch has more rows, so memory stays bounded per batch. */
#define DEMO_MAX_BATCH_ROWS 65536
/* BarrageMessageWriterImpl.DEFAULT_MESSAGE_SIZE_LIMIT. */
#define DEMO_MAX_MESSAGE_SIZE (100 * 1024 * 1024)
/* Bytes of FlightData framing around header, metadata and body (tags and lengths). */
#define DEMO_FLIGHTDATA_OVERHEAD 24

/* What one snapshot asks for, after parsing. */
struct snap_req {
    int has_viewport;
    struct dh_rowset requested; /* the viewport as requested (positions; may pass the end) */
    int reverse;
    struct demo_batch_opts opts; /* columns, nulls, batch and message size limits */
};

/* State shared by the chunks of one snapshot. */
struct snap {
    const struct demo_object *t;
    const struct snap_req *req;
    int64_t size;            /* table size, sampled once */
    int64_t seq;             /* first_seq = last_seq */
    struct dh_rowset target; /* positions to send, ascending, all below size */
    struct dh_rowset so_far; /* positions sent in earlier chunks and this one */
    struct dh_rowset chunk;  /* positions of the current chunk */
    uint8_t *added_rows;     /* the whole table's rowset, encoded once */
    size_t added_rows_len;
    demo_emit_fn emit;
    void *ctx;
    char *err;
};

static int fail_dh(char *err, const char *status, const struct dh_error *e)
{
    if (err)
        snprintf(err, DEMO_ERR_MAX, "%.60s: %.180s", status, e->msg);
    return -1;
}

static int oom(char *err)
{
    return demo_fail(err, "RESOURCE_EXHAUSTED: out of memory encoding a snapshot");
}

/* ---- chunk metadata (BarrageMessageWriterImpl.SnapshotView.getSnapshotMetadata) ---- */

static int encode_rowset(const struct dh_rowset *rs, uint8_t **out, size_t *len, char *err)
{
    struct dh_error e;
    if (dh_rowset_encode(rs, out, len, &e) != DH_OK)
        return fail_dh(err, "RESOURCE_EXHAUSTED", &e);
    return 0;
}

/* The wrapped BarrageUpdateMetadata for the current chunk; last says whether it is the
 * snapshot's final chunk (which echoes the requested viewport rather than the rows
 * covered so far). */
static int chunk_metadata(struct snap *s, int last, uint8_t **out, size_t *len)
{
    static const uint8_t empty_shifts[3] = {0x20, 0x20, 0x20}; /* three empty RowSets */
    uint8_t *viewport = NULL, *included = NULL;
    size_t viewport_len = 0, included_len = 0;
    int rc = 0;
    /* effective_viewport: intermediate chunks of a static snapshot carry the positions
     * covered so far; the last carries the request's viewport (absent: none). */
    if (!last)
        rc = encode_rowset(&s->so_far, &viewport, &viewport_len, s->err);
    else if (s->req->has_viewport)
        rc = encode_rowset(&s->req->requested, &viewport, &viewport_len, s->err);
    if (rc == 0)
        rc = encode_rowset(&s->chunk, &included, &included_len, s->err);
    if (rc == 0) {
        struct dh_barrage_update u;
        struct dh_error e;
        memset(&u, 0, sizeof u);
        u.first_seq = u.last_seq = s->seq;
        u.is_snapshot = 1;
        u.effective_viewport = viewport;
        u.effective_viewport_len = viewport_len;
        u.effective_reverse_viewport = last && s->req->reverse; /* so_far is forward */
        u.effective_column_set = s->req->opts.cols;
        u.effective_column_set_len = s->req->opts.cols_len;
        u.added_rows = s->added_rows; /* the whole table (rowsAdded) */
        u.added_rows_len = s->added_rows_len;
        u.shift_data = empty_shifts; /* no shifts, but a valid structure */
        u.shift_data_len = sizeof empty_shifts;
        u.added_rows_included = included; /* keys = positions: tables are flat */
        u.added_rows_included_len = included_len;
        if (dh_barrage_encode_update(&u, NULL, 0, out, len, &e) != DH_OK)
            rc = fail_dh(s->err, "RESOURCE_EXHAUSTED", &e);
    }
    free(viewport);
    free(included);
    return rc;
}

/* ---- batches (processBatches) ---- */

static size_t msg_bytes(const struct demo_flight_msg *m)
{
    return m->header_len + m->body_len + m->app_metadata_len + DEMO_FLIGHTDATA_OVERHEAD;
}

static int emit_msg(demo_emit_fn emit, void *ctx, struct demo_flight_msg *m, char *err)
{
    int stop = emit(ctx, m);
    demo_flight_msg_clear(m);
    if (stop)
        return demo_fail(err, "CANCELLED: the client went away");
    return 0;
}

/* Fill out with up to max positions of rows starting at its position `from` (an index
 * into its ascending positions); returns how many. */
static size_t rowset_positions(const struct dh_rowset *rows, int64_t from, int64_t *out, size_t max)
{
    size_t n = 0;
    int64_t skip = from;
    for (size_t r = 0; r < rows->n && n < max; r++) {
        int64_t lo = rows->ranges[r].lo, hi = rows->ranges[r].hi;
        int64_t len = hi - lo + 1;
        if (skip >= len) {
            skip -= len;
            continue;
        }
        for (int64_t p = lo + skip; p <= hi && n < max; p++)
            out[n++] = p;
        skip = 0;
    }
    return n;
}

/* The next batch size after a batch of `rows` rows took `bytes` (processBatches). */
static size_t next_batch_size(size_t cur, size_t max_batch, size_t max_msg, size_t bytes,
                              size_t rows)
{
    size_t per_row = rows ? bytes / rows : 0;
    if (per_row == 0)
        return cur;
    double limit = (double)(max_msg / per_row) * 0.9; /* margin for abnormal cells */
    size_t next = limit < 1.0 ? 1 : (size_t)limit;
    return next < max_batch ? next : max_batch;
}

/* Before a record batch: the whole dictionary of each dictionary-encoded column
 * sent, as a replacement each time (a real server sends deltas, and a full
 * dictionary when the viewport changes: both read the same). */
static int send_dictionaries(const struct demo_object *t, const struct demo_batch_opts *o,
                             demo_emit_fn emit, void *ctx, char *err)
{
    for (size_t col = 0; col < demo_table_ncols(t); col++) {
        if (demo_table_col_type(t, col) != DEMO_COL_DICT_STRING ||
            !demo_colset_has(o->cols, o->cols_len, col))
            continue;
        struct demo_flight_msg d;
        int rc = demo_arrow_dictionary_batch(t, col, &d, err);
        if (rc == 0)
            rc = emit_msg(emit, ctx, &d, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int demo_barrage_send_rows(const struct demo_object *t, const struct dh_rowset *rows,
                           const struct demo_batch_opts *o, uint8_t *meta, size_t meta_len,
                           demo_emit_fn emit, void *ctx, char *err)
{
    struct demo_flight_msg m;
    size_t max_batch = o->batch_size > 0 ? (size_t)o->batch_size : SIZE_MAX;
    if (max_batch > DEMO_MAX_BATCH_ROWS)
        max_batch = DEMO_MAX_BATCH_ROWS;
    size_t max_msg = o->max_message_size > 0 ? (size_t)o->max_message_size : DEMO_MAX_MESSAGE_SIZE;
    size_t batch = DEMO_INITIAL_BATCH_ROWS < max_batch ? DEMO_INITIAL_BATCH_ROWS : max_batch;
    int64_t total = rows->size, done = 0;
    /* scratch for one batch's positions: never more than max_batch */
    size_t cap = (uint64_t)total < (uint64_t)max_batch ? (size_t)total : max_batch;
    int64_t *pos = malloc((cap ? cap : 1) * sizeof *pos);
    int rc = pos ? 0 : oom(err);
    /* a message without rows still sends one 0-row batch with its metadata */
    while (rc == 0 && (done < total || meta)) {
        size_t n = rowset_positions(rows, done, pos, batch < cap ? batch : cap);
        rc = demo_arrow_record_batch_cut(t, pos, n, o->cols, o->cols_len, o->use_dh_nulls,
                                         o->list_limit, &m, err);
        if (rc != 0)
            break;
        m.app_metadata = meta;
        m.app_metadata_len = meta ? meta_len : 0;
        size_t bytes = msg_bytes(&m);
        size_t next = next_batch_size(batch, max_batch, max_msg, bytes, n);
        if (bytes >= max_msg && batch > 1 && n > 1) {
            /* too big: drop it and retry smaller (the metadata is kept for the retry) */
            m.app_metadata = NULL;
            demo_flight_msg_clear(&m);
            batch = next < batch ? next : batch / 2;
            continue;
        }
        meta = NULL; /* owned by m now; later batches carry none */
        rc = send_dictionaries(t, o, emit, ctx, err);
        if (rc == 0)
            rc = emit_msg(emit, ctx, &m, err);
        else
            demo_flight_msg_clear(&m);
        done += (int64_t)n;
        batch = next;
    }
    free(meta);
    free(pos);
    return rc;
}

/* Send the current chunk as record batches, the first carrying its metadata. */
static int send_chunk(struct snap *s, int last)
{
    uint8_t *meta;
    size_t meta_len;
    if (chunk_metadata(s, last, &meta, &meta_len) != 0)
        return -1;
    return demo_barrage_send_rows(s->t, &s->chunk, &s->req->opts, meta, meta_len, s->emit, s->ctx,
                                  s->err);
}

/* ---- chunking (createAndSendStaticSnapshot / createAndSendSnapshot) ---- */

/* Move the next `count` positions of target (from position index *pos) into s->chunk. */
static int take_chunk(struct snap *s, int64_t *range, int64_t *offset, int64_t count)
{
    struct dh_error e;
    dh_rowset_clear(&s->chunk);
    while (count > 0 && (size_t)*range < s->target.n) {
        const struct dh_range *r = &s->target.ranges[*range];
        int64_t lo = r->lo + *offset;
        int64_t avail = r->hi - lo + 1;
        int64_t take = avail < count ? avail : count;
        if (dh_rowset_add_range(&s->chunk, lo, lo + take - 1, &e) != DH_OK ||
            dh_rowset_add_range(&s->so_far, lo, lo + take - 1, &e) != DH_OK)
            return oom(s->err);
        count -= take;
        if (take == avail) {
            (*range)++;
            *offset = 0;
        } else {
            *offset += take;
        }
    }
    return 0;
}

static int send_chunks(struct snap *s)
{
    size_t ncols = 0;
    for (size_t c = 0; c < demo_table_ncols(s->t); c++)
        ncols += (size_t)demo_colset_has(s->req->opts.cols, s->req->opts.cols_len, c);
    if (ncols == 0)
        ncols = 1;
    int64_t range = 0, offset = 0, cells = DEMO_MIN_SNAPSHOT_CELLS;
    int64_t left = s->target.size;
    int is_static = demo_object_is_static(s->t);
    /* a static table with nothing to snapshot sends no chunk at all (the target
     * viewport is empty); a ticking one always sends one message */
    if (is_static && left == 0 && !(s->req->has_viewport && s->req->requested.size > 0))
        return 0;
    do {
        int64_t rows = (int64_t)ncols > cells ? 1 : cells / (int64_t)ncols;
        if (rows > DEMO_MAX_BATCH_ROWS)
            rows = DEMO_MAX_BATCH_ROWS;
        if (!is_static)
            rows = left; /* one snapshot message for a refreshing table */
        if (take_chunk(s, &range, &offset, rows) != 0)
            return -1;
        left -= s->chunk.size;
        if (send_chunk(s, left == 0) != 0)
            return -1;
        if (cells < DEMO_MAX_SNAPSHOT_CELLS)
            cells *= 4;
    } while (left > 0);
    return 0;
}

/* Forward positions below size of the requested viewport (reverse: counted from the end). */
static int build_target(struct snap *s)
{
    struct dh_error e;
    const struct snap_req *q = s->req;
    if (!q->has_viewport) {
        if (s->size > 0 && dh_rowset_add_range(&s->target, 0, s->size - 1, &e) != DH_OK)
            return oom(s->err);
        return 0;
    }
    if (!q->reverse) {
        for (size_t i = 0; i < q->requested.n && q->requested.ranges[i].lo < s->size; i++) {
            int64_t hi =
                q->requested.ranges[i].hi < s->size ? q->requested.ranges[i].hi : s->size - 1;
            if (dh_rowset_add_range(&s->target, q->requested.ranges[i].lo, hi, &e) != DH_OK)
                return oom(s->err);
        }
        return 0;
    }
    /* reverse position p is forward position size-1-p; walk from the last range so the
     * forward ranges come out ascending */
    for (size_t i = q->requested.n; i-- > 0;) {
        const struct dh_range *r = &q->requested.ranges[i];
        if (r->lo >= s->size)
            continue;
        int64_t hi = r->hi < s->size ? r->hi : s->size - 1;
        if (dh_rowset_add_range(&s->target, s->size - 1 - hi, s->size - 1 - r->lo, &e) != DH_OK)
            return oom(s->err);
    }
    return 0;
}

int demo_barrage_send_schema(const struct demo_object *t, demo_emit_fn emit, void *ctx, char *err)
{
    struct demo_flight_msg m;
    memset(&m, 0, sizeof m);
    if (demo_arrow_schema_message(t, &m.header, &m.header_len, err) != 0)
        return -1;
    return emit_msg(emit, ctx, &m, err);
}

static int run_snapshot(const struct demo_object *t, const struct snap_req *req, demo_emit_fn emit,
                        void *ctx, char *err)
{
    if (!t || !demo_object_is_table(t))
        return demo_fail(err, "FAILED_PRECONDITION: Ticket is not a subscribable table.");
    struct snap s;
    memset(&s, 0, sizeof s);
    const struct demo_object *now = demo_object_pin(t); /* a live view's rows now */
    s.t = now;
    s.req = req;
    s.size = demo_object_size(now);
    /* static snapshots report NULL_CLOCK_VALUE; a ticking table its tick count */
    s.seq = demo_object_is_static(t) ? -1 : s.size;
    s.emit = emit;
    s.ctx = ctx;
    s.err = err;
    dh_rowset_init(&s.target);
    dh_rowset_init(&s.so_far);
    dh_rowset_init(&s.chunk);
    struct dh_error e;
    int rc = 0;
    if (dh_rowset_encode_range(0, s.size - 1, &s.added_rows, &s.added_rows_len, &e) != DH_OK)
        rc = fail_dh(err, "RESOURCE_EXHAUSTED", &e);
    if (rc == 0)
        rc = build_target(&s);
    if (rc == 0)
        rc = demo_barrage_send_schema(now, emit, ctx, err);
    if (rc == 0)
        rc = send_chunks(&s);
    demo_object_unref(now);
    free(s.added_rows);
    dh_rowset_reset(&s.target);
    dh_rowset_reset(&s.so_far);
    dh_rowset_reset(&s.chunk);
    return rc;
}

int demo_encode_doget(const struct demo_object *t, demo_emit_fn emit, void *ctx, char *err)
{
    /* DoGet uses the default options: all columns, whole table, no Deephaven nulls */
    struct snap_req req;
    memset(&req, 0, sizeof req);
    dh_rowset_init(&req.requested);
    return run_snapshot(t, &req, emit, ctx, err);
}

/* Parse the wrapper of a DoExchange's first message into *q (which views request). */
static int parse_request(const uint8_t *request, size_t request_len, struct snap_req *q, char *err)
{
    struct dh_error e;
    uint8_t type;
    const uint8_t *payload;
    size_t payload_len;
    if (!request ||
        dh_barrage_unwrap(request, request_len, &type, &payload, &payload_len, &e) != DH_OK)
        return demo_fail(err, "INVALID_ARGUMENT: DoExchange requires a BarrageMessageWrapper "
                              "in the first message's app_metadata");
    if (type != DH_BARRAGE_MSG_SNAPSHOT_REQUEST) {
        if (err)
            snprintf(err, DEMO_ERR_MAX, "INVALID_ARGUMENT: unhandled BarrageMessageType: %u",
                     (unsigned)type);
        return -1;
    }
    struct dh_barrage_snapshot_request r;
    if (dh_barrage_decode_snapshot_request(request, request_len, &r, &e) != DH_OK)
        return fail_dh(err, "INVALID_ARGUMENT: malformed BarrageSnapshotRequest", &e);
    if (r.viewport) {
        q->has_viewport = 1;
        if (dh_rowset_decode(r.viewport, r.viewport_len, &q->requested, &e) != DH_OK)
            return fail_dh(err, "INVALID_ARGUMENT: malformed viewport", &e);
    }
    /* BitSet.valueOf: trailing zero bytes carry nothing; the echo is toByteArray */
    q->opts.cols = r.columns;
    q->opts.cols_len = r.columns_len;
    while (q->opts.cols && q->opts.cols_len > 0 && q->opts.cols[q->opts.cols_len - 1] == 0)
        q->opts.cols_len--;
    q->reverse = r.reverse_viewport;
    q->opts.use_dh_nulls = r.use_deephaven_nulls;
    q->opts.batch_size = r.batch_size;
    q->opts.max_message_size = r.max_message_size;
    q->opts.list_limit = r.preview_list_length_limit;
    return 0;
}

int demo_encode_barrage_snapshot(const struct demo_object *t, const uint8_t *request,
                                 size_t request_len, demo_emit_fn emit, void *ctx, char *err)
{
    struct snap_req req;
    memset(&req, 0, sizeof req);
    dh_rowset_init(&req.requested);
    int rc = parse_request(request, request_len, &req, err);
    if (rc == 0)
        rc = run_snapshot(t, &req, emit, ctx, err);
    dh_rowset_reset(&req.requested);
    return rc;
}
