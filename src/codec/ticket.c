/* SPDX-License-Identifier: MIT */
/* ticket.c: Deephaven ticket layouts, display texts and the paste parser.
 * Layouts mimic upstream proto/util/{Export,Shared,Scope,Application}
 * TicketHelper.java; the Python form mimics CPython's bytes repr. */
#include "dh_ticket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "dh_encoding.h"
#include "dh_text.h"

/* The start of every "what was expected" sentence for a ticket of any kind. */
#define EXPECT_ANY "expected a ticket (shared/0x<hex>, hex, base64, b'h...' or s/<name>)"
#define EXPECT_HEX "expected a shared ticket (shared/0x<hex>, hex, base64 or b'h...')"
#define ECHO_MAX 40 /* characters of the user's text quoted back in a message */

/* ---- construction and access ---- */

void dh_ticket_init(struct dh_ticket *t)
{
    t->len = 0;
}

void dh_ticket_reset(struct dh_ticket *t)
{
    t->len = 0;
}

int dh_ticket_set_bytes(struct dh_ticket *t, const uint8_t *bytes, size_t len, struct dh_error *err)
{
    t->len = 0;
    if (len == 0)
        return dh_error_set(err, DH_EINVAL,
                            "expected a ticket of at least one byte but found none");
    if (len > DH_TICKET_MAX)
        return dh_error_set(err, DH_EINVAL,
                            "expected a ticket of at most %d bytes but found %zu bytes",
                            DH_TICKET_MAX, len);
    memcpy(t->bytes, bytes, len);
    t->len = len;
    return DH_OK;
}

/* Locate the parts of an app ticket "a/<app>/f/<field>"; 1 if well formed. */
static int app_split(const struct dh_ticket *t, size_t *app_off, size_t *app_len, size_t *field_off)
{
    if (t->len < 2 || t->bytes[0] != 'a' || t->bytes[1] != '/')
        return 0;
    const uint8_t *slash = memchr(t->bytes + 2, '/', t->len - 2);
    if (!slash)
        return 0;
    size_t end = (size_t)(slash - t->bytes);
    if (end == 2 || end + 3 >= t->len || t->bytes[end + 1] != 'f' || t->bytes[end + 2] != '/')
        return 0;
    *app_off = 2;
    *app_len = end - 2;
    *field_off = end + 3;
    return 1;
}

enum dh_ticket_kind dh_ticket_kind(const struct dh_ticket *t)
{
    size_t a, b, c;
    if (t->len == 0 || t->len > DH_TICKET_MAX)
        return DH_TICKET_INVALID;
    switch (t->bytes[0]) {
    case 'e': return t->len == 5 ? DH_TICKET_EXPORT : DH_TICKET_INVALID;
    case 'h': return t->len >= 2 ? DH_TICKET_SHARED : DH_TICKET_INVALID;
    case 's': return t->len >= 3 && t->bytes[1] == '/' ? DH_TICKET_SCOPE : DH_TICKET_INVALID;
    case 'a': return app_split(t, &a, &b, &c) ? DH_TICKET_APP : DH_TICKET_INVALID;
    default: return DH_TICKET_OTHER;
    }
}

int dh_ticket_equal(const struct dh_ticket *a, const struct dh_ticket *b)
{
    return a->len == b->len && a->len <= DH_TICKET_MAX && memcmp(a->bytes, b->bytes, a->len) == 0;
}

void dh_ticket_make_export(struct dh_ticket *t, int32_t id)
{
    uint32_t u = (uint32_t)id;
    t->bytes[0] = 'e';
    for (int i = 0; i < 4; i++)
        t->bytes[1 + i] = (uint8_t)(u >> (8 * i));
    t->len = 5;
}

int dh_ticket_export_id(const struct dh_ticket *t, int32_t *id)
{
    if (dh_ticket_kind(t) != DH_TICKET_EXPORT)
        return DH_EINVAL;
    uint32_t u = 0;
    for (int i = 0; i < 4; i++)
        u |= (uint32_t)t->bytes[1 + i] << (8 * i);
    /* Two's complement without implementation-defined conversion. */
    *id = u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 2147483648u) - INT32_MAX - 1;
    return DH_OK;
}

int dh_ticket_make_shared(struct dh_ticket *t, const uint8_t *id, size_t n, struct dh_error *err)
{
    t->len = 0;
    if (n == 0)
        return dh_error_set(err, DH_EINVAL,
                            "expected a shared ticket id of at least one byte but found none");
    if (n > DH_TICKET_MAX - 1)
        return dh_error_set(err, DH_EINVAL,
                            "expected a shared ticket id of at most %d bytes but found %zu bytes",
                            DH_TICKET_MAX - 1, n);
    t->bytes[0] = 'h';
    memcpy(t->bytes + 1, id, n);
    t->len = n + 1;
    return DH_OK;
}

/* Fill buf with n random bytes from /dev/urandom; 0 on success, else errno. */
static int urandom_fill(uint8_t *buf, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : EIO;
            close(fd);
            return e;
        }
        got += (size_t)r;
    }
    close(fd);
    return 0;
}

int dh_ticket_make_shared_random(struct dh_ticket *t, struct dh_error *err)
{
    uint8_t id[DH_TICKET_SHARED_ID_LEN];
    ssize_t r;
    t->len = 0;
    do {
        r = getrandom(id, sizeof id, 0);
    } while (r < 0 && errno == EINTR);
    if (r != (ssize_t)sizeof id) {
        int gr_errno = r < 0 ? errno : EIO;
        int e = urandom_fill(id, sizeof id);
        if (e != 0) {
            char m1[128] = "", m2[128] = ""; /* strerror_r: strerror is not thread-safe */
            if (strerror_r(gr_errno, m1, sizeof m1) != 0)
                snprintf(m1, sizeof m1, "error %d", gr_errno);
            if (strerror_r(e, m2, sizeof m2) != 0)
                snprintf(m2, sizeof m2, "error %d", e);
            return dh_error_set(
                err, DH_ESYS, "cannot make a random shared ticket: getrandom: %s; /dev/urandom: %s",
                m1, m2);
        }
    }
    return dh_ticket_make_shared(t, id, sizeof id, err);
}

const uint8_t *dh_ticket_shared_id(const struct dh_ticket *t, size_t *n)
{
    if (dh_ticket_kind(t) != DH_TICKET_SHARED) {
        *n = 0;
        return NULL;
    }
    *n = t->len - 1;
    return t->bytes + 1;
}

int dh_ticket_make_scope(struct dh_ticket *t, const char *name, struct dh_error *err)
{
    size_t n = strlen(name);
    t->len = 0;
    if (n == 0)
        return dh_error_set(err, DH_EINVAL,
                            "expected a variable name for a scope ticket but found an empty name");
    if (n > DH_TICKET_MAX - 2)
        return dh_error_set(err, DH_EINVAL,
                            "expected a variable name of at most %d bytes but found %zu bytes",
                            DH_TICKET_MAX - 2, n);
    t->bytes[0] = 's';
    t->bytes[1] = '/';
    memcpy(t->bytes + 2, name, n);
    t->len = n + 2;
    return DH_OK;
}

int dh_ticket_make_app(struct dh_ticket *t, const char *app, const char *field,
                       struct dh_error *err)
{
    size_t an = strlen(app), fn = strlen(field);
    t->len = 0;
    if (an == 0 || fn == 0)
        return dh_error_set(err, DH_EINVAL,
                            "expected an application id and a field name but found an empty %s",
                            an == 0 ? "application id" : "field name");
    if (memchr(app, '/', an))
        return dh_error_set(err, DH_EINVAL, "expected an application id without '/' but found one");
    if (an + fn + 5 > DH_TICKET_MAX)
        return dh_error_set(
            err, DH_EINVAL,
            "expected an application ticket of at most %d bytes but found %zu bytes", DH_TICKET_MAX,
            an + fn + 5);
    memcpy(t->bytes, "a/", 2);
    memcpy(t->bytes + 2, app, an);
    memcpy(t->bytes + 2 + an, "/f/", 3);
    memcpy(t->bytes + 5 + an, field, fn);
    t->len = an + fn + 5;
    return DH_OK;
}

/* Copy bytes[0..n) as a C string into buf[0..cap): DH_OK, DH_EINVAL (a NUL
 * inside) or DH_ENOMEM (too long). */
static int copy_cstr(const uint8_t *bytes, size_t n, char *buf, size_t cap)
{
    if (cap > 0)
        buf[0] = '\0';
    if (memchr(bytes, 0, n))
        return DH_EINVAL;
    if (n >= cap)
        return DH_ENOMEM;
    memcpy(buf, bytes, n);
    buf[n] = '\0';
    return DH_OK;
}

int dh_ticket_scope_name(const struct dh_ticket *t, char *buf, size_t n)
{
    if (n > 0)
        buf[0] = '\0';
    if (dh_ticket_kind(t) != DH_TICKET_SCOPE)
        return DH_EINVAL;
    return copy_cstr(t->bytes + 2, t->len - 2, buf, n);
}

int dh_ticket_app_parts(const struct dh_ticket *t, char *app, size_t app_n, char *field,
                        size_t field_n)
{
    size_t ao, al, fo;
    if (app_n > 0)
        app[0] = '\0';
    if (field_n > 0)
        field[0] = '\0';
    if (dh_ticket_kind(t) != DH_TICKET_APP || !app_split(t, &ao, &al, &fo))
        return DH_EINVAL;
    int rc = copy_cstr(t->bytes + ao, al, app, app_n);
    if (rc == DH_OK)
        rc = copy_cstr(t->bytes + fo, t->len - fo, field, field_n);
    if (rc != DH_OK) {
        if (app_n > 0)
            app[0] = '\0';
        if (field_n > 0)
            field[0] = '\0';
    }
    return rc;
}

/* ---- formatting ---- */

/* An output buffer that counts what the whole text needs (snprintf style). */
struct sink {
    char *buf;
    size_t cap;
    size_t len;      /* bytes the whole text needs so far */
    int cut_at_cont; /* the first byte that did not fit was a UTF-8 continuation */
};

/* Append n bytes to the sink. */
static void put(struct sink *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++, s->len++) {
        if (s->cap > 0 && s->len < s->cap - 1)
            s->buf[s->len] = p[i];
        else if (s->cap > 0 && s->len == s->cap - 1)
            s->cut_at_cont = ((unsigned char)p[i] & 0xC0) == 0x80;
    }
}

/* Append a C string. */
static void puts_(struct sink *s, const char *p)
{
    put(s, p, strlen(p));
}

/* NUL-terminate the sink (never inside a UTF-8 sequence) and return its
 * needed length as an int. */
static int finish(struct sink *s)
{
    if (s->cap == 0)
        return (int)s->len;
    size_t end = s->len < s->cap - 1 ? s->len : s->cap - 1;
    if (s->len > end && s->cut_at_cont) {
        while (end > 0 && ((unsigned char)s->buf[end - 1] & 0xC0) == 0x80)
            end--;
        if (end > 0)
            end--; /* the lead byte of the cut character */
    }
    s->buf[end] = '\0';
    return (int)s->len;
}

/* Append the lowercase hex of bytes. */
static void put_hex(struct sink *s, const uint8_t *p, size_t n)
{
    char two[3];
    for (size_t i = 0; i < n; i++) {
        dh_hex_encode(p + i, 1, two, sizeof two);
        put(s, two, 2);
    }
}

/* Append base64 of bytes. */
static void put_base64(struct sink *s, const uint8_t *p, size_t n, unsigned flags)
{
    char quad[5];
    for (size_t i = 0; i < n; i += 3) {
        size_t k = n - i < 3 ? n - i : 3;
        size_t q = dh_base64_encode(p + i, k, flags, quad, sizeof quad);
        put(s, quad, q);
    }
}

/* Append a Python bytes literal exactly as CPython's repr(bytes) writes it:
 * single quotes unless the bytes hold ' and no ", then double quotes. */
static void put_python(struct sink *s, const uint8_t *p, size_t n)
{
    char quote = '\'';
    if (memchr(p, '\'', n) && !memchr(p, '"', n))
        quote = '"';
    put(s, "b", 1);
    put(s, &quote, 1);
    for (size_t i = 0; i < n; i++) {
        char c = (char)p[i];
        char esc[5];
        if (c == quote || c == '\\') {
            esc[0] = '\\';
            esc[1] = c;
            put(s, esc, 2);
        } else if (c == '\t') {
            put(s, "\\t", 2);
        } else if (c == '\n') {
            put(s, "\\n", 2);
        } else if (c == '\r') {
            put(s, "\\r", 2);
        } else if (p[i] < 0x20 || p[i] >= 0x7F) {
            esc[0] = '\\';
            esc[1] = 'x';
            dh_hex_encode(p + i, 1, esc + 2, 3);
            put(s, esc, 4);
        } else {
            put(s, &c, 1);
        }
    }
    put(s, &quote, 1);
}

/* Whether a name can be shown as is and read back by the parser: valid UTF-8,
 * no control or bidi characters, and no trailing whitespace (the parser trims). */
static int name_printable(const uint8_t *p, size_t n)
{
    if (n == 0 || p[n - 1] == ' ')
        return 0;
    char tmp[8];
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = dh_text_utf8_next((const char *)p + i, n - i, &cp);
        /* Sanitising changes exactly the characters we may not show raw:
         * controls, bidi controls and invalid UTF-8. */
        size_t in_used;
        size_t w = dh_text_sanitize((const char *)p + i, k, tmp, sizeof tmp, 0, &in_used);
        if (w != k || memcmp(tmp, p + i, k) != 0)
            return 0;
        i += k;
    }
    return 1;
}

/* Append the decimal export id of an export ticket. */
static void put_export(struct sink *s, const struct dh_ticket *t)
{
    int32_t id = 0;
    char num[16];
    dh_ticket_export_id(t, &id);
    snprintf(num, sizeof num, "%d", (int)id);
    puts_(s, num);
}

/* Append a scope or app ticket either raw or, with path set, as the Flight
 * descriptor path; 0 if a name is not printable. */
static int put_named(struct sink *s, const struct dh_ticket *t, int path)
{
    if (dh_ticket_kind(t) == DH_TICKET_SCOPE) {
        if (!name_printable(t->bytes + 2, t->len - 2))
            return 0;
        puts_(s, path ? "scope/" : "s/");
        put(s, (const char *)t->bytes + 2, t->len - 2);
        return 1;
    }
    size_t ao, al, fo;
    if (!app_split(t, &ao, &al, &fo) || !name_printable(t->bytes + ao, al) ||
        !name_printable(t->bytes + fo, t->len - fo))
        return 0;
    puts_(s, path ? "app/" : "a/");
    put(s, (const char *)t->bytes + ao, al);
    puts_(s, path ? "/field/" : "/f/");
    put(s, (const char *)t->bytes + fo, t->len - fo);
    return 1;
}

/* Write the text of form `form` into the sink; 0 if the form does not apply. */
static int write_form(struct sink *s, const struct dh_ticket *t, enum dh_ticket_text form)
{
    enum dh_ticket_kind kind = dh_ticket_kind(t);
    int named = kind == DH_TICKET_SCOPE || kind == DH_TICKET_APP;
    switch (form) {
    case DH_TEXT_CANONICAL:
        if (kind == DH_TICKET_SHARED) {
            puts_(s, "shared/0x");
            put_hex(s, t->bytes + 1, t->len - 1);
        } else if (kind == DH_TICKET_EXPORT) {
            puts_(s, "export/");
            put_export(s, t);
        } else if (named) {
            if (!put_named(s, t, 0))
                put_python(s, t->bytes, t->len);
        } else {
            puts_(s, "base64:");
            put_base64(s, t->bytes, t->len, 0);
        }
        return 1;
    case DH_TEXT_HEX:
        if (kind != DH_TICKET_SHARED)
            return 0;
        put_hex(s, t->bytes + 1, t->len - 1);
        return 1;
    case DH_TEXT_PATH:
        if (kind == DH_TICKET_SHARED) {
            puts_(s, "shared/");
            put_hex(s, t->bytes + 1, t->len - 1);
            return 1;
        }
        if (kind == DH_TICKET_EXPORT) {
            puts_(s, "export/");
            put_export(s, t);
            return 1;
        }
        return named && put_named(s, t, 1);
    case DH_TEXT_BASE64: put_base64(s, t->bytes, t->len, 0); return 1;
    case DH_TEXT_BASE64URL:
        put_base64(s, t->bytes, t->len, DH_BASE64_URL | DH_BASE64_NOPAD);
        return 1;
    case DH_TEXT_PYTHON: put_python(s, t->bytes, t->len); return 1;
    }
    return 0;
}

int dh_ticket_format_as(const struct dh_ticket *t, enum dh_ticket_text form, char *buf, size_t n)
{
    struct sink s = {buf, n, 0, 0};
    if (n > 0)
        buf[0] = '\0';
    if (t->len == 0 || t->len > DH_TICKET_MAX)
        return -1;
    if (!write_form(&s, t, form)) {
        if (n > 0)
            buf[0] = '\0';
        return -1;
    }
    return finish(&s);
}

int dh_ticket_format(const struct dh_ticket *t, char *buf, size_t n)
{
    return dh_ticket_format_as(t, DH_TEXT_CANONICAL, buf, n);
}

/* ---- parsing ---- */

/* Longest text worth collecting: a Python literal of a full ticket. */
#define COLLECT_MAX (4 * DH_TICKET_MAX + 8)
/* Longest base64 text of a ticket that fits DH_TICKET_MAX bytes. */
#define BASE64_MAX (4 * ((DH_TICKET_MAX + 2) / 3))

/* Whitespace the parser trims and drops. */
static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A line break, dropped everywhere (terminals wrap long tickets). */
static int is_line_break(unsigned char c)
{
    return c == '\n' || c == '\r';
}

/* Whether p[0..n) starts with the lowercase word w, in any case. */
static int has_prefix_ci(const char *p, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != w[i])
            return 0;
    }
    return 1;
}

/* Whether p[0..n) starts with w exactly. */
static int has_prefix(const char *p, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && memcmp(p, w, k) == 0;
}

/* The user's text x[a..b) for a message: sanitised and cut near ECHO_MAX. */
static const char *echo(const char *x, size_t a, size_t b, char *buf, size_t cap)
{
    size_t lim = cap < ECHO_MAX + 1 ? cap : ECHO_MAX + 1;
    dh_text_sanitize(x + a, b - a, buf, lim, DH_SANITIZE_ELLIPSIS, NULL);
    return buf;
}

/* Fail with "<expect> but found a character 'c' at position N" (1-based, in
 * the original text), the character shown sanitised. */
static int fail_char(struct dh_error *err, const char *expect, const char *x, size_t len, size_t i)
{
    uint32_t cp;
    char shown[16];
    size_t k = dh_text_utf8_next(x + i, len - i, &cp);
    dh_text_sanitize(x + i, k, shown, sizeof shown, 0, NULL);
    return dh_error_set(err, DH_EINVAL, "%s but found a character '%s' at position %zu", expect,
                        shown, i + 1);
}

/* Copy x[a..b) into out without the bytes `skip` accepts; returns how many
 * bytes that is (it may exceed cap, then only cap were stored). */
static size_t collect(const char *x, size_t a, size_t b, int (*skip)(unsigned char), char *out,
                      size_t cap)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++) {
        if (skip((unsigned char)x[i]))
            continue;
        if (n < cap)
            out[n] = x[i];
        n++;
    }
    return n;
}

/* The offset in x of the k-th byte of x[a..b) that `skip` keeps (b if none). */
static size_t map_pos(const char *x, size_t a, size_t b, int (*skip)(unsigned char), size_t k)
{
    for (size_t i = a; i < b; i++) {
        if (skip((unsigned char)x[i]))
            continue;
        if (k-- == 0)
            return i;
    }
    return b;
}

/* Check that decoded bytes in t form a ticket of a known kind; `what` names
 * the text form for the message. */
static int check_kind(struct dh_ticket *t, const char *what, struct dh_error *err)
{
    char lit[ECHO_MAX + 1], shown[ECHO_MAX + 8];
    struct sink s = {lit, sizeof lit, 0, 0};
    enum dh_ticket_kind kind = dh_ticket_kind(t);
    if (kind != DH_TICKET_INVALID && kind != DH_TICKET_OTHER)
        return DH_OK;
    if (t->len == 0)
        return dh_error_set(err, DH_EINVAL,
                            "expected a ticket of at least one byte but found an empty %s", what);
    put_python(&s, t->bytes, t->len);
    int cut = finish(&s) >= (int)sizeof lit;
    snprintf(shown, sizeof shown, "%s%s", lit, cut ? "\xe2\x80\xa6" : "");
    switch (t->bytes[0]) {
    case 'e':
        return dh_error_set(err, DH_EINVAL,
                            "expected an export ticket of 5 bytes ('e' and a 32-bit id) but the %s "
                            "holds %zu bytes: %s",
                            what, t->len, shown);
    case 'h':
        return dh_error_set(
            err, DH_EINVAL,
            "expected a shared ticket id of at least one byte after 'h' but the %s holds none",
            what);
    case 's':
    case 'a':
        return dh_error_set(err, DH_EINVAL,
                            "expected a ticket s/<name> or a/<app>/f/<field> but the %s holds %s",
                            what, shown);
    default:
        return dh_error_set(
            err, DH_EINVAL,
            "expected a ticket starting with 'h', 'e', \"s/\" or \"a/\" but the %s holds bytes "
            "starting with 0x%02x (%s); to name a variable, type s/<name>",
            what, t->bytes[0], shown);
    }
}

/* Parse hex digits of a shared id in x[a..b), optionally after "0x";
 * whitespace anywhere is dropped. */
static int parse_hex(struct dh_ticket *t, const char *x, size_t len, size_t a, size_t b,
                     struct dh_error *err)
{
    while (a < b && is_space((unsigned char)x[a]))
        a++;
    if (b - a >= 2 && x[a] == '0' && (x[a + 1] == 'x' || x[a + 1] == 'X'))
        a += 2;
    size_t nd = 0;
    for (size_t i = a; i < b; i++) {
        if (is_space((unsigned char)x[i]))
            continue;
        int v = dh_hex_digit_value((unsigned char)x[i]);
        if (v < 0)
            return fail_char(err, EXPECT_HEX, x, len, i);
        if (nd / 2 + 1 < DH_TICKET_MAX) {
            uint8_t *p = &t->bytes[1 + nd / 2];
            *p = (uint8_t)(nd % 2 ? (*p | v) : (v << 4));
        }
        nd++;
    }
    if (nd == 0)
        return dh_error_set(
            err, DH_EINVAL,
            "expected a shared ticket id of at least one byte (two hex digits) but found none");
    if (nd % 2)
        return dh_error_set(err, DH_EINVAL, EXPECT_HEX " but found odd-length hex (%zu digits)",
                            nd);
    if (nd / 2 > DH_TICKET_MAX - 1)
        return dh_error_set(err, DH_EINVAL,
                            EXPECT_HEX " but found %zu hex digits, more than the %d a ticket holds",
                            nd, 2 * (DH_TICKET_MAX - 1));
    t->bytes[0] = 'h';
    t->len = nd / 2 + 1;
    return DH_OK;
}

/* Parse the decimal id of "export/<id>" in x[a..b). */
static int parse_export(struct dh_ticket *t, const char *x, size_t a, size_t b,
                        struct dh_error *err)
{
    char shown[ECHO_MAX + 8];
    size_t i = a;
    int neg = 0;
    int64_t v = 0;
    if (i < b && (x[i] == '-' || x[i] == '+'))
        neg = x[i++] == '-';
    size_t digits_from = i;
    for (; i < b && x[i] >= '0' && x[i] <= '9'; i++) {
        if (v <= (int64_t)INT32_MAX + 1)
            v = v * 10 + (x[i] - '0');
    }
    if (i == digits_from || i != b)
        return dh_error_set(err, DH_EINVAL, "expected export/<id> with a decimal id but found '%s'",
                            echo(x, a, b, shown, sizeof shown));
    if (neg)
        v = -v;
    if (v < INT32_MIN || v > INT32_MAX)
        return dh_error_set(
            err, DH_EINVAL,
            "expected export/<id> with an id from -2147483648 to 2147483647 but found '%s'",
            echo(x, a, b, shown, sizeof shown));
    dh_ticket_make_export(t, (int32_t)v);
    return DH_OK;
}

/* Parse the variable name of "s/<name>" in x[a..b) (line breaks dropped). */
static int parse_scope(struct dh_ticket *t, const char *x, size_t len, size_t a, size_t b,
                       struct dh_error *err)
{
    static const char expect[] = "expected s/<name> with a variable name";
    for (size_t i = a; i < b; i++)
        if (x[i] == '\t')
            return fail_char(err, expect, x, len, i);
    size_t n = collect(x, a, b, is_line_break, (char *)t->bytes + 2, DH_TICKET_MAX - 2);
    if (n == 0)
        return dh_error_set(err, DH_EINVAL, "%s but found nothing after \"s/\"", expect);
    if (n > DH_TICKET_MAX - 2)
        return dh_error_set(err, DH_EINVAL, "%s of at most %d bytes but found %zu bytes", expect,
                            DH_TICKET_MAX - 2, n);
    t->bytes[0] = 's';
    t->bytes[1] = '/';
    t->len = n + 2;
    return DH_OK;
}

/* Parse "<app>/<seg>/<field>" in x[a..b) (seg "f" or "field"; line breaks
 * dropped); the whole text starts at `start`, and `form` names it for messages. */
static int parse_app(struct dh_ticket *t, const char *x, size_t len, size_t start, size_t a,
                     size_t b, const char *seg, const char *form, struct dh_error *err)
{
    char expect[64], shown[ECHO_MAX + 8], rest[DH_TICKET_MAX];
    char app[DH_TICKET_MAX], field[DH_TICKET_MAX];
    snprintf(expect, sizeof expect, "expected %s", form);
    for (size_t i = a; i < b; i++)
        if (x[i] == '\t')
            return fail_char(err, expect, x, len, i);
    size_t n = collect(x, a, b, is_line_break, rest, sizeof rest);
    if (n > sizeof rest)
        return dh_error_set(err, DH_EINVAL, "%s of at most %d bytes but found a longer text",
                            expect, DH_TICKET_MAX);
    const char *slash = memchr(rest, '/', n);
    size_t al = slash ? (size_t)(slash - rest) : n;
    size_t sl = strlen(seg);
    size_t fo = al + sl + 2; /* where the field starts */
    if (!slash || al == 0 || fo >= n || memcmp(rest + al + 1, seg, sl) != 0 ||
        rest[al + 1 + sl] != '/')
        return dh_error_set(err, DH_EINVAL, "%s but found '%s'", expect,
                            echo(x, start, b, shown, sizeof shown));
    memcpy(app, rest, al);
    app[al] = '\0';
    memcpy(field, rest + fo, n - fo);
    field[n - fo] = '\0';
    if (dh_ticket_make_app(t, app, field, NULL) != DH_OK)
        return dh_error_set(err, DH_EINVAL, "%s of at most %d bytes but found %zu bytes", expect,
                            DH_TICKET_MAX, n + 2);
    return DH_OK;
}

/* Parse base64 or base64url in x[a..b) (whitespace dropped); unless `any`, the
 * bytes must be a ticket of a known kind. */
static int parse_base64(struct dh_ticket *t, const char *x, size_t len, size_t a, size_t b, int any,
                        struct dh_error *err)
{
    char buf[BASE64_MAX];
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)x[i];
        if (!is_space(c) && c != '=' && dh_base64_char_value(c) < 0)
            return fail_char(err, EXPECT_ANY, x, len, i);
    }
    size_t n = collect(x, a, b, is_space, buf, sizeof buf);
    if (n == 0)
        return dh_error_set(err, DH_EINVAL,
                            "expected base64:<text> with at least one byte but found none");
    if (n > sizeof buf)
        return dh_error_set(err, DH_EINVAL,
                            EXPECT_ANY
                            " but found %zu base64 characters, more than the %d a ticket needs",
                            n, BASE64_MAX);
    size_t bad = 0;
    size_t got = dh_base64_decode(buf, n, t->bytes, DH_TICKET_MAX, &bad);
    if (got == (size_t)-1) {
        if (bad < n)
            return fail_char(err, EXPECT_ANY, x, len, map_pos(x, a, b, is_space, bad));
        return dh_error_set(
            err, DH_EINVAL,
            EXPECT_ANY " but found base64 of a length no bytes encode to (%zu characters)", n);
    }
    t->len = got;
    return any ? (got ? DH_OK
                      : dh_error_set(
                            err, DH_EINVAL,
                            "expected base64:<text> with at least one byte but found none"))
               : check_kind(t, "base64 text", err);
}

/* Decode one escape of a Python bytes literal at p[i] (just after the
 * backslash) in p[0..n); returns the bytes consumed (0 if malformed) and
 * stores up to 2 output bytes in out, their count in *nout. */
static size_t python_escape(const char *p, size_t n, size_t i, uint8_t out[2], size_t *nout)
{
    static const char from[] = "\\'\"abfnrtv";
    static const char to[] = "\\'\"\a\b\f\n\r\t\v";
    char e = p[i];
    const char *k = strchr(from, e);
    *nout = 1;
    if (e != '\0' && k) {
        out[0] = (uint8_t)to[k - from];
        return 1;
    }
    if (e == 'x') {
        int hi = i + 1 < n ? dh_hex_digit_value((unsigned char)p[i + 1]) : -1;
        int lo = i + 2 < n ? dh_hex_digit_value((unsigned char)p[i + 2]) : -1;
        if (hi < 0 || lo < 0)
            return 0;
        out[0] = (uint8_t)(hi << 4 | lo);
        return 3;
    }
    if (e >= '0' && e <= '7') {
        unsigned v = 0;
        size_t d = 0;
        while (d < 3 && i + d < n && p[i + d] >= '0' && p[i + d] <= '7')
            v = v * 8 + (unsigned)(p[i + d++] - '0');
        if (v > 0xFF)
            return 0;
        out[0] = (uint8_t)v;
        return d;
    }
    /* Python keeps an unknown escape as it stands, backslash included. */
    out[0] = '\\';
    out[1] = (uint8_t)e;
    *nout = 2;
    return 1;
}

/* Parse a Python bytes literal b'...' or b"..." in x[a..b) (line breaks
 * dropped); the bytes must be a ticket of a known kind. */
static int parse_python(struct dh_ticket *t, const char *x, size_t len, size_t a, size_t b,
                        struct dh_error *err)
{
    static const char expect[] = "expected a Python bytes literal b'...'";
    char buf[COLLECT_MAX];
    size_t n = collect(x, a, b, is_line_break, buf, sizeof buf);
    if (n > sizeof buf)
        return dh_error_set(err, DH_EINVAL, "%s of at most %d bytes but found a longer text",
                            expect, DH_TICKET_MAX);
    if (n < 2)
        return dh_error_set(err, DH_EINVAL, "%s but found no opening quote", expect);
    char q = buf[1];
    size_t i = 2, w = 0;
    for (;;) {
        if (i >= n)
            return dh_error_set(err, DH_EINVAL, "%s but found no closing %s", expect,
                                q == '"' ? "double quote" : "quote");
        unsigned char c = (unsigned char)buf[i];
        uint8_t out[2];
        size_t nout = 1, used = 1;
        if (c == (unsigned char)q)
            break;
        if (c >= 0x80)
            return dh_error_set(err, DH_EINVAL,
                                "%s with ASCII characters and \\x escapes but found the byte "
                                "0x%02x at position %zu",
                                expect, c, map_pos(x, a, b, is_line_break, i) + 1);
        if (c == '\\') {
            if (i + 1 >= n)
                return dh_error_set(err, DH_EINVAL, "%s but found no closing %s", expect,
                                    q == '"' ? "double quote" : "quote");
            used = 1 + python_escape(buf, n, i + 1, out, &nout);
            if (used == 1)
                return dh_error_set(err, DH_EINVAL,
                                    "%s but found a malformed escape at position %zu", expect,
                                    map_pos(x, a, b, is_line_break, i) + 1);
        } else {
            out[0] = c;
        }
        if (w + nout > DH_TICKET_MAX)
            return dh_error_set(err, DH_EINVAL, "%s of at most %d bytes but found more", expect,
                                DH_TICKET_MAX);
        memcpy(t->bytes + w, out, nout);
        w += nout;
        i += used;
    }
    if (i + 1 != n)
        return fail_char(err, "expected nothing after the closing quote of b'...'", x, len,
                         map_pos(x, a, b, is_line_break, i + 1));
    t->len = w;
    return check_kind(t, "Python bytes literal", err);
}

/* Whether c may appear in hex text (a digit or whitespace). */
static int hexish(unsigned char c)
{
    return is_space(c) || dh_hex_digit_value(c) >= 0;
}

/* Whether p[0..n) looks like a variable name someone typed without "s/". */
static int looks_like_name(const char *p, size_t n)
{
    if (n == 0 || n > ECHO_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

/* The forms known by their start ("shared/", "s/", "app/", "0x" ...). *known is
 * 0 (and nothing is parsed) when x[a..b) starts with none of them. */
static int parse_prefixed(struct dh_ticket *t, const char *x, size_t len, size_t a, size_t b,
                          int *known, struct dh_error *err)
{
    *known = 1;
    const char *p = x + a;
    size_t n = b - a;
    if (has_prefix_ci(p, n, "shared/"))
        return parse_hex(t, x, len, a + 7, b, err);
    if (has_prefix_ci(p, n, "export/"))
        return parse_export(t, x, a + 7, b, err);
    if (has_prefix_ci(p, n, "scope/"))
        return parse_scope(t, x, len, a + 6, b, err);
    if (has_prefix(p, n, "s/"))
        return parse_scope(t, x, len, a + 2, b, err);
    if (has_prefix_ci(p, n, "app/"))
        return parse_app(t, x, len, a, a + 4, b, "field", "app/<app>/field/<field>", err);
    if (has_prefix(p, n, "a/"))
        return parse_app(t, x, len, a, a + 2, b, "f", "a/<app>/f/<field>", err);
    if (has_prefix_ci(p, n, "base64:"))
        return parse_base64(t, x, len, a + 7, b, 1, err);
    if (n >= 2 && (p[0] == 'b' || p[0] == 'B') && (p[1] == '\'' || p[1] == '"'))
        return parse_python(t, x, len, a, b, err);
    if (has_prefix_ci(p, n, "0x"))
        return parse_hex(t, x, len, a, b, err);
    *known = 0;
    return DH_OK;
}

/* Pick the form of the trimmed text x[a..b) by its start and parse it. */
static int parse_trimmed(struct dh_ticket *t, const char *x, size_t len, size_t a, size_t b,
                         struct dh_error *err)
{
    const char *p = x + a;
    size_t n = b - a;
    int known;
    int rc = parse_prefixed(t, x, len, a, b, &known, err);
    if (known) {
        /* Base64 text may start like another form ("aPp/eic=" is a shared ticket):
         * what that form refuses is read as base64, as text that is not valid hex is. */
        if (rc != DH_OK && parse_base64(t, x, len, a, b, 0, NULL) == DH_OK)
            rc = DH_OK;
        return rc;
    }
    size_t i = a;
    while (i < b && hexish((unsigned char)x[i]))
        i++;
    if (i == b) {
        /* Hex wins; text that is not valid hex may still be base64 ("aAB"). */
        rc = parse_hex(t, x, len, a, b, err);
        if (rc != DH_OK && parse_base64(t, x, len, a, b, 0, NULL) == DH_OK)
            rc = DH_OK;
        return rc;
    }
    rc = parse_base64(t, x, len, a, b, 0, err);
    if (rc != DH_OK && looks_like_name(p, n))
        rc = dh_error_set(err, DH_EINVAL,
                          EXPECT_ANY
                          " but found '%.*s', which is neither hex nor base64 of a ticket; "
                          "for a variable, type s/%.*s",
                          (int)n, p, (int)n, p);
    return rc;
}

int dh_ticket_parse(struct dh_ticket *t, const char *text, size_t len, struct dh_error *err)
{
    dh_ticket_init(t);
    if (!text || len == 0)
        return dh_error_set(err, DH_EINVAL, EXPECT_ANY " but found empty text");
    size_t a = 0, b = len;
    while (a < b && is_space((unsigned char)text[a]))
        a++;
    while (b > a && is_space((unsigned char)text[b - 1]))
        b--;
    if (a == b)
        return dh_error_set(err, DH_EINVAL, EXPECT_ANY " but found only whitespace");
    char q = text[a];
    if (b - a >= 2 && (q == '\'' || q == '"' || q == '`') && text[b - 1] == q) {
        a++;
        b--;
        while (a < b && is_space((unsigned char)text[a]))
            a++;
        while (b > a && is_space((unsigned char)text[b - 1]))
            b--;
        if (a == b)
            return dh_error_set(err, DH_EINVAL, EXPECT_ANY " but found only quotes");
    }
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && !is_space(c)) || c == 0x7F)
            return dh_error_set(
                err, DH_EINVAL,
                EXPECT_ANY " but found a control character (0x%02x) at position %zu", c, i + 1);
    }
    int rc = parse_trimmed(t, text, len, a, b, err);
    if (rc != DH_OK)
        t->len = 0;
    return rc;
}

void dh_ticket_describe(char *buf, size_t n, const char *verb, const struct dh_ticket *t)
{
    char text[128];
    if (dh_ticket_format(t, text, sizeof text) < 0)
        snprintf(text, sizeof text, "(empty ticket)");
    snprintf(buf, n, "%s %s", verb, text);
}
