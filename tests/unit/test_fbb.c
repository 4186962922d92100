/* SPDX-License-Identifier: MIT */
/* test_fbb.c: the flatbuffer builder, read back with the dh_flatbuf reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_fbb.h"
#include "dh_flatbuf.h"

/* A table with one of everything: scalars, string, vectors, union, nested buffer. */
static void test_all_field_kinds(void)
{
    struct dh_fbb inner;
    dh_fbb_init(&inner);
    dh_fbb_start_table(&inner);
    dh_fbb_add_u32(&inner, 0, 0x6E687064u, 0);
    CHECK_INT(dh_fbb_finish(&inner, dh_fbb_end_table(&inner)), DH_OK);
    size_t inner_len;
    const uint8_t *inner_buf = dh_fbb_data(&inner, &inner_len);
    CHECK_REQ(inner_buf != NULL);

    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t name = dh_fbb_create_cstring(&b, "hello");
    int32_t ints[3] = {1, -2, 300000};
    uint8_t ints_le[12];
    for (int i = 0; i < 3; i++)
        dh_fbb_put_u32(ints_le + 4 * i, (uint32_t)ints[i]);
    uint32_t vec = dh_fbb_create_vector(&b, ints_le, 4, 3, 4);
    uint8_t nodes[32];
    dh_fbb_put_i64(nodes, 7);
    dh_fbb_put_i64(nodes + 8, -1);
    dh_fbb_put_i64(nodes + 16, INT64_MAX);
    dh_fbb_put_i64(nodes + 24, INT64_MIN);
    uint32_t structs = dh_fbb_create_vector(&b, nodes, 16, 2, 8);
    uint32_t nested = dh_fbb_create_bytes(&b, inner_buf, inner_len);
    uint32_t kids[2];
    for (int i = 0; i < 2; i++) {
        uint32_t s = dh_fbb_create_cstring(&b, i ? "two" : "one");
        dh_fbb_start_table(&b);
        dh_fbb_add_offset(&b, 0, s);
        dh_fbb_add_i16(&b, 1, (int16_t)(i + 10), 0);
        kids[i] = dh_fbb_end_table(&b);
    }
    uint32_t kidvec = dh_fbb_create_vector_refs(&b, kids, 2);
    uint32_t s1 = dh_fbb_create_cstring(&b, "a"), s2 = dh_fbb_create_cstring(&b, "bc");
    uint32_t strs[2] = {s1, s2};
    uint32_t strvec = dh_fbb_create_vector_refs(&b, strs, 2);
    dh_fbb_start_table(&b);
    dh_fbb_add_i64(&b, 0, 10, 0);
    uint32_t uval = dh_fbb_end_table(&b);

    dh_fbb_start_table(&b);
    dh_fbb_add_bool(&b, 0, 1, 0);
    dh_fbb_add_i8(&b, 1, -5, 0);
    dh_fbb_add_i16(&b, 2, -300, 0);
    dh_fbb_add_i32(&b, 3, 123456, 0);
    dh_fbb_add_i64(&b, 4, -1234567890123LL, 0);
    dh_fbb_add_f64(&b, 5, 2.5, 0);
    dh_fbb_add_offset(&b, 6, name);
    dh_fbb_add_offset(&b, 7, vec);
    dh_fbb_add_offset(&b, 8, structs);
    dh_fbb_add_offset(&b, 9, nested);
    dh_fbb_add_offset(&b, 10, kidvec);
    dh_fbb_add_union(&b, 12, 3, uval);
    dh_fbb_add_offset(&b, 13, strvec);
    dh_fbb_add_i32(&b, 14, 99, 99); /* default: omitted */
    dh_fbb_add_f32(&b, 15, 1.5f, 0.0f);
    dh_fbb_add_u64(&b, 16, UINT64_MAX, 0);
    uint32_t root = dh_fbb_end_table(&b);
    CHECK_INT(dh_fbb_finish(&b, root), DH_OK);
    size_t len;
    const uint8_t *buf = dh_fbb_data(&b, &len);
    CHECK_REQ(buf != NULL);
    CHECK_INT(len % 8, 0);

    struct dh_error err;
    struct dh_fb_table t;
    CHECK_REQ(dh_fb_root(buf, len, &t, &err) == DH_OK);
    CHECK_INT(dh_fb_bool(&t, 0, 0), 1);
    CHECK_INT(dh_fb_i8(&t, 1, 0), -5);
    CHECK_INT(dh_fb_i16(&t, 2, 0), -300);
    CHECK_INT(dh_fb_i32(&t, 3, 0), 123456);
    CHECK_INT(dh_fb_i64(&t, 4, 0), -1234567890123LL);
    CHECK(dh_fb_f64(&t, 5, 0) == 2.5);
    CHECK(!dh_fb_has(&t, 14));
    CHECK_INT(dh_fb_i32(&t, 14, 99), 99);
    CHECK(dh_fb_f32(&t, 15, 0) == 1.5f);
    CHECK(dh_fb_u64(&t, 16, 0) == UINT64_MAX);
    CHECK_INT(dh_fb_i32(&t, 40, 7), 7); /* beyond the vtable: default */

    const char *s;
    size_t sl;
    CHECK_REQ(dh_fb_string(&t, 6, &s, &sl, &err) == DH_OK);
    CHECK_INT(sl, 5);
    CHECK(s && memcmp(s, "hello", 5) == 0 && s[5] == '\0');

    struct dh_fb_vector v;
    CHECK_REQ(dh_fb_vector_field(&t, 7, 4, &v, &err) == DH_OK);
    CHECK_INT(v.n, 3);
    CHECK_INT(dh_fb_load_i32(dh_fb_vector_at(&v, 2)), 300000);
    CHECK_INT(dh_fb_load_i32(dh_fb_vector_at(&v, 1)), -2);
    CHECK(dh_fb_vector_at(&v, 3) == NULL);
    CHECK_INT((uintptr_t)(buf + v.pos) % 4, 0);

    CHECK_REQ(dh_fb_vector_field(&t, 8, 16, &v, &err) == DH_OK);
    CHECK_INT(v.n, 2);
    CHECK_INT((v.pos) % 8, 0); /* structs of i64 aligned to 8 */
    CHECK_INT(dh_fb_load_i64(dh_fb_vector_at(&v, 1) + 8), INT64_MIN);
    CHECK_INT(dh_fb_load_i64(dh_fb_vector_at(&v, 0)), 7);

    const uint8_t *nb;
    size_t nl;
    CHECK_REQ(dh_fb_bytes(&t, 9, &nb, &nl, &err) == DH_OK);
    CHECK_INT(nl, inner_len);
    CHECK_INT((size_t)(nb - buf) % 8, 0);
    struct dh_fb_table it;
    CHECK_REQ(dh_fb_root(nb, nl, &it, &err) == DH_OK);
    CHECK_INT(dh_fb_u32(&it, 0, 0), 0x6E687064u);

    CHECK_REQ(dh_fb_vector_field(&t, 10, 4, &v, &err) == DH_OK);
    CHECK_INT(v.n, 2);
    for (size_t i = 0; i < 2; i++) {
        struct dh_fb_table k;
        CHECK_REQ(dh_fb_vector_table(&v, i, &k, &err) == DH_OK);
        CHECK_INT(k.depth, 1);
        CHECK_INT(dh_fb_i16(&k, 1, 0), 10 + (int)i);
        CHECK_REQ(dh_fb_string(&k, 0, &s, &sl, &err) == DH_OK);
        CHECK_INT(sl, 3);
        CHECK(memcmp(s, i ? "two" : "one", 3) == 0);
    }
    CHECK_REQ(dh_fb_vector_field(&t, 13, 4, &v, &err) == DH_OK);
    CHECK_REQ(dh_fb_vector_string(&v, 1, &s, &sl, &err) == DH_OK);
    CHECK(sl == 2 && memcmp(s, "bc", 2) == 0);

    uint8_t type;
    struct dh_fb_table u;
    CHECK_REQ(dh_fb_union(&t, 12, &type, &u, &err) == DH_OK);
    CHECK_INT(type, 3);
    CHECK_REQ(u.present);
    CHECK_INT(dh_fb_i64(&u, 0, 0), 10);

    /* an absent union and absent offsets */
    CHECK_REQ(dh_fb_union(&t, 20, &type, &u, &err) == DH_OK);
    CHECK(type == 0 && !u.present);
    CHECK_REQ(dh_fb_string(&t, 21, &s, &sl, &err) == DH_OK);
    CHECK(s == NULL && sl == 0);

    uint8_t *copy = dh_fbb_copy(&b, &nl);
    CHECK(copy && nl == len && memcmp(copy, buf, len) == 0);
    free(copy);
    dh_fbb_reset(&b);
    dh_fbb_reset(&b); /* idempotent */
    dh_fbb_reset(&inner);
    dh_fbb_reset(NULL);
}

/* Identical vtables are shared; the buffer stays readable. */
static void test_vtable_sharing(void)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t refs[50];
    for (int i = 0; i < 50; i++) {
        dh_fbb_start_table(&b);
        dh_fbb_add_i64(&b, 0, i, -1);
        dh_fbb_add_i32(&b, 1, i * 2, -1);
        refs[i] = dh_fbb_end_table(&b);
    }
    CHECK_INT(b.n_vtables, 1);
    uint32_t vec = dh_fbb_create_vector_refs(&b, refs, 50);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, 0, vec);
    CHECK_INT(dh_fbb_finish(&b, dh_fbb_end_table(&b)), DH_OK);
    size_t len;
    const uint8_t *buf = dh_fbb_data(&b, &len);
    struct dh_fb_table t, k;
    struct dh_fb_vector v;
    CHECK_REQ(dh_fb_root(buf, len, &t, NULL) == DH_OK);
    CHECK_REQ(dh_fb_vector_field(&t, 0, 4, &v, NULL) == DH_OK);
    CHECK_INT(v.n, 50);
    for (size_t i = 0; i < 50; i++) {
        CHECK_REQ(dh_fb_vector_table(&v, i, &k, NULL) == DH_OK);
        CHECK_INT(dh_fb_i64(&k, 0, -7), (int64_t)i);
        CHECK_INT(dh_fb_i32(&k, 1, -7), (int32_t)i * 2);
    }
    /* field 0 of table 0 equals the default -1? no: 0 != -1, so present */
    dh_fbb_reset(&b);
}

/* Misuse is reported through the sticky status, never a crash. */
static void test_misuse(void)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    dh_fbb_start_table(&b);
    CHECK_INT(dh_fbb_create_cstring(&b, "x"), 0); /* strings inside a table */
    CHECK_INT(dh_fbb_status(&b), DH_EINVAL);
    CHECK_INT(dh_fbb_end_table(&b), 0); /* sticky */
    CHECK_INT(dh_fbb_finish(&b, 4), DH_EINVAL);
    CHECK(dh_fbb_data(&b, NULL) == NULL);

    dh_fbb_clear(&b);
    CHECK_INT(dh_fbb_status(&b), DH_OK);
    dh_fbb_start_table(&b);
    dh_fbb_add_i32(&b, DH_FBB_MAX_FIELDS, 1, 0);
    CHECK_INT(dh_fbb_status(&b), DH_EINVAL);

    dh_fbb_clear(&b);
    CHECK_INT(dh_fbb_finish(&b, 0), DH_EINVAL);
    dh_fbb_clear(&b);
    CHECK_INT(dh_fbb_create_vector(&b, "ab", 1, 2, 3), 0); /* bad alignment */
    CHECK_INT(dh_fbb_status(&b), DH_EINVAL);
    dh_fbb_clear(&b);
    CHECK_INT(dh_fbb_create_vector(&b, "ab", 8, SIZE_MAX / 4, 8), 0);
    CHECK_INT(dh_fbb_status(&b), DH_ENOMEM);

    /* building after finish needs a clear */
    dh_fbb_clear(&b);
    dh_fbb_start_table(&b);
    CHECK_INT(dh_fbb_finish(&b, dh_fbb_end_table(&b)), DH_OK);
    CHECK_INT(dh_fbb_create_cstring(&b, "late"), 0);
    CHECK_INT(dh_fbb_status(&b), DH_EINVAL);
    dh_fbb_reset(&b);
}

/* An empty table and an empty vector are valid. */
static void test_empty(void)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t ev = dh_fbb_create_bytes(&b, NULL, 0);
    uint32_t es = dh_fbb_create_string(&b, NULL, 0);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, 0, ev);
    dh_fbb_add_offset(&b, 1, es);
    CHECK_INT(dh_fbb_finish(&b, dh_fbb_end_table(&b)), DH_OK);
    size_t len;
    const uint8_t *buf = dh_fbb_data(&b, &len);
    struct dh_fb_table t;
    CHECK_REQ(dh_fb_root(buf, len, &t, NULL) == DH_OK);
    const uint8_t *p;
    size_t n = 99;
    CHECK_REQ(dh_fb_bytes(&t, 0, &p, &n, NULL) == DH_OK);
    CHECK(p != NULL && n == 0);
    const char *s;
    CHECK_REQ(dh_fb_string(&t, 1, &s, &n, NULL) == DH_OK);
    CHECK(s != NULL && n == 0);
    dh_fbb_reset(&b);
}

/* A big buffer (growth across many reallocations) stays consistent. */
static void test_growth(void)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    enum { N = 3000 };
    uint32_t *refs = malloc(N * sizeof *refs);
    CHECK_REQ(refs != NULL);
    char tmp[32];
    for (int i = 0; i < N; i++) {
        snprintf(tmp, sizeof tmp, "str%d", i);
        refs[i] = dh_fbb_create_cstring(&b, tmp);
    }
    uint32_t v = dh_fbb_create_vector_refs(&b, refs, N);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, 3, v);
    CHECK_INT(dh_fbb_finish(&b, dh_fbb_end_table(&b)), DH_OK);
    size_t len;
    const uint8_t *buf = dh_fbb_data(&b, &len);
    struct dh_fb_table t;
    struct dh_fb_vector vec;
    CHECK_REQ(dh_fb_root(buf, len, &t, NULL) == DH_OK);
    CHECK_REQ(dh_fb_vector_field(&t, 3, 4, &vec, NULL) == DH_OK);
    CHECK_INT(vec.n, N);
    int bad = 0;
    for (size_t i = 0; i < N; i++) {
        const char *s;
        size_t sl;
        snprintf(tmp, sizeof tmp, "str%zu", i);
        if (dh_fb_vector_string(&vec, i, &s, &sl, NULL) != DH_OK || sl != strlen(tmp) ||
            memcmp(s, tmp, sl) != 0)
            bad++;
    }
    CHECK_INT(bad, 0);
    free(refs);
    dh_fbb_reset(&b);
}

int main(void)
{
    CHECK_RUN(T(test_all_field_kinds), T(test_vtable_sharing), T(test_misuse), T(test_empty),
              T(test_growth));
}
