/* SPDX-License-Identifier: MIT */
/* testutil.h: helpers shared by the unit tests and the fuzz targets (which include it
 * as "../unit/testutil.h"): a flatbuffer walker, Arrow message and record-batch
 * body builders, an Arrow IPC stream reader and a golden-file reader. */
#ifndef DH_TESTUTIL_H
#define DH_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- Arrow messages, built with dh_fbb straight from the .fbs field ids ---- */

/* Message header union tags (Message.fbs). */
enum { TU_H_SCHEMA = 1, TU_H_RECORD_BATCH = 3 };

/* A finished flatbuffer copied out of a builder (caller frees p). */
struct tu_bytes {
    uint8_t *p;
    size_t n;
};

/* Finish b with root, copy the bytes out and reset b ({NULL, 0} on failure). */
static inline struct tu_bytes tu_fb_finish(struct dh_fbb *b, uint32_t root)
{
    struct tu_bytes out = {0};
    if (dh_fbb_finish(b, root) == DH_OK)
        out.p = dh_fbb_copy(b, &out.n);
    dh_fbb_reset(b);
    return out;
}

/* Field{name, nullable, type_type, type, children} (Schema.fbs). */
static inline uint32_t tu_fb_field(struct dh_fbb *b, const char *name, uint8_t type_type,
                                   uint32_t type, uint32_t children)
{
    uint32_t n = dh_fbb_create_cstring(b, name);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, 0, n);
    dh_fbb_add_bool(b, 1, 1, 0);
    dh_fbb_add_union(b, 3, type_type, type);
    dh_fbb_add_offset(b, 5, children);
    return dh_fbb_end_table(b);
}

/* A table with no fields (Utf8, Bool, List ... types). */
static inline uint32_t tu_fb_empty_table(struct dh_fbb *b)
{
    dh_fbb_start_table(b);
    return dh_fbb_end_table(b);
}

/* Int{bitWidth, is_signed = true}. */
static inline uint32_t tu_fb_int_type(struct dh_fbb *b, int bits)
{
    dh_fbb_start_table(b);
    dh_fbb_add_i32(b, 0, bits, 0);
    dh_fbb_add_bool(b, 1, 1, 0);
    return dh_fbb_end_table(b);
}

/* Message{version V5, header_type, header, bodyLength}. */
static inline uint32_t tu_fb_message(struct dh_fbb *b, uint8_t type, uint32_t header,
                                     int64_t body_len)
{
    dh_fbb_start_table(b);
    dh_fbb_add_i16(b, 0, 4, 0);
    dh_fbb_add_union(b, 2, type, header);
    dh_fbb_add_i64(b, 3, body_len, 0);
    return dh_fbb_end_table(b);
}

/* The Schema message whose fields are f[0..n), built in b (reset after). */
static inline struct tu_bytes tu_schema_msg(struct dh_fbb *b, const uint32_t *f, size_t n)
{
    uint32_t fields = dh_fbb_create_vector_refs(b, f, n);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, 1, fields);
    uint32_t schema = dh_fbb_end_table(b);
    return tu_fb_finish(b, tu_fb_message(b, TU_H_SCHEMA, schema, 0));
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

/* The RecordBatch message (length rows) describing body r. */
static inline struct tu_bytes tu_rb_msg(const struct tu_body *r, int64_t length)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t nodes = dh_fbb_create_vector(&b, r->nodes, 16, r->nn, 8);
    uint32_t bufs = dh_fbb_create_vector(&b, r->bufs, 16, r->nb, 8);
    dh_fbb_start_table(&b);
    dh_fbb_add_i64(&b, 0, length, 0);
    dh_fbb_add_offset(&b, 1, nodes);
    dh_fbb_add_offset(&b, 2, bufs);
    uint32_t batch = dh_fbb_end_table(&b);
    return tu_fb_finish(&b, tu_fb_message(&b, TU_H_RECORD_BATCH, batch, (int64_t)r->len));
}

/* ---- checking decoded cells ---- */

/* Whether cell i of col (a string or binary column) holds exactly text. */
static inline int tu_cell_is_text(const struct dh_column_view *col, int64_t i, const char *text)
{
    const uint8_t *p;
    size_t n;
    if (dh_column_get_bytes(col, i, &p, &n) != DH_OK)
        return 0;
    return n == strlen(text) && (n == 0 || memcmp(p, text, n) == 0);
}

/* Whether list cell i of col holds the count integers first, first + 1, ... */
static inline int tu_list_is_run(const struct dh_column_view *col, int64_t i, int64_t first,
                                 int64_t count)
{
    int64_t start, n;
    if (dh_column_list_range(col, i, &start, &n) != DH_OK || n != count)
        return 0;
    for (int64_t k = 0; k < n; k++)
        if (dh_column_get_i64(col->child, start + k) != first + k)
            return 0;
    return 1;
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

/* Decode the next record batch into s->batch (DictionaryBatch messages before
 * it are applied to the schema): DH_OK, DH_END, or the error. A message that
 * fails to decode leaves s->done clear, so a caller may skip it and go on. */
static inline int tu_stream_next(struct tu_stream *s, struct dh_error *err)
{
    for (;;) {
        int rc = dh_ipc_stream_next(s->buf, s->len, &s->pos, &s->fr, err);
        if (rc != DH_OK) {
            s->done = 1;
            return rc;
        }
        struct dh_ipc_message m;
        if (dh_ipc_message_decode(s->fr.metadata, s->fr.metadata_len, &m, NULL) == DH_OK &&
            m.kind == DH_IPC_DICTIONARY_BATCH) {
            dh_batch_reset(&s->batch);
            rc = dh_schema_apply_dictionary(&s->schema, s->fr.metadata, s->fr.metadata_len,
                                            s->fr.body, s->fr.body_len, err);
            if (rc != DH_OK)
                return rc;
            continue;
        }
        return dh_batch_decode(&s->schema, s->fr.metadata, s->fr.metadata_len, s->fr.body,
                               s->fr.body_len, &s->batch, err);
    }
}

static inline void tu_stream_close(struct tu_stream *s)
{
    dh_batch_reset(&s->batch);
    dh_schema_reset(&s->schema);
}

/* ---- golden files ---- */

#ifdef DH_TEST_DATA_DIR
/* Read tests/data/golden/<stem><ext> (e.g. "types", ".arrows") into a
 * NUL-terminated buffer of *len bytes (caller frees); NULL when it cannot be
 * opened. */
static inline void *tu_read_golden(const char *stem, const char *ext, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/golden/%s%s", DH_TEST_DATA_DIR, stem, ext);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            char *nb = realloc(buf, cap + 1);
            if (!nb)
                break;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}
#endif

#endif
