/* SPDX-License-Identifier: MIT */
/* fuzz_flatbuf.c: libFuzzer target for the flatbuffer reader: open the root and
 * read every field of every reachable table in every way. */
#include <stddef.h>
#include <stdint.h>

#include "dh_flatbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read everything reachable from t (at most *budget tables); returns a checksum. */
static uint64_t walk(const struct dh_fb_table *t, int *budget)
{
    uint64_t sum = 0;
    if (--*budget < 0)
        return sum;
    for (int id = 0; id < 16; id++) {
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
                sum += walk(&nested, budget);
        }
        struct dh_fb_vector v;
        if (dh_fb_vector_field(t, id, 4, &v, NULL) == DH_OK && v.present) {
            for (size_t i = 0; i < v.n && i < 8; i++) {
                struct dh_fb_table k;
                if (dh_fb_vector_table(&v, i, &k, NULL) == DH_OK)
                    sum += walk(&k, budget);
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
            sum += walk(&sub, budget);
        uint8_t type;
        if (dh_fb_union(t, id, &type, &sub, NULL) == DH_OK && sub.present)
            sum += walk(&sub, budget) + type;
    }
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dh_fb_table t;
    if (dh_fb_root(data, size, &t, NULL) == DH_OK) {
        int budget = 48;
        volatile uint64_t sum = walk(&t, &budget);
        (void)sum;
    }
    return 0;
}
