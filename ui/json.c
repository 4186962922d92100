/* SPDX-License-Identifier: MIT */
/* json.c: the CLI's streaming JSON writer and string escaper. */
#include "json.h"

#include <inttypes.h>
#include <string.h>

#include "rows_out.h"

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

void json_begin_object(struct json_writer *w)
{
    json_push(w, '{');
}
void json_end_object(struct json_writer *w)
{
    json_pop(w, '}');
}
void json_begin_array(struct json_writer *w)
{
    json_push(w, '[');
}
void json_end_array(struct json_writer *w)
{
    json_pop(w, ']');
}

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

void json_write_string(FILE *f, const char *s, size_t len)
{
    struct rows_buf b = {0};
    rows_json_string(&b, s, len);
    if (b.oom)
        fputs("\"\"", f);
    else
        fwrite(b.p, 1, b.len, f);
    rows_buf_free(&b);
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
