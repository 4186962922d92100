/* SPDX-License-Identifier: MIT */
/* table_stream.c: a table's rows streamed record batch by record batch from one
 * Barrage viewport snapshot (dh_table_stream in dh_table.h). FlightData is
 * split in place and batches borrow the received bytes: no copy of the body.
 * After the schema, a reader thread keeps receiving while the caller works on
 * a batch (up to PREFETCH_MESSAGES ahead): reading only between batches would
 * let gRPC's flow-control window shrink and stall the server on every one. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dh_barrage.h"
#include "dh_session.h"
#include "dh_table.h"
#include "dh_transport.h"
#include "table_internal.h"

/* FlightData field numbers (Flight.proto). */
enum { FD_HEADER = 2, FD_APP_METADATA = 3, FD_BODY = 1000 };

/* Messages received ahead of the caller: bounds memory (a few batches). */
#define PREFETCH_MESSAGES 4

/* The reader thread's queue of received messages. */
struct prefetch {
    pthread_t thread;
    int running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct dh_buf q[PREFETCH_MESSAGES];
    size_t head, n;
    int done; /* the stream ended: rc and err say how */
    int rc;
    struct dh_error err;
    int stop; /* the owner is closing: drop what comes */
};

struct dh_table_stream {
    struct dh_stream *call;
    struct dh_cancel *cancel; /* the caller's switch (may be NULL), attached while open */
    int64_t first, left;      /* rows still to hand out */
    int64_t table_size;       /* from Barrage metadata; -1 until known */
    size_t n_messages;
    struct dh_schema schema;
    uint8_t *schema_header; /* the Schema message as received */
    size_t schema_hlen;
    struct dh_buf msg; /* the message the current batch borrows from */
    struct dh_batch batch;
    int ended;
    struct prefetch pf;
    /* DictionaryBatch messages since the last batch handed out, copied (each
     * message one block: header then body), for dh_raw_message.dicts */
    struct dh_raw_message *dicts;
    size_t n_dicts, cap_dicts;
};

/* Forget the dictionary messages handed out with the previous batch. */
static void dicts_clear(struct dh_table_stream *st)
{
    for (size_t i = 0; i < st->n_dicts; i++)
        free((void *)(uintptr_t)st->dicts[i].header);
    st->n_dicts = 0;
}

/* Apply a DictionaryBatch to the schema and keep a copy for raw readers. */
static int take_dictionary(struct dh_table_stream *st, const struct dh_flight_parts *fp,
                           struct dh_error *err)
{
    int rc = dh_schema_apply_dictionary(&st->schema, fp->header, fp->hlen, fp->body, fp->blen, err);
    if (rc != DH_OK)
        return rc;
    struct dh_raw_message *grown =
        dh_grow_array(st->dicts, st->n_dicts, &st->cap_dicts, sizeof *grown, 4);
    uint8_t *copy = malloc(fp->hlen + fp->blen + 1);
    if (!grown || !copy) {
        free(copy);
        return dh_error_set(err, DH_ENOMEM, "out of memory keeping a dictionary message");
    }
    st->dicts = grown;
    memcpy(copy, fp->header, fp->hlen);
    if (fp->blen)
        memcpy(copy + fp->hlen, fp->body, fp->blen);
    st->dicts[st->n_dicts++] =
        (struct dh_raw_message){copy, fp->hlen, copy + fp->hlen, fp->blen, NULL, 0};
    return DH_OK;
}

/* Read a protobuf varint at p[*i..n); 0 when it runs off the end or is too long. */
static int read_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64 && *i < n; shift += 7) {
        uint8_t b = p[(*i)++];
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return 1;
    }
    return 0;
}

int dh_flight_data_split(const uint8_t *p, size_t n, struct dh_flight_parts *out,
                         struct dh_error *err)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < n) {
        uint64_t key, len;
        if (!read_varint(p, n, &i, &key))
            return dh_error_set(err, DH_EINVAL, "malformed FlightData from server");
        unsigned wire = (unsigned)(key & 7);
        if (wire == 0) {
            if (!read_varint(p, n, &i, &len))
                return dh_error_set(err, DH_EINVAL, "malformed FlightData from server");
            continue;
        }
        if (wire == 1 || wire == 5) {
            size_t w = wire == 1 ? 8 : 4;
            if (n - i < w)
                return dh_error_set(err, DH_EINVAL, "malformed FlightData from server");
            i += w;
            continue;
        }
        if (wire != 2 || !read_varint(p, n, &i, &len) || len > n - i)
            return dh_error_set(err, DH_EINVAL, "malformed FlightData from server");
        const uint8_t *v = p + i;
        switch (key >> 3) {
        case FD_HEADER:
            out->header = v;
            out->hlen = (size_t)len;
            break;
        case FD_APP_METADATA:
            out->md = v;
            out->mdlen = (size_t)len;
            break;
        case FD_BODY:
            out->body = v;
            out->blen = (size_t)len;
            break;
        default: break;
        }
        i += (size_t)len;
    }
    return DH_OK;
}

/* Take the table size from Barrage metadata, if the message carries any. */
static int take_metadata(struct dh_table_stream *st, const struct dh_flight_parts *fp,
                         struct dh_error *err)
{
    struct dh_barrage_update u;
    int rc = dh_update_from_metadata(fp->md, fp->mdlen, &u, err);
    if (rc != DH_OK)
        return rc == DH_END ? DH_OK : rc;
    if (u.has_table_size)
        st->table_size = u.table_size;
    return DH_OK;
}

/* Rows of the batch that lie inside what was asked for and inside the table. */
static int64_t rows_to_hand_out(const struct dh_table_stream *st, int64_t length)
{
    int64_t n = length < st->left ? length : st->left;
    if (st->table_size >= 0) {
        int64_t done = st->first; /* position of the batch's first row */
        int64_t avail = st->table_size > done ? st->table_size - done : 0;
        if (n > avail)
            n = avail;
    }
    return n < 0 ? 0 : n;
}

/* The reader thread: receive into the queue until the stream ends or the
 * owner stops it. */
static void *prefetch_main(void *arg)
{
    struct dh_table_stream *st = arg;
    struct prefetch *p = &st->pf;
    for (;;) {
        struct dh_buf m = {0};
        struct dh_error e;
        dh_error_clear(&e);
        int rc = dh_stream_read(st->call, &m, &e);
        pthread_mutex_lock(&p->mu);
        while (rc == DH_OK && p->n == PREFETCH_MESSAGES && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (rc != DH_OK || p->stop) {
            p->done = 1;
            p->rc = p->stop ? DH_ECANCELLED : rc;
            p->err = e;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            dh_buf_reset(&m);
            return NULL;
        }
        p->q[(p->head + p->n++) % PREFETCH_MESSAGES] = m;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Start the reader thread; without one, messages are read inline. */
static void prefetch_start(struct dh_table_stream *st)
{
    struct prefetch *p = &st->pf;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->running = pthread_create(&p->thread, NULL, prefetch_main, st) == 0;
}

/* Stop and join the reader thread (cancelling the call so a blocked read
 * returns), and drop what it queued. */
static void prefetch_stop(struct dh_table_stream *st)
{
    struct prefetch *p = &st->pf;
    if (!p->running)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    int done = p->done;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (!done)
        dh_stream_cancel(st->call);
    pthread_join(p->thread, NULL);
    for (; p->n > 0; p->n--, p->head = (p->head + 1) % PREFETCH_MESSAGES)
        dh_buf_reset(&p->q[p->head]);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    p->running = 0;
}

/* The next received message: from the reader thread's queue, else straight
 * from the call. DH_OK, DH_END or the call's error. */
static int fetch_message(struct dh_table_stream *st, struct dh_buf *out, struct dh_error *err)
{
    struct prefetch *p = &st->pf;
    if (!p->running)
        return dh_stream_read(st->call, out, err);
    pthread_mutex_lock(&p->mu);
    while (p->n == 0 && !p->done)
        pthread_cond_wait(&p->cv, &p->mu);
    int rc = DH_OK;
    if (p->n > 0) {
        *out = p->q[p->head];
        p->head = (p->head + 1) % PREFETCH_MESSAGES;
        p->n--;
        pthread_cond_broadcast(&p->cv);
    } else {
        rc = p->rc;
        if (err && rc != DH_END)
            *err = p->err;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Read messages until a Schema or RecordBatch (or the end). DH_OK with the
 * message's parts (pointing into st->msg), DH_END, or an error. */
static int read_message(struct dh_table_stream *st, struct dh_flight_parts *fp,
                        struct dh_ipc_message *ipc, struct dh_error *err)
{
    for (;;) {
        dh_buf_reset(&st->msg);
        int rc = fetch_message(st, &st->msg, err);
        if (rc != DH_OK)
            return rc;
        st->n_messages++;
        rc = dh_flight_data_split(st->msg.data, st->msg.len, fp, err);
        if (rc == DH_OK)
            rc = take_metadata(st, fp, err);
        if (rc != DH_OK)
            return rc;
        if (fp->hlen == 0)
            continue; /* metadata only */
        rc = dh_ipc_message_decode(fp->header, fp->hlen, ipc, err);
        if (rc != DH_OK)
            return rc;
        if (ipc->kind == DH_IPC_SCHEMA || ipc->kind == DH_IPC_RECORD_BATCH)
            return DH_OK;
        if (ipc->kind == DH_IPC_DICTIONARY_BATCH) { /* for the record batches after it */
            rc = take_dictionary(st, fp, err);
            if (rc != DH_OK)
                return rc;
            continue;
        }
        return dh_error_set(err, DH_ENOTSUP,
                            "expected Arrow record batches but message %zu has header type %d",
                            st->n_messages, (int)ipc->kind);
    }
}

/* Read up to the Schema message and keep it. */
static int read_schema(struct dh_table_stream *st, struct dh_error *err)
{
    struct dh_flight_parts fp;
    struct dh_ipc_message ipc;
    int rc = read_message(st, &fp, &ipc, err);
    if (rc == DH_END)
        return dh_error_set(err, DH_EINVAL,
                            "expected an Arrow Schema message but the stream ended after %zu "
                            "messages",
                            st->n_messages);
    if (rc != DH_OK)
        return rc;
    if (ipc.kind != DH_IPC_SCHEMA)
        return dh_error_before_schema(err, st->n_messages, ipc.kind);
    rc = dh_take_schema_message(0, st->n_messages, fp.header, fp.hlen, &st->schema, err);
    if (rc != DH_OK)
        return rc;
    st->schema_header = malloc(fp.hlen);
    if (!st->schema_header)
        return dh_error_set(err, DH_ENOMEM, "out of memory keeping a schema");
    memcpy(st->schema_header, fp.header, fp.hlen);
    st->schema_hlen = fp.hlen;
    return DH_OK;
}

/* Send the request and half-close; on a failed write the server's own
 * status says more. */
static int send_request(struct dh_table_stream *st, const struct dh_ticket *t, int64_t first,
                        int64_t count, const struct dh_column_set *cols, int64_t batch_rows,
                        struct dh_error *err)
{
    if (batch_rows <= 0)
        batch_rows = DH_TABLE_BATCH_SIZE;
    if (batch_rows > INT32_MAX)
        batch_rows = INT32_MAX;
    uint8_t *req = NULL;
    size_t req_len = 0;
    int rc = dh_snapshot_request_sized(t, first, count, cols, (int32_t)batch_rows, 0, &req,
                                       &req_len, err);
    if (rc != DH_OK)
        return rc;
    rc = dh_stream_write_bytes(st->call, req, req_len, err);
    free(req);
    if (rc == DH_OK)
        rc = dh_stream_writes_done(st->call, err);
    if (rc != DH_OK && err) {
        dh_prefer_final_status(st->call, err);
        rc = err->code != DH_OK ? err->code : rc;
    }
    return rc;
}

int dh_table_stream_open(struct dh_session *s, const struct dh_ticket *t, int64_t first,
                         int64_t count, const struct dh_column_set *cols, int64_t batch_rows,
                         struct dh_cancel *cancel, struct dh_table_stream **out,
                         struct dh_error *err)
{
    *out = NULL;
    struct dh_table_stream *st = calloc(1, sizeof *st);
    if (!st)
        return dh_error_set(err, DH_ENOMEM, "out of memory opening a row stream");
    st->first = first;
    st->left = count;
    st->table_size = -1;
    st->cancel = cancel;
    dh_schema_init(&st->schema);
    dh_batch_init(&st->batch);
    char what[192];
    dh_ticket_describe(what, sizeof what, "Reading rows of", t);
    struct dh_error e;
    dh_error_clear(&e);
    st->call = dh_stream_open(dh_session_channel(s), dh_session_bearer(s), DH_M_DO_EXCHANGE, NULL,
                              0, 0, what, &e);
    int rc = st->call ? DH_OK : (e.code != DH_OK ? e.code : DH_EGRPC);
    if (rc == DH_OK) {
        rc = dh_cancel_attach(cancel, st->call, &e);
        if (rc == DH_OK)
            rc = send_request(st, t, first, count, cols, batch_rows, &e);
    }
    if (rc == DH_OK)
        rc = read_schema(st, &e);
    if (rc == DH_OK)
        prefetch_start(st);
    if (rc != DH_OK) {
        if (err)
            *err = e;
        dh_table_stream_free(st);
        return rc;
    }
    *out = st;
    return DH_OK;
}

const struct dh_schema *dh_table_stream_schema(const struct dh_table_stream *st)
{
    return &st->schema;
}

void dh_table_stream_schema_message(const struct dh_table_stream *st, const uint8_t **header,
                                    size_t *hlen)
{
    *header = st->schema_header;
    *hlen = st->schema_hlen;
}

int dh_table_stream_next(struct dh_table_stream *st, const struct dh_batch **batch,
                         struct dh_raw_message *raw, struct dh_error *err)
{
    *batch = NULL;
    dh_batch_reset(&st->batch);
    dicts_clear(st);
    while (!st->ended) {
        struct dh_flight_parts fp;
        struct dh_ipc_message ipc;
        int rc = read_message(st, &fp, &ipc, err);
        if (rc == DH_END) {
            st->ended = 1;
            break;
        }
        if (rc != DH_OK)
            return rc;
        if (ipc.kind == DH_IPC_SCHEMA)
            return dh_error_set(err, DH_EINVAL,
                                "expected one Arrow Schema message but message %zu is another",
                                st->n_messages);
        if (st->left <= 0)
            continue; /* beyond what we asked for: drained, not decoded */
        rc = dh_batch_decode_borrowed(&st->schema, fp.header, fp.hlen, fp.body, fp.blen, &st->batch,
                                      err);
        if (rc != DH_OK)
            return rc;
        int64_t n = rows_to_hand_out(st, st->batch.length);
        if (n <= 0) {
            dh_batch_reset(&st->batch);
            continue;
        }
        st->batch.length = n;
        st->first += n;
        st->left -= n;
        *batch = &st->batch;
        if (raw)
            *raw = (struct dh_raw_message){fp.header, fp.hlen,   fp.body,
                                           fp.blen,   st->dicts, st->n_dicts};
        return DH_OK;
    }
    return DH_END;
}

int dh_table_stream_received(struct dh_table_stream *st)
{
    struct prefetch *p = &st->pf;
    if (!p->running)
        return st->ended;
    pthread_mutex_lock(&p->mu);
    int done = p->done;
    pthread_mutex_unlock(&p->mu);
    return done;
}

void dh_table_stream_free(struct dh_table_stream *st)
{
    if (!st)
        return;
    prefetch_stop(st);
    if (st->call) {
        if (!st->ended)
            dh_stream_cancel(st->call);
        dh_cancel_detach(st->cancel, st->call);
        dh_stream_free(st->call);
    }
    dh_batch_reset(&st->batch);
    dh_buf_reset(&st->msg);
    dh_schema_reset(&st->schema);
    dicts_clear(st);
    free(st->dicts);
    free(st->schema_header);
    free(st);
}
