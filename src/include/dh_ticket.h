/* SPDX-License-Identifier: MIT */
/* dh_ticket: Deephaven tickets (export 'e', shared 'h', scope "s/", application
 * "a/"): building them, reading them, their display texts and a forgiving
 * parser for what people paste. Pure over bytes: no gRPC. Layouts follow
 * upstream proto/util/{Export,Shared,Scope,Application}TicketHelper.java and
 * py/client/pydeephaven/ticket.py (docs/PROTOCOL.md, Tickets). */
#ifndef DH_TICKET_H
#define DH_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "dh_error.h"

#define DH_TICKET_MAX 1024         /* longest ticket we keep, in bytes */
#define DH_TICKET_SHARED_ID_LEN 16 /* random shared ids: 16 bytes, as pydeephaven */

/* A ticket: a caller-allocated value (copy it with =); nothing to free. */
struct dh_ticket {
    size_t len;
    uint8_t bytes[DH_TICKET_MAX];
};

/* What a ticket's bytes route to on the server (TicketRouter picks by byte 0). */
enum dh_ticket_kind {
    DH_TICKET_INVALID, /* empty, or a known route byte with a malformed rest */
    DH_TICKET_EXPORT,  /* 'e' + int32 LE, exactly 5 bytes */
    DH_TICKET_SHARED,  /* 'h' + at least 1 id byte */
    DH_TICKET_SCOPE,   /* "s/" + non-empty name */
    DH_TICKET_APP,     /* "a/" + non-empty app id without '/' + "/f/" + non-empty field */
    DH_TICKET_OTHER,   /* another route byte: only the server knows */
};

/* The text forms dh_ticket_format_as writes. For export, shared, scope and
 * app tickets every form that applies is read back by dh_ticket_parse to the
 * same bytes, except that base64 text made only of hex digits (possible for
 * short shared ids) is read as hex, and base64 text that starts like a path
 * form ("s/", "app/" ...) and reads as one is read as that form (one the form
 * refuses is read as base64). Invalid and other tickets read back only
 * from their canonical "base64:" text. */
enum dh_ticket_text {
    DH_TEXT_CANONICAL, /* shared "shared/0x<hex>", export "export/<id>", scope
                        * "s/<name>", app "a/<app>/f/<field>"; a scope or app name
                        * that is not plain printable UTF-8 is written as PYTHON;
                        * an invalid or other ticket as "base64:<base64>" */
    DH_TEXT_HEX,       /* shared only: "<hex>" of the id, as server messages print it */
    DH_TEXT_PATH,      /* the Flight descriptor path joined with '/': "shared/<hex>",
                        * "export/<id>", "scope/<name>", "app/<app>/field/<field>"
                        * (printable names only) */
    DH_TEXT_BASE64,    /* standard base64 of all ticket bytes, padded */
    DH_TEXT_BASE64URL, /* URL-safe base64 of all ticket bytes, unpadded */
    DH_TEXT_PYTHON,    /* a Python bytes literal, as repr() prints it: b'h\x12...' */
};

/* Make t the empty (invalid) ticket. Any thread. */
void dh_ticket_init(struct dh_ticket *t);

/* Same as dh_ticket_init; idempotent. Any thread. */
void dh_ticket_reset(struct dh_ticket *t);

/* Copy raw ticket bytes (e.g. from the wire) into t; DH_EINVAL if len is 0 or
 * above DH_TICKET_MAX (t is then empty). Any thread. */
int dh_ticket_set_bytes(struct dh_ticket *t, const uint8_t *bytes, size_t len,
                        struct dh_error *err);

/* Which kind of ticket t holds. Any thread. */
enum dh_ticket_kind dh_ticket_kind(const struct dh_ticket *t);

/* Byte-wise equality of two tickets (1 or 0). Any thread. */
int dh_ticket_equal(const struct dh_ticket *a, const struct dh_ticket *b);

/* Make t the export ticket for id ('e' + id as int32 little-endian). Any thread. */
void dh_ticket_make_export(struct dh_ticket *t, int32_t id);

/* Read the export id of an export ticket into *id; DH_EINVAL if t is not one.
 * Any thread. */
int dh_ticket_export_id(const struct dh_ticket *t, int32_t *id);

/* Make t the shared ticket 'h' + id[0..n); DH_EINVAL if n is 0 or too long.
 * Any thread. */
int dh_ticket_make_shared(struct dh_ticket *t, const uint8_t *id, size_t n, struct dh_error *err);

/* Make t a fresh shared ticket: 'h' + 16 bytes from getrandom(2), falling back
 * to /dev/urandom; DH_ESYS (err says why) if neither works. Any thread. */
int dh_ticket_make_shared_random(struct dh_ticket *t, struct dh_error *err);

/* The id bytes of a shared ticket (after 'h') and their count in *n, pointing
 * into t; NULL (and *n = 0) if t is not a shared ticket. Any thread. */
const uint8_t *dh_ticket_shared_id(const struct dh_ticket *t, size_t *n);

/* Make t the scope ticket "s/" + name (name NUL-terminated, non-empty, no NUL
 * inside by construction); DH_EINVAL if empty or too long. Any thread. */
int dh_ticket_make_scope(struct dh_ticket *t, const char *name, struct dh_error *err);

/* Make t the application ticket "a/" + app + "/f/" + field; DH_EINVAL if app
 * is empty or holds '/', field is empty, or the result is too long. Any thread. */
int dh_ticket_make_app(struct dh_ticket *t, const char *app, const char *field,
                       struct dh_error *err);

/* Copy a scope ticket's variable name, NUL-terminated, into buf[0..n).
 * DH_EINVAL if t is not a scope ticket or the name holds a NUL byte; DH_ENOMEM
 * if it does not fit (buf gets ""). Any thread. */
int dh_ticket_scope_name(const struct dh_ticket *t, char *buf, size_t n);

/* Copy an application ticket's app id and field name, NUL-terminated, into
 * app[0..app_n) and field[0..field_n). DH_EINVAL if t is not an app ticket or a
 * part holds a NUL byte; DH_ENOMEM if a part does not fit (both get ""). Any
 * thread. */
int dh_ticket_app_parts(const struct dh_ticket *t, char *app, size_t app_n, char *field,
                        size_t field_n);

/* Write the canonical display text of t (DH_TEXT_CANONICAL) into buf[0..n),
 * NUL-terminated when n > 0, cut to fit. Returns the length the whole text
 * needs, like snprintf, or -1 (buf "") for an empty ticket. Any thread. */
int dh_ticket_format(const struct dh_ticket *t, char *buf, size_t n);

/* Write t in text form `form` into buf[0..n), like dh_ticket_format. Returns
 * the length needed, or -1 (buf "") when the form does not apply to t (HEX
 * for a non-shared ticket, PATH for an invalid or other ticket or an
 * unprintable name) or t is empty. Any thread. */
int dh_ticket_format_as(const struct dh_ticket *t, enum dh_ticket_text form, char *buf, size_t n);

/* "<verb> <canonical text>" (e.g. "Exporting shared/0x1a…") into buf, for the
 * messages of calls about a ticket; "(empty ticket)" for an empty one. Any thread. */
void dh_ticket_describe(char *buf, size_t n, const char *verb, const struct dh_ticket *t);

/* Parse pasted text into t. Trims surrounding whitespace and one pair of
 * matching quotes (' " `), drops line breaks (and, in hex and base64, all
 * whitespace) and accepts: "shared/0x<hex>", "shared/<hex>", "0x<hex>" and
 * bare "<hex>" (the shared id after 'h', either case); base64 or base64url,
 * padded or not, of a whole ticket starting with 'h', 'e' (5 bytes), "s/" or
 * "a/" ("base64:<text>" takes any bytes); a Python bytes literal b'...' or
 * b"..."; "s/NAME", "scope/NAME"; "a/APP/f/FIELD", "app/APP/field/FIELD";
 * "export/N". Text of only hex digits is hex (base64 only if it is not valid
 * hex, e.g. of odd length). On failure returns DH_EINVAL, t
 * is empty and err holds one sentence saying what was expected and what was
 * found (echoing at most 40 characters, control characters escaped). Work is
 * linear in len. Any thread. */
int dh_ticket_parse(struct dh_ticket *t, const char *text, size_t len, struct dh_error *err);

#endif
