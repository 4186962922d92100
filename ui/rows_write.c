/* SPDX-License-Identifier: MIT */
/* rows_write.c: CSV, TSV, JSON, JSON Lines and Arrow IPC stream output of
 * `dhtui rows`, batch by batch. */
#include "rows_write.h"

#include <stdlib.h>
#include <string.h>

/* Arrow IPC encapsulation (Arrow columnar format, "Encapsulated message
 * format"): continuation marker, then the metadata length. */
#define IPC_CONTINUATION 0xFFFFFFFFu

int rows_writer_init(struct rows_writer *w, enum cli_rows_format format, int fd,
                     const struct dh_schema *schema, const size_t *cols, size_t n_cols,
                     int safe, const char *null_text, int local_time)
{
    memset(w, 0, sizeof *w);
    w->format = format;
    w->safe = safe;
    w->null_text = null_text;
    w->schema = schema;
    w->cols = cols;
    w->n_cols = n_cols;
    w->vctx.local_time = local_time;
    rows_out_init(&w->out, fd);
    w->kinds = calloc(n_cols ? n_cols : 1, sizeof *w->kinds);
    w->key_end = calloc(n_cols ? n_cols : 1, sizeof *w->key_end);
    if (!w->kinds || !w->key_end || w->out.buf.oom)
        return -1;
    for (size_t k = 0; k < n_cols; k++) {
        const struct dh_field *f = &schema->fields[cols[k]];
        w->kinds[k] = rows_kind_of(f);
        rows_json_string(&w->keys, f->name, strlen(f->name));
        rows_buf_byte(&w->keys, ':');
        w->key_end[k] = w->keys.len;
    }
    return w->keys.oom ? -1 : 0;
}

/* Append a little-endian 32-bit integer. */
static void put_u32le(struct rows_buf *b, uint32_t v)
{
    char p[4] = {(char)(v & 0xFF), (char)(v >> 8 & 0xFF), (char)(v >> 16 & 0xFF),
                 (char)(v >> 24 & 0xFF)};
    rows_buf_put(b, p, 4);
}

/* One encapsulated IPC message: marker, metadata length (the flatbuffer
 * padded so the body starts 8-aligned), flatbuffer, padding, body. */
static void put_ipc_message(struct rows_buf *b, const uint8_t *header, size_t hlen,
                            const uint8_t *body, size_t blen)
{
    static const char zeros[8] = {0};
    size_t padded = (hlen + 8 + 7) / 8 * 8 - 8;
    put_u32le(b, IPC_CONTINUATION);
    put_u32le(b, (uint32_t)padded);
    rows_buf_put(b, header, hlen);
    rows_buf_put(b, zeros, padded - hlen);
    if (blen)
        rows_buf_put(b, body, blen);
}

/* Append one field of a delimited format (name or value). */
static void put_field(struct rows_writer *w, const char *s, size_t len)
{
    if (w->format == CLI_FORMAT_TSV)
        rows_tsv_field(&w->out.buf, s, len, w->safe);
    else
        rows_csv_field(&w->out.buf, s, len, w->safe);
}

void rows_writer_begin(struct rows_writer *w, const uint8_t *schema_header, size_t hlen)
{
    struct rows_buf *b = &w->out.buf;
    switch (w->format) {
    case CLI_FORMAT_CSV:
    case CLI_FORMAT_TSV:
        for (size_t k = 0; k < w->n_cols; k++) {
            if (k)
                rows_buf_byte(b, w->format == CLI_FORMAT_TSV ? '\t' : ',');
            const char *name = w->schema->fields[w->cols[k]].name;
            put_field(w, name, strlen(name));
        }
        rows_buf_byte(b, '\n');
        break;
    case CLI_FORMAT_JSON: rows_buf_byte(b, '['); break;
    case CLI_FORMAT_ARROW: put_ipc_message(b, schema_header, hlen, NULL, 0); break;
    default: break;
    }
}

/* 1 for kinds whose text is plain ASCII that never needs quoting or
 * escaping (digits, signs, '.', 'e', ':', 'T', 'Z', NaN, Infinity, true). */
static int plain_kind(enum rows_kind k)
{
    switch (k) {
    case RK_INT: case RK_UINT: case RK_FLOAT16: case RK_FLOAT32: case RK_FLOAT64:
    case RK_BOOL: case RK_TIMESTAMP: case RK_DATE: case RK_TIME: return 1;
    default: return 0;
    }
}

/* A null in CSV (empty unquoted field, or --null) or TSV (\N, or --null). */
static void put_null(struct rows_writer *w)
{
    if (w->null_text)
        put_field(w, w->null_text, strlen(w->null_text));
    else if (w->format == CLI_FORMAT_TSV)
        rows_buf_put(&w->out.buf, "\\N", 2);
}

/* CSV or TSV lines for rows [0, n). */
static void delimited_rows(struct rows_writer *w, const struct dh_batch *b, int64_t n)
{
    char sep = w->format == CLI_FORMAT_TSV ? '\t' : ',';
    char tmp[ROWS_VALUE_TMP];
    for (int64_t r = 0; r < n; r++) {
        for (size_t k = 0; k < w->n_cols; k++) {
            if (k)
                rows_buf_byte(&w->out.buf, sep);
            const struct dh_column_view *c = &b->columns[w->cols[k]];
            if (rows_cell_is_null(c, r)) {
                put_null(w);
                continue;
            }
            const char *text;
            size_t len;
            if (plain_kind(w->kinds[k])) { /* formatted straight into the output */
                char *p = rows_buf_room(&w->out.buf, ROWS_VALUE_TMP);
                if (!p)
                    return;
                rows_value_text(&w->vctx, c, r, w->kinds[k], p, &text, &len);
                if (text != p)
                    memcpy(p, text, len);
                w->out.buf.len += len;
                continue;
            }
            rows_value_text(&w->vctx, c, r, w->kinds[k], tmp, &text, &len);
            put_field(w, text, len);
        }
        rows_buf_byte(&w->out.buf, '\n');
        if (rows_out_maybe_flush(&w->out) != 0)
            return;
    }
}

/* One JSON object per row: array members (json) or lines (jsonl). */
static void json_rows(struct rows_writer *w, const struct dh_batch *b, int64_t n)
{
    struct rows_buf *o = &w->out.buf;
    for (int64_t r = 0; r < n; r++) {
        if (w->format == CLI_FORMAT_JSON)
            rows_buf_put(o, w->rows + r ? ",\n" : "\n", w->rows + r ? 2 : 1);
        rows_buf_byte(o, '{');
        size_t key_start = 0;
        for (size_t k = 0; k < w->n_cols; k++) {
            if (k)
                rows_buf_byte(o, ',');
            rows_buf_put(o, w->keys.p + key_start, w->key_end[k] - key_start);
            key_start = w->key_end[k];
            rows_value_json(&w->vctx, o, &b->columns[w->cols[k]], r, w->kinds[k]);
        }
        rows_buf_byte(o, '}');
        if (w->format == CLI_FORMAT_JSONL)
            rows_buf_byte(o, '\n');
        if (rows_out_maybe_flush(&w->out) != 0)
            return;
    }
}

void rows_writer_batch(struct rows_writer *w, const struct dh_batch *b, int64_t n,
                       const struct dh_raw_message *raw)
{
    if (w->out.error)
        return;
    switch (w->format) {
    case CLI_FORMAT_CSV:
    case CLI_FORMAT_TSV: delimited_rows(w, b, n); break;
    case CLI_FORMAT_JSON:
    case CLI_FORMAT_JSONL: json_rows(w, b, n); break;
    case CLI_FORMAT_ARROW:
        if (raw)
            put_ipc_message(&w->out.buf, raw->header, raw->hlen, raw->body, raw->blen);
        rows_out_maybe_flush(&w->out);
        break;
    default: break;
    }
    w->rows += n;
}

void rows_writer_end(struct rows_writer *w)
{
    if (w->format == CLI_FORMAT_JSON)
        rows_buf_put(&w->out.buf, w->rows ? "\n]\n" : "]\n", w->rows ? 3 : 2);
    if (w->format == CLI_FORMAT_ARROW) {
        put_u32le(&w->out.buf, IPC_CONTINUATION);
        put_u32le(&w->out.buf, 0);
    }
    rows_out_flush(&w->out);
}

int rows_writer_error(const struct rows_writer *w)
{
    return w->out.error;
}

void rows_writer_free(struct rows_writer *w)
{
    rows_out_free(&w->out);
    rows_buf_free(&w->keys);
    rows_buf_free(&w->vctx.scratch);
    free(w->kinds);
    free(w->key_end);
}
