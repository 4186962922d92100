/* SPDX-License-Identifier: MIT */
/* rows_write.c: CSV, TSV, JSON, JSON Lines and Arrow IPC stream output of
 * `dhtui rows`, batch by batch. */
#include "rows_write.h"

#include <stdlib.h>
#include <string.h>

#include "dh_numtext.h"
#include "dh_timetext.h"

/* Arrow IPC encapsulation (Arrow columnar format, "Encapsulated message
 * format"): continuation marker, then the metadata length. */
#define IPC_CONTINUATION 0xFFFFFFFFu

static void put_null(struct rows_writer *w);

/* A JSON key ("name":) this short is copied as one block of this size. */
#define KEY_SLACK 16

/* The bytes that keep a CSV or TSV string from being copied as it is: what
 * the format escapes or quotes, and in the safe mode what the sanitiser
 * rewrites (as rows_out.c decides, byte for byte). */
static void init_special(struct rows_writer *w)
{
    static const char csv[] = ",\"\r\n", tsv[] = "\\\t\n\r";
    if (w->format == CLI_FORMAT_JSON || w->format == CLI_FORMAT_JSONL) {
        /* rows_json_string copies printable ASCII but quote and backslash */
        for (unsigned c = 0; c < 256; c++)
            w->special[c] = c < 0x20 || c >= 0x7F || c == '"' || c == '\\';
        return;
    }
    const char *set = w->format == CLI_FORMAT_TSV ? tsv : csv;
    for (const char *p = set; *p; p++)
        w->special[(unsigned char)*p] = 1;
    if (!w->safe)
        return;
    for (unsigned c = 0; c < 256; c++)
        if ((c < 0x20 && c != '\t' && c != '\n') || c >= 0x7F)
            w->special[c] = 1;
}

int rows_writer_init(struct rows_writer *w, enum cli_rows_format format, int fd,
                     const struct dh_schema *schema, const size_t *cols, size_t n_cols, int safe,
                     const char *null_text, int local_time)
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
    w->plans = calloc(n_cols ? n_cols : 1, sizeof *w->plans);
    if (!w->kinds || !w->key_end || !w->plans || w->out.buf.oom)
        return -1;
    init_special(w);
    if (format == CLI_FORMAT_JSON || format == CLI_FORMAT_JSONL) {
        rows_buf_put(&w->null_field, "null", 4);
        if (w->null_field.oom)
            return -1;
    }
    if (format == CLI_FORMAT_CSV || format == CLI_FORMAT_TSV) {
        /* the text of a null, as put_null writes it, for the fast ops */
        struct rows_buf keep = w->out.buf;
        w->out.buf = (struct rows_buf){0};
        rows_buf_grow(&w->out.buf, 16); /* never NULL, even for an empty null */
        put_null(w);
        w->null_field = w->out.buf;
        w->out.buf = keep;
        if (w->null_field.oom)
            return -1;
    }
    for (size_t k = 0; k < n_cols; k++) {
        const struct dh_field *f = &schema->fields[cols[k]];
        w->kinds[k] = rows_kind_of(f);
        rows_json_string(&w->keys, f->name, strlen(f->name));
        rows_buf_byte(&w->keys, ':');
        w->key_end[k] = w->keys.len;
    }
    rows_buf_grow(&w->keys, KEY_SLACK); /* fixed-size copies of short keys read past the last */
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
    case RK_INT:
    case RK_UINT:
    case RK_FLOAT16:
    case RK_FLOAT32:
    case RK_FLOAT64:
    case RK_BOOL:
    case RK_TIMESTAMP:
    case RK_DATE:
    case RK_TIME: return 1;
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

/* One cell the general way: null check, exact text, quoting or escaping
 * as the format needs. */
static void generic_cell(struct rows_writer *w, const struct dh_column_view *c, int64_t r,
                         enum rows_kind kind)
{
    if (rows_cell_is_null(c, r)) {
        put_null(w);
        return;
    }
    const char *text;
    size_t len;
    if (plain_kind(kind)) { /* formatted straight into the output */
        char *p = rows_buf_room(&w->out.buf, ROWS_VALUE_TMP);
        if (!p)
            return;
        rows_value_text(&w->vctx, c, r, kind, p, &text, &len);
        if (text != p)
            memcpy(p, text, len);
        w->out.buf.len += len;
        return;
    }
    char tmp[ROWS_VALUE_TMP];
    rows_value_text(&w->vctx, c, r, kind, tmp, &text, &len);
    put_field(w, text, len);
}

/* How a column of the current batch is written. The fast ops read the
 * column's buffers directly: the decoder checked them for the batch's
 * length, so no cell re-checks bounds, and the batch's string bytes were
 * checked once for what the format would escape. */
enum cell_op {
    OP_GENERIC, /* generic_cell */
    OP_INT,     /* signed integer, 1 to 8 bytes */
    OP_UINT,    /* unsigned integer, 1 to 8 bytes */
    OP_F64,
    OP_F32,
    OP_BOOL,
    OP_TIMESTAMP, /* 8-byte instant */
    OP_STRING,    /* UTF8 (32-bit offsets), no byte of the batch's data special */
};

/* Room a cell of the fixed ops may take: the longest number or instant text
 * (DH_TIMETEXT_MAX covers DH_NUMTEXT_MAX and the fixed-size copies of
 * dh_timestamp_text) and its separator. */
#define CELL_ROOM (DH_TIMETEXT_MAX + 1)
/* A string this short is copied as one 16-byte block when its bytes are
 * followed by at least that many in the column (no length-dependent call);
 * a string cell takes its length, this slack and two quotes. */
#define SHORT_STRING 16
#define STRING_SLACK (SHORT_STRING + 2)
/* Rows written per reservation of output room. */
#define CHUNK_ROWS 256

/* Bytes of x (8 at a time) that may be special in CSV or TSV: below 0x20,
 * above 0x7E, ',', '"' or '\\' (a superset of every format's and mode's
 * set; the table decides). Classic SWAR: a byte's top bit flags it. */
static uint64_t maybe_special(uint64_t x)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
    uint64_t below = (x - ones * 0x20) & ~x;         /* < 0x20 (or >= 0x80) */
    uint64_t above = (x + ones * (0x7F - 0x7E)) | x; /* > 0x7E */
    uint64_t comma = x ^ (ones * ','), quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
    uint64_t eq =
        ((comma - ones) & ~comma) | ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash);
    return (below | above | eq) & high;
}

/* 1 if no byte of string rows [0, n) is special in this format: eight bytes
 * at a time through maybe_special, the byte table where it says maybe. */
static int strings_plain(const struct rows_writer *w, const struct dh_column_view *c, int64_t n)
{
    int64_t a = dh_fb_load_i32(c->offsets), z = dh_fb_load_i32(c->offsets + 4 * (size_t)n);
    const uint8_t *p = c->values;
    unsigned bad = 0;
    int64_t i = a;
    for (; i + 8 <= z && !bad; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        if (maybe_special(x))
            for (int j = 0; j < 8; j++)
                bad |= w->special[p[i + j]];
    }
    for (; i < z; i++)
        bad |= w->special[p[i]];
    return !bad;
}

static int int_width(int w)
{
    return w == 1 || w == 2 || w == 4 || w == 8;
}

/* The op for column c (kind k) over rows [0, n) of this batch. */
static enum cell_op plan_op(const struct rows_writer *w, const struct dh_column_view *c,
                            enum rows_kind k, int64_t n)
{
    if (!c->field || c->length < n || n <= 0 || c->deephaven_nulls ||
        c->field->type == DH_TYPE_NULL || !c->values)
        return OP_GENERIC;
    switch (k) {
    case RK_INT: return int_width(c->value_width) ? OP_INT : OP_GENERIC;
    case RK_UINT: return int_width(c->value_width) ? OP_UINT : OP_GENERIC;
    case RK_FLOAT64: return c->value_width == 8 ? OP_F64 : OP_GENERIC;
    case RK_FLOAT32: return c->value_width == 4 ? OP_F32 : OP_GENERIC;
    case RK_BOOL: return c->field->type == DH_TYPE_BOOL ? OP_BOOL : OP_GENERIC;
    case RK_TIMESTAMP: return c->value_width == 8 ? OP_TIMESTAMP : OP_GENERIC;
    case RK_STRING:
        return c->field->type == DH_TYPE_UTF8 && c->offsets && strings_plain(w, c, n) ? OP_STRING
                                                                                      : OP_GENERIC;
    default: return OP_GENERIC;
    }
}

/* A fixed-width integer at p, sign- or zero-extended. */
static inline uint64_t load_int(const uint8_t *p, int width, int is_signed)
{
    switch (width) {
    case 1: return is_signed ? (uint64_t)(int64_t)(int8_t)p[0] : p[0];
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return is_signed ? (uint64_t)(int64_t)(int16_t)v : v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

/* A string cell of an OP_STRING column at p (room for its length plus
 * STRING_SLACK); returns the end. The bytes hold nothing the format
 * escapes, so CSV only quotes an empty string and one that starts or ends
 * with a space, by wrapping it (as rows_csv_field does). */
static char *string_cell(const struct rows_writer *w, const struct dh_column_view *c, int64_t r,
                         char *p)
{
    int64_t a = dh_fb_load_i32(c->offsets + 4 * (size_t)r);
    size_t len = (size_t)(dh_fb_load_i32(c->offsets + 4 * (size_t)r + 4) - a);
    const uint8_t *s = c->values + a;
    int quote = w->format != CLI_FORMAT_TSV && (len == 0 || s[0] == ' ' || s[len - 1] == ' ');
    if (quote)
        *p++ = '"';
    if (len <= SHORT_STRING && (size_t)a + SHORT_STRING <= c->values_len)
        memcpy(p, s, SHORT_STRING);
    else if (len)
        memcpy(p, s, len);
    p += len;
    if (quote)
        *p++ = '"';
    return p;
}

/* Cell r of output column k at p, which has room for it (see chunk_room);
 * returns the end, or NULL when out of memory. A generic cell appends
 * through the buffer and asks for `room` again after it. */
static char *put_cell(struct rows_writer *w, size_t k, int64_t r, char *p, size_t room)
{
    const struct rows_cell_plan *pl = &w->plans[k];
    const struct dh_column_view *c = pl->c;
    if (pl->validity && pl->op != OP_GENERIC && !((pl->validity[r >> 3] >> (r & 7)) & 1)) {
        memcpy(p, w->null_field.p, w->null_field.len);
        return p + w->null_field.len;
    }
    const uint8_t *v = c->values;
    switch (pl->op) {
    case OP_INT:
        v += (size_t)r * (size_t)c->value_width;
        return p + dh_i64_text((int64_t)load_int(v, c->value_width, 1), p);
    case OP_UINT:
        v += (size_t)r * (size_t)c->value_width;
        return p + dh_u64_text(load_int(v, c->value_width, 0), p);
    case OP_F64: {
        double d;
        memcpy(&d, v + 8 * (size_t)r, 8);
        return p + dh_double_text(d, p);
    }
    case OP_F32: {
        float f;
        memcpy(&f, v + 4 * (size_t)r, 4);
        return p + dh_float_text(f, p);
    }
    case OP_BOOL: {
        int on = (v[r >> 3] >> (r & 7)) & 1;
        memcpy(p, on ? "true\0\0\0" : "false\0\0", 8);
        return p + (on ? 4 : 5);
    }
    case OP_TIMESTAMP: {
        int64_t t;
        memcpy(&t, v + 8 * (size_t)r, 8);
        return p + dh_timestamp_text(t, c->field->unit, w->vctx.local_time, &w->vctx.zone, p);
    }
    case OP_STRING: return string_cell(w, c, r, p);
    default: {
        struct rows_buf *o = &w->out.buf;
        o->len = (size_t)(p - o->p);
        generic_cell(w, c, r, w->kinds[k]);
        return rows_buf_room(o, room);
    }
    }
}

/* Plan each output column of this batch (see enum cell_op). */
static void plan_batch(struct rows_writer *w, const struct dh_batch *b, int64_t n)
{
    for (size_t k = 0; k < w->n_cols; k++) {
        const struct dh_column_view *c = &b->columns[w->cols[k]];
        struct rows_cell_plan *pl = &w->plans[k];
        pl->c = c;
        pl->op = (int)plan_op(w, c, w->kinds[k], n);
        pl->validity = c->validity;
    }
}

/* Output room rows [r0, r1) can take through put_cell: every cell the
 * longest fixed text or the null, its separator, the strings' bytes (from
 * their offsets) with their slack, and the line ends. */
static size_t chunk_room(const struct rows_writer *w, int64_t r0, int64_t r1)
{
    size_t rows = (size_t)(r1 - r0);
    size_t room = rows * (w->n_cols * (CELL_ROOM + w->null_field.len) + 1);
    for (size_t k = 0; k < w->n_cols; k++) {
        const struct rows_cell_plan *pl = &w->plans[k];
        if (pl->op != OP_STRING)
            continue;
        const uint8_t *o = pl->c->offsets;
        room += (size_t)(dh_fb_load_i32(o + 4 * (size_t)r1) - dh_fb_load_i32(o + 4 * (size_t)r0)) +
                rows * STRING_SLACK;
    }
    return room;
}

/* CSV or TSV lines for rows [0, n), CHUNK_ROWS at a time into room asked
 * for once. */
static void delimited_rows(struct rows_writer *w, const struct dh_batch *b, int64_t n)
{
    char sep = w->format == CLI_FORMAT_TSV ? '\t' : ',';
    struct rows_buf *o = &w->out.buf;
    plan_batch(w, b, n);
    for (int64_t r0 = 0; r0 < n; r0 += CHUNK_ROWS) {
        int64_t r1 = n - r0 < CHUNK_ROWS ? n : r0 + CHUNK_ROWS;
        size_t room = chunk_room(w, r0, r1);
        char *p = rows_buf_room(o, room);
        for (int64_t r = r0; r < r1 && p; r++) {
            for (size_t k = 0; k < w->n_cols && p; k++) {
                if (k)
                    *p++ = sep;
                p = put_cell(w, k, r, p, room);
            }
            if (p)
                *p++ = '\n';
        }
        if (!p)
            return;
        o->len = (size_t)(p - o->p);
        if (rows_out_maybe_flush(&w->out) != 0)
            return;
    }
}

/* An integer as JSON: quoted beyond +-2^53 (json_integer in rows_value.c). */
static char *json_int_cell(char *p, uint64_t v, int is_signed)
{
    const uint64_t safe = UINT64_C(1) << 53;
    int big = is_signed ? (int64_t)v > (int64_t)safe || (int64_t)v < -(int64_t)safe : v > safe;
    if (big)
        *p++ = '"';
    p += is_signed ? dh_i64_text((int64_t)v, p) : dh_u64_text(v, p);
    if (big)
        *p++ = '"';
    return p;
}

/* A float's text as JSON (json_float in rows_value.c): the non-numbers as
 * strings, -0 as -0.0. The text was written at p; returns its end. */
static char *json_float_fix(char *p, size_t n)
{
    if (p[0] == 'N' || p[0] == 'I' || p[1] == 'I') { /* NaN, Infinity, -Infinity */
        memmove(p + 1, p, n);
        p[0] = '"';
        p[n + 1] = '"';
        return p + n + 2;
    }
    if (n == 2 && p[0] == '-' && p[1] == '0') {
        memcpy(p, "-0.0", 4);
        return p + 4;
    }
    return p + n;
}

/* Cell r of output column k as a JSON value at p, like put_cell. */
static char *put_json_cell(struct rows_writer *w, size_t k, int64_t r, char *p, size_t room)
{
    const struct rows_cell_plan *pl = &w->plans[k];
    const struct dh_column_view *c = pl->c;
    if (pl->validity && pl->op != OP_GENERIC && !((pl->validity[r >> 3] >> (r & 7)) & 1)) {
        memcpy(p, "null", 4);
        return p + 4;
    }
    const uint8_t *v = c->values;
    switch (pl->op) {
    case OP_INT:
        return json_int_cell(p, load_int(v + (size_t)r * (size_t)c->value_width, c->value_width, 1),
                             1);
    case OP_UINT:
        return json_int_cell(p, load_int(v + (size_t)r * (size_t)c->value_width, c->value_width, 0),
                             0);
    case OP_F64: {
        double d;
        memcpy(&d, v + 8 * (size_t)r, 8);
        return json_float_fix(p, dh_double_text(d, p));
    }
    case OP_F32: {
        float f;
        memcpy(&f, v + 4 * (size_t)r, 4);
        return json_float_fix(p, dh_float_text(f, p));
    }
    case OP_BOOL: {
        int on = (v[r >> 3] >> (r & 7)) & 1;
        memcpy(p, on ? "true\0\0\0" : "false\0\0", 8);
        return p + (on ? 4 : 5);
    }
    case OP_TIMESTAMP: { /* ISO 8601 text needs no escaping */
        int64_t t;
        memcpy(&t, v + 8 * (size_t)r, 8);
        *p = '"';
        p += 1 + dh_timestamp_text(t, c->field->unit, w->vctx.local_time, &w->vctx.zone, p + 1);
        *p++ = '"';
        return p;
    }
    case OP_STRING: { /* printable ASCII but quote and backslash: as it is */
        int64_t a = dh_fb_load_i32(c->offsets + 4 * (size_t)r);
        size_t len = (size_t)(dh_fb_load_i32(c->offsets + 4 * (size_t)r + 4) - a);
        *p++ = '"';
        if (len <= SHORT_STRING && (size_t)a + SHORT_STRING <= c->values_len)
            memcpy(p, v + a, SHORT_STRING);
        else if (len)
            memcpy(p, v + a, len);
        p += len;
        *p++ = '"';
        return p;
    }
    default: {
        struct rows_buf *o = &w->out.buf;
        o->len = (size_t)(p - o->p);
        rows_value_json(&w->vctx, o, c, r, w->kinds[k]);
        return rows_buf_room(o, room);
    }
    }
}

/* One JSON object per row: array members (json) or lines (jsonl),
 * CHUNK_ROWS at a time into room asked for once, like delimited_rows. */
static void json_rows(struct rows_writer *w, const struct dh_batch *b, int64_t n)
{
    struct rows_buf *o = &w->out.buf;
    int jsonl = w->format == CLI_FORMAT_JSONL;
    plan_batch(w, b, n);
    for (int64_t r0 = 0; r0 < n; r0 += CHUNK_ROWS) {
        int64_t r1 = n - r0 < CHUNK_ROWS ? n : r0 + CHUNK_ROWS;
        /* the keys, braces, commas and the row separator on top of the cells */
        size_t room = chunk_room(w, r0, r1) + (size_t)(r1 - r0) * (w->keys.len + KEY_SLACK + 4);
        char *p = rows_buf_room(o, room);
        for (int64_t r = r0; r < r1 && p; r++) {
            if (!jsonl) {
                if (w->rows + r)
                    *p++ = ',';
                *p++ = '\n';
            }
            *p++ = '{';
            size_t key_start = 0;
            for (size_t k = 0; k < w->n_cols && p; k++) {
                if (k)
                    *p++ = ',';
                size_t klen = w->key_end[k] - key_start;
                memcpy(p, w->keys.p + key_start, klen <= KEY_SLACK ? KEY_SLACK : klen);
                p += klen;
                key_start = w->key_end[k];
                p = put_json_cell(w, k, r, p, room);
            }
            if (!p)
                break;
            *p++ = '}';
            if (jsonl)
                *p++ = '\n';
        }
        if (!p)
            return;
        o->len = (size_t)(p - o->p);
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
        for (size_t i = 0; raw && i < raw->n_dicts; i++) /* the dictionaries it reads */
            put_ipc_message(&w->out.buf, raw->dicts[i].header, raw->dicts[i].hlen,
                            raw->dicts[i].body, raw->dicts[i].blen);
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
    free(w->plans);
    rows_buf_free(&w->null_field);
}
