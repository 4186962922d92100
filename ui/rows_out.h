/* SPDX-License-Identifier: MIT */
/* rows_out: the output side of `dhtui rows`: a growable byte buffer, one large
 * buffer in front of a file descriptor (written with write(2), no stdio), and
 * the exact escapers of each export format (CSV field, PostgreSQL text-format
 * TSV field, RFC 8259 JSON string), each with an optional terminal-safe mode
 * that shows control characters as visible escapes. */
#ifndef DHTUI_ROWS_OUT_H
#define DHTUI_ROWS_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A growable byte buffer. Zero-initialise; rows_buf_free when done. */
struct rows_buf {
    char *p;
    size_t len, cap;
    int oom; /* an allocation failed: later appends are dropped */
};

/* Make room for n more bytes; returns where they go, or NULL (oom set). */
char *rows_buf_grow(struct rows_buf *b, size_t n);
void rows_buf_free(struct rows_buf *b);

static inline char *rows_buf_room(struct rows_buf *b, size_t n)
{
    return b->cap - b->len >= n ? b->p + b->len : rows_buf_grow(b, n);
}

static inline void rows_buf_put(struct rows_buf *b, const void *s, size_t n)
{
    char *p = rows_buf_room(b, n);
    if (!p)
        return;
    memcpy(p, s, n);
    b->len += n;
}

static inline void rows_buf_byte(struct rows_buf *b, char c)
{
    char *p = rows_buf_room(b, 1);
    if (!p)
        return;
    *p = c;
    b->len++;
}

static inline void rows_buf_str(struct rows_buf *b, const char *s)
{
    rows_buf_put(b, s, strlen(s));
}

/* The output: bytes gather in buf and go to fd once it holds ROWS_OUT_FLUSH. */
#define ROWS_OUT_FLUSH (1u << 20)
struct rows_out {
    struct rows_buf buf;
    int fd;
    int error; /* errno of the first failed write (EPIPE: the reader left); 0 */
};

void rows_out_init(struct rows_out *o, int fd);
/* Write what is buffered; 0, or -1 with o->error set (the buffer is dropped). */
int rows_out_flush(struct rows_out *o);
/* Flush when the buffer is full enough; call between rows. */
static inline int rows_out_maybe_flush(struct rows_out *o)
{
    return o->buf.len >= ROWS_OUT_FLUSH ? rows_out_flush(o) : 0;
}
void rows_out_free(struct rows_out *o);

/* CSV field (RFC 4180): quoted when it is empty or holds a comma, quote, CR or
 * LF, or starts or ends with a space; quotes doubled; every other byte as it is.
 * safe: control characters other than tab and LF are written as the
 * sanitiser's visible escapes (\r, \e, \x07, \u202e, ...) and invalid UTF-8 as
 * U+FFFD, for a terminal. */
void rows_csv_field(struct rows_buf *b, const char *s, size_t len, int safe);

/* TSV field, PostgreSQL COPY text format: backslash, tab, LF and CR written as
 * \\ \t \n \r; every other byte as it is (safe: other control characters as
 * visible escapes, invalid UTF-8 as U+FFFD). */
void rows_tsv_field(struct rows_buf *b, const char *s, size_t len, int safe);

/* A quoted JSON string (RFC 8259): quote, backslash and C0 escaped (\" \\ \b
 * \f \n \r \t, else \u00XX); DEL, C1 controls, bidi controls and U+2028/U+2029
 * as \uXXXX too (the same characters, safe for a terminal); invalid UTF-8 as
 * U+FFFD (JSON text is UTF-8). */
void rows_json_string(struct rows_buf *b, const char *s, size_t len);

#endif
