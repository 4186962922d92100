/* SPDX-License-Identifier: MIT */
/* rows_out.c: the buffered output and the format escapers of `dhtui rows`. */
#include "rows_out.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "dh_text.h"

char *rows_buf_grow(struct rows_buf *b, size_t n)
{
    if (b->oom)
        return NULL;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return NULL;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return NULL;
    }
    b->p = p;
    b->cap = cap;
    return p + b->len;
}

void rows_buf_free(struct rows_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void rows_out_init(struct rows_out *o, int fd)
{
    memset(o, 0, sizeof *o);
    o->fd = fd;
    rows_buf_grow(&o->buf, ROWS_OUT_FLUSH + 65536);
}

int rows_out_flush(struct rows_out *o)
{
    size_t done = 0;
    while (!o->error && done < o->buf.len) {
        ssize_t w = write(o->fd, o->buf.p + done, o->buf.len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            o->error = w < 0 ? errno : EIO;
        else
            done += (size_t)w;
    }
    o->buf.len = 0;
    if (o->buf.oom && !o->error)
        o->error = ENOMEM;
    return o->error ? -1 : 0;
}

void rows_out_free(struct rows_out *o)
{
    rows_buf_free(&o->buf);
}

/* Append s[0..len) with control characters as visible escapes. */
static void put_sanitized(struct rows_buf *b, const char *s, size_t len)
{
    size_t cap = len * 6 + 8; /* the worst case: every byte a 6-byte escape */
    char *p = rows_buf_room(b, cap);
    if (p)
        b->len += dh_text_sanitize(s, len, p, cap, 0, NULL);
}

/* 1 for the bytes a CSV field must be quoted for. */
static int csv_special(unsigned char c)
{
    return c == ',' || c == '"' || c == '\r' || c == '\n';
}

/* 1 for bytes the safe modes hand to the sanitiser: C0 controls, DEL, and
 * every non-ASCII byte (C1 controls, bidi controls and invalid UTF-8 hide
 * there). Tab and LF stay. */
static int unsafe_byte(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\n') || c >= 0x7F;
}

/* Append a run of bytes with no CSV/TSV special in them. */
static void put_run(struct rows_buf *b, const char *s, size_t len, int safe)
{
    if (!safe) {
        rows_buf_put(b, s, len);
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (!unsafe_byte((unsigned char)s[i]))
            continue;
        rows_buf_put(b, s + start, i - start);
        /* The whole rest goes through the sanitiser (one character at a
         * time would split UTF-8). */
        put_sanitized(b, s + i, len - i);
        return;
    }
    rows_buf_put(b, s + start, len - start);
}

void rows_csv_field(struct rows_buf *b, const char *s, size_t len, int safe)
{
    int quote = len == 0 || s[0] == ' ' || s[len - 1] == ' ';
    for (size_t i = 0; i < len && !quote; i++)
        quote = csv_special((unsigned char)s[i]);
    if (!quote) {
        put_run(b, s, len, safe);
        return;
    }
    rows_buf_byte(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c != '"' && !(safe && c == '\r'))
            continue;
        put_run(b, s + start, i - start, safe);
        rows_buf_put(b, c == '"' ? "\"\"" : "\\r", 2);
        start = i + 1;
    }
    put_run(b, s + start, len - start, safe);
    rows_buf_byte(b, '"');
}

void rows_tsv_field(struct rows_buf *b, const char *s, size_t len, int safe)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *e;
        switch (s[i]) {
        case '\\': e = "\\\\"; break;
        case '\t': e = "\\t"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        default: continue;
        }
        put_run(b, s + start, i - start, safe);
        rows_buf_put(b, e, 2);
        start = i + 1;
    }
    put_run(b, s + start, len - start, safe);
}

/* Code points JSON allows raw but we write as \uXXXX: DEL and C1 controls,
 * bidi controls (they reorder what a terminal shows), and the two separators
 * JavaScript treats as line ends. */
static int json_escape_cp(uint32_t cp)
{
    if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        return 1;
    if (cp == 0x061C || cp == 0x200E || cp == 0x200F)
        return 1;
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
        return 1;
    return cp == 0x2028 || cp == 0x2029;
}

/* Append "\uXXXX". */
static void put_u_escape(struct rows_buf *b, uint32_t cp)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15]};
    rows_buf_put(b, e, 6);
}

/* 1 if the ASCII byte goes into a JSON string as it is. */
static int json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

void rows_json_string(struct rows_buf *b, const char *s, size_t len)
{
    rows_buf_byte(b, '"');
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && json_plain((unsigned char)s[run]))
            run++;
        rows_buf_put(b, s + i, run - i);
        i = run;
        if (i >= len)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            const char *e = c == '"'    ? "\\\""
                            : c == '\\' ? "\\\\"
                            : c == '\b' ? "\\b"
                            : c == '\f' ? "\\f"
                            : c == '\n' ? "\\n"
                            : c == '\r' ? "\\r"
                            : c == '\t' ? "\\t"
                                        : NULL;
            if (e)
                rows_buf_put(b, e, 2);
            else
                put_u_escape(b, c);
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t n = dh_text_utf8_next(s + i, len - i, &cp);
        if (n == 0)
            n = 1;
        if (cp == 0xFFFD)
            rows_buf_put(b, "\xEF\xBF\xBD", 3); /* also right for a literal U+FFFD */
        else if (json_escape_cp(cp))
            put_u_escape(b, cp);
        else
            rows_buf_put(b, s + i, n);
        i += n;
    }
    rows_buf_byte(b, '"');
}
