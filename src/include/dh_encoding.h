/* SPDX-License-Identifier: MIT */
/* dh_encoding: hex and base64 (standard and URL-safe) encoding of byte strings.
 * Pure functions over caller buffers; no allocation. */
#ifndef DH_ENCODING_H
#define DH_ENCODING_H

#include <stddef.h>
#include <stdint.h>

/* Write 2*n lowercase hex digits of in[0..n) to out (NUL-terminated, cut to
 * cap-1 characters on a digit-pair boundary); returns 2*n, the length the whole
 * text needs, like snprintf. Any thread. */
size_t dh_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/* The value of hex digit c (either case), or -1 if c is not one. Any thread. */
int dh_hex_digit_value(int c);

/* Decode exactly `len` hex digits (either case, len even) into out; returns the
 * number of bytes, or (size_t)-1 when a character is not a hex digit, len is
 * odd or out has fewer than len/2 bytes. Any thread. */
size_t dh_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap);

/* Flags for dh_base64_encode. */
enum dh_base64_flags {
    DH_BASE64_URL = 1,   /* '-' and '_' instead of '+' and '/' (RFC 4648 section 5) */
    DH_BASE64_NOPAD = 2, /* leave out the trailing '=' padding */
};

/* Encode in[0..n) as base64 into out (NUL-terminated; cut on a 4-character
 * boundary when cap is too small); returns the length the whole text needs,
 * like snprintf. Any thread. */
size_t dh_base64_encode(const uint8_t *in, size_t n, unsigned flags, char *out, size_t cap);

/* The 6-bit value of base64 character c in either alphabet ('+' or '-' = 62,
 * '/' or '_' = 63), or -1 (also for '='). Any thread. */
int dh_base64_char_value(int c);

/* Decode base64 text in either alphabet, padded or not (no whitespace), into
 * out. Returns the number of bytes, or (size_t)-1 when the text is malformed or
 * out is too small; *bad_pos (may be NULL) then gets the offset of the first
 * offending character (len when the length itself is wrong). Any thread. */
size_t dh_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *bad_pos);

#endif
