/* SPDX-License-Identifier: MIT */
/* test_rowset.c: the RowSet codec (docs/PROTOCOL.md, RowSet encoding: worked examples byte for
 * byte, Java encoder layouts, malformed streams, random round trips) and the
 * in-memory range set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_rowset.h"

/* Decode hex-free byte arrays and compare with expected ranges. */
static int ranges_equal(const struct dh_rowset *rs, const int64_t (*want)[2], size_t n)
{
    if (rs->n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (rs->ranges[i].lo != want[i][0] || rs->ranges[i].hi != want[i][1])
            return 0;
    return 1;
}

/* Encode rs and compare with bytes. */
static int encodes_to(const struct dh_rowset *rs, const uint8_t *bytes, size_t n)
{
    uint8_t *out;
    size_t len;
    if (dh_rowset_encode(rs, &out, &len, NULL) != DH_OK)
        return 0;
    int ok = len == n && memcmp(out, bytes, n) == 0;
    if (!ok) {
        fprintf(stderr, "  encoded:");
        for (size_t i = 0; i < len; i++)
            fprintf(stderr, " %02X", out[i]);
        fprintf(stderr, "\n");
    }
    free(out);
    return ok;
}

struct example {
    uint8_t bytes[16];
    size_t len;
    int64_t ranges[6][2];
    size_t n;
    int64_t size;
};

/* docs/PROTOCOL.md, RowSet encoding, plus two layouts worked out from the Java encoder by hand. */
static const struct example examples[] = {
    {{0x1C, 0x02, 0x64, 0xCF, 0x20}, 5, {{100, 149}}, 1, 50},
    {{0x1C, 0x03, 0x00, 0xF7, 0x0B, 0x20}, 6, {{0, 9}, {20, 20}}, 2, 11},
    {{0x0C, 0x05, 0x20}, 3, {{5, 5}}, 1, 1},
    {{0x20}, 1, {{0}}, 0, 0},
    {{0x0A, 0x40, 0x42, 0x0F, 0x00, 0x0C, 0x9D, 0x20}, 8, {{1000000, 1000099}}, 1, 100},
    /* {0, 1000, 2000, 3000}: four shorts */
    {{0x14, 0x04, 0x00, 0x00, 0xE8, 0x03, 0xE8, 0x03, 0xE8, 0x03, 0x20},
     11,
     {{0, 0}, {1000, 1000}, {2000, 2000}, {3000, 3000}},
     4,
     4},
    /* {1000, 1003, 1006, 1010, 1014, 2014}: OFFSET, four bytes, OFFSET */
    {{0x09, 0xE8, 0x03, 0x1C, 0x04, 0x03, 0x03, 0x04, 0x04, 0x09, 0xE8, 0x03, 0x20},
     13,
     {{1000, 1000}, {1003, 1003}, {1006, 1006}, {1010, 1010}, {1014, 1014}, {2014, 2014}},
     6,
     6},
};

static void test_examples(void)
{
    for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
        const struct example *e = &examples[i];
        struct dh_rowset rs;
        dh_rowset_init(&rs);
        struct dh_error err;
        int rc = dh_rowset_decode(e->bytes, e->len, &rs, &err);
        if (rc)
            fprintf(stderr, "  example %zu: %s\n", i, err.msg);
        CHECK_INT(rc, DH_OK);
        CHECK(ranges_equal(&rs, e->ranges, e->n));
        CHECK_INT(rs.size, e->size);
        int64_t card = -1;
        CHECK_INT(dh_rowset_cardinality(e->bytes, e->len, &card, NULL), DH_OK);
        CHECK_INT(card, e->size);
        CHECK(encodes_to(&rs, e->bytes, e->len));
        dh_rowset_reset(&rs);
    }
}

/* Single keys 1000 and 1001 sent apart become one range in memory. */
static void test_merge_on_decode(void)
{
    static const uint8_t bytes[] = {0x09, 0xE8, 0x03, 0x1C, 0x04, 0x01, 0x02,
                                    0x03, 0x04, 0x09, 0xE8, 0x03, 0x20};
    struct dh_rowset rs;
    dh_rowset_init(&rs);
    CHECK_REQ(dh_rowset_decode(bytes, sizeof bytes, &rs, NULL) == DH_OK);
    static const int64_t want[][2] = {
        {1000, 1001}, {1003, 1003}, {1006, 1006}, {1010, 1010}, {2010, 2010}};
    CHECK(ranges_equal(&rs, want, 5));
    dh_rowset_reset(&rs);
}

/* Other encodings of the same sets decode the same. */
static void test_alternatives(void)
{
    static const uint8_t alt[] = {0x0C, 0x64, 0x0C, 0xCF, 0x20}; /* [100,150) */
    struct dh_rowset rs;
    dh_rowset_init(&rs);
    CHECK_REQ(dh_rowset_decode(alt, sizeof alt, &rs, NULL) == DH_OK);
    static const int64_t want[][2] = {{100, 149}};
    CHECK(ranges_equal(&rs, want, 1));
    /* every value as OFFSET i64 */
    uint8_t longs[19] = {0x0B};
    int64_t v = 100, w = -49;
    for (int i = 0; i < 8; i++) {
        longs[1 + i] = (uint8_t)((uint64_t)v >> (8 * i));
        longs[10 + i] = (uint8_t)((uint64_t)w >> (8 * i));
    }
    longs[9] = 0x0B;
    longs[18] = 0x20;
    CHECK_REQ(dh_rowset_decode(longs, sizeof longs, &rs, NULL) == DH_OK);
    CHECK(ranges_equal(&rs, want, 1));
    /* short array with i32 count, then END */
    static const uint8_t sa[] = {0x12, 0x02, 0x00, 0x00, 0x00, 0x64, 0x00, 0xCF, 0xFF, 0x20};
    CHECK_REQ(dh_rowset_decode(sa, sizeof sa, &rs, NULL) == DH_OK);
    CHECK(ranges_equal(&rs, want, 1));
    dh_rowset_reset(&rs);
}

/* Malformed streams are refused; prefixes of valid ones too. */
static void test_malformed(void)
{
    static const struct {
        uint8_t b[20];
        size_t n;
    } bad[] = {
        {{0}, 0},                                        /* no END */
        {{0x00}, 1},                                     /* command 0 */
        {{0x28, 0x20}, 2},                               /* unknown command */
        {{0x0D, 0x01, 0x20}, 3},                         /* width 5 */
        {{0x48, 0x01, 0x20}, 3},                         /* high bits */
        {{0x0C, 0xFF, 0x20}, 3},                         /* range end without a start */
        {{0x0C, 0x05, 0x0C, 0x00, 0x20}, 5},             /* repeated key */
        {{0x0C, 0x05, 0x0C, 0xFF, 0x0C, 0x00, 0x20}, 7}, /* key equal to a range end */
        {{0x0C, 0x05, 0x0C, 0xFF, 0x0C, 0xFF, 0x20}, 7}, /* two range ends */
        {{0x1C, 0xFF, 0x20}, 3},                         /* negative count */
        {{0x1C, 0x05, 0x01, 0x02, 0x20}, 5},             /* count beyond the bytes */
        {{0x14, 0x7F, 0x00, 0x01, 0x20}, 5},             /* short array beyond the bytes */
        {{0x0B, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x20}, 10},   /* INT64_MIN */
        {{0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x0C, 0x01, 0x20},
         12},                          /* overflow */
        {{0x0C, 0x05, 0x20, 0x00}, 4}, /* trailing byte */
        {{0x0A, 0x40, 0x42}, 3},       /* truncated value */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct dh_rowset rs;
        dh_rowset_init(&rs);
        struct dh_error err;
        dh_error_clear(&err);
        int rc = dh_rowset_decode(bad[i].b, bad[i].n, &rs, &err);
        if (rc != DH_EINVAL)
            fprintf(stderr, "  bad case %zu: rc %d\n", i, rc);
        CHECK_INT(rc, DH_EINVAL);
        CHECK(err.msg[0] != '\0');
        CHECK_INT(rs.n, 0);
        dh_rowset_reset(&rs);
    }
    for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
        for (size_t n = 0; n < examples[i].len; n++) {
            struct dh_rowset rs;
            dh_rowset_init(&rs);
            uint8_t *cut = malloc(n + 1);
            memcpy(cut, examples[i].bytes, n);
            CHECK_INT(dh_rowset_decode(cut, n, &rs, NULL), DH_EINVAL);
            int64_t card;
            CHECK_INT(dh_rowset_cardinality(cut, n, &card, NULL), DH_EINVAL);
            free(cut);
            dh_rowset_reset(&rs);
        }
    }
    /* the shared-position INT64_MAX key decodes */
    static const uint8_t max[] = {0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x20};
    int64_t card;
    CHECK_INT(dh_rowset_cardinality(max, sizeof max, &card, NULL), DH_OK);
    CHECK_INT(card, 1);
}

/* Three RowSets back to back, as in shift_data. */
static void test_prefix_decode(void)
{
    static const uint8_t shift[] = {0x0C, 0x05, 0x20, 0x0C, 0x09, 0x20, 0x0C, 0x0F, 0x20};
    struct dh_rowset rs[3];
    size_t at = 0;
    for (int i = 0; i < 3; i++) {
        dh_rowset_init(&rs[i]);
        size_t used;
        CHECK_REQ(dh_rowset_decode_prefix(shift + at, sizeof shift - at, &rs[i], &used, NULL) ==
                  DH_OK);
        CHECK_INT(used, 3);
        at += used;
    }
    CHECK_INT(rs[0].ranges[0].lo, 5);
    CHECK_INT(rs[1].ranges[0].lo, 9);
    CHECK_INT(rs[2].ranges[0].lo, 15);
    for (int i = 0; i < 3; i++)
        dh_rowset_reset(&rs[i]);
}

/* Range insertion merges overlapping and adjacent ranges in any order. */
static void test_add_range(void)
{
    struct dh_rowset rs;
    dh_rowset_init(&rs);
    CHECK_INT(dh_rowset_add_range(&rs, 10, 20, NULL), DH_OK);
    CHECK_INT(dh_rowset_add_range(&rs, 30, 40, NULL), DH_OK);
    CHECK_INT(dh_rowset_add_range(&rs, 0, 2, NULL), DH_OK);
    CHECK_INT(dh_rowset_add_range(&rs, 50, 50, NULL), DH_OK);
    static const int64_t w1[][2] = {{0, 2}, {10, 20}, {30, 40}, {50, 50}};
    CHECK(ranges_equal(&rs, w1, 4));
    CHECK_INT(rs.size, 3 + 11 + 11 + 1);
    CHECK_INT(dh_rowset_add_range(&rs, 21, 29, NULL), DH_OK); /* bridges two */
    static const int64_t w2[][2] = {{0, 2}, {10, 40}, {50, 50}};
    CHECK(ranges_equal(&rs, w2, 3));
    CHECK_INT(dh_rowset_add_range(&rs, 3, 9, NULL), DH_OK);   /* adjacent both sides */
    CHECK_INT(dh_rowset_add_range(&rs, 12, 13, NULL), DH_OK); /* inside */
    CHECK_INT(dh_rowset_add_range(&rs, 45, 60, NULL), DH_OK);
    static const int64_t w3[][2] = {{0, 40}, {45, 60}};
    CHECK(ranges_equal(&rs, w3, 2));
    CHECK_INT(rs.size, 41 + 16);
    CHECK_INT(dh_rowset_add_range(&rs, 0, INT64_MAX, NULL), DH_EINVAL); /* 2^63 keys */
    CHECK_INT(dh_rowset_add_range(&rs, 61, INT64_MAX, NULL), DH_OK);    /* joins [45, 60] */
    CHECK_INT(dh_rowset_add_range(&rs, 41, 44, NULL), DH_EINVAL);       /* would be all */
    CHECK_INT(rs.n, 2);
    CHECK_INT(rs.size, INT64_MAX - 3);
    CHECK_INT(dh_rowset_add_range(&rs, -1, 5, NULL), DH_EINVAL);
    CHECK_INT(dh_rowset_add_range(&rs, 5, 4, NULL), DH_EINVAL);
    dh_rowset_clear(&rs);
    CHECK_INT(rs.n, 0);
    CHECK_INT(dh_rowset_add_range(&rs, 7, 9, NULL), DH_OK);
    CHECK_INT(dh_rowset_contains(&rs, 8), 1);
    CHECK_INT(dh_rowset_contains(&rs, 10), 0);
    CHECK_INT(dh_rowset_contains(&rs, 6), 0);
    dh_rowset_reset(&rs);
    dh_rowset_reset(&rs);
    dh_rowset_reset(NULL);
}

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A gap or length of one of several magnitudes (bytes, shorts, ints, longs). */
static int64_t random_step(void)
{
    switch (rng() % 5) {
    case 0: return (int64_t)(rng() % 4);
    case 1: return (int64_t)(rng() % 200);
    case 2: return (int64_t)(rng() % 40000);
    case 3: return (int64_t)(rng() % 5000000000ull);
    default: return (int64_t)(rng() % (1ull << 40));
    }
}

/* Random sets survive encode + decode; queries agree with a brute-force walk. */
static void test_random_round_trips(void)
{
    for (int iter = 0; iter < 500; iter++) {
        struct dh_rowset rs, back;
        dh_rowset_init(&rs);
        dh_rowset_init(&back);
        int64_t key = (int64_t)(rng() % 3);
        size_t n = rng() % 40;
        for (size_t i = 0; i < n; i++) {
            int64_t len = random_step();
            CHECK_REQ(dh_rowset_add_range(&rs, key, key + len, NULL) == DH_OK);
            key += len + 1 + random_step();
        }
        uint8_t *buf;
        size_t len;
        CHECK_REQ(dh_rowset_encode(&rs, &buf, &len, NULL) == DH_OK);
        CHECK_REQ(dh_rowset_decode(buf, len, &back, NULL) == DH_OK);
        CHECK_INT(back.n, rs.n);
        CHECK_INT(back.size, rs.size);
        CHECK(rs.n == back.n &&
              (rs.n == 0 || memcmp(rs.ranges, back.ranges, rs.n * sizeof *rs.ranges) == 0));
        int64_t card;
        CHECK_INT(dh_rowset_cardinality(buf, len, &card, NULL), DH_OK);
        CHECK_INT(card, rs.size);
        /* nth and position invert each other at range edges */
        int64_t pos = 0;
        for (size_t i = 0; i < rs.n; i++) {
            int64_t k;
            CHECK_INT(dh_rowset_nth(&rs, pos, &k), DH_OK);
            CHECK_INT(k, rs.ranges[i].lo);
            CHECK_INT(dh_rowset_position(&rs, rs.ranges[i].lo), pos);
            pos += rs.ranges[i].hi - rs.ranges[i].lo;
            CHECK_INT(dh_rowset_nth(&rs, pos, &k), DH_OK);
            CHECK_INT(k, rs.ranges[i].hi);
            CHECK_INT(dh_rowset_contains(&rs, rs.ranges[i].hi + 1), 0);
            CHECK_INT(dh_rowset_position(&rs, rs.ranges[i].hi + 1), -1);
            pos++;
        }
        int64_t k;
        CHECK_INT(dh_rowset_nth(&rs, rs.size, &k), DH_EINVAL);
        CHECK_INT(dh_rowset_nth(&rs, -1, &k), DH_EINVAL);
        /* every prefix of the encoding is refused */
        for (size_t cut = 0; cut < len && cut < 64; cut++)
            CHECK_INT(dh_rowset_cardinality(buf, cut, &card, NULL), DH_EINVAL);
        free(buf);
        dh_rowset_reset(&rs);
        dh_rowset_reset(&back);
    }
}

/* encode_range makes the viewport RowSets table.c and the server need. */
static void test_encode_range(void)
{
    uint8_t *buf;
    size_t len;
    CHECK_REQ(dh_rowset_encode_range(100, 149, &buf, &len, NULL) == DH_OK);
    CHECK(len == 5 && memcmp(buf, "\x1C\x02\x64\xCF\x20", 5) == 0);
    free(buf);
    CHECK_REQ(dh_rowset_encode_range(5, 4, &buf, &len, NULL) == DH_OK);
    CHECK(len == 1 && buf[0] == 0x20);
    free(buf);
    CHECK_INT(dh_rowset_encode_range(-1, 4, &buf, &len, NULL), DH_EINVAL);
    /* a hand-made unsorted set is refused */
    struct dh_range r[2] = {{10, 20}, {5, 6}};
    struct dh_rowset rs = {.ranges = r, .n = 2, .cap = 2, .size = 13};
    CHECK_INT(dh_rowset_encode(&rs, &buf, &len, NULL), DH_EINVAL);
    /* all 2^63 keys: refused, not an overflow (found by the subscription tests) */
    CHECK_INT(dh_rowset_encode_range(0, INT64_MAX, &buf, &len, NULL), DH_EINVAL);
    CHECK(buf == NULL);
}

int main(void)
{
    CHECK_RUN(T(test_examples), T(test_merge_on_decode), T(test_alternatives), T(test_malformed),
              T(test_prefix_decode), T(test_add_range), T(test_random_round_trips),
              T(test_encode_range));
}
