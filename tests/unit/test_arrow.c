/* SPDX-License-Identifier: MIT */
/* test_arrow.c: Arrow IPC decoding against golden streams written by apache-arrow
 * (tests/data/golden, made by tests/golden/gen.mjs) and against hand-built
 * messages covering defaults, Deephaven layouts, refusals and malformed input. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_arrow.h"
#include "dh_fbb.h"
#include "dh_format.h"
#include "testutil.h"

/* ---- small helpers ---- */

/* A growing text buffer. */
struct text {
    char *s;
    size_t len, cap;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *ns = realloc(t->s, cap);
        if (!ns)
            return;
        t->s = ns;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void text_hex(struct text *t, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        text_add(t, "%02x", p[i]);
}

static void type_desc_value(struct text *t, const struct dh_field *f);

/* The type description gen.mjs writes (typeDesc). */
static void type_desc(struct text *t, const struct dh_field *f)
{
    if (f->dictionary_encoded) {
        text_add(t, "Dict<");
        type_desc_value(t, f);
        text_add(t, ">");
        return;
    }
    type_desc_value(t, f);
}

static void type_desc_value(struct text *t, const struct dh_field *f)
{
    switch (f->type) {
    case DH_TYPE_INT: text_add(t, "Int%d%c", f->bit_width, f->is_signed ? 's' : 'u'); break;
    case DH_TYPE_FLOAT: text_add(t, "Float%d", f->bit_width); break;
    case DH_TYPE_BOOL: text_add(t, "Bool"); break;
    case DH_TYPE_UTF8: text_add(t, "Utf8"); break;
    case DH_TYPE_LARGE_UTF8: text_add(t, "LargeUtf8"); break;
    case DH_TYPE_BINARY: text_add(t, "Binary"); break;
    case DH_TYPE_TIMESTAMP: text_add(t, "Timestamp(%d,%s)", f->unit, f->timezone); break;
    case DH_TYPE_DATE: text_add(t, "Date(%d)", f->unit); break;
    case DH_TYPE_TIME: text_add(t, "Time(%d,%d)", f->unit, f->bit_width); break;
    case DH_TYPE_DURATION: text_add(t, "Duration(%d)", f->unit); break;
    case DH_TYPE_DECIMAL:
        text_add(t, "Decimal(%d,%d,%d)", f->precision, f->scale, f->bit_width);
        break;
    case DH_TYPE_LIST:
        text_add(t, f->list_size ? "FixedSizeList<" : "List<");
        type_desc(t, f->child);
        text_add(t, ">");
        if (f->list_size)
            text_add(t, "[%d]", f->list_size);
        break;
    case DH_TYPE_INTERVAL: text_add(t, "Interval(%d)", f->unit); break;
    case DH_TYPE_MAP:
        text_add(t, "Map<");
        type_desc(t, &f->child->children[0]);
        text_add(t, ",");
        type_desc(t, &f->child->children[1]);
        text_add(t, f->keys_sorted ? ",sorted>" : ">");
        break;
    case DH_TYPE_STRUCT:
        text_add(t, "Struct<");
        for (size_t i = 0; i < f->n_children; i++) {
            text_add(t, "%s%s:", i ? "," : "", f->children[i].name);
            type_desc(t, &f->children[i]);
        }
        text_add(t, ">");
        break;
    default: text_add(t, "?%s", f->type_name); break;
    }
}

/* One cell as gen.mjs writes it (cellText); floats as ~%.17g (compared numerically). */
static void cell_text(struct text *t, const struct dh_column_view *c, int64_t row)
{
    if (dh_column_is_null(c, row)) {
        text_add(t, "NULL");
        return;
    }
    const uint8_t *p;
    size_t n;
    switch (c->field->type) {
    case DH_TYPE_INT:
        if (c->field->is_signed)
            text_add(t, "%lld", (long long)dh_column_get_i64(c, row));
        else
            text_add(t, "%llu", (unsigned long long)dh_column_get_u64(c, row));
        break;
    case DH_TYPE_BOOL: text_add(t, "%d", dh_column_get_bool(c, row)); break;
    case DH_TYPE_FLOAT: text_add(t, "~%.17g", dh_column_get_f64(c, row)); break;
    case DH_TYPE_UTF8:
    case DH_TYPE_LARGE_UTF8:
    case DH_TYPE_BINARY:
    case DH_TYPE_DECIMAL:
        if (dh_column_get_bytes(c, row, &p, &n) == DH_OK)
            text_hex(t, p, n);
        else
            text_add(t, "ERR");
        break;
    case DH_TYPE_LIST: {
        int64_t start, count;
        dh_column_list_range(c, row, &start, &count);
        text_add(t, "[");
        for (int64_t i = 0; i < count; i++) {
            if (i)
                text_add(t, ";");
            cell_text(t, c->child, start + i);
        }
        text_add(t, "]");
        break;
    }
    case DH_TYPE_MAP: {
        int64_t start, count;
        dh_column_list_range(c, row, &start, &count);
        text_add(t, "{");
        for (int64_t i = 0; i < count; i++) {
            text_add(t, i ? ";" : "");
            cell_text(t, &c->child->children[0], start + i);
            text_add(t, "=");
            cell_text(t, &c->child->children[1], start + i);
        }
        text_add(t, "}");
        break;
    }
    case DH_TYPE_STRUCT:
        text_add(t, "{");
        for (size_t i = 0; i < c->field->n_children; i++) {
            text_add(t, "%s%s=", i ? ";" : "", c->field->children[i].name);
            cell_text(t, &c->children[i], row);
        }
        text_add(t, "}");
        break;
    case DH_TYPE_INTERVAL: {
        struct dh_interval iv;
        if (dh_column_get_interval(c, row, &iv) == DH_OK)
            text_add(t, "%d/%d/%lld", iv.months, iv.days, (long long)iv.nanos);
        else
            text_add(t, "ERR");
        break;
    }
    default: text_add(t, "%lld", (long long)dh_column_get_i64(c, row)); break;
    }
}

/* Read one cell through the same accessors cell_text uses, without formatting it
 * (the mutation test checks memory safety, not text; printing every cell of every
 * mutated stream made it the slowest test under ASan). Returns a fold of the values. */
static uint64_t cell_touch(const struct dh_column_view *c, int64_t row)
{
    if (dh_column_is_null(c, row))
        return 1;
    const uint8_t *p;
    size_t n;
    switch (c->field->type) {
    case DH_TYPE_INT:
        return c->field->is_signed ? (uint64_t)dh_column_get_i64(c, row)
                                   : dh_column_get_u64(c, row);
    case DH_TYPE_BOOL: return (uint64_t)dh_column_get_bool(c, row);
    case DH_TYPE_FLOAT: {
        double d = dh_column_get_f64(c, row);
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return bits;
    }
    case DH_TYPE_UTF8:
    case DH_TYPE_LARGE_UTF8:
    case DH_TYPE_BINARY:
    case DH_TYPE_DECIMAL: {
        if (dh_column_get_bytes(c, row, &p, &n) != DH_OK)
            return 2;
        uint64_t h = n;
        for (size_t i = 0; i < n; i++) /* every byte read, as text_hex does */
            h = h * 31 + p[i];
        return h;
    }
    case DH_TYPE_LIST: {
        int64_t start, count;
        dh_column_list_range(c, row, &start, &count);
        uint64_t h = (uint64_t)count;
        for (int64_t i = 0; i < count; i++)
            h ^= cell_touch(c->child, start + i);
        return h;
    }
    case DH_TYPE_MAP: {
        int64_t start, count;
        dh_column_list_range(c, row, &start, &count);
        uint64_t h = (uint64_t)count;
        for (int64_t i = 0; i < count; i++)
            h ^= cell_touch(&c->child->children[0], start + i) * 3 +
                 cell_touch(&c->child->children[1], start + i);
        return h;
    }
    case DH_TYPE_STRUCT: {
        uint64_t h = 0;
        for (size_t i = 0; i < c->field->n_children; i++)
            h = h * 31 + cell_touch(&c->children[i], row);
        return h;
    }
    default: return (uint64_t)dh_column_get_i64(c, row);
    }
}

/* Whether an actual float text matches the expected JS text numerically. */
static int float_match(const char *want, const char *got)
{
    double a = strtod(want, NULL), b = strtod(got, NULL);
    return (isnan(a) && isnan(b)) || a == b;
}

/* Decode a golden stream and describe it in the .expected format. */
static int describe_stream(const uint8_t *buf, size_t len, struct text *out, struct dh_error *err)
{
    struct tu_stream st;
    int rc = tu_stream_open(&st, buf, len, err);
    const struct dh_schema *schema = &st.schema;
    for (size_t i = 0; rc == DH_OK && i < schema->n_fields; i++) {
        const struct dh_field *f = &schema->fields[i];
        text_add(out, "field,%zu,%s,", i, f->name);
        type_desc(out, f);
        text_add(out, "\n");
        for (size_t k = 0; k < f->n_metadata; k++)
            text_add(out, "fmeta,%zu,%s,%s\n", i, f->metadata[k].key, f->metadata[k].value);
    }
    for (size_t k = 0; rc == DH_OK && k < schema->n_metadata; k++)
        text_add(out, "smeta,%s,%s\n", schema->metadata[k].key, schema->metadata[k].value);
    for (int b = 0; rc == DH_OK; b++) {
        rc = tu_stream_next(&st, err);
        if (rc != DH_OK)
            break;
        const struct dh_batch *batch = &st.batch;
        text_add(out, "batch,%d,%lld\n", b, (long long)batch->length);
        for (size_t c = 0; c < batch->n_columns; c++) {
            for (int64_t r = 0; r < batch->columns[c].length; r++) {
                text_add(out, "cell,%d,%zu,%lld,", b, c, (long long)r);
                cell_text(out, &batch->columns[c], r);
                text_add(out, "\n");
            }
        }
    }
    tu_stream_close(&st);
    return rc == DH_END ? DH_OK : rc;
}

/* Compare actual and expected line by line (floats numerically). */
static int compare_lines(const char *name, const char *got, const char *want)
{
    int line = 1, bad = 0;
    while (*got || *want) {
        size_t gl = strcspn(got, "\n"), wl = strcspn(want, "\n");
        int same = gl == wl && memcmp(got, want, gl) == 0;
        if (!same && gl > 0 && wl > 0) { /* a float cell (~value): same prefix, equal number */
            const char *gv = got + gl, *wv = want + wl;
            while (gv > got && gv[-1] != ',')
                gv--;
            while (wv > want && wv[-1] != ',')
                wv--;
            char gb[64], wb[64];
            size_t gvl = (size_t)(got + gl - gv), wvl = (size_t)(want + wl - wv);
            if (gv - got == wv - want && memcmp(got, want, (size_t)(gv - got)) == 0 && gvl > 1 &&
                gv[0] == '~' && gvl < sizeof gb && wvl < sizeof wb) {
                memcpy(gb, gv + 1, gvl - 1);
                gb[gvl - 1] = '\0';
                memcpy(wb, wv, wvl);
                wb[wvl] = '\0';
                same = strcmp(wb, "NULL") != 0 && float_match(wb, gb);
            }
        }
        if (!same && bad++ < 5)
            fprintf(stderr, "  %s line %d: got '%.*s' want '%.*s'\n", name, line, (int)gl, got,
                    (int)wl, want);
        got += gl + (got[gl] == '\n');
        want += wl + (want[wl] == '\n');
        line++;
    }
    return bad;
}

/* ---- golden streams ---- */

static void check_golden(const char *stem)
{
    size_t len, elen;
    uint8_t *buf = tu_read_golden(stem, ".arrows", &len);
    uint8_t *exp = tu_read_golden(stem, ".expected", &elen);
    CHECK_REQ(buf && exp);
    struct text got = {0};
    struct dh_error err;
    dh_error_clear(&err);
    int rc = describe_stream(buf, len, &got, &err);
    if (rc)
        fprintf(stderr, "  %s: %s\n", stem, err.msg);
    CHECK_INT(rc, DH_OK);
    CHECK_INT(compare_lines(stem, got.s ? got.s : "", (const char *)exp), 0);
    free(got.s);
    free(buf);
    free(exp);
}

static void test_golden_types(void)
{
    check_golden("types");
}
static void test_golden_nonulls(void)
{
    check_golden("nonulls");
}
static void test_golden_empty(void)
{
    check_golden("empty");
}
static void test_golden_sliced(void)
{
    check_golden("sliced");
}
static void test_golden_coverage(void)
{
    check_golden("coverage");
}
static void test_golden_dictionary(void)
{
    check_golden("dictionary");
}
static void test_golden_fixedlist(void)
{
    check_golden("fixedlist");
}
static void test_golden_maps(void)
{
    check_golden("maps");
}
static void test_golden_dhmeta(void)
{
    check_golden("dhmeta");
}

/* Style and format columns are hidden; deephaven:type is exposed. */
static void test_hidden_columns(void)
{
    size_t len;
    uint8_t *buf = tu_read_golden("dhmeta", ".arrows", &len);
    CHECK_REQ(buf);
    size_t pos = 0;
    struct dh_ipc_frame fr;
    struct dh_schema s;
    dh_schema_init(&s);
    CHECK_REQ(dh_ipc_stream_next(buf, len, &pos, &fr, NULL) == DH_OK);
    CHECK_REQ(dh_schema_decode(fr.metadata, fr.metadata_len, &s, NULL) == DH_OK);
    CHECK_REQ(s.n_fields == 5);
    CHECK_INT(s.fields[0].hidden, 0);
    CHECK_INT(s.fields[1].hidden, 1);
    CHECK_INT(s.fields[2].hidden, 1);
    CHECK_INT(s.fields[3].hidden, 1);
    CHECK_INT(s.fields[4].hidden, 0); /* isDateFormat = "false" */
    CHECK_STR(s.fields[0].dh_type, "int");
    CHECK_STR(dh_field_metadata(&s.fields[0], "deephaven:isSortable"), "true");
    CHECK(dh_field_metadata(&s.fields[0], "nope") == NULL);
    CHECK_INT(dh_schema_check_supported(&s, NULL), DH_OK);
    dh_schema_reset(&s);
    dh_schema_reset(&s);
    free(buf);
}

/* Dictionaries are stream state: a record batch read without its delta has
 * an index past the dictionary, one read with no dictionary at all is refused,
 * and messages for dictionaries of no decoded column are passed over. */
static void test_dictionary_state(void)
{
    size_t len;
    uint8_t *buf = tu_read_golden("dictionary", ".arrows", &len);
    CHECK_REQ(buf);
    struct dh_ipc_frame fr[16];
    size_t pos = 0, n = 0;
    struct dh_error err;
    while (n < 16 && dh_ipc_stream_next(buf, len, &pos, &fr[n], &err) == DH_OK)
        n++;
    CHECK_INT(n, 9); /* schema, dict 1, dict 2, rb, delta 1, rb, replacement 1, rb, rb */
    struct dh_schema s;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode(fr[0].metadata, fr[0].metadata_len, &s, &err) == DH_OK);
    CHECK_INT(dh_schema_check_supported(&s, &err), DH_OK);
    CHECK(s.fields[0].dictionary_encoded && s.fields[0].dict_id == 1);
    CHECK_INT(s.fields[0].dict_index_width, 4);
    CHECK_INT(s.fields[1].dict_index_width, 1);
    CHECK_INT(s.fields[1].dict_index_signed, 0);
    struct dh_batch b;
    dh_batch_init(&b);
    CHECK_INT(dh_batch_decode(&s, fr[3].metadata, fr[3].metadata_len, fr[3].body, fr[3].body_len,
                              &b, &err),
              DH_EINVAL);
    CHECK_STR(err.msg, "Arrow record batch: column 'c': dictionary 1 was never sent");
    for (size_t i = 1; i <= 2; i++)
        CHECK_INT(dh_schema_apply_dictionary(&s, fr[i].metadata, fr[i].metadata_len, fr[i].body,
                                             fr[i].body_len, &err),
                  DH_OK);
    CHECK_INT(dh_batch_decode(&s, fr[3].metadata, fr[3].metadata_len, fr[3].body, fr[3].body_len,
                              &b, &err),
              DH_OK);
    CHECK(tu_cell_is_text(&b.columns[0], 1, "blue"));
    CHECK_INT(dh_column_get_i64(&b.columns[1], 3), 9007199254740993LL);
    /* batch 1 without the delta that brings "cyan" (index 3) */
    CHECK_INT(dh_batch_decode(&s, fr[5].metadata, fr[5].metadata_len, fr[5].body, fr[5].body_len,
                              &b, &err),
              DH_EINVAL);
    CHECK_STR(err.msg, "Arrow record batch: column 'c': row 0 has index 3 outside its dictionary "
                       "of 3 values");
    CHECK_INT(dh_schema_apply_dictionary(&s, fr[4].metadata, fr[4].metadata_len, fr[4].body,
                                         fr[4].body_len, &err),
              DH_OK);
    CHECK_INT(dh_batch_decode(&s, fr[5].metadata, fr[5].metadata_len, fr[5].body, fr[5].body_len,
                              &b, &err),
              DH_OK);
    CHECK(tu_cell_is_text(&b.columns[0], 0, "cyan"));
    CHECK(tu_cell_is_text(&b.columns[0], 1, "red"));
    /* a record batch is not a dictionary; a dictionary is not a record batch */
    CHECK_INT(dh_schema_apply_dictionary(&s, fr[5].metadata, fr[5].metadata_len, fr[5].body,
                                         fr[5].body_len, &err),
              DH_EINVAL);
    CHECK_INT(dh_batch_decode(&s, fr[4].metadata, fr[4].metadata_len, fr[4].body, fr[4].body_len,
                              &b, &err),
              DH_ENOTSUP);
    /* the replacement: index 0 is now "x" */
    CHECK_INT(dh_schema_apply_dictionary(&s, fr[6].metadata, fr[6].metadata_len, fr[6].body,
                                         fr[6].body_len, &err),
              DH_OK);
    CHECK_INT(dh_batch_decode(&s, fr[7].metadata, fr[7].metadata_len, fr[7].body, fr[7].body_len,
                              &b, &err),
              DH_OK);
    CHECK(tu_cell_is_text(&b.columns[0], 1, "x"));
    CHECK(dh_column_is_null(&b.columns[0], 3));
    dh_batch_reset(&b);
    /* another schema without dictionary-encoded columns passes them over */
    struct dh_schema plain;
    dh_schema_init(&plain);
    size_t gl;
    uint8_t *gbuf = tu_read_golden("nonulls", ".arrows", &gl);
    struct dh_ipc_frame g;
    size_t gpos = 0;
    CHECK_REQ(gbuf && dh_ipc_stream_next(gbuf, gl, &gpos, &g, &err) == DH_OK);
    CHECK_REQ(dh_schema_decode(g.metadata, g.metadata_len, &plain, &err) == DH_OK);
    CHECK_INT(dh_schema_apply_dictionary(&plain, fr[1].metadata, fr[1].metadata_len, fr[1].body,
                                         fr[1].body_len, &err),
              DH_OK);
    CHECK(plain.dicts == NULL);
    dh_schema_reset(&plain);
    free(gbuf);
    dh_schema_reset(&s);
    free(buf);
}

/* Every prefix of every golden message fails cleanly (ASan checks "cleanly"). */
static void test_golden_prefixes(void)
{
    static const char *const stems[] = {"types",  "nonulls",  "empty", "sliced",
                                        "dhmeta", "coverage", "maps"};
    for (size_t si = 0; si < sizeof stems / sizeof *stems; si++) {
        size_t len;
        uint8_t *buf = tu_read_golden(stems[si], ".arrows", &len);
        CHECK_REQ(buf);
        /* stream framing: a prefix yields complete messages, then NEED_MORE or END */
        for (size_t n = 0; n < len; n++) {
            size_t pos = 0;
            struct dh_ipc_frame fr;
            int rc;
            while ((rc = dh_ipc_stream_next(buf, n, &pos, &fr, NULL)) == DH_OK)
                CHECK(pos <= n);
            CHECK(rc == DH_NEED_MORE || rc == DH_END);
        }
        size_t pos = 0;
        struct dh_ipc_frame fr;
        struct dh_schema s;
        struct dh_batch b;
        dh_schema_init(&s);
        dh_batch_init(&b);
        CHECK_REQ(dh_ipc_stream_next(buf, len, &pos, &fr, NULL) == DH_OK);
        for (size_t n = 0; n + 16 <= fr.metadata_len; n++) {
            uint8_t *cut = malloc(n + 1);
            memcpy(cut, fr.metadata, n);
            CHECK(dh_schema_decode(cut, n, &s, NULL) != DH_OK);
            free(cut);
        }
        CHECK_REQ(dh_schema_decode(fr.metadata, fr.metadata_len, &s, NULL) == DH_OK);
        while (dh_ipc_stream_next(buf, len, &pos, &fr, NULL) == DH_OK) {
            for (size_t n = 0; n + 16 <= fr.metadata_len; n++) {
                uint8_t *cut = malloc(n + 1);
                memcpy(cut, fr.metadata, n);
                CHECK(dh_batch_decode(&s, cut, n, fr.body, fr.body_len, &b, NULL) != DH_OK);
                free(cut);
            }
            for (size_t n = 0; n < fr.body_len; n++) {
                uint8_t *cut = malloc(n + 1);
                memcpy(cut, fr.body, n);
                CHECK(dh_batch_decode(&s, fr.metadata, fr.metadata_len, cut, n, &b, NULL) != DH_OK);
                free(cut);
            }
            CHECK(dh_batch_decode(&s, fr.metadata, fr.metadata_len, fr.body, fr.body_len, &b,
                                  NULL) == DH_OK);
        }
        dh_batch_reset(&b);
        dh_schema_reset(&s);
        free(buf);
    }
}

/* Single-byte corruptions of golden messages never crash or read out of bounds. */
static void test_golden_mutations(void)
{
    size_t len;
    uint8_t *buf = tu_read_golden("types", ".arrows", &len);
    CHECK_REQ(buf);
    uint8_t *m = malloc(len);
    CHECK_REQ(m);
    static const uint8_t vals[] = {0x00, 0x01, 0x07, 0x7F, 0x80, 0xFF};
    int decoded = 0;
    volatile uint64_t sink = 0; /* keeps the reads */
    memcpy(m, buf, len);
    /* Each input differs from the file in byte i only: set it, decode, put it back
     * (the decoders take const input; a whole copy per input made this test the
     * slowest under ASan). */
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof vals; k++) {
            m[i] = vals[k];
            size_t pos = 0;
            struct dh_ipc_frame fr;
            struct dh_schema s;
            struct dh_batch b;
            dh_schema_init(&s);
            dh_batch_init(&b);
            if (dh_ipc_stream_next(m, len, &pos, &fr, NULL) == DH_OK &&
                dh_schema_decode(fr.metadata, fr.metadata_len, &s, NULL) == DH_OK) {
                while (dh_ipc_stream_next(m, len, &pos, &fr, NULL) == DH_OK) {
                    if (dh_batch_decode_borrowed(&s, fr.metadata, fr.metadata_len, fr.body,
                                                 fr.body_len, &b, NULL) != DH_OK)
                        continue;
                    decoded++;
                    for (size_t c = 0; c < b.n_columns; c++)
                        for (int64_t r = 0; r < b.columns[c].length; r++)
                            sink ^= cell_touch(&b.columns[c], r);
                }
            }
            dh_batch_reset(&b);
            dh_schema_reset(&s);
        }
        m[i] = buf[i];
    }
    (void)sink;
    CHECK(decoded > 0);
    CHECK(memcmp(m, buf, len) == 0); /* nothing wrote to the input */
    free(m);
    free(buf);
}

/* ---- hand-built messages ---- */

/* A field for build_schema: type tag and parameters (-1 = leave the field out). */
struct tfield {
    const char *name;
    uint8_t tag;
    int p[3];
    const char *tz;
    const struct tfield *child;
    int dict;
    const char *meta_key, *meta_value;
};

static uint32_t build_field(struct dh_fbb *b, const struct tfield *f)
{
    uint32_t kid = f->child ? build_field(b, f->child) : 0;
    uint32_t kids = kid ? dh_fbb_create_vector_refs(b, &kid, 1) : 0;
    uint32_t name = dh_fbb_create_cstring(b, f->name);
    uint32_t tz = f->tz ? dh_fbb_create_cstring(b, f->tz) : 0;
    uint32_t meta = 0;
    if (f->meta_key) {
        uint32_t k = dh_fbb_create_cstring(b, f->meta_key);
        uint32_t v = dh_fbb_create_cstring(b, f->meta_value);
        dh_fbb_start_table(b);
        dh_fbb_add_offset(b, 0, k);
        dh_fbb_add_offset(b, 1, v);
        uint32_t kv = dh_fbb_end_table(b);
        meta = dh_fbb_create_vector_refs(b, &kv, 1);
    }
    uint32_t dict = 0;
    if (f->dict) {
        dh_fbb_start_table(b);
        dh_fbb_add_i64(b, 0, 1, 0);
        dict = dh_fbb_end_table(b);
    }
    dh_fbb_start_table(b);
    for (int i = 0; i < 3; i++) {
        if (f->p[i] < 0)
            continue;
        /* Float precision, Date/Time/Duration/Timestamp units are i16 at id 0 */
        int is16 =
            i == 0 && (f->tag == 3 || f->tag == 8 || f->tag == 9 || f->tag == 10 || f->tag == 18);
        if (f->tag == 2 && i == 1)
            dh_fbb_add_bool(b, 1, f->p[1], 0);
        else if (is16)
            dh_fbb_add_i16(b, 0, (int16_t)f->p[0], -999);
        else
            dh_fbb_add_i32(b, i, f->p[i], -999);
    }
    if (tz)
        dh_fbb_add_offset(b, 1, tz);
    uint32_t type = dh_fbb_end_table(b);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, 0, name);
    dh_fbb_add_bool(b, 1, 1, 0);
    dh_fbb_add_union(b, 3, f->tag, type);
    dh_fbb_add_offset(b, 4, dict);
    dh_fbb_add_offset(b, 5, kids);
    dh_fbb_add_offset(b, 6, meta);
    return dh_fbb_end_table(b);
}

/* Wrap header (a table of union type header_type) in a V5 Message with the
 * given body length, finish b and return a copy of its bytes; b is reset.
 * Caller frees. */
static uint8_t *finish_message(struct dh_fbb *b, uint8_t header_type, uint32_t header,
                               int64_t body_len, size_t *len)
{
    dh_fbb_start_table(b);
    dh_fbb_add_i16(b, 0, 4, 0);
    dh_fbb_add_union(b, 2, header_type, header);
    dh_fbb_add_i64(b, 3, body_len, 0);
    uint32_t msg = dh_fbb_end_table(b);
    dh_fbb_finish(b, msg);
    uint8_t *out = dh_fbb_copy(b, len);
    dh_fbb_reset(b);
    return out;
}

/* A Message(Schema) of the given fields; caller frees. */
static uint8_t *build_schema(const struct tfield *fields, size_t n, size_t *len)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t refs[16];
    for (size_t i = 0; i < n; i++)
        refs[i] = build_field(&b, &fields[i]);
    uint32_t fv = dh_fbb_create_vector_refs(&b, refs, n);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, 1, fv);
    uint32_t schema = dh_fbb_end_table(&b);
    return finish_message(&b, 1, schema, 0, len);
}

/* Build the schema of fields[0..n) and decode it into *s (initialised here).
 * Returns the message, which s may borrow (free it after dh_schema_reset), or
 * NULL when it does not decode. */
static uint8_t *decoded_schema(const struct tfield *fields, size_t n, struct dh_schema *s)
{
    size_t len;
    uint8_t *msg = build_schema(fields, n, &len);
    dh_schema_init(s);
    if (dh_schema_decode(msg, len, s, NULL) != DH_OK) {
        free(msg);
        return NULL;
    }
    return msg;
}

/* Message(RecordBatch) for the body's nodes and buffers; caller frees. */
static uint8_t *build_batch(const struct tu_body *bd, int64_t length, int compression,
                            uint8_t header_type, size_t *len)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t nodes = dh_fbb_create_vector(&b, bd->nodes, 16, bd->nn, 8);
    uint32_t bufs = dh_fbb_create_vector(&b, bd->bufs, 16, bd->nb, 8);
    uint32_t comp = 0;
    if (compression) {
        dh_fbb_start_table(&b);
        dh_fbb_add_i8(&b, 0, 1, 0);
        comp = dh_fbb_end_table(&b);
    }
    dh_fbb_start_table(&b);
    dh_fbb_add_i64(&b, 0, length, 0);
    dh_fbb_add_offset(&b, 1, nodes);
    dh_fbb_add_offset(&b, 2, bufs);
    dh_fbb_add_offset(&b, 3, comp);
    uint32_t rb = dh_fbb_end_table(&b);
    if (header_type == 2) { /* DictionaryBatch wrapping it */
        dh_fbb_start_table(&b);
        dh_fbb_add_offset(&b, 1, rb);
        rb = dh_fbb_end_table(&b);
    }
    return finish_message(&b, header_type, rb, (int64_t)bd->len, len);
}

/* Defaults from Schema.fbs apply when the writer leaves fields out. */
static void test_schema_defaults(void)
{
    static const struct tfield f[] = {
        {"date", 8, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"int", 2, {32, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"time", 9, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"dec", 7, {10, 2, -1}, NULL, NULL, 0, NULL, NULL},
        {"dur", 18, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"ts", 10, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"f", 3, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"fsb", 15, {12, -1, -1}, NULL, NULL, 0, NULL, NULL},
    };
    size_t len;
    uint8_t *msg = build_schema(f, 8, &len);
    CHECK_REQ(msg);
    struct dh_schema s;
    struct dh_error err;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode(msg, len, &s, &err) == DH_OK);
    CHECK_INT(s.fields[0].type, DH_TYPE_DATE);
    CHECK_INT(s.fields[0].unit, DH_DATE_MILLI);
    CHECK_INT(s.fields[1].is_signed, 0);
    CHECK_INT(s.fields[1].bit_width, 32);
    CHECK_INT(s.fields[2].unit, DH_UNIT_MILLI);
    CHECK_INT(s.fields[2].bit_width, 32);
    CHECK_INT(s.fields[3].bit_width, 128);
    CHECK_INT(s.fields[3].precision, 10);
    CHECK_INT(s.fields[3].scale, 2);
    CHECK_INT(s.fields[4].unit, DH_UNIT_MILLI);
    CHECK_INT(s.fields[5].unit, DH_UNIT_SECOND);
    CHECK_STR(s.fields[5].timezone, "");
    CHECK_INT(s.fields[6].bit_width, 16); /* precision HALF */
    CHECK_INT(s.fields[7].fixed_size, 12);
    CHECK_INT(s.fields[0].nullable, 1);
    CHECK_STR(s.fields[0].type_name, "Date");
    dh_schema_reset(&s);
    free(msg);
}

/* Unsupported types decode, but are refused naming the column and type. */
static void test_unsupported(void)
{
    static const struct tfield inner = {"", 2, {32, 1, -1}, NULL, NULL, 0, NULL, NULL};
    static const struct tfield inner_u = {"w", 14, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL};
    static const struct {
        struct tfield f;
        const char *msg;
    } cases[] = {
        {{"u", 14, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
         "column 'u': type Union is not supported"},
        {{"st", 13, {-1, -1, -1}, NULL, &inner_u, 0, NULL, NULL}, /* Struct of a Union */
         "column 'st': type Struct is not supported"},
        {{"v", 24, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
         "column 'v': type Utf8View is not supported"},
        {{"lv", 25, {-1, -1, -1}, NULL, &inner, 0, NULL, NULL},
         "column 'lv': type ListView is not supported"},
        {{"d", 12, {-1, -1, -1}, NULL, &inner, 1, NULL, NULL},
         "column 'd': dictionary-encoded values of this type are not supported"},
        {{"x", 99, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
         "column 'x': type type #99 is not supported"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        static const struct tfield ok = {"ok", 5, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL};
        struct tfield fs[2] = {ok, cases[i].f};
        size_t len;
        uint8_t *msg = build_schema(fs, 2, &len);
        struct dh_schema s;
        struct dh_error err;
        dh_schema_init(&s);
        CHECK_REQ(dh_schema_decode(msg, len, &s, &err) == DH_OK);
        CHECK_INT(dh_schema_check_supported(&s, &err), DH_ENOTSUP);
        CHECK_STR(err.msg, cases[i].msg);
        /* the rest of the table reads without it (test_undecodable_between), unless
         * its layout is unknown: then a batch is refused with the same message */
        if (cases[i].f.tag != 99) {
            CHECK_INT(dh_schema_check_readable(&s, &err), DH_OK);
            dh_schema_reset(&s);
            free(msg);
            continue;
        }
        struct tu_body bd = {0};
        tu_body_node(&bd, 0, 0);
        size_t hl;
        uint8_t *hdr = build_batch(&bd, 0, 0, 3, &hl);
        struct dh_batch b;
        dh_batch_init(&b);
        CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_ENOTSUP);
        CHECK_STR(err.msg, cases[i].msg);
        free(hdr);
        dh_schema_reset(&s);
        free(msg);
    }
}

/* Malformed type parameters are refused as malformed. */
static void test_bad_params(void)
{
    static const struct tfield int_el = {"", 2, {32, 1, -1}, NULL, NULL, 0, NULL, NULL};
    static const struct tfield cases[] = {
        {"a", 2, {12, 1, -1}, NULL, NULL, 0, NULL, NULL},
        {"b", 3, {7, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"c", 8, {5, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"d", 9, {3, 16, -1}, NULL, NULL, 0, NULL, NULL},
        {"e", 10, {9, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"f", 7, {5, 1, 100}, NULL, NULL, 0, NULL, NULL},
        {"g", 15, {0, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"h", 12, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},    /* List without child */
        {"m", 17, {-1, -1, -1}, NULL, &int_el, 0, NULL, NULL}, /* Map entries not a Struct */
        {"i", 0, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},     /* no type */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len;
        uint8_t *msg = build_schema(&cases[i], 1, &len);
        struct dh_schema s;
        struct dh_error err;
        dh_schema_init(&s);
        CHECK_INT(dh_schema_decode(msg, len, &s, &err), DH_EINVAL);
        char want[32];
        snprintf(want, sizeof want, "column '%s'", cases[i].name);
        CHECK(strstr(err.msg, want) != NULL);
        CHECK_INT(s.n_fields, 0);
        free(msg);
    }
}

/* The encapsulated form (FF FF FF FF, length, message, padding). */
static void test_encapsulated(void)
{
    static const struct tfield f[] = {
        {"a", 5, {-1, -1, -1}, NULL, NULL, 0, "deephaven:type", "java.lang.String"}};
    size_t len;
    uint8_t *msg = build_schema(f, 1, &len);
    size_t elen = 8 + ((len + 7) & ~(size_t)7);
    uint8_t *enc = calloc(1, elen);
    CHECK_REQ(msg && enc);
    dh_fbb_put_u32(enc, 0xFFFFFFFFu);
    dh_fbb_put_u32(enc + 4, (uint32_t)len);
    memcpy(enc + 8, msg, len);
    struct dh_schema s;
    struct dh_error err;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode_encapsulated(enc, elen, &s, &err) == DH_OK);
    CHECK_INT(s.n_fields, 1);
    CHECK_STR(s.fields[0].name, "a");
    CHECK_STR(s.fields[0].dh_type, "java.lang.String");
    for (size_t n = 0; n < 8 + len; n++)
        CHECK(dh_schema_decode_encapsulated(enc, n, &s, &err) != DH_OK);
    /* a length beyond the bytes */
    dh_fbb_put_u32(enc + 4, (uint32_t)elen);
    CHECK_INT(dh_schema_decode_encapsulated(enc, elen, &s, &err), DH_EINVAL);
    dh_fbb_put_u32(enc + 4, 0x80000000u);
    CHECK_INT(dh_schema_decode_encapsulated(enc, elen, &s, &err), DH_EINVAL);
    /* not a schema: a record batch message */
    struct tu_body bd = {0};
    size_t hl;
    uint8_t *hdr = build_batch(&bd, 0, 0, 3, &hl);
    CHECK_INT(dh_schema_decode(hdr, hl, &s, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "Schema") != NULL);
    free(hdr);
    dh_schema_reset(&s);
    free(enc);
    free(msg);
}

/* A schema like Deephaven's: int, string, bool, int[] list, char, double, long. */
static const struct tfield int_elem = {"", 2, {32, 1, -1}, NULL, NULL, 0, NULL, NULL};
static const struct tfield dh_fields[] = {
    {"I", 2, {32, 1, -1}, NULL, NULL, 0, "deephaven:type", "int"},
    {"S", 5, {-1, -1, -1}, NULL, NULL, 0, "deephaven:type", "java.lang.String"},
    {"B", 6, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},
    {"L", 12, {-1, -1, -1}, NULL, &int_elem, 0, "deephaven:componentType", "int"},
    {"C", 2, {16, 0, -1}, NULL, NULL, 0, "deephaven:type", "char"},
    {"D", 3, {2, -1, -1}, NULL, NULL, 0, NULL, NULL},
    {"T", 10, {3, -1, -1}, "UTC", NULL, 0, NULL, NULL},
};

/* Fill a body with 3 rows in Deephaven's layout; row 1 of S null. */
static void dh_body(struct tu_body *bd, int64_t s_rows)
{
    int32_t ints[3] = {5, INT32_MIN, -7};
    tu_body_node(bd, 3, 0);
    tu_body_buf(bd, NULL, 0); /* validity: 0 bytes when null_count = 0 */
    tu_body_buf(bd, ints, 12);
    if (s_rows == 0) {
        tu_body_node(bd, 0, 0);
        tu_body_buf(bd, NULL, 0);
        tu_body_buf(bd, NULL, 0); /* offsets: 0 bytes when n = 0 */
        tu_body_buf(bd, NULL, 0);
    } else {
        uint8_t valid = 0x5; /* rows 0 and 2 */
        int32_t offs[4] = {0, 2, 2, 5};
        tu_body_node(bd, 3, 1);
        tu_body_buf(bd, &valid, 1);
        tu_body_buf(bd, offs, 16);
        tu_body_buf(bd, "hiabc", 5);
    }
    uint8_t bits = 0x6; /* false, true, true */
    tu_body_node(bd, 3, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, &bits, 1);
    int32_t loffs[4] = {0, 2, 2, 3};
    int32_t elems[3] = {10, 20, 30};
    tu_body_node(bd, 3, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, loffs, 16);
    tu_body_node(bd, 3, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, elems, 12);
    uint16_t chars[3] = {'A', 0xFFFF, 0x263A};
    tu_body_node(bd, 3, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, chars, 6);
    double dbl[3] = {1.25, -DBL_MAX, 0};
    tu_body_node(bd, 3, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, dbl, 24);
    int64_t ts[3] = {INT64_MIN, 1, 1700000000000000000LL};
    tu_body_node(bd, 3, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, ts, 24);
}

static void test_deephaven_layout(void)
{
    size_t hl;
    struct dh_schema s;
    struct dh_error err;
    uint8_t *sm = decoded_schema(dh_fields, 7, &s);
    CHECK_REQ(sm);
    struct tu_body bd = {0};
    dh_body(&bd, 3);
    uint8_t *hdr = build_batch(&bd, 3, 0, 3, &hl);
    struct dh_batch b;
    dh_batch_init(&b);
    int rc = dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK_REQ(rc == DH_OK);
    CHECK_INT(b.length, 3);
    CHECK_INT(b.n_columns, 7);
    const struct dh_column_view *c = b.columns;
    CHECK(c[0].validity == NULL);
    CHECK_INT(dh_column_get_i64(&c[0], 0), 5);
    CHECK_INT(dh_column_get_i64(&c[0], 2), -7);
    CHECK_INT(dh_column_is_null(&c[0], 1), 0); /* sentinel, but deephaven nulls off */
    CHECK_INT(dh_column_is_null(&c[0], 3), 1); /* out of range */
    CHECK_INT(dh_column_get_i64(&c[0], -1), 0);
    const uint8_t *p;
    size_t n;
    CHECK_INT(dh_column_get_bytes(&c[1], 0, &p, &n), DH_OK);
    CHECK(n == 2 && memcmp(p, "hi", 2) == 0);
    CHECK_INT(dh_column_is_null(&c[1], 1), 1);
    CHECK_INT(dh_column_get_bytes(&c[1], 2, &p, &n), DH_OK);
    CHECK(n == 3 && memcmp(p, "abc", 3) == 0);
    CHECK_INT(dh_column_get_bytes(&c[1], 3, &p, &n), DH_EINVAL);
    CHECK_INT(dh_column_get_bytes(&c[0], 0, &p, &n), DH_EINVAL);
    CHECK_INT(dh_column_get_bool(&c[2], 0), 0);
    CHECK_INT(dh_column_get_bool(&c[2], 1), 1);
    int64_t start, count;
    CHECK_INT(dh_column_list_range(&c[3], 0, &start, &count), DH_OK);
    CHECK(start == 0 && count == 2);
    CHECK_INT(dh_column_get_i64(c[3].child, 1), 20);
    CHECK_INT(dh_column_list_range(&c[3], 1, &start, &count), DH_OK);
    CHECK_INT(count, 0);
    CHECK_INT(dh_column_list_range(&c[0], 1, &start, &count), DH_EINVAL);
    CHECK_INT(dh_column_get_u64(&c[4], 2), 0x263A);
    CHECK_INT(dh_column_get_i64(&c[4], 1), 0xFFFF);
    CHECK(dh_column_get_f64(&c[5], 0) == 1.25);
    CHECK_INT(dh_column_get_i64(&c[6], 2), 1700000000000000000LL);
    CHECK_INT(dh_column_is_null(&c[4], 1), 0);
    /* with Deephaven nulls, the sentinels read as null */
    dh_batch_set_deephaven_nulls(&b, 1);
    CHECK_INT(dh_column_is_null(&c[0], 1), 1);
    CHECK_INT(dh_column_is_null(&c[0], 0), 0);
    CHECK_INT(dh_column_is_null(&c[4], 1), 1);
    CHECK_INT(dh_column_is_null(&c[4], 0), 0);
    CHECK_INT(dh_column_is_null(&c[5], 1), 1);
    CHECK_INT(dh_column_is_null(&c[5], 2), 0);
    CHECK_INT(dh_column_is_null(&c[6], 0), 1);
    CHECK_INT(dh_column_is_null(&c[6], 1), 0);
    CHECK_INT(dh_column_is_null(&c[2], 0), 0); /* bool: validity only */
    CHECK_INT(dh_column_is_null(c[3].child, 0), 0);

    /* the copy is independent of the caller's body */
    memset(bd.data, 0xEE, sizeof bd.data);
    CHECK_INT(dh_column_get_i64(&c[0], 0), 5);
    dh_batch_reset(&b);
    dh_batch_reset(&b);
    free(hdr);

    /* a modify-style batch: S has 0 rows (offsets 0 bytes), others 3 */
    struct tu_body bd2 = {0};
    dh_body(&bd2, 0);
    hdr = build_batch(&bd2, 3, 0, 3, &hl);
    CHECK_REQ(dh_batch_decode_borrowed(&s, hdr, hl, bd2.data, bd2.len, &b, &err) == DH_OK);
    CHECK_INT(b.columns[1].length, 0);
    CHECK_INT(b.columns[0].length, 3);
    CHECK(b.body == bd2.data);
    dh_batch_reset(&b);
    free(hdr);
    dh_schema_reset(&s);
    free(sm);
}

/* Compression and DictionaryBatch are refused as unsupported. */
static void test_refusals(void)
{
    size_t hl;
    struct dh_schema s;
    struct dh_error err;
    uint8_t *sm = decoded_schema(dh_fields, 7, &s);
    CHECK_REQ(sm);
    struct tu_body bd = {0};
    dh_body(&bd, 3);
    struct dh_batch b;
    dh_batch_init(&b);
    uint8_t *hdr = build_batch(&bd, 3, 1, 3, &hl);
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_ENOTSUP);
    CHECK(strstr(err.msg, "compressed Arrow record batches") != NULL);
    free(hdr);
    hdr = build_batch(&bd, 3, 0, 2, &hl);
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_ENOTSUP);
    CHECK(strstr(err.msg, "DictionaryBatch") != NULL);
    free(hdr);
    hdr = build_batch(&bd, 3, 0, 1, &hl); /* a Schema header where a batch belongs */
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_EINVAL);
    free(hdr);
    dh_schema_reset(&s);
    free(sm);
}

/* One malformed aspect at a time, each refused as DH_EINVAL. */
static void test_malformed_batches(void)
{
    struct dh_schema s;
    struct dh_error err;
    uint8_t *sm = decoded_schema(dh_fields, 7, &s);
    CHECK_REQ(sm);
    enum { NCASES = 10 };
    for (int k = 0; k < NCASES; k++) {
        struct tu_body bd = {0};
        dh_body(&bd, 3);
        int64_t length = 3;
        size_t body_len = bd.len;
        switch (k) {
        case 0: dh_fbb_put_i64(bd.bufs + 16 * 1 + 8, 8); break;  /* I values too short */
        case 1: dh_fbb_put_i64(bd.bufs + 16 * 1, 4096); break;   /* offset outside body */
        case 2: dh_fbb_put_u32(bd.data + 24 + 4, 9); break;      /* S offsets beyond data */
        case 3: dh_fbb_put_u32(bd.data + 24 + 8, 1); break;      /* S offsets descend */
        case 4: dh_fbb_put_i64(bd.nodes + 16 * 1 + 8, 4); break; /* null_count > length */
        case 5: dh_fbb_put_i64(bd.nodes, -1); break;             /* negative length */
        case 6: bd.nn--; break;                                  /* a node missing */
        case 7: bd.nb++; break;                                  /* a buffer too many */
        case 8: body_len = bd.len - 8; break;                    /* body too short */
        case 9: dh_fbb_put_u32(bd.data + 56 + 12, 7); break;     /* list offset > child */
        }
        size_t hl;
        uint8_t *hdr = build_batch(&bd, length, 0, 3, &hl);
        struct dh_batch b;
        dh_batch_init(&b);
        int rc = dh_batch_decode(&s, hdr, hl, bd.data, body_len, &b, &err);
        if (rc != DH_EINVAL)
            fprintf(stderr, "  case %d: rc %d\n", k, rc);
        CHECK_INT(rc, DH_EINVAL);
        CHECK(b.columns == NULL && b.body == NULL);
        free(hdr);
    }
    dh_schema_reset(&s);
    free(sm);
}

/* Half floats, unsigned 64-bit ints, 32-bit times and day dates read right. */
static void test_other_widths(void)
{
    static const struct tfield f[] = {
        {"h", 3, {0, -1, -1}, NULL, NULL, 0, NULL, NULL},
        {"u", 2, {64, 0, -1}, NULL, NULL, 0, NULL, NULL},
        {"t", 9, {1, 32, -1}, NULL, NULL, 0, NULL, NULL},
        {"d", 8, {0, -1, -1}, NULL, NULL, 0, NULL, NULL},
    };
    size_t hl;
    struct dh_schema s;
    uint8_t *sm = decoded_schema(f, 4, &s);
    CHECK_REQ(sm);
    struct tu_body bd = {0};
    uint16_t halves[5] = {0x3C00, 0xC000, 0x7C00, 0x0001, 0x7E00};
    uint64_t u64[5] = {0, 1, UINT64_MAX, 1ull << 63, 42};
    int32_t times[5] = {0, 86399999, -1, 5, INT32_MIN};
    int32_t days[5] = {0, 19000, -1, INT32_MAX, INT32_MIN};
    tu_body_node(&bd, 5, 0);
    tu_body_buf(&bd, NULL, 0);
    tu_body_buf(&bd, halves, sizeof halves);
    tu_body_node(&bd, 5, 0);
    tu_body_buf(&bd, NULL, 0);
    tu_body_buf(&bd, u64, sizeof u64);
    tu_body_node(&bd, 5, 0);
    tu_body_buf(&bd, NULL, 0);
    tu_body_buf(&bd, times, sizeof times);
    tu_body_node(&bd, 5, 0);
    tu_body_buf(&bd, NULL, 0);
    tu_body_buf(&bd, days, sizeof days);
    uint8_t *hdr = build_batch(&bd, 5, 0, 3, &hl);
    struct dh_batch b;
    dh_batch_init(&b);
    CHECK_REQ(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, NULL) == DH_OK);
    const struct dh_column_view *c = b.columns;
    CHECK(dh_column_get_f64(&c[0], 0) == 1.0);
    CHECK(dh_column_get_f64(&c[0], 1) == -2.0);
    CHECK(isinf(dh_column_get_f64(&c[0], 2)));
    CHECK(dh_column_get_f64(&c[0], 3) == ldexp(1, -24));
    CHECK(isnan(dh_column_get_f64(&c[0], 4)));
    CHECK_INT(c[0].value_width, 2);
    CHECK(dh_column_get_u64(&c[1], 2) == UINT64_MAX);
    CHECK(dh_column_get_u64(&c[1], 3) == 1ull << 63);
    CHECK(dh_column_get_f64(&c[1], 3) == 9223372036854775808.0);
    CHECK_INT(dh_column_get_i64(&c[2], 1), 86399999);
    CHECK_INT(dh_column_get_i64(&c[2], 2), -1);
    CHECK_INT(dh_column_get_i64(&c[3], 4), INT32_MIN);
    CHECK_INT(dh_column_get_i64(&c[3], 3), INT32_MAX);
    /* 32-bit date/time values are not Deephaven sentinels */
    dh_batch_set_deephaven_nulls(&b, 1);
    CHECK_INT(dh_column_is_null(&c[3], 4), 0);
    CHECK_INT(dh_column_is_null(&c[1], 2), 0); /* unsigned 64: no sentinel */
    dh_batch_reset(&b);
    free(hdr);
    dh_schema_reset(&s);
    free(sm);
}

/* The IPC message envelope and the stream's end markers. */
static void test_stream_framing(void)
{
    uint8_t eos[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
    size_t pos = 0;
    struct dh_ipc_frame fr;
    CHECK_INT(dh_ipc_stream_next(eos, 8, &pos, &fr, NULL), DH_END);
    CHECK_INT(pos, 8);
    pos = 0;
    CHECK_INT(dh_ipc_stream_next(eos, 6, &pos, &fr, NULL), DH_NEED_MORE);
    uint8_t old_eos[4] = {0};
    pos = 0;
    CHECK_INT(dh_ipc_stream_next(old_eos, 4, &pos, &fr, NULL), DH_END);
    uint8_t neg[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x80};
    pos = 0;
    struct dh_error err;
    CHECK_INT(dh_ipc_stream_next(neg, 8, &pos, &fr, &err), DH_EINVAL);
    struct dh_ipc_message m;
    CHECK_INT(dh_ipc_message_decode(neg, 8, &m, &err), DH_EINVAL);
    CHECK_INT(dh_ipc_message_decode(NULL, 0, &m, &err), DH_EINVAL);
}

/* The bulk readers agree with the per-cell accessors on every numeric column
 * of the golden streams (sliced arrays included), and clip at the end. */
static void check_bulk(const char *stem)
{
    size_t len;
    uint8_t *buf = tu_read_golden(stem, ".arrows", &len);
    CHECK_REQ(buf != NULL);
    struct tu_stream st;
    struct dh_error err;
    int rc = tu_stream_open(&st, buf, len, &err);
    size_t compared = 0;
    while (rc == DH_OK && (rc = tu_stream_next(&st, &err)) == DH_OK) {
        for (size_t c = 0; c < st.batch.n_columns; c++) {
            const struct dh_column_view *col = &st.batch.columns[c];
            enum dh_type_id t = col->field->type;
            if (t != DH_TYPE_INT && t != DH_TYPE_FLOAT && t != DH_TYPE_TIMESTAMP &&
                t != DH_TYPE_DATE && t != DH_TYPE_TIME && t != DH_TYPE_DURATION)
                continue;
            size_t n = (size_t)col->length;
            int64_t *iv = calloc(n + 4, sizeof *iv);
            double *fv = calloc(n + 4, sizeof *fv);
            CHECK_INT(dh_column_read_i64(col, 0, n + 4, iv), n); /* clipped */
            CHECK_INT(dh_column_read_f64(col, 0, n + 4, fv), n);
            for (size_t r = 0; r < n; r++) {
                if (dh_column_is_null(col, (int64_t)r))
                    continue;
                CHECK_INT(iv[r], dh_column_get_i64(col, (int64_t)r));
                double want = dh_column_get_f64(col, (int64_t)r);
                CHECK(fv[r] == want || (fv[r] != fv[r] && want != want));
                compared++;
            }
            if (n > 1)
                CHECK_INT(dh_column_read_i64(col, 1, 1, iv), 1);
            CHECK_INT(dh_column_read_i64(col, (int64_t)n, 1, iv), 0);
            CHECK_INT(dh_column_read_i64(col, -1, 1, iv), 0);
            free(iv);
            free(fv);
        }
    }
    CHECK(compared > 0 || strcmp(stem, "empty") == 0);
    tu_stream_close(&st);
    free(buf);
}

static void test_bulk_readers(void)
{
    check_bulk("types");
    check_bulk("nonulls");
    check_bulk("sliced");
}

/* ---- bulk and block-wise fast paths, over columns long enough for blocks of
 * 8 and a tail ---- */

enum { NV = 37 };

static const struct tfield var_fields[] = {
    {"s", 5, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},   /* Utf8 */
    {"ls", 20, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL}, /* LargeUtf8 */
    {"e", 5, {-1, -1, -1}, NULL, NULL, 0, NULL, NULL},   /* Utf8, all empty, no data */
    {"i", 2, {32, 1, -1}, NULL, NULL, 0, NULL, NULL},
    {"u", 2, {32, 0, -1}, NULL, NULL, 0, NULL, NULL},
    {"fb", 15, {3, -1, -1}, NULL, NULL, 0, NULL, NULL}, /* FixedSizeBinary(3) */
    {"dec", 7, {10, 2, -1}, NULL, NULL, 0, NULL, NULL}, /* Decimal128 */
};
enum { NVF = sizeof var_fields / sizeof var_fields[0] };

/* Row r of s and ls is (r * 7) % 5 letters (some empty). Fills the offsets. */
static size_t var_data(uint8_t *data, int32_t *o32, int64_t *o64)
{
    size_t len = 0;
    o32[0] = 0;
    o64[0] = 0;
    for (int r = 0; r < NV; r++) {
        for (int k = 0; k < (r * 7) % 5; k++)
            data[len++] = (uint8_t)('a' + (r + k) % 26);
        o32[r + 1] = (int32_t)len;
        o64[r + 1] = (int64_t)len;
    }
    return len;
}

static const uint32_t var_ints[8] = {0,           1,     0x7FFFFFFF,  0x80000000u,
                                     0xFFFFFFFFu, 12345, 0xDEADBEEFu, 0x00010000};

/* The body of var_fields; where the offsets of s and ls lie, for corrupting. */
static void var_body(struct tu_body *bd, size_t *s_offs, size_t *ls_offs)
{
    uint8_t data[NV * 4];
    int32_t o32[NV + 1], zero[NV + 1] = {0};
    int64_t o64[NV + 1];
    size_t dlen = var_data(data, o32, o64);
    uint32_t ints[NV];
    uint8_t fb[NV * 3], dec[NV * 16];
    for (size_t r = 0; r < NV; r++)
        ints[r] = var_ints[r % 8] ^ (uint32_t)r;
    for (size_t i = 0; i < sizeof fb; i++)
        fb[i] = (uint8_t)(i * 13);
    for (size_t i = 0; i < sizeof dec; i++)
        dec[i] = (uint8_t)(i * 7 + 1);
    tu_body_node(bd, NV, 0);
    tu_body_buf(bd, NULL, 0);
    *s_offs = bd->len;
    tu_body_buf(bd, o32, sizeof o32);
    tu_body_buf(bd, data, dlen);
    tu_body_node(bd, NV, 0);
    tu_body_buf(bd, NULL, 0);
    *ls_offs = bd->len;
    tu_body_buf(bd, o64, sizeof o64);
    tu_body_buf(bd, data, dlen);
    tu_body_node(bd, NV, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zero, sizeof zero);
    tu_body_buf(bd, NULL, 0);
    tu_body_node(bd, NV, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, ints, sizeof ints);
    tu_body_node(bd, NV, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, ints, sizeof ints);
    tu_body_node(bd, NV, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, fb, sizeof fb);
    tu_body_node(bd, NV, 0);
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, dec, sizeof dec);
}

/* Decode the body (as the caller left it) against var_fields. */
static int var_decode(const struct dh_schema *s, struct tu_body *bd, struct dh_batch *b,
                      struct dh_error *err)
{
    size_t hl;
    uint8_t *hdr = build_batch(bd, NV, 0, 3, &hl);
    dh_batch_init(b);
    int rc = dh_batch_decode(s, hdr, hl, bd->data, bd->len, b, err);
    free(hdr);
    return rc;
}

/* Decode var_fields' schema into *s and the var body into *b, and say where
 * the two offset buffers start (at[0] 32-bit, at[1] 64-bit). Returns the
 * schema message (free it after dh_schema_reset), or NULL, with nothing left
 * to free, when either does not decode. */
static uint8_t *var_setup(struct dh_schema *s, struct dh_batch *b, size_t at[2])
{
    uint8_t *sm = decoded_schema(var_fields, NVF, s);
    if (!sm)
        return NULL;
    struct tu_body bd = {0};
    var_body(&bd, &at[0], &at[1]);
    if (var_decode(s, &bd, b, NULL) != DH_OK) {
        dh_schema_reset(s);
        free(sm);
        return NULL;
    }
    return sm;
}

static void put_offset(uint8_t *p, int width, int64_t v)
{
    if (width == 4)
        dh_fbb_put_u32(p, (uint32_t)(int32_t)v);
    else
        dh_fbb_put_i64(p, v);
}

/* Every offset, in a block or the tail, is checked: a descent at any row, one
 * beyond the data at any row and a negative first offset are refused, naming
 * the row. */
static void test_offsets_every_row(void)
{
    struct dh_schema s;
    struct dh_error err;
    struct dh_batch b;
    size_t at[2];
    uint8_t *sm = var_setup(&s, &b, at);
    CHECK_REQ(sm);
    dh_batch_reset(&b);
    uint8_t data[NV * 4];
    int32_t o32[NV + 1];
    int64_t o64[NV + 1];
    size_t dlen = var_data(data, o32, o64);
    for (int c = 0; c < 2; c++) {
        int w = c == 0 ? 4 : 8;
        for (int j = 0; j <= NV; j++) {
            for (int mode = 0; mode < 3; mode++) {
                struct tu_body m = {0};
                var_body(&m, &at[0], &at[1]);
                uint8_t *p = m.data + at[c] + (size_t)j * (size_t)w;
                if (mode == 0 && j > 0) /* one below the previous offset */
                    put_offset(p, w, o64[j - 1] - 1);
                else if (mode == 1) /* beyond the data */
                    put_offset(p, w, (int64_t)dlen + 1);
                else if (mode == 2 && j == 0)
                    put_offset(p, w, -1);
                else
                    continue;
                int rc = var_decode(&s, &m, &b, &err);
                if (rc != DH_EINVAL)
                    fprintf(stderr, "  width %d row %d mode %d: rc %d\n", w, j, mode, rc);
                CHECK_INT(rc, DH_EINVAL);
                char want[32]; /* every case: row j is the first bad one */
                snprintf(want, sizeof want, "at row %d ", j);
                CHECK(rc != DH_EINVAL || strstr(err.msg, want) != NULL);
                dh_batch_reset(&b);
            }
        }
    }
    dh_schema_reset(&s);
    free(sm);
}

/* dh_column_read_bytes agrees with dh_column_get_bytes on every row for every
 * start and count, clips at the end, and reads nothing from other types. */
static void test_read_bytes(void)
{
    struct dh_schema s;
    struct dh_batch b;
    size_t at[2];
    uint8_t *sm = var_setup(&s, &b, at);
    CHECK_REQ(sm);
    static const int cols[] = {0, 1, 2, 5, 6};
    static const size_t counts[] = {0, 1, 7, 8, 9, 16, NV + 3};
    const uint8_t *ptrs[NV + 3];
    size_t lens[NV + 3];
    size_t checked = 0;
    for (size_t ci = 0; ci < sizeof cols / sizeof cols[0]; ci++) {
        const struct dh_column_view *col = &b.columns[cols[ci]];
        for (int64_t first = 0; first < NV; first++) {
            for (size_t ni = 0; ni < sizeof counts / sizeof counts[0]; ni++) {
                size_t n = counts[ni], left = (size_t)(NV - first);
                size_t k = dh_column_read_bytes(col, first, n, ptrs, lens);
                CHECK_INT(k, n < left ? n : left);
                for (size_t i = 0; i < k; i++) {
                    const uint8_t *p;
                    size_t len;
                    CHECK_INT(dh_column_get_bytes(col, first + (int64_t)i, &p, &len), DH_OK);
                    CHECK_INT(lens[i], len);
                    CHECK(ptrs[i] != NULL);
                    CHECK(len == 0 || ptrs[i] == p);
                    checked++;
                }
            }
        }
    }
    CHECK(checked > 1000);
    /* the letters themselves, through the bulk read */
    uint8_t data[NV * 4];
    int32_t o32[NV + 1];
    int64_t o64[NV + 1];
    var_data(data, o32, o64);
    CHECK_INT(dh_column_read_bytes(&b.columns[1], 0, NV, ptrs, lens), NV);
    for (int r = 0; r < NV; r++) {
        CHECK_INT(lens[r], (r * 7) % 5);
        CHECK(memcmp(ptrs[r], data + o32[r], lens[r]) == 0);
    }
    CHECK_INT(dh_column_read_bytes(&b.columns[5], 2, 1, ptrs, lens), 1);
    CHECK(lens[0] == 3 && ptrs[0][0] == (uint8_t)(6 * 13));
    CHECK_INT(dh_column_read_bytes(&b.columns[3], 0, 4, ptrs, lens), 0); /* Int */
    CHECK_INT(dh_column_read_bytes(&b.columns[0], NV, 4, ptrs, lens), 0);
    CHECK_INT(dh_column_read_bytes(&b.columns[0], -1, 4, ptrs, lens), 0);
    CHECK_INT(dh_column_read_bytes(NULL, 0, 4, ptrs, lens), 0);
    dh_batch_reset(&b);
    dh_schema_reset(&s);
    free(sm);
}

/* 32-bit ints widen with their sign (or without, unsigned) from any start. */
static void test_read_i64_int32(void)
{
    struct dh_schema s;
    struct dh_batch b;
    size_t at[2];
    uint8_t *sm = var_setup(&s, &b, at);
    CHECK_REQ(sm);
    int64_t out[NV];
    for (int64_t first = 0; first < NV; first++) {
        size_t n = (size_t)(NV - first);
        CHECK_INT(dh_column_read_i64(&b.columns[3], first, NV, out), n);
        for (size_t i = 0; i < n; i++) {
            uint32_t raw = var_ints[((size_t)first + i) % 8] ^ (uint32_t)((size_t)first + i);
            CHECK_INT(out[i], (int64_t)(int32_t)raw);
        }
        CHECK_INT(dh_column_read_i64(&b.columns[4], first, NV, out), n);
        for (size_t i = 0; i < n; i++) {
            uint32_t raw = var_ints[((size_t)first + i) % 8] ^ (uint32_t)((size_t)first + i);
            CHECK_INT(out[i], (int64_t)raw);
        }
    }
    dh_batch_reset(&b);
    dh_schema_reset(&s);
    free(sm);
}

/* ---- columns dhtui cannot decode, between columns it can ---- */

/* A field with any number of children (Struct, Map, Union, RunEndEncoded). */
struct nfield {
    const char *name;
    uint8_t tag;
    int mode; /* Union.mode (1 Dense), else -1 */
    int dict;
    const struct nfield *kids[3];
};

static uint32_t build_nfield(struct dh_fbb *b, const struct nfield *f)
{
    uint32_t refs[3];
    size_t nk = 0;
    for (; nk < 3 && f->kids[nk]; nk++)
        refs[nk] = build_nfield(b, f->kids[nk]);
    uint32_t kids = nk ? dh_fbb_create_vector_refs(b, refs, nk) : 0;
    uint32_t name = dh_fbb_create_cstring(b, f->name);
    uint32_t dict = 0;
    if (f->dict) {
        dh_fbb_start_table(b);
        dh_fbb_add_i64(b, 0, 1, 0);
        dict = dh_fbb_end_table(b);
    }
    dh_fbb_start_table(b);
    if (f->tag == 2) { /* Int: bitWidth, is_signed */
        dh_fbb_add_i32(b, 0, f->mode, 0);
        dh_fbb_add_bool(b, 1, 1, 0);
    } else if (f->mode >= 0) {
        dh_fbb_add_i16(b, 0, (int16_t)f->mode, -1);
    }
    uint32_t type = dh_fbb_end_table(b);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, 0, name);
    dh_fbb_add_bool(b, 1, 1, 0);
    dh_fbb_add_union(b, 3, f->tag, type);
    dh_fbb_add_offset(b, 4, dict);
    dh_fbb_add_offset(b, 5, kids);
    return dh_fbb_end_table(b);
}

static uint8_t *build_nschema(const struct nfield *const *fields, size_t n, size_t *len)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t refs[16];
    for (size_t i = 0; i < n; i++)
        refs[i] = build_nfield(&b, fields[i]);
    uint32_t fv = dh_fbb_create_vector_refs(&b, refs, n);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, 1, fv);
    uint32_t schema = dh_fbb_end_table(&b);
    return finish_message(&b, 1, schema, 0, len);
}

/* A RecordBatch with variadicBufferCounts (n_var entries of var[]). */
static uint8_t *build_vbatch(const struct tu_body *bd, int64_t length, const int64_t *var,
                             size_t n_var, size_t *len)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t nodes = dh_fbb_create_vector(&b, bd->nodes, 16, bd->nn, 8);
    uint32_t bufs = dh_fbb_create_vector(&b, bd->bufs, 16, bd->nb, 8);
    uint32_t vc = n_var ? dh_fbb_create_vector(&b, var, 8, n_var, 8) : 0;
    dh_fbb_start_table(&b);
    dh_fbb_add_i64(&b, 0, length, 0);
    dh_fbb_add_offset(&b, 1, nodes);
    dh_fbb_add_offset(&b, 2, bufs);
    dh_fbb_add_offset(&b, 4, vc);
    uint32_t rb = dh_fbb_end_table(&b);
    return finish_message(&b, 3, rb, (int64_t)bd->len, len);
}

static const struct nfield nf_i32 = {"i", 2, 32, 0, {NULL}};
static const struct nfield nf_i64 = {"x", 2, 64, 0, {NULL}};
static const struct nfield nf_str = {"y", 5, -1, 0, {NULL}};
static const struct nfield nf_iv = {"iv", 11, 2, 0, {NULL}}; /* Interval MONTH_DAY_NANO */
static const struct nfield nf_st = {"st", 13, -1, 0, {&nf_i64, &nf_str}};
static const struct nfield nf_entries = {"entries", 13, -1, 0, {&nf_str, &nf_i32}};
static const struct nfield nf_map = {"m", 17, -1, 0, {&nf_entries}};
static const struct nfield nf_dict = {"d", 12, -1, 1, {&nf_i32}}; /* of lists: not decoded */
static const struct nfield nf_union = {"u", 14, 1, 0, {&nf_i32}};
static const struct nfield nf_ree = {"r", 22, -1, 0, {&nf_i32, &nf_str}};
static const struct nfield nf_view = {"v", 24, -1, 0, {NULL}};
static const struct nfield nf_iv_el = {"", 11, 0, 0, {NULL}}; /* YEAR_MONTH */
static const struct nfield nf_list_iv = {"l", 12, -1, 0, {&nf_iv_el}};
static const struct nfield nf_a = {"a", 2, 32, 0, {NULL}};
static const struct nfield nf_s = {"s", 5, -1, 0, {NULL}};
static const struct nfield nf_z = {"z", 2, 64, 0, {NULL}};
static const struct nfield *const degrade_fields[] = {
    &nf_a,     &nf_iv,  &nf_s,    &nf_st,      &nf_map, &nf_dict,
    &nf_union, &nf_ree, &nf_view, &nf_list_iv, &nf_z,
};
enum { DEGRADE_N = sizeof degrade_fields / sizeof *degrade_fields };

/* 3 rows of degrade_fields; `drop` buffers left off the end (a malformed batch). */
static void degrade_body(struct tu_body *bd)
{
    static const uint8_t zeros[64];
    int32_t a[3] = {1, -2, 3};
    tu_body_node(bd, 3, 0); /* a */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, a, 12);
    uint8_t valid = 0x5; /* iv: row 1 null */
    tu_body_node(bd, 3, 1);
    tu_body_buf(bd, &valid, 1);
    tu_body_buf(bd, zeros, 48);
    int32_t soffs[4] = {0, 3, 3, 5};
    tu_body_node(bd, 3, 1); /* s: row 1 null */
    tu_body_buf(bd, &valid, 1);
    tu_body_buf(bd, soffs, 16);
    tu_body_buf(bd, "onetw", 5);
    tu_body_node(bd, 3, 0); /* st */
    tu_body_buf(bd, NULL, 0);
    tu_body_node(bd, 3, 0); /* st.x */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 24);
    tu_body_node(bd, 3, 0); /* st.y */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 16);
    tu_body_buf(bd, NULL, 0);
    int32_t moffs[4] = {0, 2, 2, 4};
    tu_body_node(bd, 3, 0); /* m */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, moffs, 16);
    tu_body_node(bd, 4, 0); /* m.entries */
    tu_body_buf(bd, NULL, 0);
    tu_body_node(bd, 4, 0); /* m.entries.key */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 20);
    tu_body_buf(bd, NULL, 0);
    tu_body_node(bd, 4, 0); /* m.entries.value */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 16);
    tu_body_node(bd, 3, 0); /* d: indices */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 12);
    tu_body_node(bd, 3, 0); /* u: dense, type ids and offsets, no validity */
    tu_body_buf(bd, zeros, 3);
    tu_body_buf(bd, zeros, 12);
    tu_body_node(bd, 3, 0); /* u.i */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 12);
    tu_body_node(bd, 3, 0); /* r: no buffers of its own */
    int32_t run_end = 3;
    tu_body_node(bd, 1, 0); /* r.run_ends */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, &run_end, 4);
    tu_body_node(bd, 1, 0); /* r.values */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 8);
    tu_body_buf(bd, NULL, 0);
    tu_body_node(bd, 3, 0); /* v: validity, views, then 2 variadic data buffers */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 48);
    tu_body_buf(bd, "abc", 3);
    tu_body_buf(bd, "de", 2);
    int32_t loffs[4] = {0, 1, 1, 2};
    tu_body_node(bd, 3, 0); /* l */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, loffs, 16);
    tu_body_node(bd, 2, 0); /* l's Interval elements (YEAR_MONTH: 4 bytes) */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, zeros, 8);
    int64_t z[3] = {INT64_MAX, 0, -9};
    uint8_t zvalid = 0x3; /* z: row 2 null */
    tu_body_node(bd, 3, 1);
    tu_body_buf(bd, &zvalid, 1);
    tu_body_buf(bd, z, 24);
}

static const struct nfield nf_ree_i64 = {"r", 22, -1, 0, {&nf_i32, &nf_i64}};
static void maybe_write_corpus(const char *name, const uint8_t *sm, size_t sl, const uint8_t *hm,
                               size_t hl, const struct tu_body *bd);

/* A run-end encoded Int64 over 5 rows: runs ending at ends[0..3), values 7, null, 9. */
static uint8_t *ree_batch(struct tu_body *bd, const int32_t ends[3], size_t *hl)
{
    memset(bd, 0, sizeof *bd);
    int64_t vals[3] = {7, 0, 9};
    uint8_t valid = 0x5;
    tu_body_node(bd, 5, 0); /* r: no buffers of its own */
    tu_body_node(bd, 3, 0); /* run_ends */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, ends, 12);
    tu_body_node(bd, 3, 1); /* values */
    tu_body_buf(bd, &valid, 1);
    tu_body_buf(bd, vals, 24);
    return build_vbatch(bd, 5, NULL, 0, hl);
}

/* Run-end encoded columns expand into their logical rows; run ends that do not
 * rise, or stop short of the length, are malformed. */
static void test_run_end_encoded(void)
{
    const struct nfield *fields[1] = {&nf_ree_i64};
    size_t sl, hl;
    uint8_t *sm = build_nschema(fields, 1, &sl);
    struct dh_schema s;
    struct dh_error err;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode(sm, sl, &s, &err) == DH_OK);
    CHECK_INT(dh_schema_check_supported(&s, &err), DH_OK);
    CHECK_INT(s.fields[0].type, DH_TYPE_INT);
    CHECK_INT(s.fields[0].bit_width, 64);
    CHECK_INT(s.fields[0].run_end_width, 4);
    struct tu_body bd;
    struct dh_batch b;
    dh_batch_init(&b);
    static const int32_t good[3] = {2, 3, 5}, flat[3] = {2, 2, 5}, short_[3] = {1, 2, 4};
    uint8_t *hdr = ree_batch(&bd, good, &hl);
    maybe_write_corpus("run_end_encoded", sm, sl, hdr, hl, &bd);
    CHECK_REQ(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err) == DH_OK);
    const struct dh_column_view *c = &b.columns[0];
    CHECK_INT(c->length, 5);
    CHECK_INT(dh_column_get_i64(c, 0), 7);
    CHECK_INT(dh_column_get_i64(c, 1), 7);
    CHECK(dh_column_is_null(c, 2));
    CHECK_INT(dh_column_get_i64(c, 3), 9);
    CHECK_INT(dh_column_get_i64(c, 4), 9);
    CHECK_INT(c->null_count, 1);
    free(hdr);
    hdr = ree_batch(&bd, flat, &hl);
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_EINVAL);
    CHECK_STR(err.msg, "Arrow record batch: column 'r': run end 2 after 2 does not rise");
    free(hdr);
    hdr = ree_batch(&bd, short_, &hl);
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_EINVAL);
    CHECK_STR(err.msg, "Arrow record batch: column 'r': row 4 lies past the last run");
    free(hdr);
    dh_batch_reset(&b);
    dh_schema_reset(&s);
    free(sm);
}

/* Write an IPC stream of the schema and one batch into tests/fuzz/corpus when
 * DH_WRITE_CORPUS names the fuzz_arrow corpus directory. */
static void maybe_write_corpus(const char *name, const uint8_t *sm, size_t sl, const uint8_t *hm,
                               size_t hl, const struct tu_body *bd)
{
    const char *dir = getenv("DH_WRITE_CORPUS");
    char path[512];
    if (!dir || snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return;
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return;
    static const uint8_t pad[8];
    const uint8_t *msgs[2] = {sm, hm};
    size_t lens[2] = {sl, hl};
    for (int i = 0; i < 2; i++) {
        size_t padded = (lens[i] + 7) & ~(size_t)7;
        uint8_t pre[8] = {0xFF, 0xFF, 0xFF, 0xFF};
        dh_fbb_put_u32(pre + 4, (uint32_t)padded);
        fwrite(pre, 1, 8, fp);
        fwrite(msgs[i], 1, lens[i], fp);
        fwrite(pad, 1, padded - lens[i], fp);
    }
    fwrite(bd->data, 1, bd->len, fp);
    fclose(fp);
}

/* Columns dhtui cannot decode sit between ones it can: each is skipped by
 * exactly its nodes and buffers, so the others decode exactly. */
static void test_undecodable_between(void)
{
    size_t sl, hl;
    uint8_t *sm = build_nschema(degrade_fields, DEGRADE_N, &sl);
    struct dh_schema s;
    struct dh_error err;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode(sm, sl, &s, &err) == DH_OK);
    CHECK_INT(dh_schema_check_supported(&s, &err), DH_ENOTSUP);
    CHECK_STR(err.msg, "column 'd': dictionary-encoded values of this type are not supported");
    CHECK_INT(dh_schema_check_readable(&s, &err), DH_OK);
    static const char *const names[DEGRADE_N] = {
        NULL, NULL, NULL, NULL, NULL, "Dictionary<List>", "Union", NULL, "Utf8View", NULL, NULL,
    };
    for (size_t i = 0; i < DEGRADE_N; i++) {
        CHECK_INT(dh_field_decodable(&s.fields[i]), names[i] == NULL);
        if (names[i])
            CHECK_STR(s.fields[i].type_name, names[i]);
    }
    struct tu_body bd = {0};
    degrade_body(&bd);
    int64_t var[1] = {2};
    uint8_t *hdr = build_vbatch(&bd, 3, var, 1, &hl);
    maybe_write_corpus("undecodable_between", sm, sl, hdr, hl, &bd);
    struct dh_batch b;
    dh_batch_init(&b);
    CHECK_REQ(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err) == DH_OK);
    CHECK_INT((long long)b.n_columns, DEGRADE_N);
    const struct dh_column_view *c = b.columns;
    CHECK_INT(dh_column_get_i64(&c[0], 0), 1);
    CHECK_INT(dh_column_get_i64(&c[0], 1), -2);
    CHECK_INT(dh_column_get_i64(&c[0], 2), 3);
    CHECK(tu_cell_is_text(&c[2], 0, "one"));
    CHECK(dh_column_is_null(&c[2], 1));
    CHECK(tu_cell_is_text(&c[2], 2, "tw"));
    CHECK_INT(dh_column_get_i64(&c[10], 0), INT64_MAX);
    CHECK_INT(dh_column_get_i64(&c[10], 1), 0);
    CHECK(!dh_column_is_null(&c[10], 1));
    CHECK(dh_column_is_null(&c[10], 2));
    /* the Interval columns between them decode too */
    struct dh_interval iv;
    CHECK_INT(c[1].length, 3);
    CHECK(!dh_column_is_null(&c[1], 0));
    CHECK(dh_column_is_null(&c[1], 1));
    CHECK_INT(dh_column_get_interval(&c[1], 2, &iv), DH_OK);
    CHECK(iv.months == 0 && iv.days == 0 && iv.nanos == 0);
    for (int r = 0; r < 3; r++) /* the run-end encoded Utf8: one run of "" */
        CHECK(tu_cell_is_text(&c[7], r, ""));
    CHECK_REQ(c[9].child);
    CHECK_INT(c[9].child->length, 2);
    /* the Struct and the Map (in Arrow's form: an entries node of 4 rows) */
    CHECK_REQ(c[3].children);
    CHECK_INT(dh_column_get_i64(&c[3].children[0], 2), 0);
    CHECK(tu_cell_is_text(&c[3].children[1], 2, ""));
    int64_t ms, mn;
    CHECK_INT(dh_column_list_range(&c[4], 2, &ms, &mn), DH_OK);
    CHECK(ms == 2 && mn == 2);
    CHECK_REQ(c[4].child && c[4].child->children);
    CHECK_INT(c[4].child->length, 4);
    CHECK(tu_cell_is_text(&c[4].child->children[0], 3, ""));
    CHECK_INT(dh_column_get_i64(&c[4].child->children[1], 3), 0);
    CHECK_INT(dh_column_get_interval(c[9].child, 1, &iv), DH_OK);
    /* the skipped columns: their length and nulls, no values */
    CHECK_INT(c[3].length, 3);
    const uint8_t *p;
    size_t n;
    for (size_t i = 0; i < DEGRADE_N; i++) {
        if (!names[i])
            continue;
        CHECK_INT(c[i].length, 3);
        CHECK(c[i].values == NULL && c[i].child == NULL);
        CHECK_INT(dh_column_get_bytes(&c[i], 0, &p, &n), DH_EINVAL);
        CHECK_INT(dh_column_get_i64(&c[i], 0), 0);
    }
    dh_batch_reset(&b);
    free(hdr);
    /* without the variadic count the Utf8View column cannot be stepped over */
    hdr = build_vbatch(&bd, 3, NULL, 0, &hl);
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_EINVAL);
    free(hdr);
    /* one buffer too few or too many is malformed, skipped columns included */
    bd.nb--;
    hdr = build_vbatch(&bd, 3, var, 1, &hl);
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_EINVAL);
    free(hdr);
    var[0] = 3;
    bd.nb++;
    hdr = build_vbatch(&bd, 3, var, 1, &hl);
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_EINVAL);
    free(hdr);
    dh_schema_reset(&s);
    free(sm);
}

/* ---- Map and Struct ---- */

static const struct nfield nf_key = {"key", 5, -1, 0, {NULL}};
static const struct nfield nf_value = {"value", 2, 64, 0, {NULL}};
static const struct nfield nf_ent = {"entries", 13, -1, 0, {&nf_key, &nf_value}};
static const struct nfield nf_smap = {"m", 17, -1, 0, {&nf_ent}};
static const struct nfield nf_after = {"after", 2, 32, 0, {NULL}};

/* A Map<String, Long> of rows {a=1, b=null}, null, {} and an Int after it, as
 * upstream's MapChunkWriter.java writes it: the entries' Struct node says
 * rows + 1 with the map's null count, over an empty validity buffer.
 * `bad_offset`: the last offset points past the entries. */
static uint8_t *quirk_map_batch(struct tu_body *bd, int bad_offset, size_t *hl)
{
    memset(bd, 0, sizeof *bd);
    uint8_t mvalid = 0x5, vvalid = 0x1;
    int32_t moffs[4] = {0, 2, 2, bad_offset ? 3 : 2}, koffs[3] = {0, 1, 2};
    int64_t vals[2] = {1, 0};
    int32_t after[3] = {7, 8, 9};
    tu_body_node(bd, 3, 1); /* m */
    tu_body_buf(bd, &mvalid, 1);
    tu_body_buf(bd, moffs, 16);
    tu_body_node(bd, 4, 1); /* entries: rows + 1, the map's null count */
    tu_body_buf(bd, NULL, 0);
    tu_body_node(bd, 2, 0); /* key */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, koffs, 12);
    tu_body_buf(bd, "ab", 2);
    tu_body_node(bd, 2, 1); /* value */
    tu_body_buf(bd, &vvalid, 1);
    tu_body_buf(bd, vals, 16);
    tu_body_node(bd, 3, 0); /* after */
    tu_body_buf(bd, NULL, 0);
    tu_body_buf(bd, after, 12);
    return build_vbatch(bd, 3, NULL, 0, hl);
}

static const char *cell_str(const struct dh_column_view *c, int64_t row, char *buf, size_t n)
{
    struct dh_format_opts o;
    dh_format_opts_init(&o);
    dh_format_cell(c, row, &o, buf, n);
    return buf;
}

/* Upstream's Map form decodes as the Arrow form does, and shows as Java's
 * Map.toString; offsets past the entries are malformed. */
static void test_map_upstream_form(void)
{
    const struct nfield *fields[2] = {&nf_smap, &nf_after};
    size_t sl, hl;
    uint8_t *sm = build_nschema(fields, 2, &sl);
    struct dh_schema s;
    struct dh_error err;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode(sm, sl, &s, &err) == DH_OK);
    CHECK_INT(dh_schema_check_supported(&s, &err), DH_OK);
    CHECK_INT(s.fields[0].type, DH_TYPE_MAP);
    char label[64], text[64];
    dh_format_type_label(&s.fields[0], label, sizeof label);
    CHECK_STR(label, "map<string, int64>");
    struct tu_body bd;
    struct dh_batch b;
    dh_batch_init(&b);
    uint8_t *hdr = quirk_map_batch(&bd, 0, &hl);
    maybe_write_corpus("map_upstream", sm, sl, hdr, hl, &bd);
    CHECK_REQ(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err) == DH_OK);
    const struct dh_column_view *m = &b.columns[0];
    CHECK_INT(m->child->length, 2); /* the entries, not the node's 4 */
    CHECK(m->child->validity == NULL);
    CHECK_STR(cell_str(m, 0, text, sizeof text), "{a=1, b=(null)}");
    CHECK_STR(cell_str(m, 1, text, sizeof text), "(null)");
    CHECK_STR(cell_str(m, 2, text, sizeof text), "{}");
    for (int r = 0; r < 3; r++)
        CHECK_INT(dh_column_get_i64(&b.columns[1], r), 7 + r);
    dh_batch_reset(&b);
    free(hdr);
    hdr = quirk_map_batch(&bd, 1, &hl);
    CHECK_INT(dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "column 'm': offset 3 at row 3") != NULL);
    free(hdr);
    dh_schema_reset(&s);
    free(sm);
}

static const struct nfield nf_sx = {"x", 2, 64, 0, {NULL}};
static const struct nfield nf_sy = {"y", 5, -1, 0, {NULL}};
static const struct nfield nf_struct = {"st", 13, -1, 0, {&nf_sx, &nf_sy}};

/* A Struct {x: Long, y: String}: rows {x=5, y=hi}, null, {x=(null), y=}; a
 * field shorter than the Struct is malformed. */
static void test_struct_column(void)
{
    const struct nfield *fields[1] = {&nf_struct};
    size_t sl, hl;
    uint8_t *sm = build_nschema(fields, 1, &sl);
    struct dh_schema s;
    struct dh_error err;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode(sm, sl, &s, &err) == DH_OK);
    CHECK_INT(dh_schema_check_supported(&s, &err), DH_OK);
    char label[64], text[64];
    dh_format_type_label(&s.fields[0], label, sizeof label);
    CHECK_STR(label, "struct<x: int64, y: string>");
    for (int shorter = 0; shorter < 2; shorter++) {
        struct tu_body bd = {0};
        uint8_t svalid = 0x5, xvalid = 0x1;
        int64_t xs[3] = {5, 0, 0};
        int32_t yoffs[4] = {0, 2, 2, 2};
        tu_body_node(&bd, 3, 1); /* st */
        tu_body_buf(&bd, &svalid, 1);
        tu_body_node(&bd, 3, 2); /* x */
        tu_body_buf(&bd, &xvalid, 1);
        tu_body_buf(&bd, xs, 24);
        tu_body_node(&bd, shorter ? 2 : 3, 0); /* y */
        tu_body_buf(&bd, NULL, 0);
        tu_body_buf(&bd, yoffs, shorter ? 12 : 16);
        tu_body_buf(&bd, "hi", 2);
        uint8_t *hdr = build_vbatch(&bd, 3, NULL, 0, &hl);
        struct dh_batch b;
        dh_batch_init(&b);
        int rc = dh_batch_decode(&s, hdr, hl, bd.data, bd.len, &b, &err);
        if (shorter) {
            CHECK_INT(rc, DH_EINVAL);
            CHECK_STR(err.msg, "Arrow record batch: column 'st': Struct field 'y' has 2 rows but "
                               "the Struct 3");
        } else {
            maybe_write_corpus("struct", sm, sl, hdr, hl, &bd);
            CHECK_REQ(rc == DH_OK);
            CHECK_STR(cell_str(&b.columns[0], 0, text, sizeof text), "{x=5, y=hi}");
            CHECK_STR(cell_str(&b.columns[0], 1, text, sizeof text), "(null)");
            CHECK_STR(cell_str(&b.columns[0], 2, text, sizeof text), "{x=(null), y=}");
        }
        dh_batch_reset(&b);
        free(hdr);
    }
    dh_schema_reset(&s);
    free(sm);
}

/* A type whose layout dhtui does not know still refuses the whole table. */
static void test_undecodable_unknown_layout(void)
{
    static const struct nfield odd = {"x", 99, -1, 0, {NULL}};
    static const struct nfield *const fs[] = {&nf_a, &odd};
    size_t sl;
    uint8_t *sm = build_nschema(fs, 2, &sl);
    struct dh_schema s;
    struct dh_error err;
    dh_schema_init(&s);
    CHECK_REQ(dh_schema_decode(sm, sl, &s, &err) == DH_OK);
    CHECK_INT(dh_schema_check_readable(&s, &err), DH_ENOTSUP);
    CHECK_STR(err.msg, "column 'x': type type #99 is not supported");
    dh_schema_reset(&s);
    free(sm);
}

int main(void)
{
    CHECK_RUN(T(test_golden_types), T(test_golden_nonulls), T(test_golden_empty),
              T(test_golden_sliced), T(test_golden_dhmeta), T(test_golden_coverage),
              T(test_golden_dictionary), T(test_golden_fixedlist), T(test_golden_maps),
              T(test_dictionary_state), T(test_hidden_columns), T(test_golden_prefixes),
              T(test_golden_mutations), T(test_schema_defaults), T(test_unsupported),
              T(test_bad_params), T(test_encapsulated), T(test_deephaven_layout), T(test_refusals),
              T(test_malformed_batches), T(test_other_widths), T(test_stream_framing),
              T(test_bulk_readers), T(test_offsets_every_row), T(test_read_bytes),
              T(test_read_i64_int32), T(test_undecodable_between), T(test_run_end_encoded),
              T(test_undecodable_unknown_layout), T(test_map_upstream_form), T(test_struct_column));
}
