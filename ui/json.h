/* SPDX-License-Identifier: MIT */
/* json: a tiny streaming JSON writer for the CLI's --json output. It tracks
 * commas and nesting, and writes every string as valid, terminal-safe JSON. */
#ifndef DHTUI_JSON_H
#define DHTUI_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

/* Writer state. Caller-allocated; json_writer_init, no free needed. */
struct json_writer {
    FILE *f;
    unsigned depth;
    unsigned char first[JSON_MAX_DEPTH]; /* 1 until the level has a member */
    int after_key;                       /* a key was written; its value is next */
    int comma_done;                      /* json_break wrote the next value's comma */
};

/* Start writing to f (borrowed). UI thread. */
void json_writer_init(struct json_writer *w, FILE *f);

/* Open / close an object or an array (as a value or a member value). UI thread. */
void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);

/* Write an object member's key; the next call writes its value. UI thread. */
void json_key(struct json_writer *w, const char *key);

/* Values. NULL strings are written as null. UI thread. */
void json_string(struct json_writer *w, const char *s);
void json_string_n(struct json_writer *w, const char *s, size_t len);
void json_int(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, int v);
void json_null(struct json_writer *w);
/* An object member: json_key, then the value. UI thread. */
void json_member_string(struct json_writer *w, const char *key, const char *s);
void json_member_int(struct json_writer *w, const char *key, int64_t v);
void json_member_bool(struct json_writer *w, const char *key, int v);
/* Write text as a bare JSON number if it is one (RFC 8259 grammar), else as a
 * string. UI thread. */
void json_number_text(struct json_writer *w, const char *s);

/* Write a newline (between top-level values, or to end the output). UI thread. */
void json_newline(struct json_writer *w);

/* Put the next value on a new line: write its comma (if it needs one), then a
 * newline, so lines end with commas rather than start with them. UI thread. */
void json_break(struct json_writer *w);

/* Write s[0..len) to f as a quoted JSON string (rows_json_string: quote,
 * backslash, C0, DEL, C1 controls, bidi controls and U+2028/U+2029 become
 * escapes, invalid UTF-8 becomes U+FFFD). Output is valid UTF-8 and holds no
 * raw control byte. Any thread. */
void json_write_string(FILE *f, const char *s, size_t len);

/* 1 if s is exactly one JSON number (RFC 8259 §6). Any thread. */
int json_is_number(const char *s);

#endif
