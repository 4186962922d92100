/* SPDX-License-Identifier: MIT */
/* test_flatbuf.c: the bounds-checked flatbuffer reader against valid, truncated,
 * mutated and hand-made hostile buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_fbb.h"
#include "dh_flatbuf.h"
#include "testutil.h"

/* A buffer exercising every kind of field; caller frees. */
static uint8_t *make_sample(size_t *len)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t s = dh_fbb_create_cstring(&b, "name");
    uint8_t st[32] = {1, 2, 3};
    uint32_t sv = dh_fbb_create_vector(&b, st, 16, 2, 8);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, 0, s);
    dh_fbb_add_i64(&b, 1, 42, 0);
    uint32_t kid = dh_fbb_end_table(&b);
    uint32_t kids[3] = {kid, kid, kid};
    uint32_t kv = dh_fbb_create_vector_refs(&b, kids, 3);
    dh_fbb_start_table(&b);
    dh_fbb_add_i16(&b, 0, 4, 0);
    dh_fbb_add_union(&b, 2, 1, kid);
    dh_fbb_add_offset(&b, 3, sv);
    dh_fbb_add_offset(&b, 4, kv);
    dh_fbb_add_offset(&b, 5, s);
    dh_fbb_add_struct(&b, 6, st, 16, 8);
    dh_fbb_finish(&b, dh_fbb_end_table(&b));
    uint8_t *out = dh_fbb_copy(&b, len);
    dh_fbb_reset(&b);
    return out;
}

static void test_sample_reads(void)
{
    size_t len;
    uint8_t *buf = make_sample(&len);
    CHECK_REQ(buf != NULL);
    struct dh_fb_table t, u;
    CHECK_REQ(dh_fb_root(buf, len, &t, NULL) == DH_OK);
    CHECK_INT(dh_fb_i16(&t, 0, 0), 4);
    uint8_t type;
    CHECK_REQ(dh_fb_union(&t, 2, &type, &u, NULL) == DH_OK);
    CHECK_INT(type, 1);
    CHECK_INT(dh_fb_i64(&u, 1, 0), 42);
    const uint8_t *p;
    CHECK_REQ(dh_fb_struct(&t, 6, 16, &p, NULL) == DH_OK);
    CHECK(p && p[0] == 1 && p[2] == 3);
    int budget = 100;
    CHECK(tu_fb_walk(&t, 20, &budget) != 0);
    free(buf);
}

/* Every proper prefix is rejected or read safely (ASan checks the "safely"). */
static void test_prefixes(void)
{
    size_t len;
    uint8_t *buf = make_sample(&len);
    CHECK_REQ(buf != NULL);
    int roots_ok = 0;
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        CHECK_REQ(cut != NULL);
        memcpy(cut, buf, n);
        struct dh_fb_table t;
        if (dh_fb_root(cut, n, &t, NULL) == DH_OK) {
            roots_ok++;
            int budget = 100;
            (void)tu_fb_walk(&t, 20, &budget);
        }
        free(cut);
    }
    CHECK(roots_ok < (int)len); /* short prefixes at least must fail */
    struct dh_error err;
    struct dh_fb_table t;
    CHECK_INT(dh_fb_root(buf, 3, &t, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "at least 12 bytes") != NULL);
    free(buf);
}

/* Each byte set to a few hostile values: never out of bounds. */
static void test_mutations(void)
{
    size_t len;
    uint8_t *buf = make_sample(&len);
    CHECK_REQ(buf != NULL);
    static const uint8_t vals[] = {0x00, 0x01, 0x04, 0x7F, 0x80, 0xF0, 0xFC, 0xFF};
    uint8_t *m = malloc(len);
    CHECK_REQ(m != NULL);
    size_t opened = 0;
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof vals; k++) {
            memcpy(m, buf, len);
            m[i] = vals[k];
            struct dh_fb_table t;
            if (dh_fb_root(m, len, &t, NULL) == DH_OK) {
                int budget = 200;
                (void)tu_fb_walk(&t, 20, &budget);
                opened++;
            }
        }
    }
    CHECK(opened > 0);
    free(m);
    free(buf);
}

/* Hand-made hostile buffers: each must fail with DH_EINVAL and a message. */
static void test_hostile(void)
{
    struct dh_error err;
    struct dh_fb_table t;
    /* root offset beyond the end */
    uint8_t a[16] = {0xF0, 0, 0, 0};
    CHECK_INT(dh_fb_root(a, sizeof a, &t, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "root offset") != NULL);
    /* vtable before the buffer start: soffset larger than the position */
    uint8_t b[16] = {4, 0, 0, 0, 0x40, 0, 0, 0};
    CHECK_INT(dh_fb_root(b, sizeof b, &t, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "vtable") != NULL);
    /* vtable size odd / too small */
    uint8_t c[16] = {8, 0, 0, 0, 3, 0, 4, 0, 4, 0, 0, 0};
    CHECK_INT(dh_fb_root(c, sizeof c, &t, &err), DH_EINVAL);
    /* object size runs past the end */
    uint8_t d[16] = {8, 0, 0, 0, 4, 0, 0xFF, 0, 4, 0, 0, 0};
    CHECK_INT(dh_fb_root(d, sizeof d, &t, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "beyond") != NULL);

    /* a valid table whose vector claims 2^32-1 elements */
    uint8_t e[32] = {
        12,   0,    0,    0,                /* root at 12 */
        6,    0,    8,    0,    4, 0, 0, 0, /* vtable at 4: size 6, obj 8, field 0 at +4 */
        8,    0,    0,    0,                /* soffset: vtable at 12-8 = 4 */
        4,    0,    0,    0,                /* field 0 at 16: vector at 20 */
        0xFF, 0xFF, 0xFF, 0xFF,             /* count */
    };
    CHECK_REQ(dh_fb_root(e, sizeof e, &t, &err) == DH_OK);
    struct dh_fb_vector v;
    CHECK_INT(dh_fb_vector_field(&t, 0, 4, &v, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "elements") != NULL);
    const char *s;
    size_t n;
    CHECK_INT(dh_fb_string(&t, 0, &s, &n, &err), DH_EINVAL);
    CHECK(s == NULL);
    /* a count of 2: 2 elements of 4 fit (8 bytes remain after the count), not of 8 */
    e[20] = 2;
    e[21] = e[22] = e[23] = 0;
    CHECK_INT(dh_fb_vector_field(&t, 0, 4, &v, &err), DH_OK);
    CHECK_INT(v.n, 2);
    CHECK_INT(dh_fb_vector_field(&t, 0, 8, &v, &err), DH_EINVAL);
    /* an offset pointing past the end */
    e[16] = 0xF0;
    struct dh_fb_table sub;
    CHECK_INT(dh_fb_table_field(&t, 0, &sub, &err), DH_EINVAL);
    CHECK(!sub.present);
    /* a scalar field whose bytes run past the end reads as the default */
    e[8] = 28; /* field 0 at 12+28 = 40 > 32 */
    CHECK_INT(dh_fb_i64(&t, 0, -9), -9);
}

/* A chain of tables deeper than DH_FB_MAX_DEPTH is refused. */
static void test_depth_limit(void)
{
    /* offsets only point forwards, so a long chain stands in for a cycle */
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t prev = 0;
    for (int i = 0; i < DH_FB_MAX_DEPTH + 5; i++) {
        dh_fbb_start_table(&b);
        dh_fbb_add_offset(&b, 0, prev);
        dh_fbb_add_i32(&b, 1, i, -1);
        prev = dh_fbb_end_table(&b);
    }
    CHECK_REQ(dh_fbb_finish(&b, prev) == DH_OK);
    size_t len;
    const uint8_t *buf = dh_fbb_data(&b, &len);
    struct dh_fb_table t, next;
    struct dh_error err;
    CHECK_REQ(dh_fb_root(buf, len, &t, &err) == DH_OK);
    int steps = 0, rc = DH_OK;
    while (rc == DH_OK && t.present) {
        rc = dh_fb_table_field(&t, 0, &next, &err);
        t = next;
        steps++;
    }
    CHECK_INT(rc, DH_EINVAL);
    CHECK_INT(steps, DH_FB_MAX_DEPTH + 1);
    CHECK(strstr(err.msg, "nest") != NULL);
    dh_fbb_reset(&b);
}

/* Random multi-byte corruptions of a valid buffer: never a crash. */
static void test_random(void)
{
    size_t len;
    uint8_t *buf = make_sample(&len);
    CHECK_REQ(buf != NULL);
    uint8_t *m = malloc(len);
    CHECK_REQ(m != NULL);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    int opened = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(m, buf, len);
        for (int k = 0; k < 4; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            m[(x >> 8) % len] = (uint8_t)x;
        }
        struct dh_fb_table t;
        if (dh_fb_root(m, len, &t, NULL) == DH_OK) {
            int budget = 50;
            (void)tu_fb_walk(&t, 20, &budget);
            opened++;
        }
    }
    CHECK(opened > 0); /* most corruptions leave the root readable */
    free(m);
    free(buf);
}

int main(void)
{
    CHECK_RUN(T(test_sample_reads), T(test_prefixes), T(test_mutations), T(test_hostile),
              T(test_depth_limit), T(test_random));
}
