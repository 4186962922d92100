/* SPDX-License-Identifier: MIT */
/* dh_text: terminal-safe text. Turns untrusted server text into displayable
 * UTF-8 (no C0/C1 control, escape or bidi control ever passes through) and
 * measures and cuts UTF-8 by terminal columns without the process locale. */
#ifndef DH_TEXT_H
#define DH_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Flags for dh_text_sanitize and dh_text_truncate_to_width. */
enum dh_text_flags {
    DH_SANITIZE_TAB_AS_SPACE = 1, /* a tab becomes one space instead of "\t" */
    DH_SANITIZE_ELLIPSIS = 2,     /* end cut output with U+2026 '…' when it fits */
    DH_TRUNCATE_ELLIPSIS = 4,     /* truncate: keep a column for '…' when cutting */
};

/* Copy `len` bytes of untrusted text into out as displayable UTF-8, always
 * NUL-terminated when outcap > 0. Replacements (documented escapes, all ASCII):
 *   NUL "\0", BEL "\a", BS "\b", TAB "\t", LF "\n", VT "\v", FF "\f", CR "\r",
 *   ESC "\e", other C0 and DEL "\xNN"; C1 controls U+0080..U+009F and the bidi
 *   controls U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 "\uNNNN";
 *   each maximal invalid UTF-8 subsequence (overlong, surrogate, > U+10FFFF,
 *   truncated) one U+FFFD. Backslashes are kept as they are (display only).
 * Output is cut before a character or escape that does not fit, never inside
 * one. Returns the bytes written (excluding NUL); *in_used (may be NULL) gets
 * the input bytes consumed, so in_used < len means the output was cut. No
 * allocation. Any thread. */
size_t dh_text_sanitize(const char *in, size_t len, char *out, size_t outcap, unsigned flags,
                        size_t *in_used);

/* Decode one UTF-8 character from s[0..len) (len > 0) into *cp and return its
 * byte length (1..4); an invalid maximal subsequence gives *cp = 0xFFFD and its
 * length (>= 1). Any thread. */
size_t dh_text_utf8_next(const char *s, size_t len, uint32_t *cp);

/* Terminal columns of code point cp, as wcwidth(3) would say in a UTF-8 locale
 * but from a built-in table (Unicode 14): 0 for combining marks, format and
 * zero-width characters and C0/C1 controls, 2 for East Asian Wide and Fullwidth,
 * 1 otherwise. Any thread. */
int dh_text_codepoint_width(uint32_t cp);

/* Display columns of UTF-8 text s[0..len) (invalid bytes count as U+FFFD,
 * 1 column). Any thread. */
size_t dh_text_width(const char *s, size_t len);

/* Byte length of the longest prefix of s[0..len) that is at most max_cols
 * columns wide, ending on a character boundary (zero-width marks following the
 * last kept character stay with it). *cols (may be NULL) gets its width. Any
 * thread. */
size_t dh_text_prefix_for_width(const char *s, size_t len, size_t max_cols, size_t *cols);

/* Copy the longest prefix of s that fits max_cols columns into out
 * (NUL-terminated, never splitting a character). With DH_TRUNCATE_ELLIPSIS,
 * text wider than max_cols is cut one column shorter and ends with '…'.
 * Returns the bytes written; *cols (may be NULL) gets the columns used. Any
 * thread. */
size_t dh_text_truncate_to_width(const char *s, size_t len, size_t max_cols, unsigned flags,
                                 char *out, size_t outcap, size_t *cols);

/* A malloc'd copy of s, "" for NULL (decoded protobuf strings may be either); NULL only
 * when out of memory. The caller frees it. Any thread. */
char *dh_str_dup(const char *s);

#endif
