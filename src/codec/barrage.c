/* SPDX-License-Identifier: MIT */
/* barrage.c: Barrage wrapper, request and update-metadata flatbuffers (field ids
 * from barrage format/Barrage.fbs: the index of each field in its table). */
#include "dh_barrage.h"

#include <stdlib.h>
#include <string.h>

#include "dh_fbb.h"

enum {
    WRAP_MAGIC = 0,
    WRAP_TYPE = 1,
    WRAP_PAYLOAD = 2,
    /* BarrageSnapshotRequest / BarrageSubscriptionRequest */
    REQ_TICKET = 0,
    REQ_COLUMNS = 1,
    REQ_VIEWPORT = 2,
    REQ_OPTIONS = 3,
    REQ_REVERSE = 4,
    REQ_TOKEN = 5,
    /* BarrageSnapshotOptions (id 0 is the deprecated column_conversion_mode) */
    SOPT_DH_NULLS = 1,
    SOPT_BATCH_SIZE = 2,
    SOPT_MAX_MSG = 3,
    SOPT_PREVIEW = 4,
    /* BarrageSubscriptionOptions */
    UOPT_DH_NULLS = 1,
    UOPT_MIN_INTERVAL = 2,
    UOPT_BATCH_SIZE = 3,
    UOPT_MAX_MSG = 4,
    UOPT_AS_LIST = 5,
    UOPT_PREVIEW = 6,
    /* BarrageUpdateMetadata */
    UPD_FIRST_SEQ = 0,
    UPD_LAST_SEQ = 1,
    UPD_IS_SNAPSHOT = 2,
    UPD_EFF_VIEWPORT = 3,
    UPD_EFF_REVERSE = 4,
    UPD_EFF_COLUMNS = 5,
    UPD_ADDED = 6,
    UPD_REMOVED = 7,
    UPD_SHIFT = 8,
    UPD_ADDED_INCLUDED = 9,
    UPD_MOD_COLUMNS = 10,
    UPD_TABLE_SIZE = 11,
    /* BarrageModColumnMetadata */
    MOD_ROWS = 0,
};

static const char *msg_type_name(unsigned t)
{
    switch (t) {
    case DH_BARRAGE_MSG_NONE: return "None";
    case DH_BARRAGE_MSG_SERIALIZATION_OPTIONS: return "SerializationOptions";
    case DH_BARRAGE_MSG_SUBSCRIPTION_REQUEST: return "SubscriptionRequest";
    case DH_BARRAGE_MSG_UPDATE_METADATA: return "UpdateMetadata";
    case DH_BARRAGE_MSG_SNAPSHOT_REQUEST: return "SnapshotRequest";
    case DH_BARRAGE_MSG_PUBLICATION_REQUEST: return "PublicationRequest";
    default: return "unknown";
    }
}

/* ---- the wrapper ---- */

int dh_barrage_unwrap(const uint8_t *buf, size_t len, uint8_t *msg_type, const uint8_t **payload,
                      size_t *payload_len, struct dh_error *err)
{
    *msg_type = 0;
    *payload = NULL;
    *payload_len = 0;
    struct dh_fb_table t;
    int rc = dh_fb_root(buf, len, &t, err);
    if (rc) {
        dh_error_prefix(err, "Barrage message wrapper");
        return rc;
    }
    uint32_t magic = dh_fb_u32(&t, WRAP_MAGIC, 0);
    if (magic != DH_BARRAGE_MAGIC)
        return dh_error_set(err, DH_EINVAL, "expected the Barrage magic 0x%08x but found 0x%08x",
                            DH_BARRAGE_MAGIC, magic);
    *msg_type = (uint8_t)dh_fb_i8(&t, WRAP_TYPE, 0);
    rc = dh_fb_bytes(&t, WRAP_PAYLOAD, payload, payload_len, err);
    if (rc)
        dh_error_prefix(err, "Barrage message payload");
    return rc;
}

int dh_barrage_is_wrapper(const uint8_t *buf, size_t len)
{
    uint8_t type;
    const uint8_t *p;
    size_t n;
    return dh_barrage_unwrap(buf, len, &type, &p, &n, NULL) == DH_OK;
}

/* Finish b with root and hand out a malloc'd copy. */
static int fbb_output(struct dh_fbb *b, uint32_t root, uint8_t **out, size_t *out_len,
                      struct dh_error *err)
{
    int rc = dh_fbb_finish(b, root);
    if (rc == DH_OK) {
        *out = dh_fbb_copy(b, out_len);
        if (!*out)
            rc = DH_ENOMEM;
    }
    dh_fbb_reset(b);
    if (rc)
        return dh_error_set(err, rc, "cannot build a Barrage message (%s)",
                            rc == DH_ENOMEM ? "out of memory" : "invalid input");
    return DH_OK;
}

int dh_barrage_wrap(uint8_t msg_type, const uint8_t *payload, size_t payload_len, uint8_t **out,
                    size_t *out_len, struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t p = payload ? dh_fbb_create_bytes(&b, payload, payload_len) : 0;
    dh_fbb_start_table(&b);
    dh_fbb_add_u32(&b, WRAP_MAGIC, DH_BARRAGE_MAGIC, 0);
    dh_fbb_add_i8(&b, WRAP_TYPE, (int8_t)msg_type, 0);
    dh_fbb_add_offset(&b, WRAP_PAYLOAD, p);
    return fbb_output(&b, dh_fbb_end_table(&b), out, out_len, err);
}

/* Wrap the finished payload builder as msg_type. */
static int wrap_builder(struct dh_fbb *b, uint32_t root, uint8_t msg_type, uint8_t **out,
                        size_t *out_len, struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    uint8_t *payload = NULL;
    size_t plen = 0;
    int rc = fbb_output(b, root, &payload, &plen, err);
    if (rc)
        return rc;
    rc = dh_barrage_wrap(msg_type, payload, plen, out, out_len, err);
    free(payload);
    return rc;
}

/* The payload of a wrapper that must be of type want, opened as a table. */
static int open_payload(const uint8_t *buf, size_t len, uint8_t want, struct dh_fb_table *t,
                        struct dh_error *err)
{
    memset(t, 0, sizeof *t);
    uint8_t type;
    const uint8_t *p;
    size_t n;
    int rc = dh_barrage_unwrap(buf, len, &type, &p, &n, err);
    if (rc)
        return rc;
    if (type != want)
        return dh_error_set(err, DH_ENOTSUP,
                            "expected Barrage message type %u (%s) but found %u (%s)", want,
                            msg_type_name(want), type, msg_type_name(type));
    if (!p)
        return dh_error_set(err, DH_EINVAL, "Barrage %s message has no payload",
                            msg_type_name(want));
    rc = dh_fb_root(p, n, t, err);
    if (rc)
        dh_error_prefix(err, msg_type_name(want));
    return rc;
}

/* A byte vector, or 0 for NULL. */
static uint32_t opt_bytes(struct dh_fbb *b, const uint8_t *p, size_t n)
{
    return p ? dh_fbb_create_bytes(b, p, n) : 0;
}

/* Read byte-vector fields ids[i] into ptrs[i] / lens[i]. */
static int read_bytes(const struct dh_fb_table *t, const int *ids, const uint8_t **const ptrs[],
                      size_t *const lens[], size_t n, struct dh_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = dh_fb_bytes(t, ids[i], ptrs[i], lens[i], err);
        if (rc)
            return rc;
    }
    return DH_OK;
}

/* ---- what snapshot and subscription requests share ---- */

/* Field ids of a request's byte vectors, in the order they are built and read. */
static const int req_byte_ids[] = {REQ_TICKET, REQ_COLUMNS, REQ_VIEWPORT, REQ_TOKEN};

/* A request to encode, outside its options table: ticket, columns, viewport and
 * (subscriptions only, else NULL) token, and the refs req_start builds for them. */
struct req_out {
    const uint8_t *bytes[4];
    size_t lens[4];
    int reverse;
    uint8_t msg_type;
    uint32_t refs[4];
};

/* Init b, build r's byte vectors (objects must precede the tables pointing at them),
 * then start the options table. */
static void req_start(struct dh_fbb *b, struct req_out *r)
{
    dh_fbb_init(b);
    r->refs[0] = dh_fbb_create_bytes(b, r->bytes[0], r->lens[0]); /* the ticket, always */
    for (size_t i = 1; i < 4; i++)
        r->refs[i] = opt_bytes(b, r->bytes[i], r->lens[i]);
    dh_fbb_start_table(b);
}

/* End the options table, write the request table around it and wrap it. */
static int req_finish(struct dh_fbb *b, const struct req_out *r, uint8_t **out, size_t *out_len,
                      struct dh_error *err)
{
    uint32_t opts = dh_fbb_end_table(b);
    dh_fbb_start_table(b);
    dh_fbb_add_offset(b, REQ_TICKET, r->refs[0]);
    dh_fbb_add_offset(b, REQ_COLUMNS, r->refs[1]);
    dh_fbb_add_offset(b, REQ_VIEWPORT, r->refs[2]);
    dh_fbb_add_offset(b, REQ_OPTIONS, opts);
    dh_fbb_add_bool(b, REQ_REVERSE, r->reverse, 0);
    dh_fbb_add_offset(b, REQ_TOKEN, r->refs[3]); /* 0 (not written) for snapshots */
    return wrap_builder(b, dh_fbb_end_table(b), r->msg_type, out, out_len, err);
}

/* Where a decoded request's shared fields go: its first n byte vectors (in
 * req_byte_ids order), reverse flag and whether options were present; whole
 * (size bytes) is the request struct, cleared before decoding and on failure. */
struct req_in {
    void *whole;
    size_t size;
    const uint8_t **ptrs[4];
    size_t *lens[4];
    size_t n;
    int *reverse;
    int *has_options;
};

/* Open a request of type want, fill r and open its options table into *o. */
static int req_decode(const uint8_t *buf, size_t len, uint8_t want, const struct req_in *r,
                      struct dh_fb_table *o, struct dh_error *err)
{
    memset(r->whole, 0, r->size);
    struct dh_fb_table t;
    int rc = open_payload(buf, len, want, &t, err);
    if (!rc)
        rc = read_bytes(&t, req_byte_ids, r->ptrs, r->lens, r->n, err);
    if (!rc)
        rc = dh_fb_table_field(&t, REQ_OPTIONS, o, err);
    if (rc) {
        memset(r->whole, 0, r->size); /* no half-decoded request */
        return rc;
    }
    *r->reverse = dh_fb_bool(&t, REQ_REVERSE, 0);
    *r->has_options = o->present;
    return DH_OK;
}

/* ---- snapshot request ---- */

int dh_barrage_encode_snapshot_request(const struct dh_barrage_snapshot_request *req, uint8_t **out,
                                       size_t *out_len, struct dh_error *err)
{
    struct req_out r = {{req->ticket, req->columns, req->viewport, NULL},
                        {req->ticket_len, req->columns_len, req->viewport_len, 0},
                        req->reverse_viewport,
                        DH_BARRAGE_MSG_SNAPSHOT_REQUEST,
                        {0}};
    struct dh_fbb b;
    req_start(&b, &r);
    dh_fbb_add_bool(&b, SOPT_DH_NULLS, req->use_deephaven_nulls, 0);
    dh_fbb_add_i32(&b, SOPT_BATCH_SIZE, req->batch_size, 0);
    dh_fbb_add_i32(&b, SOPT_MAX_MSG, req->max_message_size, 0);
    dh_fbb_add_i64(&b, SOPT_PREVIEW, req->preview_list_length_limit, 0);
    return req_finish(&b, &r, out, out_len, err);
}

int dh_barrage_decode_snapshot_request(const uint8_t *buf, size_t len,
                                       struct dh_barrage_snapshot_request *req,
                                       struct dh_error *err)
{
    struct req_in r = {req,
                       sizeof *req,
                       {&req->ticket, &req->columns, &req->viewport, NULL},
                       {&req->ticket_len, &req->columns_len, &req->viewport_len, NULL},
                       3,
                       &req->reverse_viewport,
                       &req->has_options};
    struct dh_fb_table o;
    int rc = req_decode(buf, len, DH_BARRAGE_MSG_SNAPSHOT_REQUEST, &r, &o, err);
    if (rc)
        return rc;
    req->use_deephaven_nulls = dh_fb_bool(&o, SOPT_DH_NULLS, 0);
    req->batch_size = dh_fb_i32(&o, SOPT_BATCH_SIZE, 0);
    req->max_message_size = dh_fb_i32(&o, SOPT_MAX_MSG, 0);
    req->preview_list_length_limit = dh_fb_i64(&o, SOPT_PREVIEW, 0);
    return DH_OK;
}

/* ---- subscription request ---- */

int dh_barrage_encode_subscription_request(const struct dh_barrage_subscription_request *req,
                                           uint8_t **out, size_t *out_len, struct dh_error *err)
{
    struct req_out r = {
        {req->ticket, req->columns, req->viewport, req->subscription_token},
        {req->ticket_len, req->columns_len, req->viewport_len, req->subscription_token_len},
        req->reverse_viewport,
        DH_BARRAGE_MSG_SUBSCRIPTION_REQUEST,
        {0}};
    struct dh_fbb b;
    req_start(&b, &r);
    dh_fbb_add_bool(&b, UOPT_DH_NULLS, req->use_deephaven_nulls, 0);
    dh_fbb_add_i32(&b, UOPT_MIN_INTERVAL, req->min_update_interval_ms, 0);
    dh_fbb_add_i32(&b, UOPT_BATCH_SIZE, req->batch_size, 0);
    dh_fbb_add_i32(&b, UOPT_MAX_MSG, req->max_message_size, 0);
    dh_fbb_add_bool(&b, UOPT_AS_LIST, req->columns_as_list, 0);
    dh_fbb_add_i64(&b, UOPT_PREVIEW, req->preview_list_length_limit, 0);
    return req_finish(&b, &r, out, out_len, err);
}

int dh_barrage_decode_subscription_request(const uint8_t *buf, size_t len,
                                           struct dh_barrage_subscription_request *req,
                                           struct dh_error *err)
{
    struct req_in r = {
        req,
        sizeof *req,
        {&req->ticket, &req->columns, &req->viewport, &req->subscription_token},
        {&req->ticket_len, &req->columns_len, &req->viewport_len, &req->subscription_token_len},
        4,
        &req->reverse_viewport,
        &req->has_options};
    struct dh_fb_table o;
    int rc = req_decode(buf, len, DH_BARRAGE_MSG_SUBSCRIPTION_REQUEST, &r, &o, err);
    if (rc)
        return rc;
    req->use_deephaven_nulls = dh_fb_bool(&o, UOPT_DH_NULLS, 0);
    req->min_update_interval_ms = dh_fb_i32(&o, UOPT_MIN_INTERVAL, 0);
    req->batch_size = dh_fb_i32(&o, UOPT_BATCH_SIZE, 0);
    req->max_message_size = dh_fb_i32(&o, UOPT_MAX_MSG, 0);
    req->columns_as_list = dh_fb_bool(&o, UOPT_AS_LIST, 0);
    req->preview_list_length_limit = dh_fb_i64(&o, UOPT_PREVIEW, 0);
    return DH_OK;
}

/* ---- update metadata ---- */

int dh_barrage_encode_update(const struct dh_barrage_update *u,
                             const struct dh_barrage_mod_column *mods, size_t n_mods, uint8_t **out,
                             size_t *out_len, struct dh_error *err)
{
    *out = NULL;
    *out_len = 0;
    struct dh_fbb b;
    dh_fbb_init(&b);
    uint32_t ev = opt_bytes(&b, u->effective_viewport, u->effective_viewport_len);
    uint32_t ec = opt_bytes(&b, u->effective_column_set, u->effective_column_set_len);
    uint32_t added = opt_bytes(&b, u->added_rows, u->added_rows_len);
    uint32_t removed = opt_bytes(&b, u->removed_rows, u->removed_rows_len);
    uint32_t shift = opt_bytes(&b, u->shift_data, u->shift_data_len);
    uint32_t incl = opt_bytes(&b, u->added_rows_included, u->added_rows_included_len);
    uint32_t modv = 0;
    if (mods) {
        uint32_t *refs = malloc((n_mods ? n_mods : 1) * sizeof *refs);
        if (!refs) {
            dh_fbb_reset(&b);
            return dh_error_set(err, DH_ENOMEM, "out of memory building Barrage metadata");
        }
        for (size_t i = 0; i < n_mods; i++) {
            uint32_t rows = opt_bytes(&b, mods[i].modified_rows, mods[i].modified_rows_len);
            dh_fbb_start_table(&b);
            dh_fbb_add_offset(&b, MOD_ROWS, rows);
            refs[i] = dh_fbb_end_table(&b);
        }
        modv = dh_fbb_create_vector_refs(&b, refs, n_mods);
        free(refs);
    }
    dh_fbb_start_table(&b);
    dh_fbb_add_i64(&b, UPD_FIRST_SEQ, u->first_seq, 0);
    dh_fbb_add_i64(&b, UPD_LAST_SEQ, u->last_seq, 0);
    if (u->has_table_size) { /* present even when 0, so readers can tell */
        b.force_defaults = 1;
        dh_fbb_add_i64(&b, UPD_TABLE_SIZE, u->table_size, 0);
        b.force_defaults = 0;
    }
    dh_fbb_add_offset(&b, UPD_EFF_VIEWPORT, ev);
    dh_fbb_add_offset(&b, UPD_EFF_COLUMNS, ec);
    dh_fbb_add_offset(&b, UPD_ADDED, added);
    dh_fbb_add_offset(&b, UPD_REMOVED, removed);
    dh_fbb_add_offset(&b, UPD_SHIFT, shift);
    dh_fbb_add_offset(&b, UPD_ADDED_INCLUDED, incl);
    dh_fbb_add_offset(&b, UPD_MOD_COLUMNS, modv);
    dh_fbb_add_bool(&b, UPD_IS_SNAPSHOT, u->is_snapshot, 0);
    dh_fbb_add_bool(&b, UPD_EFF_REVERSE, u->effective_reverse_viewport, 0);
    return wrap_builder(&b, dh_fbb_end_table(&b), DH_BARRAGE_MSG_UPDATE_METADATA, out, out_len,
                        err);
}

int dh_barrage_update_mod_column(const struct dh_barrage_update *u, size_t i,
                                 struct dh_barrage_mod_column *out, struct dh_error *err)
{
    memset(out, 0, sizeof *out);
    if (i >= u->n_mod_columns)
        return dh_error_set(err, DH_EINVAL, "Barrage metadata has %zu modified columns, not %zu",
                            u->n_mod_columns, i + 1);
    struct dh_fb_table t;
    int rc = dh_fb_vector_table(&u->mod_columns, i, &t, err);
    if (!rc)
        rc = dh_fb_bytes(&t, MOD_ROWS, &out->modified_rows, &out->modified_rows_len, err);
    return rc;
}

int dh_barrage_decode_update(const uint8_t *buf, size_t len, struct dh_barrage_update *u,
                             struct dh_error *err)
{
    memset(u, 0, sizeof *u);
    struct dh_fb_table t;
    int rc = open_payload(buf, len, DH_BARRAGE_MSG_UPDATE_METADATA, &t, err);
    if (rc)
        return rc;
    static const int ids[] = {UPD_EFF_VIEWPORT, UPD_EFF_COLUMNS, UPD_ADDED,
                              UPD_REMOVED,      UPD_SHIFT,       UPD_ADDED_INCLUDED};
    const uint8_t **ptrs[] = {&u->effective_viewport, &u->effective_column_set,
                              &u->added_rows,         &u->removed_rows,
                              &u->shift_data,         &u->added_rows_included};
    size_t *lens[] = {&u->effective_viewport_len, &u->effective_column_set_len,
                      &u->added_rows_len,         &u->removed_rows_len,
                      &u->shift_data_len,         &u->added_rows_included_len};
    rc = read_bytes(&t, ids, ptrs, lens, 6, err);
    if (!rc)
        rc = dh_fb_vector_field(&t, UPD_MOD_COLUMNS, 4, &u->mod_columns, err);
    if (!rc) {
        u->n_mod_columns = u->mod_columns.n;
        /* check every entry now, so later dh_barrage_update_mod_column calls cannot fail */
        for (size_t i = 0; !rc && i < u->n_mod_columns; i++) {
            struct dh_barrage_mod_column m;
            rc = dh_barrage_update_mod_column(u, i, &m, err);
        }
    }
    if (rc) {
        memset(u, 0, sizeof *u);
        dh_error_prefix(err, "Barrage update metadata");
        return rc;
    }
    u->first_seq = dh_fb_i64(&t, UPD_FIRST_SEQ, 0);
    u->last_seq = dh_fb_i64(&t, UPD_LAST_SEQ, 0);
    u->is_snapshot = dh_fb_bool(&t, UPD_IS_SNAPSHOT, 0);
    u->effective_reverse_viewport = dh_fb_bool(&t, UPD_EFF_REVERSE, 0);
    u->has_table_size = dh_fb_has(&t, UPD_TABLE_SIZE);
    u->table_size = dh_fb_i64(&t, UPD_TABLE_SIZE, 0);
    return DH_OK;
}
