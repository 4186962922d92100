/* SPDX-License-Identifier: MIT */
/* json.c: the CLI's streaming JSON writer and string escaper. */
#include "json.h"

#include <inttypes.h>
#include <string.h>

#include "dh_text.h"

void json_writer_init(struct json_writer *w, FILE *f)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->first[0] = 1;
}

/* Write the comma a new value needs, unless it follows its key. */
static void json_sep(struct json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (!w->first[w->depth] && !w->comma_done)
        fputc(',', w->f);
    w->comma_done = 0;
    w->first[w->depth] = 0;
}

/* Enter a nesting level (deeper levels than JSON_MAX_DEPTH share the last). */
static void json_push(struct json_writer *w, int c)
{
    json_sep(w);
    fputc(c, w->f);
    if (w->depth + 1 < JSON_MAX_DEPTH)
        w->depth++;
    w->first[w->depth] = 1;
}

/* Leave a nesting level. */
static void json_pop(struct json_writer *w, int c)
{
    if (w->depth > 0)
        w->depth--;
    w->after_key = 0;
    w->comma_done = 0;
    fputc(c, w->f);
}

void json_begin_object(struct json_writer *w) { json_push(w, '{'); }
void json_end_object(struct json_writer *w) { json_pop(w, '}'); }
void json_begin_array(struct json_writer *w) { json_push(w, '['); }
void json_end_array(struct json_writer *w) { json_pop(w, ']'); }

void json_key(struct json_writer *w, const char *key)
{
    json_sep(w);
    json_write_string(w->f, key, strlen(key));
    fputc(':', w->f);
    w->after_key = 1;
}

void json_string(struct json_writer *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    json_string_n(w, s, strlen(s));
}

void json_string_n(struct json_writer *w, const char *s, size_t len)
{
    json_sep(w);
    json_write_string(w->f, s, len);
}

void json_int(struct json_writer *w, int64_t v)
{
    json_sep(w);
    fprintf(w->f, "%" PRId64, v);
}

void json_bool(struct json_writer *w, int v)
{
    json_sep(w);
    fputs(v ? "true" : "false", w->f);
}

void json_null(struct json_writer *w)
{
    json_sep(w);
    fputs("null", w->f);
}

void json_member_string(struct json_writer *w, const char *key, const char *s)
{
    json_key(w, key);
    json_string(w, s);
}

void json_member_int(struct json_writer *w, const char *key, int64_t v)
{
    json_key(w, key);
    json_int(w, v);
}

void json_member_bool(struct json_writer *w, const char *key, int v)
{
    json_key(w, key);
    json_bool(w, v);
}

void json_number_text(struct json_writer *w, const char *s)
{
    if (!json_is_number(s)) {
        json_string(w, s);
        return;
    }
    json_sep(w);
    fputs(s, w->f);
}

void json_newline(struct json_writer *w)
{
    fputc('\n', w->f);
}

void json_break(struct json_writer *w)
{
    if (!w->after_key && !w->first[w->depth] && !w->comma_done) {
        fputc(',', w->f);
        w->comma_done = 1;
    }
    fputc('\n', w->f);
}

/* Code points written as \uXXXX although JSON allows them raw: C1 controls,
 * bidi controls (they reorder what a terminal shows) and the two separators
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

/* The short escape for an ASCII byte, or 0 if it has none. */
static char json_short_escape(unsigned char c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '\b': return 'b';
    case '\f': return 'f';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    default: return 0;
    }
}

/* 1 if ASCII byte c goes out as it is. */
static int json_plain_ascii(unsigned char c)
{
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

void json_write_string(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    size_t i = 0;
    while (i < len) {
        /* Runs of plain ASCII go out in one write: per-byte stdio calls dominate otherwise. */
        size_t run = i;
        while (run < len && json_plain_ascii((unsigned char)s[run]))
            run++;
        if (run > i) {
            fwrite(s + i, 1, run - i, f);
            i = run;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            char e = json_short_escape(c);
            if (e)
                fprintf(f, "\\%c", e);
            else
                fprintf(f, "\\u%04x", (unsigned)c);
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t n = dh_text_utf8_next(s + i, len - i, &cp);
        if (n == 0)
            n = 1;
        if (cp == 0xFFFD && !(n == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0))
            fputs("\xEF\xBF\xBD", f); /* invalid input: the replacement character */
        else if (json_escape_cp(cp))
            fprintf(f, "\\u%04x", (unsigned)cp);
        else
            fwrite(s + i, 1, n, f);
        i += n;
    }
    fputc('"', f);
}

/* Skip one or more digits; returns the position after them, or NULL. */
static const char *json_digits(const char *p)
{
    if (*p < '0' || *p > '9')
        return NULL;
    while (*p >= '0' && *p <= '9')
        p++;
    return p;
}

int json_is_number(const char *s)
{
    const char *p = s;
    if (!p)
        return 0;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (!(p = json_digits(p)))
        return 0;
    if (*p == '.' && !(p = json_digits(p + 1)))
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(p = json_digits(p)))
            return 0;
    }
    return *p == '\0';
}
