/* SPDX-License-Identifier: MIT */
/* test_ticket.c: ticket layouts, display texts and the paste parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_encoding.h"
#include "dh_ticket.h"

/* Hex of a ticket's bytes, for comparisons. */
static const char *ticket_hex(const struct dh_ticket *t, char *buf, size_t n)
{
    dh_hex_encode(t->bytes, t->len, buf, n);
    return buf;
}

/* One parser case: text (len 0 = strlen) and either the expected ticket bytes
 * in hex or a substring of the expected error message. */
struct parse_case {
    const char *text;
    size_t len;
    const char *bytes_hex;
    const char *error;
};

static const struct parse_case cases[] = {
    /* accepted: shared ids in hex */
    {"shared/0x0102abcd", 0, "680102abcd", NULL},
    {"shared/0102ABCD", 0, "680102abcd", NULL},
    {"SHARED/0X0102abcd", 0, "680102abcd", NULL},
    {"0102abcd", 0, "680102abcd", NULL},
    {"0x0102ABCD", 0, "680102abcd", NULL},
    {"  \t0102abcd \r\n", 0, "680102abcd", NULL},
    {"'0102abcd'", 0, "680102abcd", NULL},
    {"\"shared/0x0102abcd\"", 0, "680102abcd", NULL},
    {"`0102abcd`", 0, "680102abcd", NULL},
    {" ' 0102abcd ' ", 0, "680102abcd", NULL},
    {"0102\nabcd", 0, "680102abcd", NULL},
    {"shared/0x0102\r\n  abcd", 0, "680102abcd", NULL},
    {"01 02 ab cd", 0, "680102abcd", NULL},
    {"00", 0, "6800", NULL},
    {"5D1C0B2E9A8F4A3B8C7D6E5F40312213", 0, "685d1c0b2e9a8f4a3b8c7d6e5f40312213", NULL},
    /* accepted: base64 of whole tickets */
    {"aAECq80=", 0, "680102abcd", NULL},
    {"aAECq80", 0, "680102abcd", NULL},
    {"aPv/Pg==", 0, "68fbff3e", NULL},
    {"aPv_Pg", 0, "68fbff3e", NULL},
    {"aPv//g==", 0, "68fbfffe", NULL},
    {"aPv__g", 0, "68fbfffe", NULL},
    {"ZQEAAAA=", 0, "6501000000", NULL},
    {"cy94", 0, "732f78", NULL},
    {"YS9hcHAxL2YvZmllbGQx", 0, "612f617070312f662f6669656c6431", NULL},
    {"aAEC\nq80=", 0, "680102abcd", NULL},
    /* base64 that starts like another form, which refuses it (the fuzzer found it) */
    {"aPp/eic=", 0, "68fa7f7a27", NULL},
    {"base64:eAECAw==", 0, "78010203", NULL},
    /* accepted: Python bytes literals */
    {"b'h\\x01\\x02\\xab\\xcd'", 0, "680102abcd", NULL},
    {"b'h\\x01\\x02\\xAB\\xCD'", 0, "680102abcd", NULL},
    {"b\"h\\x01'\"", 0, "680127", NULL},
    {"b'h\\\\\\'\\n\\t\\r'", 0, "685c270a090d", NULL},
    {"b'h abc'", 0, "6820616263", NULL},
    {"b'h\\101\\0'", 0, "684100", NULL},
    {"b'h\\q'", 0, "685c71", NULL},
    {"b'h\\x\n01'", 0, "6801", NULL},
    {"\"b'h\\x01'\"", 0, "6801", NULL},
    {"b'e\\x01\\x00\\x00\\x00'", 0, "6501000000", NULL},
    {"b's/t'", 0, "732f74", NULL},
    /* accepted: scope, app and export routes */
    {"s/my_table", 0, "732f6d795f7461626c65", NULL},
    {"scope/my_table", 0, "732f6d795f7461626c65", NULL},
    {"s/my_ta\nble", 0, "732f6d795f7461626c65", NULL},
    {"s/a b", 0, "732f612062", NULL},
    {"s/\xe8\xa1\xa8", 0, "732fe8a1a8", NULL},
    {"a/app1/f/field1", 0, "612f617070312f662f6669656c6431", NULL},
    {"app/app1/field/field1", 0, "612f617070312f662f6669656c6431", NULL},
    {"a/app/f/x/y", 0, "612f6170702f662f782f79", NULL},
    {"export/1", 0, "6501000000", NULL},
    {"export/258", 0, "6502010000", NULL},
    {"export/-1", 0, "65ffffffff", NULL},
    {"export/2147483647", 0, "65ffffff7f", NULL},
    {"export/-2147483648", 0, "6500000080", NULL},
    {"Export/+7", 0, "6507000000", NULL},
    /* rejected */
    {"", 0, NULL, "but found empty text"},
    {"   \n\t ", 0, NULL, "only whitespace"},
    {"''", 0, NULL, "only quotes"},
    {"0102abc", 0, NULL, "found odd-length hex (7 digits)"},
    {"shared/0x0102abcdef0", 0, NULL, "odd-length hex (11 digits)"},
    {"shared/0x", 0, NULL, "at least one byte (two hex digits) but found none"},
    {"0x", 0, NULL, "at least one byte (two hex digits) but found none"},
    {"shared/0x01zz", 0, NULL, "found a character 'z' at position 12"},
    {"eAECAw==", 0, NULL, "bytes starting with 0x78"},
    {"dGFibGU=", 0, NULL, "to name a variable, type s/<name>"},
    {"abc%def", 0, NULL, "found a character '%' at position 4"},
    {"0102\x1b[31mabcd", 0, NULL, "control character (0x1b) at position 5"},
    {"01\0"
     "02",
     5, NULL, "control character (0x00) at position 3"},
    {"\x7f", 0, NULL, "control character (0x7f)"},
    {"b'h\\x01", 0, NULL, "no closing quote"},
    {"b\"h\\x01", 0, NULL, "no closing double quote"},
    {"b'h\\", 0, NULL, "no closing quote"},
    {"b'h\\x0'", 0, NULL, "malformed escape at position 4"},
    {"b'h\\777'", 0, NULL, "malformed escape"},
    {"b'h\\x01'junk", 0, NULL,
     "after the closing quote of b'...' but found a character 'j' at position 9"},
    {"b'x'", 0, NULL, "starting with 0x78"},
    {"b'e\\x01'", 0, NULL, "export ticket of 5 bytes"},
    {"b'h'", 0, NULL, "after 'h'"},
    {"b''", 0, NULL, "found an empty Python bytes literal"},
    {"b'h\xc3\xa9'", 0, NULL, "byte 0xc3 at position 4"},
    {"b's'", 0, NULL, "s/<name> or a/<app>/f/<field>"},
    {"export/abc", 0, NULL, "expected export/<id> with a decimal id but found 'abc'"},
    {"export/", 0, NULL, "decimal id"},
    {"export/12 3", 0, NULL, "decimal id"},
    {"export/2147483648", 0, NULL, "from -2147483648 to 2147483647"},
    {"export/99999999999999999999999", 0, NULL, "from -2147483648"},
    {"s/", 0, NULL, "found nothing after \"s/\""},
    {"s/\tx", 0, NULL, "character '\\t' at position 3"},
    {"a/app/x/field", 0, NULL, "expected a/<app>/f/<field> but found 'a/app/x/field'"},
    {"a//f/x", 0, NULL, "expected a/<app>/f/<field>"},
    {"a/app/f/", 0, NULL, "expected a/<app>/f/<field>"},
    {"app/x/f/y", 0, NULL, "expected app/<app>/field/<field>"},
    {"aA=ECq80", 0, NULL, "found a character '=' at position 3"},
    {"aAE+q", 0, NULL, "length no bytes encode to (5 characters)"},
    {"hello", 0, NULL,
     "but found 'hello', which is neither hex nor base64 of a ticket; for a variable, type "
     "s/hello"},
    {"base64:", 0, NULL, "at least one byte but found none"},
    {"base64:!!", 0, NULL, "character '!'"},
    {"\xe2\x80\xae"
     "0102",
     0, NULL, "character '\\u202e' at position 1"},
};

/* Every row of the table parses (or fails) as it says. */
static void test_parse_table(void)
{
    CHECK(sizeof cases / sizeof cases[0] >= 40);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct parse_case *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->text);
        struct dh_ticket t;
        struct dh_error err;
        char hex[2 * DH_TICKET_MAX + 1];
        dh_error_clear(&err);
        int rc = dh_ticket_parse(&t, c->text, len, &err);
        if (c->bytes_hex) {
            if (rc != DH_OK)
                fprintf(stderr, "  case %zu '%s': %s\n", i, c->text, err.msg);
            CHECK_INT(rc, DH_OK);
            CHECK_STR(ticket_hex(&t, hex, sizeof hex), c->bytes_hex);
        } else {
            if (rc != DH_EINVAL || !strstr(err.msg, c->error))
                fprintf(stderr, "  case %zu '%s': rc %d, message: %s\n", i, c->text, rc, err.msg);
            CHECK_INT(rc, DH_EINVAL);
            CHECK_INT(err.code, DH_EINVAL);
            CHECK(strstr(err.msg, c->error) != NULL);
            CHECK_INT(t.len, 0);
            CHECK(strncmp(err.msg, "expected ", 9) == 0);
        }
    }
}

/* Whether a message is printable ASCII/UTF-8 without control bytes. */
static int message_clean(const char *m)
{
    for (const unsigned char *p = (const unsigned char *)m; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* 10 KB of garbage is refused quickly, with a short message that does not
 * carry the garbage or its control bytes. */
static void test_parse_garbage(void)
{
    static char junk[10240];
    struct dh_ticket t;
    struct dh_error err;
    memset(junk, '%', sizeof junk);
    CHECK_INT(dh_ticket_parse(&t, junk, sizeof junk, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "'%' at position 1") != NULL);
    CHECK(strlen(err.msg) < 200);

    memset(junk, 'A', sizeof junk);
    CHECK_INT(dh_ticket_parse(&t, junk, sizeof junk, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "10240 hex digits") != NULL);

    memset(junk, 'Q', sizeof junk);
    CHECK_INT(dh_ticket_parse(&t, junk, sizeof junk, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "10240 base64 characters") != NULL);

    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (char)(x >> 16);
    }
    for (int round = 0; round < 3; round++) {
        junk[0] = round == 0 ? 'b' : round == 1 ? 's' : 'a';
        junk[1] = round == 0 ? '\'' : '/';
        for (size_t i = 2; i < sizeof junk; i++)
            if (junk[i] < 0x20 && junk[i] >= 0)
                junk[i] = (char)(junk[i] + 0x40);
        CHECK_INT(dh_ticket_parse(&t, junk, sizeof junk, &err), DH_EINVAL);
        CHECK(message_clean(err.msg));
        CHECK(strlen(err.msg) < 300);
    }
    /* Raw garbage with escape sequences: the echo must not carry ESC. */
    const char *esc = "export/\x1b]52;c;aGk=\x07\x1b[2J";
    CHECK_INT(dh_ticket_parse(&t, esc, strlen(esc), &err), DH_EINVAL);
    CHECK(message_clean(err.msg));
    const char *scope_esc = "a/x\xc2\x9b"
                            "31m/y/z";
    CHECK_INT(dh_ticket_parse(&t, scope_esc, strlen(scope_esc), &err), DH_EINVAL);
    CHECK(message_clean(err.msg));
    CHECK(strstr(err.msg, "\\u009b") != NULL);
    /* The echo is cut near 40 characters. */
    char longapp[200];
    memset(longapp, 'z', sizeof longapp);
    memcpy(longapp, "a/", 2);
    CHECK_INT(dh_ticket_parse(&t, longapp, sizeof longapp, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz") == NULL);
    CHECK(strstr(err.msg, "\xe2\x80\xa6") != NULL);
}

/* Hex longer than a ticket holds is refused; the longest that fits is not. */
static void test_parse_limits(void)
{
    static char hex[2 * DH_TICKET_MAX + 2];
    struct dh_ticket t;
    struct dh_error err;
    memset(hex, 'a', sizeof hex);
    CHECK_INT(dh_ticket_parse(&t, hex, 2 * (DH_TICKET_MAX - 1), &err), DH_OK);
    CHECK_INT(t.len, DH_TICKET_MAX);
    CHECK_INT(dh_ticket_parse(&t, hex, 2 * DH_TICKET_MAX, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "more than the 2046") != NULL);
    CHECK_INT(dh_ticket_parse(&t, NULL, 3, &err), DH_EINVAL);
    CHECK_INT(dh_ticket_parse(&t, "x", 1, NULL), DH_EINVAL);
}

/* Layout facts from docs/PROTOCOL.md, Tickets / ExportTicketHelper. */
static void test_export(void)
{
    struct dh_ticket t;
    char hex[64];
    int32_t id = 0;
    dh_ticket_make_export(&t, 1);
    CHECK_STR(ticket_hex(&t, hex, sizeof hex), "6501000000");
    dh_ticket_make_export(&t, 258);
    CHECK_STR(ticket_hex(&t, hex, sizeof hex), "6502010000");
    dh_ticket_make_export(&t, -1);
    CHECK_STR(ticket_hex(&t, hex, sizeof hex), "65ffffffff");
    CHECK_INT(dh_ticket_kind(&t), DH_TICKET_EXPORT);
    CHECK_INT(dh_ticket_export_id(&t, &id), DH_OK);
    CHECK_INT(id, -1);
    dh_ticket_make_export(&t, INT32_MIN);
    CHECK_INT(dh_ticket_export_id(&t, &id), DH_OK);
    CHECK_INT(id, INT32_MIN);
    dh_ticket_make_export(&t, INT32_MAX);
    CHECK_INT(dh_ticket_export_id(&t, &id), DH_OK);
    CHECK_INT(id, INT32_MAX);
    t.len = 4;
    CHECK_INT(dh_ticket_kind(&t), DH_TICKET_INVALID);
    CHECK_INT(dh_ticket_export_id(&t, &id), DH_EINVAL);
    struct dh_ticket s;
    CHECK_INT(dh_ticket_parse(&s, "s/x", 3, NULL), DH_OK);
    CHECK_INT(dh_ticket_export_id(&s, &id), DH_EINVAL);
}

/* Kinds, makers and accessors for shared, scope and app tickets. */
static void test_kinds_and_parts(void)
{
    struct dh_ticket t;
    struct dh_error err;
    char a[32], f[32];
    const uint8_t id[3] = {1, 2, 3};
    size_t n = 0;
    dh_ticket_init(&t);
    CHECK_INT(dh_ticket_kind(&t), DH_TICKET_INVALID);
    CHECK_INT(dh_ticket_make_shared(&t, id, 3, &err), DH_OK);
    CHECK_INT(dh_ticket_kind(&t), DH_TICKET_SHARED);
    CHECK(dh_ticket_shared_id(&t, &n) == t.bytes + 1);
    CHECK_INT(n, 3);
    CHECK_INT(dh_ticket_make_shared(&t, id, 0, &err), DH_EINVAL);
    CHECK(strstr(err.msg, "at least one byte") != NULL);
    CHECK(dh_ticket_shared_id(&t, &n) == NULL);
    CHECK_INT(n, 0);

    CHECK_INT(dh_ticket_make_scope(&t, "tbl", &err), DH_OK);
    CHECK_INT(dh_ticket_kind(&t), DH_TICKET_SCOPE);
    CHECK_INT(dh_ticket_scope_name(&t, a, sizeof a), DH_OK);
    CHECK_STR(a, "tbl");
    CHECK_INT(dh_ticket_scope_name(&t, a, 3), DH_ENOMEM);
    CHECK_STR(a, "");
    CHECK_INT(dh_ticket_app_parts(&t, a, sizeof a, f, sizeof f), DH_EINVAL);
    CHECK_INT(dh_ticket_make_scope(&t, "", &err), DH_EINVAL);
    const uint8_t nul_name[] = {'s', '/', 'a', 0, 'b'};
    CHECK_INT(dh_ticket_set_bytes(&t, nul_name, sizeof nul_name, &err), DH_OK);
    CHECK_INT(dh_ticket_scope_name(&t, a, sizeof a), DH_EINVAL);

    CHECK_INT(dh_ticket_make_app(&t, "myapp", "x/y", &err), DH_OK);
    CHECK_INT(dh_ticket_kind(&t), DH_TICKET_APP);
    CHECK_INT(dh_ticket_app_parts(&t, a, sizeof a, f, sizeof f), DH_OK);
    CHECK_STR(a, "myapp");
    CHECK_STR(f, "x/y");
    CHECK_INT(dh_ticket_app_parts(&t, a, sizeof a, f, 3), DH_ENOMEM);
    CHECK_STR(a, "");
    CHECK_INT(dh_ticket_make_app(&t, "a/b", "x", &err), DH_EINVAL);
    CHECK_INT(dh_ticket_make_app(&t, "", "x", &err), DH_EINVAL);
    CHECK_INT(dh_ticket_make_app(&t, "a", "", &err), DH_EINVAL);

    const char *invalid[] = {"h", "s", "sx", "s/", "a/x", "a/x/g/y", "a//f/y", "a/x/f/", "e123"};
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        CHECK_INT(dh_ticket_set_bytes(&t, (const uint8_t *)invalid[i], strlen(invalid[i]), &err),
                  DH_OK);
        CHECK_INT(dh_ticket_kind(&t), DH_TICKET_INVALID);
    }
    CHECK_INT(dh_ticket_set_bytes(&t, (const uint8_t *)"x1", 2, &err), DH_OK);
    CHECK_INT(dh_ticket_kind(&t), DH_TICKET_OTHER);
    CHECK_INT(dh_ticket_set_bytes(&t, (const uint8_t *)"x1", 0, &err), DH_EINVAL);
    CHECK_INT(dh_ticket_set_bytes(&t, (const uint8_t *)"x1", DH_TICKET_MAX + 1, &err), DH_EINVAL);
    CHECK_INT(t.len, 0);
    dh_ticket_reset(&t);
    dh_ticket_reset(&t);
    CHECK_INT(t.len, 0);
}

/* Random shared tickets: 'h' + 16 bytes, different each time. */
static void test_random(void)
{
    struct dh_ticket a, b;
    struct dh_error err;
    CHECK_INT(dh_ticket_make_shared_random(&a, &err), DH_OK);
    CHECK_INT(dh_ticket_make_shared_random(&b, &err), DH_OK);
    CHECK_INT(a.len, 17);
    CHECK_INT(a.bytes[0], 'h');
    CHECK_INT(dh_ticket_kind(&a), DH_TICKET_SHARED);
    CHECK(!dh_ticket_equal(&a, &b));
    b = a;
    CHECK(dh_ticket_equal(&a, &b));
}

/* The texts each form gives for known tickets. */
static void test_format_known(void)
{
    struct dh_ticket t;
    char buf[128];
    const uint8_t id[] = {0x12, 0xab, 0x00, 0x27};
    dh_ticket_make_shared(&t, id, sizeof id, NULL);
    CHECK_INT(dh_ticket_format(&t, buf, sizeof buf), 17);
    CHECK_STR(buf, "shared/0x12ab0027");
    dh_ticket_format_as(&t, DH_TEXT_HEX, buf, sizeof buf);
    CHECK_STR(buf, "12ab0027");
    dh_ticket_format_as(&t, DH_TEXT_PATH, buf, sizeof buf);
    CHECK_STR(buf, "shared/12ab0027");
    dh_ticket_format_as(&t, DH_TEXT_BASE64, buf, sizeof buf);
    CHECK_STR(buf, "aBKrACc=");
    dh_ticket_format_as(&t, DH_TEXT_BASE64URL, buf, sizeof buf);
    CHECK_STR(buf, "aBKrACc");
    dh_ticket_format_as(&t, DH_TEXT_PYTHON, buf, sizeof buf);
    CHECK_STR(buf, "b\"h\\x12\\xab\\x00'\"");
    const uint8_t id2[] = {'\\', '\'', '"', '\t', '\n', '\r', 'A', ' ', 0x7f};
    dh_ticket_make_shared(&t, id2, sizeof id2, NULL);
    dh_ticket_format_as(&t, DH_TEXT_PYTHON, buf, sizeof buf);
    CHECK_STR(buf, "b'h\\\\\\'\"\\t\\n\\rA \\x7f'");
    const uint8_t id3[] = {0xfb, 0xff};
    dh_ticket_make_shared(&t, id3, sizeof id3, NULL);
    dh_ticket_format_as(&t, DH_TEXT_BASE64, buf, sizeof buf);
    CHECK_STR(buf, "aPv/");
    dh_ticket_format_as(&t, DH_TEXT_BASE64URL, buf, sizeof buf);
    CHECK_STR(buf, "aPv_");

    dh_ticket_make_export(&t, -7);
    CHECK_INT(dh_ticket_format(&t, buf, sizeof buf), 9);
    CHECK_STR(buf, "export/-7");
    CHECK_INT(dh_ticket_format_as(&t, DH_TEXT_HEX, buf, sizeof buf), -1);
    CHECK_STR(buf, "");
    dh_ticket_format_as(&t, DH_TEXT_PATH, buf, sizeof buf);
    CHECK_STR(buf, "export/-7");

    dh_ticket_make_scope(&t, "t\xc3\xa9st", NULL);
    dh_ticket_format(&t, buf, sizeof buf);
    CHECK_STR(buf, "s/t\xc3\xa9st");
    dh_ticket_format_as(&t, DH_TEXT_PATH, buf, sizeof buf);
    CHECK_STR(buf, "scope/t\xc3\xa9st");
    dh_ticket_make_scope(&t, "evil\x1b[2J", NULL);
    dh_ticket_format(&t, buf, sizeof buf);
    CHECK_STR(buf, "b's/evil\\x1b[2J'");
    CHECK_INT(dh_ticket_format_as(&t, DH_TEXT_PATH, buf, sizeof buf), -1);
    dh_ticket_make_scope(&t, "rtl\xe2\x80\xae", NULL);
    dh_ticket_format(&t, buf, sizeof buf);
    CHECK_STR(buf, "b's/rtl\\xe2\\x80\\xae'");
    dh_ticket_make_scope(&t, "trailing ", NULL);
    dh_ticket_format(&t, buf, sizeof buf);
    CHECK_STR(buf, "b's/trailing '");

    dh_ticket_make_app(&t, "app", "fld", NULL);
    dh_ticket_format(&t, buf, sizeof buf);
    CHECK_STR(buf, "a/app/f/fld");
    dh_ticket_format_as(&t, DH_TEXT_PATH, buf, sizeof buf);
    CHECK_STR(buf, "app/app/field/fld");

    dh_ticket_set_bytes(&t, (const uint8_t *)"x\x01\x02", 3, NULL);
    dh_ticket_format(&t, buf, sizeof buf);
    CHECK_STR(buf, "base64:eAEC");
    CHECK_INT(dh_ticket_format_as(&t, DH_TEXT_PATH, buf, sizeof buf), -1);
    dh_ticket_init(&t);
    CHECK_INT(dh_ticket_format(&t, buf, sizeof buf), -1);
    CHECK_STR(buf, "");
}

/* Small buffers: the needed length is returned, the text is cut and
 * NUL-terminated, never inside a UTF-8 character. */
static void test_format_small(void)
{
    struct dh_ticket t;
    char buf[8];
    dh_ticket_make_export(&t, 123456);
    memset(buf, 'X', sizeof buf);
    CHECK_INT(dh_ticket_format(&t, buf, 5), 13);
    CHECK_STR(buf, "expo");
    CHECK_INT(dh_ticket_format(&t, buf, 1), 13);
    CHECK_STR(buf, "");
    CHECK_INT(dh_ticket_format(&t, NULL, 0), 13);
    dh_ticket_make_scope(&t, "\xe8\xa1\xa8\xe8\xa1\xa8", NULL);
    CHECK_INT(dh_ticket_format(&t, buf, 6), 8);
    CHECK_STR(buf, "s/\xe8\xa1\xa8");
    CHECK_INT(dh_ticket_format(&t, buf, 7), 8);
    CHECK_STR(buf, "s/\xe8\xa1\xa8");
    CHECK_INT(dh_ticket_format(&t, buf, 4), 8);
    CHECK_STR(buf, "s/");
}

/* A tiny deterministic generator for the round trips. */
static uint32_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* Make a random ticket of a random kind. */
static void random_ticket(struct dh_ticket *t, uint64_t *s)
{
    uint8_t buf[DH_TICKET_MAX];
    uint32_t kind = rng_next(s) % 4;
    size_t n = 1 + rng_next(s) % (rng_next(s) % 8 == 0 ? DH_TICKET_MAX - 8 : 40);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)rng_next(s);
    if (kind == 0) {
        dh_ticket_make_shared(t, buf, n, NULL);
    } else if (kind == 1) {
        uint32_t v = rng_next(s);
        int32_t id = v % 5 == 0   ? INT32_MIN
                     : v % 7 == 0 ? INT32_MAX
                                  : (int32_t)(v >> 1) - (int32_t)(v >> 2) * 2;
        dh_ticket_make_export(t, id);
    } else {
        /* Names: printable ASCII, UTF-8, or arbitrary bytes (not NUL). */
        uint32_t style = rng_next(s) % 3;
        for (size_t i = 0; i < n; i++) {
            if (style == 0)
                buf[i] = (uint8_t)(0x21 + rng_next(s) % 94);
            else if (style == 2)
                buf[i] = (uint8_t)(1 + rng_next(s) % 255);
        }
        if (style == 1) {
            for (size_t i = 0; i + 3 <= n; i += 3)
                memcpy(buf + i, "\xe4\xb8\xad", 3);
            for (size_t i = n / 3 * 3; i < n; i++)
                buf[i] = 'x';
        }
        buf[n] = '\0';
        if (kind == 2) {
            dh_ticket_make_scope(t, (const char *)buf, NULL);
        } else {
            for (size_t i = 0; i < n; i++)
                if (buf[i] == '/')
                    buf[i] = '_';
            size_t cut = n / 2 ? n / 2 : 1;
            char app[DH_TICKET_MAX];
            memcpy(app, buf, cut);
            app[cut] = '\0';
            const char *field = n > cut ? (const char *)buf + cut : "f";
            dh_ticket_make_app(t, app, field, NULL);
        }
    }
}

/* Whether s is made only of hex digits. */
static int all_hex(const char *s)
{
    for (; *s; s++)
        if (dh_hex_digit_value((unsigned char)*s) < 0)
            return 0;
    return 1;
}

/* 1,000 random tickets through every text form and back, byte-equal. */
static void test_round_trips(void)
{
    static const enum dh_ticket_text forms[] = {DH_TEXT_CANONICAL, DH_TEXT_HEX,
                                                DH_TEXT_PATH,      DH_TEXT_BASE64,
                                                DH_TEXT_BASE64URL, DH_TEXT_PYTHON};
    static char text[5 * DH_TICKET_MAX];
    uint64_t seed = 42;
    int made = 0, checked = 0;
    for (int i = 0; i < 1000; i++) {
        struct dh_ticket t, back;
        struct dh_error err;
        random_ticket(&t, &seed);
        if (t.len == 0)
            continue;
        made++;
        enum dh_ticket_kind kind = dh_ticket_kind(&t);
        CHECK(kind == DH_TICKET_SHARED || kind == DH_TICKET_EXPORT || kind == DH_TICKET_SCOPE ||
              kind == DH_TICKET_APP);
        for (size_t f = 0; f < sizeof forms / sizeof *forms; f++) {
            int n = dh_ticket_format_as(&t, forms[f], text, sizeof text);
            if (n < 0) {
                CHECK(forms[f] == DH_TEXT_HEX || forms[f] == DH_TEXT_PATH);
                continue;
            }
            CHECK_INT((size_t)n, strlen(text));
            int rc = dh_ticket_parse(&back, text, (size_t)n, &err);
            if ((forms[f] == DH_TEXT_BASE64 || forms[f] == DH_TEXT_BASE64URL) && all_hex(text)) {
                CHECK_INT(rc, DH_OK); /* documented: all-hex text is hex */
                continue;
            }
            if (rc != DH_OK || !dh_ticket_equal(&t, &back))
                fprintf(stderr, "  round trip %d form %zu: '%s': %s\n", i, f, text,
                        rc ? err.msg : "different bytes");
            CHECK_INT(rc, DH_OK);
            CHECK(dh_ticket_equal(&t, &back));
            checked++;
        }
    }
    CHECK(made >= 1000);
    CHECK(checked > 4000);
}

int main(void)
{
    CHECK_RUN(T(test_parse_table), T(test_parse_garbage), T(test_parse_limits), T(test_export),
              T(test_kinds_and_parts), T(test_random), T(test_format_known), T(test_format_small),
              T(test_round_trips));
}
