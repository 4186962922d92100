/* SPDX-License-Identifier: MIT */
/* testutil.h: helpers shared by the unit tests and the fuzz targets (which include it
 * as "../unit/testutil.h"): a flatbuffer walker, an Arrow record-batch body builder
 * and an Arrow IPC stream reader. */
#ifndef DH_TESTUTIL_H
#define DH_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_arrow.h"
#include "dh_fbb.h"
#include "dh_flatbuf.h"

/* ---- flatbuffers ---- */

/* Read fields 0..max_id-1 of t and of every table reachable from it (nested
 * flatbuffers in byte vectors too) every way, at most *budget tables; returns a
 * checksum so nothing is optimised out. */
static inline uint64_t tu_fb_walk(const struct dh_fb_table *t, int max_id, int *budget)
{
    uint64_t sum = 0;
    if (--*budget < 0)
        return sum;
    for (int id = 0; id < max_id; id++) {
        sum += dh_fb_u8(t, id, 1) + (uint64_t)dh_fb_i16(t, id, 2) + dh_fb_u32(t, id, 3) +
               dh_fb_u64(t, id, 4) + (uint64_t)dh_fb_bool(t, id, 0);
        sum += (uint64_t)(dh_fb_f64(t, id, 0.5) != 0) + (uint64_t)(dh_fb_f32(t, id, 0) != 0);
        const char *s;
        size_t n;
        if (dh_fb_string(t, id, &s, &n, NULL) == DH_OK && s && n)
            sum += (uint8_t)s[0] + (uint8_t)s[n - 1];
        const uint8_t *p;
        if (dh_fb_struct(t, id, 16, &p, NULL) == DH_OK && p)
            sum += p[15];
        if (dh_fb_bytes(t, id, &p, &n, NULL) == DH_OK && p && n) {
            sum += p[n - 1];
            struct dh_fb_table nested; /* nested flatbuffers, as Barrage payloads */
            if (dh_fb_root(p, n, &nested, NULL) == DH_OK)
                sum += tu_fb_walk(&nested, max_id, budget);
        }
        struct dh_fb_vector v;
        if (dh_fb_vector_field(t, id, 4, &v, NULL) == DH_OK && v.present) {
            for (size_t i = 0; i < v.n && i < 8; i++) {
                struct dh_fb_table k;
                if (dh_fb_vector_table(&v, i, &k, NULL) == DH_OK)
                    sum += tu_fb_walk(&k, max_id, budget);
                if (dh_fb_vector_string(&v, i, &s, &n, NULL) == DH_OK && n)
                    sum += (uint8_t)s[n - 1];
            }
            if (v.n)
                sum += dh_fb_vector_at(&v, v.n - 1)[3];
        }
        if (dh_fb_vector_field(t, id, 16, &v, NULL) == DH_OK && v.n)
            sum += dh_fb_vector_at(&v, v.n - 1)[15];
        struct dh_fb_table sub;
        if (dh_fb_table_field(t, id, &sub, NULL) == DH_OK && sub.present)
            sum += tu_fb_walk(&sub, max_id, budget);
        uint8_t type;
        if (dh_fb_union(t, id, &type, &sub, NULL) == DH_OK && sub.present)
            sum += tu_fb_walk(&sub, max_id, budget) + type;
    }
    return sum;
}

/* ---- Arrow record-batch bodies ---- */

/* A record batch body under construction: buffers padded to 8, and the FieldNode
 * and Buffer structs (16 bytes each) describing them. Zero-initialise to start. */
struct tu_body {
    uint8_t data[4096];
    size_t len;
    uint8_t nodes[32 * 16];
    size_t nn;
    uint8_t bufs[64 * 16];
    size_t nb;
};

/* Append a FieldNode{length, null_count}. */
static inline void tu_body_node(struct tu_body *b, int64_t length, int64_t nulls)
{
    dh_fbb_put_i64(b->nodes + 16 * b->nn, length);
    dh_fbb_put_i64(b->nodes + 16 * b->nn + 8, nulls);
    b->nn++;
}

/* Append n bytes of p as the next buffer (p may be NULL when n is 0). */
static inline void tu_body_buf(struct tu_body *b, const void *p, size_t n)
{
    dh_fbb_put_i64(b->bufs + 16 * b->nb, (int64_t)b->len);
    dh_fbb_put_i64(b->bufs + 16 * b->nb + 8, (int64_t)n);
    b->nb++;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += (n + 7) & ~(size_t)7;
}

/* ---- Arrow IPC streams ---- */

/* An IPC stream being read: its schema, then one record batch at a time. */
struct tu_stream {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int done; /* the framing ended or failed: no more batches */
    struct dh_ipc_frame fr;
    struct dh_schema schema;
    struct dh_batch batch;
};

/* Start reading buf and decode its schema message. Call tu_stream_close even on
 * failure. */
static inline int tu_stream_open(struct tu_stream *s, const uint8_t *buf, size_t len,
                                 struct dh_error *err)
{
    memset(s, 0, sizeof *s);
    s->buf = buf;
    s->len = len;
    dh_schema_init(&s->schema);
    dh_batch_init(&s->batch);
    int rc = dh_ipc_stream_next(buf, len, &s->pos, &s->fr, err);
    if (rc == DH_OK)
        rc = dh_schema_decode(s->fr.metadata, s->fr.metadata_len, &s->schema, err);
    s->done = rc != DH_OK;
    return rc;
}

/* Decode the next message into s->batch: DH_OK, DH_END, or the error. A batch that
 * fails to decode leaves s->done clear, so a caller may skip it and go on. */
static inline int tu_stream_next(struct tu_stream *s, struct dh_error *err)
{
    int rc = dh_ipc_stream_next(s->buf, s->len, &s->pos, &s->fr, err);
    if (rc != DH_OK) {
        s->done = 1;
        return rc;
    }
    return dh_batch_decode(&s->schema, s->fr.metadata, s->fr.metadata_len, s->fr.body,
                           s->fr.body_len, &s->batch, err);
}

static inline void tu_stream_close(struct tu_stream *s)
{
    dh_batch_reset(&s->batch);
    dh_schema_reset(&s->schema);
}

#endif
