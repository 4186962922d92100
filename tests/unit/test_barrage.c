/* SPDX-License-Identifier: MIT */
/* test_barrage.c: Barrage wrapper, requests and update metadata: round trips, slot
 * numbers checked against docs/PROTOCOL.md, Barrage flatbuffers, with raw reads, wrong types,
 * and hostile bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_barrage.h"
#include "dh_fbb.h"
#include "dh_flatbuf.h"
#include "dh_rowset.h"

/* Field id of a vtable slot number (slot = 4 + 2 * id: docs/PROTOCOL.md, Arrow IPC). */
#define SLOT(s) (((s)-4) / 2)

static const uint8_t ticket[5] = {0x65, 0x01, 0x00, 0x00, 0x00};

/* The payload table of a wrapper, read by slots (independent of barrage.c's ids). */
static int payload_of(const uint8_t *buf, size_t len, uint8_t *type, struct dh_fb_table *t)
{
    struct dh_fb_table w;
    if (dh_fb_root(buf, len, &w, NULL) != DH_OK)
        return -1;
    if (dh_fb_u32(&w, SLOT(4), 0) != 0x6E687064u)
        return -1;
    *type = dh_fb_u8(&w, SLOT(6), 0);
    const uint8_t *p;
    size_t n;
    if (dh_fb_bytes(&w, SLOT(8), &p, &n, NULL) != DH_OK || !p)
        return -1;
    return dh_fb_root(p, n, t, NULL);
}

static void test_wrapper(void)
{
    uint8_t *out;
    size_t len;
    CHECK_REQ(dh_barrage_wrap(6, (const uint8_t *)"payload!", 8, &out, &len, NULL) == DH_OK);
    CHECK(dh_barrage_is_wrapper(out, len));
    /* the magic's bytes spell "dphn" somewhere in the buffer */
    int found = 0;
    for (size_t i = 0; i + 4 <= len; i++)
        found |= memcmp(out + i, "dphn", 4) == 0;
    CHECK(found);
    uint8_t type;
    const uint8_t *p;
    size_t n;
    CHECK_REQ(dh_barrage_unwrap(out, len, &type, &p, &n, NULL) == DH_OK);
    CHECK_INT(type, 6);
    CHECK(n == 8 && memcmp(p, "payload!", 8) == 0);
    /* a wrong magic is refused */
    struct dh_fb_table w;
    CHECK_REQ(dh_fb_root(out, len, &w, NULL) == DH_OK);
    uint8_t *m = malloc(len);
    memcpy(m, out, len);
    size_t magic_at = w.pos + dh_fb_load_u16(out + w.vt + 4);
    m[magic_at] ^= 1;
    struct dh_error err;
    CHECK_INT(dh_barrage_unwrap(m, len, &type, &p, &n, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "magic") != NULL);
    CHECK(!dh_barrage_is_wrapper(m, len));
    CHECK(!dh_barrage_is_wrapper(NULL, 0));
    CHECK(!dh_barrage_is_wrapper((const uint8_t *)"hello world, not flat", 21));
    free(m);
    free(out);
}

static void test_snapshot_request(void)
{
    uint8_t cols[2] = {0x05, 0x02}; /* {0, 2, 9} */
    uint8_t *vp;
    size_t vlen;
    CHECK_REQ(dh_rowset_encode_range(100, 149, &vp, &vlen, NULL) == DH_OK);
    struct dh_barrage_snapshot_request req = {
        .ticket = ticket,
        .ticket_len = 5,
        .columns = cols,
        .columns_len = 2,
        .viewport = vp,
        .viewport_len = vlen,
        .use_deephaven_nulls = 1,
        .batch_size = 4096,
        .max_message_size = 100 << 20,
        .reverse_viewport = 1,
    };
    uint8_t *out;
    size_t len;
    CHECK_REQ(dh_barrage_encode_snapshot_request(&req, &out, &len, NULL) == DH_OK);
    /* raw slot reads (docs/PROTOCOL.md, Barrage flatbuffers) */
    uint8_t type;
    struct dh_fb_table t, o;
    CHECK_REQ(payload_of(out, len, &type, &t) == DH_OK);
    CHECK_INT(type, 7);
    const uint8_t *p;
    size_t n;
    CHECK_REQ(dh_fb_bytes(&t, SLOT(4), &p, &n, NULL) == DH_OK);
    CHECK(n == 5 && memcmp(p, ticket, 5) == 0);
    CHECK_REQ(dh_fb_bytes(&t, SLOT(8), &p, &n, NULL) == DH_OK);
    CHECK(n == vlen && memcmp(p, vp, n) == 0);
    CHECK_INT(dh_fb_bool(&t, SLOT(12), 0), 1);
    CHECK_REQ(dh_fb_table_field(&t, SLOT(10), &o, NULL) == DH_OK && o.present);
    CHECK_INT(dh_fb_bool(&o, SLOT(6), 0), 1);
    CHECK_INT(dh_fb_i32(&o, SLOT(8), 0), 4096);
    CHECK_INT(dh_fb_i32(&o, SLOT(10), 0), 100 << 20);
    /* and our decoder */
    struct dh_barrage_snapshot_request back;
    CHECK_REQ(dh_barrage_decode_snapshot_request(out, len, &back, NULL) == DH_OK);
    CHECK(back.ticket_len == 5 && memcmp(back.ticket, ticket, 5) == 0);
    CHECK(back.columns_len == 2 && memcmp(back.columns, cols, 2) == 0);
    CHECK(back.viewport_len == vlen && memcmp(back.viewport, vp, vlen) == 0);
    CHECK_INT(back.use_deephaven_nulls, 1);
    CHECK_INT(back.batch_size, 4096);
    CHECK_INT(back.max_message_size, 100 << 20);
    CHECK_INT(back.reverse_viewport, 1);
    CHECK_INT(back.has_options, 1);
    /* the wrong decoder says so */
    struct dh_barrage_update u;
    struct dh_error err;
    CHECK_INT(dh_barrage_decode_update(out, len, &u, &err), DH_ENOTSUP);
    CHECK_STR(err.msg,
              "expected Barrage message type 6 (UpdateMetadata) but found 7 (SnapshotRequest)");
    free(out);

    /* absent columns and viewport stay absent; an empty viewport stays empty */
    struct dh_barrage_snapshot_request all = {.ticket = ticket, .ticket_len = 5};
    CHECK_REQ(dh_barrage_encode_snapshot_request(&all, &out, &len, NULL) == DH_OK);
    CHECK_REQ(dh_barrage_decode_snapshot_request(out, len, &back, NULL) == DH_OK);
    CHECK(back.columns == NULL && back.viewport == NULL);
    CHECK_INT(back.use_deephaven_nulls, 0);
    free(out);
    static const uint8_t empty_rs = 0x20;
    all.viewport = &empty_rs;
    all.viewport_len = 1;
    CHECK_REQ(dh_barrage_encode_snapshot_request(&all, &out, &len, NULL) == DH_OK);
    CHECK_REQ(dh_barrage_decode_snapshot_request(out, len, &back, NULL) == DH_OK);
    CHECK(back.viewport != NULL && back.viewport_len == 1 && back.viewport[0] == 0x20);
    free(out);
    free(vp);
}

static void test_subscription_request(void)
{
    uint8_t cols[1] = {0x03};
    uint8_t vp[] = {0x1C, 0x02, 0x00, 0xF7, 0x20};
    struct dh_barrage_subscription_request req = {
        .ticket = ticket,
        .ticket_len = 5,
        .columns = cols,
        .columns_len = 1,
        .viewport = vp,
        .viewport_len = sizeof vp,
        .use_deephaven_nulls = 1,
        .min_update_interval_ms = 250,
        .batch_size = 1000,
        .max_message_size = 1 << 20,
        .columns_as_list = 0,
    };
    uint8_t *out;
    size_t len;
    CHECK_REQ(dh_barrage_encode_subscription_request(&req, &out, &len, NULL) == DH_OK);
    uint8_t type;
    struct dh_fb_table t, o;
    CHECK_REQ(payload_of(out, len, &type, &t) == DH_OK);
    CHECK_INT(type, 5);
    CHECK_REQ(dh_fb_table_field(&t, SLOT(10), &o, NULL) == DH_OK && o.present);
    CHECK_INT(dh_fb_i32(&o, SLOT(8), 0), 250);
    CHECK_INT(dh_fb_i32(&o, SLOT(10), 0), 1000);
    CHECK_INT(dh_fb_i32(&o, SLOT(12), 0), 1 << 20);
    struct dh_barrage_subscription_request back;
    CHECK_REQ(dh_barrage_decode_subscription_request(out, len, &back, NULL) == DH_OK);
    CHECK(back.ticket_len == 5 && memcmp(back.ticket, ticket, 5) == 0);
    CHECK(back.viewport_len == sizeof vp && memcmp(back.viewport, vp, sizeof vp) == 0);
    CHECK_INT(back.min_update_interval_ms, 250);
    CHECK_INT(back.batch_size, 1000);
    CHECK_INT(back.max_message_size, 1 << 20);
    CHECK_INT(back.use_deephaven_nulls, 1);
    CHECK_INT(back.reverse_viewport, 0);
    CHECK(back.subscription_token == NULL);
    struct dh_barrage_snapshot_request sn;
    CHECK_INT(dh_barrage_decode_snapshot_request(out, len, &sn, NULL), DH_ENOTSUP);
    free(out);
}

static void test_update_round_trip(void)
{
    static const uint8_t added[] = {0x1C, 0x02, 0x00, 0xF7, 0x20};
    static const uint8_t removed[] = {0x0C, 0x05, 0x20};
    static const uint8_t shift[] = {0x0C, 0x01, 0x20, 0x0C, 0x02, 0x20, 0x0C, 0x03, 0x20};
    static const uint8_t ev[] = {0x1C, 0x02, 0x00, 0xE3, 0x20};
    static const uint8_t ecs[] = {0x07};
    static const uint8_t mod1[] = {0x0C, 0x01, 0x20};
    struct dh_barrage_update u = {
        .first_seq = 7,
        .last_seq = 9,
        .is_snapshot = 1,
        .effective_viewport = ev,
        .effective_viewport_len = sizeof ev,
        .effective_column_set = ecs,
        .effective_column_set_len = 1,
        .added_rows = added,
        .added_rows_len = sizeof added,
        .removed_rows = removed,
        .removed_rows_len = sizeof removed,
        .shift_data = shift,
        .shift_data_len = sizeof shift,
        .has_table_size = 1,
        .table_size = 0,
    };
    struct dh_barrage_mod_column mods[3] = {{NULL, 0}, {mod1, sizeof mod1}, {NULL, 0}};
    uint8_t *out;
    size_t len;
    CHECK_REQ(dh_barrage_encode_update(&u, mods, 3, &out, &len, NULL) == DH_OK);
    uint8_t type;
    struct dh_fb_table t;
    CHECK_REQ(payload_of(out, len, &type, &t) == DH_OK);
    CHECK_INT(type, 6);
    CHECK_INT(dh_fb_i64(&t, SLOT(4), 0), 7);
    CHECK_INT(dh_fb_i64(&t, SLOT(6), 0), 9);
    CHECK_INT(dh_fb_bool(&t, SLOT(8), 0), 1);
    CHECK(dh_fb_has(&t, SLOT(26))); /* table_size 0, written anyway */
    const uint8_t *p;
    size_t n;
    CHECK_REQ(dh_fb_bytes(&t, SLOT(16), &p, &n, NULL) == DH_OK);
    CHECK(n == sizeof added && memcmp(p, added, n) == 0);
    CHECK_REQ(dh_fb_bytes(&t, SLOT(20), &p, &n, NULL) == DH_OK);
    CHECK(n == sizeof shift);
    struct dh_fb_vector mv;
    CHECK_REQ(dh_fb_vector_field(&t, SLOT(24), 4, &mv, NULL) == DH_OK);
    CHECK_INT(mv.n, 3);

    struct dh_barrage_update back;
    struct dh_error err;
    CHECK_REQ(dh_barrage_decode_update(out, len, &back, &err) == DH_OK);
    CHECK_INT(back.first_seq, 7);
    CHECK_INT(back.last_seq, 9);
    CHECK_INT(back.is_snapshot, 1);
    CHECK_INT(back.has_table_size, 1);
    CHECK_INT(back.table_size, 0);
    CHECK(back.added_rows_len == sizeof added && memcmp(back.added_rows, added, sizeof added) == 0);
    CHECK(back.removed_rows_len == sizeof removed);
    CHECK(back.effective_viewport_len == sizeof ev);
    CHECK(back.effective_column_set_len == 1 && back.effective_column_set[0] == 0x07);
    CHECK(back.added_rows_included == NULL);
    CHECK_INT(back.n_mod_columns, 3);
    struct dh_barrage_mod_column m;
    CHECK_INT(dh_barrage_update_mod_column(&back, 0, &m, NULL), DH_OK);
    CHECK(m.modified_rows == NULL);
    CHECK_INT(dh_barrage_update_mod_column(&back, 1, &m, NULL), DH_OK);
    CHECK(m.modified_rows_len == sizeof mod1 && memcmp(m.modified_rows, mod1, 3) == 0);
    CHECK_INT(dh_barrage_update_mod_column(&back, 3, &m, &err), DH_EINVAL);
    int64_t card;
    CHECK_INT(dh_rowset_cardinality(back.added_rows, back.added_rows_len, &card, NULL), DH_OK);
    CHECK_INT(card, 10);
    free(out);

    /* no table size, no mods vector */
    u.has_table_size = 0;
    u.table_size = 55;
    CHECK_REQ(dh_barrage_encode_update(&u, NULL, 0, &out, &len, NULL) == DH_OK);
    CHECK_REQ(dh_barrage_decode_update(out, len, &back, NULL) == DH_OK);
    CHECK_INT(back.has_table_size, 0);
    CHECK_INT(back.n_mod_columns, 0);
    free(out);
}

/* Metadata as Java's writer lays it out (ids from Barrage.fbs order, defaults left out). */
static void test_update_hand_built(void)
{
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t added = dh_fbb_create_bytes(&b, "\x0C\x05\x20", 3);
    dh_fbb_start_table(&b);
    dh_fbb_add_offset(&b, SLOT(16), added);
    dh_fbb_add_i64(&b, SLOT(26), 1234, 0);
    dh_fbb_add_bool(&b, SLOT(8), 1, 0);
    CHECK_REQ(dh_fbb_finish(&b, dh_fbb_end_table(&b)) == DH_OK);
    size_t plen;
    const uint8_t *payload = dh_fbb_data(&b, &plen);
    uint8_t *out;
    size_t len;
    CHECK_REQ(dh_barrage_wrap(6, payload, plen, &out, &len, NULL) == DH_OK);
    struct dh_barrage_update u;
    CHECK_REQ(dh_barrage_decode_update(out, len, &u, NULL) == DH_OK);
    CHECK_INT(u.table_size, 1234);
    CHECK_INT(u.has_table_size, 1);
    CHECK_INT(u.is_snapshot, 1);
    CHECK(u.added_rows_len == 3 && u.added_rows[1] == 5);
    CHECK(u.removed_rows == NULL && u.shift_data == NULL);
    CHECK_INT(u.first_seq, 0);
    free(out);
    dh_fbb_reset(&b);
}

/* Prefixes and single-byte corruptions of every encoder output never crash. */
static void test_hostile(void)
{
    static const uint8_t added[] = {0x1C, 0x02, 0x00, 0xF7, 0x20};
    struct dh_barrage_update u = {
        .added_rows = added, .added_rows_len = sizeof added, .has_table_size = 1, .table_size = 3};
    struct dh_barrage_mod_column mods[1] = {{added, sizeof added}};
    uint8_t *bufs[3];
    size_t lens[3];
    CHECK_REQ(dh_barrage_encode_update(&u, mods, 1, &bufs[0], &lens[0], NULL) == DH_OK);
    struct dh_barrage_snapshot_request sr = {
        .ticket = ticket, .ticket_len = 5, .viewport = added, .viewport_len = sizeof added};
    CHECK_REQ(dh_barrage_encode_snapshot_request(&sr, &bufs[1], &lens[1], NULL) == DH_OK);
    struct dh_barrage_subscription_request sub = {.ticket = ticket, .ticket_len = 5};
    CHECK_REQ(dh_barrage_encode_subscription_request(&sub, &bufs[2], &lens[2], NULL) == DH_OK);
    int ok_prefix = 0, ok_mut = 0;
    for (int k = 0; k < 3; k++) {
        for (size_t n = 0; n < lens[k]; n++) {
            uint8_t *cut = malloc(n + 1);
            memcpy(cut, bufs[k], n);
            struct dh_barrage_update du;
            struct dh_barrage_snapshot_request ds;
            struct dh_barrage_subscription_request dsub;
            ok_prefix += dh_barrage_decode_update(cut, n, &du, NULL) == DH_OK;
            ok_prefix += dh_barrage_decode_snapshot_request(cut, n, &ds, NULL) == DH_OK;
            ok_prefix += dh_barrage_decode_subscription_request(cut, n, &dsub, NULL) == DH_OK;
            free(cut);
        }
        uint8_t *m = malloc(lens[k]);
        for (size_t i = 0; i < lens[k]; i++) {
            for (int v = 0; v < 256; v += 17) {
                memcpy(m, bufs[k], lens[k]);
                m[i] = (uint8_t)v;
                struct dh_barrage_update du;
                if (dh_barrage_decode_update(m, lens[k], &du, NULL) == DH_OK) {
                    ok_mut++;
                    struct dh_barrage_mod_column mc;
                    for (size_t c = 0; c < du.n_mod_columns; c++)
                        CHECK_INT(dh_barrage_update_mod_column(&du, c, &mc, NULL), DH_OK);
                    int64_t card;
                    (void)dh_rowset_cardinality(du.added_rows, du.added_rows_len, &card, NULL);
                }
                struct dh_barrage_snapshot_request ds;
                ok_mut += dh_barrage_decode_snapshot_request(m, lens[k], &ds, NULL) == DH_OK;
            }
        }
        free(m);
        free(bufs[k]);
    }
    CHECK_INT(ok_prefix, 0); /* the nested payload is at the end: every cut breaks it */
    CHECK(ok_mut > 0);
}

int main(void)
{
    CHECK_RUN(T(test_wrapper), T(test_snapshot_request), T(test_subscription_request),
              T(test_update_round_trip), T(test_update_hand_built), T(test_hostile));
}
