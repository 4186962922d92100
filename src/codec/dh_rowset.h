/* SPDX-License-Identifier: MIT */
/* dh_rowset: Deephaven's RowSet wire codec (ExternalizableRowSetUtils in
 * deephaven-core engine/rowset, little-endian as Barrage sends it; docs/PROTOCOL.md,
 * RowSet encoding) and a simple in-memory set of ascending, disjoint, non-adjacent
 * inclusive ranges [lo, hi] of non-negative int64 keys. Pure; no I/O. */
#ifndef DH_ROWSET_H
#define DH_ROWSET_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"

/* One inclusive range of keys. */
struct dh_range {
    int64_t lo, hi;
};

/* A set of keys as sorted ranges. Caller-allocated: dh_rowset_init / dh_rowset_reset. */
struct dh_rowset {
    struct dh_range *ranges; /* ascending, disjoint, never adjacent (merged) */
    size_t n, cap;
    int64_t size; /* number of keys */
};

/* A streaming decoder over encoded bytes (no allocation). Fill with
 * dh_rowset_reader_init; call dh_rowset_reader_next until DH_END. */
struct dh_rowset_reader {
    const uint8_t *buf;
    size_t len, pos;
    int64_t prev;    /* the last key decoded */
    int64_t pending; /* a single key waiting to see whether a range end follows */
    int has_pending;
    int started;      /* a key has been decoded (so prev is meaningful) */
    int done;         /* END seen */
    int64_t arr_left; /* values left in the current SHORT/BYTE array */
    int arr_width;    /* 1 (byte array) or 2 (short array) */
};

/* Prepare an empty set (allocates nothing). Any thread. */
void dh_rowset_init(struct dh_rowset *rs);

/* Free the set's memory; leaves it empty. Idempotent, NULL-safe. Any thread. */
void dh_rowset_reset(struct dh_rowset *rs);

/* Empty the set, keeping its memory. Any thread. */
void dh_rowset_clear(struct dh_rowset *rs);

/* Add keys [lo, hi] (0 <= lo <= hi), merging with what is there. Fast when ranges come
 * in ascending order. DH_OK, DH_EINVAL or DH_ENOMEM. Any thread. */
int dh_rowset_add_range(struct dh_rowset *rs, int64_t lo, int64_t hi, struct dh_error *err);

/* Whether key is in the set (binary search). Any thread. */
int dh_rowset_contains(const struct dh_rowset *rs, int64_t key);

/* The key at position pos (0-based, in ascending order) into *key. DH_OK or DH_EINVAL
 * when pos is outside [0, size). Any thread. */
int dh_rowset_nth(const struct dh_rowset *rs, int64_t pos, int64_t *key);

/* The position of key in the set, or -1 when absent. Any thread. */
int64_t dh_rowset_position(const struct dh_rowset *rs, int64_t key);

/* Start reading the encoded RowSet in buf[0..len) (the caller keeps buf). Any thread. */
void dh_rowset_reader_init(struct dh_rowset_reader *r, const uint8_t *buf, size_t len);

/* The next range [*lo, *hi]: DH_OK, DH_END after the END command (r->pos is then the
 * byte after it), or DH_EINVAL (bad command, truncated, a key not above the previous
 * one, a range end without a start, overflow). Any thread. */
int dh_rowset_reader_next(struct dh_rowset_reader *r, int64_t *lo, int64_t *hi,
                          struct dh_error *err);

/* Decode one RowSet that starts at buf and may be followed by more bytes (shift_data
 * holds three back to back); *used gets the bytes it took. rs is cleared first.
 * DH_OK, DH_EINVAL or DH_ENOMEM. Any thread. */
int dh_rowset_decode_prefix(const uint8_t *buf, size_t len, struct dh_rowset *rs, size_t *used,
                            struct dh_error *err);

/* Decode a RowSet that fills buf[0..len) exactly (trailing bytes are refused). Any thread. */
int dh_rowset_decode(const uint8_t *buf, size_t len, struct dh_rowset *rs, struct dh_error *err);

/* The number of keys in an encoded RowSet, without building it. DH_OK or DH_EINVAL.
 * Any thread. */
int dh_rowset_cardinality(const uint8_t *buf, size_t len, int64_t *n, struct dh_error *err);

/* Encode the set the way Java's writeExternalCompressedDeltas does (byte for byte)
 * into a malloc'd buffer the caller frees. DH_OK or DH_ENOMEM. Any thread. */
int dh_rowset_encode(const struct dh_rowset *rs, uint8_t **out, size_t *len, struct dh_error *err);

/* Encode the single range [lo, hi] (the common viewport) into a malloc'd buffer; an
 * empty rowset when hi < lo. DH_OK, DH_EINVAL (lo < 0) or DH_ENOMEM. Any thread. */
int dh_rowset_encode_range(int64_t lo, int64_t hi, uint8_t **out, size_t *len,
                           struct dh_error *err);

#endif
