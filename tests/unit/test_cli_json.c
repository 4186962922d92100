/* SPDX-License-Identifier: MIT */
/* test_cli_json.c: the CLI's JSON writer (ui/json.c): escaping of hostile text,
 * the number grammar, commas and nesting. */
#include <stdlib.h>

#include "check.h"
/* ui/ is not a library: compile the module under test into this program. */
#include "../../ui/json.c"
#include "../../ui/rows_out.c"

/* Run the writer into a memory buffer; returns it (caller frees). */
static char *capture_string(const char *s, size_t len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    json_write_string(f, s, len);
    fclose(f);
    return buf;
}

static void check_escape(const char *in, size_t len, const char *want)
{
    char *got = capture_string(in, len);
    CHECK_STR(got, want);
    free(got);
}

static void test_plain_and_short_escapes(void)
{
    check_escape("abc", 3, "\"abc\"");
    check_escape("", 0, "\"\"");
    check_escape("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    check_escape("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
    check_escape("/", 1, "\"/\"");
}

static void test_controls_are_escaped(void)
{
    check_escape("\x1b[2J", 4, "\"\\u001b[2J\"");
    check_escape("a\0b", 3, "\"a\\u0000b\"");
    check_escape("\x07\x7f", 2, "\"\\u0007\\u007f\"");
    check_escape("\xc2\x9b"
                 "31m",
                 5, "\"\\u009b31m\"");                  /* C1 CSI */
    check_escape("x\xe2\x80\xaey", 5, "\"x\\u202ey\""); /* RIGHT-TO-LEFT OVERRIDE */
    check_escape("\xe2\x81\xa6\xe2\x81\xa9", 6, "\"\\u2066\\u2069\"");
    check_escape("\xe2\x80\xa8", 3, "\"\\u2028\"");
}

static void test_utf8_kept_and_invalid_replaced(void)
{
    check_escape("L\xc3\xa4nge \xe9\x95\xb7", 10, "\"L\xc3\xa4nge \xe9\x95\xb7\"");
    check_escape("\xf0\x9f\x91\xa9", 4, "\"\xf0\x9f\x91\xa9\"");
    check_escape("\xef\xbf\xbd", 3, "\"\xef\xbf\xbd\""); /* a real U+FFFD stays */
    check_escape("a\xff"
                 "b",
                 3,
                 "\"a\xef\xbf\xbd"
                 "b\"");
    check_escape("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    char *got = capture_string("\xe2\x82", 2); /* truncated sequence */
    CHECK(got && strstr(got, "\xef\xbf\xbd") != NULL);
    CHECK(got && strchr(got, '\xe2') == NULL);
    free(got);
}

static void test_number_grammar(void)
{
    CHECK(json_is_number("0"));
    CHECK(json_is_number("-12"));
    CHECK(json_is_number("3.25"));
    CHECK(json_is_number("-0.5e-7"));
    CHECK(json_is_number("1E+10"));
    CHECK(!json_is_number(""));
    CHECK(!json_is_number("-"));
    CHECK(!json_is_number("01"));
    CHECK(!json_is_number("1."));
    CHECK(!json_is_number(".5"));
    CHECK(!json_is_number("1,000"));
    CHECK(!json_is_number("NaN"));
    CHECK(!json_is_number("Infinity"));
    CHECK(!json_is_number("1e"));
    CHECK(!json_is_number("+1"));
    CHECK(!json_is_number(NULL));
}

/* A json_writer into a memory buffer, for the writer tests. */
struct json_capture {
    char *buf;
    size_t n;
    FILE *f;
    struct json_writer w;
};

static struct json_writer *capture_open(struct json_capture *c)
{
    c->buf = NULL;
    c->n = 0;
    c->f = open_memstream(&c->buf, &c->n);
    json_writer_init(&c->w, c->f);
    return &c->w;
}

/* Close the capture and check everything written is want. */
static void capture_check(struct json_capture *c, const char *want)
{
    fclose(c->f);
    CHECK_STR(c->buf, want);
    free(c->buf);
}

static void test_writer_structure(void)
{
    struct json_capture c;
    struct json_writer *w = capture_open(&c);
    json_begin_array(w);
    json_begin_object(w);
    json_key(w, "a");
    json_int(w, -5);
    json_key(w, "b");
    json_begin_array(w);
    json_bool(w, 1);
    json_null(w);
    json_string(w, NULL);
    json_number_text(w, "2.5");
    json_number_text(w, "NaN");
    json_end_array(w);
    json_key(w, "c\x1b");
    json_string_n(w, "xy", 1);
    json_end_object(w);
    json_begin_object(w);
    json_end_object(w);
    json_end_array(w);
    capture_check(&c, "[{\"a\":-5,\"b\":[true,null,null,2.5,\"NaN\"],\"c\\u001b\":\"x\"},{}]");
}

static void test_break_puts_commas_at_line_ends(void)
{
    struct json_capture c;
    struct json_writer *w = capture_open(&c);
    json_begin_array(w);
    for (int i = 0; i < 3; i++) {
        json_break(w);
        json_begin_object(w);
        json_key(w, "i");
        json_int(w, i);
        json_end_object(w);
    }
    json_newline(w);
    json_end_array(w);
    capture_check(&c, "[\n{\"i\":0},\n{\"i\":1},\n{\"i\":2}\n]");
}

static void test_members_write_key_then_value(void)
{
    struct json_capture c;
    struct json_writer *w = capture_open(&c);
    json_begin_object(w);
    json_member_string(w, "s", "x\n");
    json_member_string(w, "null", NULL);
    json_member_int(w, "i", -7);
    json_member_bool(w, "b", 0);
    json_end_object(w);
    capture_check(&c, "{\"s\":\"x\\n\",\"null\":null,\"i\":-7,\"b\":false}");
}

int main(void)
{
    CHECK_RUN(T(test_plain_and_short_escapes), T(test_controls_are_escaped),
              T(test_utf8_kept_and_invalid_replaced), T(test_number_grammar),
              T(test_writer_structure), T(test_break_puts_commas_at_line_ends),
              T(test_members_write_key_then_value));
}
