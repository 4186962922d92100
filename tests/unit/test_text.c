/* SPDX-License-Identifier: MIT */
/* test_text.c: terminal-safe sanitising, display widths and cutting. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "dh_text.h"

static char out[65536];

/* Sanitise a NUL-terminated string with flags into the shared buffer. */
static const char *san(const char *s, unsigned flags)
{
    dh_text_sanitize(s, strlen(s), out, sizeof out, flags, NULL);
    return out;
}

/* Whether s[0..n) is valid UTF-8 with no C0, DEL, C1 or bidi control in it. */
static int terminal_safe(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return 0;
        uint32_t cp;
        size_t k = dh_text_utf8_next(s + i, n - i, &cp);
        if (cp == 0xFFFD && !(k == 3 && memcmp(s + i, "\xef\xbf\xbd", 3) == 0))
            return 0; /* invalid UTF-8 in the output */
        if ((cp >= 0x80 && cp < 0xA0) || cp == 0x61C || cp == 0x200E || cp == 0x200F ||
            (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
            return 0;
        i += k;
    }
    return 1;
}

/* Escape sequences come out as visible text, never as ESC. */
static void test_escape_sequences(void)
{
    CHECK_STR(san("a\x1b[31mred\x1b[0m", 0), "a\\e[31mred\\e[0m");
    CHECK_STR(san("\x1b]52;c;aGVsbG8=\x07", 0), "\\e]52;c;aGVsbG8=\\a");
    CHECK_STR(san("\x1b]8;;https://x.y/\x1b\\link\x1b]8;;\x1b\\", 0),
              "\\e]8;;https://x.y/\\e\\link\\e]8;;\\e\\");
    CHECK_STR(san("\xc2\x9b"
                  "2J",
                  0),
              "\\u009b2J"); /* 8-bit CSI as UTF-8 */
    CHECK_STR(san("\x9b"
                  "2J",
                  0),
              "\xef\xbf\xbd"
              "2J"); /* raw 8-bit CSI byte */
    CHECK_STR(san("\xc2\x9d"
                  "0;t\xc2\x9c",
                  0),
              "\\u009d0;t\\u009c"); /* 8-bit OSC/ST */
    CHECK_STR(san("a\tb\nc\rd\x01\x7f\b\a\v\f", 0), "a\\tb\\nc\\rd\\x01\\x7f\\b\\a\\v\\f");
    CHECK_STR(san("a\tb", DH_SANITIZE_TAB_AS_SPACE), "a b");
    CHECK_STR(san("back\\slash", 0), "back\\slash");
    CHECK(terminal_safe(out, strlen(out)));
}

/* NUL bytes inside the text are shown, not treated as the end. */
static void test_nul_inside(void)
{
    size_t used = 0;
    size_t n = dh_text_sanitize("a\0b", 3, out, sizeof out, 0, &used);
    CHECK_INT(n, 4);
    CHECK_STR(out, "a\\0b");
    CHECK_INT(used, 3);
    CHECK_INT(dh_text_width("a\0b", 3), 2);
}

/* Bidi controls become escapes; right-to-left letters pass through. */
static void test_bidi_and_rtl(void)
{
    CHECK_STR(san("abc\xe2\x80\xae"
                  "cba",
                  0),
              "abc\\u202ecba");
    CHECK_STR(san("\xe2\x81\xa6x\xe2\x81\xa9", 0), "\\u2066x\\u2069");
    CHECK_STR(san("\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa", 0),
              "\\u061c\\u200e\\u200f\\u202a");
    const char *hebrew = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d";         /* shalom */
    const char *arabic = "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7"; /* marhaba */
    CHECK_STR(san(hebrew, 0), hebrew);
    CHECK_STR(san(arabic, 0), arabic);
    CHECK_INT(dh_text_width(hebrew, strlen(hebrew)), 4);
    CHECK_INT(dh_text_width(arabic, strlen(arabic)), 5);
}

/* Invalid UTF-8: each maximal invalid subsequence is one U+FFFD. */
static void test_invalid_utf8(void)
{
    const char *r = "\xef\xbf\xbd";
    char want[64];
    CHECK_STR(san("\xc0\xaf", 0), "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
    CHECK_STR(san("\xe0\x80\xaf", 0), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_STR(san("\xed\xa0\x80", 0), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    CHECK_STR(san("\xf4\x90\x80\x80", 0), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_STR(san("\xf5", 0), r);
    CHECK_STR(san("x\xe4\xb8", 0), "x\xef\xbf\xbd"); /* truncated at end */
    snprintf(want, sizeof want, "%sy", r);
    CHECK_STR(san("\xe4\xb8y", 0), want); /* truncated inside */
    CHECK_STR(san("\xf0\x9f\x98", 0), r);
    CHECK_STR(san("\xf0\x9f\x98\x80", 0), "\xf0\x9f\x98\x80"); /* valid emoji */
    CHECK_STR(san("\xef\xbf\xbd", 0), r);                      /* a real U+FFFD */
    uint32_t cp;
    CHECK_INT(dh_text_utf8_next("\xe4\xb8\xad", 3, &cp), 3);
    CHECK_INT(cp, 0x4E2D);
    CHECK_INT(dh_text_utf8_next("\xe4\xb8", 2, &cp), 2);
    CHECK_INT(cp, 0xFFFD);
    CHECK_INT(dh_text_utf8_next("\x80", 1, &cp), 1);
    CHECK_INT(cp, 0xFFFD);
    CHECK_INT(dh_text_width("\xc0\xaf", 2), 2);
}

/* Any bytes at all: the output is always terminal-safe. */
static void test_random_bytes_safe(void)
{
    uint64_t s = 7;
    char in[256];
    for (int round = 0; round < 10000; round++) {
        size_t n = 1 + (size_t)round % 255;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            in[i] = (char)(s >> 56);
        }
        size_t cap = 1 + (size_t)(s >> 20) % 1200;
        size_t used = 0;
        size_t w = dh_text_sanitize(in, n, out, cap, (unsigned)round % 4, &used);
        CHECK_REQ(w < cap);
        CHECK_REQ(out[w] == '\0');
        CHECK_REQ(used <= n);
        CHECK_REQ(terminal_safe(out, w));
    }
}

/* Long text: 10,000 characters, whole and cut, with in_used and '…'. */
static void test_long_text(void)
{
    static char big[30001];
    for (size_t i = 0; i < 10000; i++)
        memcpy(big + 3 * i, "\xe4\xb8\xad", 3);
    size_t used = 0;
    size_t w = dh_text_sanitize(big, 30000, out, sizeof out, 0, &used);
    CHECK_INT(w, 30000);
    CHECK_INT(used, 30000);
    CHECK_INT(dh_text_width(out, w), 20000);
    w = dh_text_sanitize(big, 30000, out, 11, 0, &used);
    CHECK_INT(w, 9);
    CHECK_INT(used, 9);
    w = dh_text_sanitize(big, 30000, out, 11, DH_SANITIZE_ELLIPSIS, &used);
    CHECK_INT(w, 9);
    CHECK_INT(used, 6);
    CHECK_STR(out, "\xe4\xb8\xad\xe4\xb8\xad\xe2\x80\xa6");
    memset(big, 'a', 10000);
    w = dh_text_sanitize(big, 10000, out, sizeof out, 0, &used);
    CHECK_INT(w, 10000);
    CHECK_INT(dh_text_width(big, 10000), 10000);
    size_t cols = 0;
    CHECK_INT(dh_text_prefix_for_width(big, 10000, 80, &cols), 80);
    CHECK_INT(cols, 80);
    memset(big, '\x1b', 10000);
    w = dh_text_sanitize(big, 10000, out, sizeof out, 0, &used);
    CHECK_INT(w, 20000);
    CHECK(terminal_safe(out, w));
}

/* Cutting never splits a character or an escape. */
static void test_sanitize_cuts(void)
{
    size_t used;
    CHECK_INT(dh_text_sanitize("\xe4\xb8\xad\xe4\xb8\xad", 6, out, 5, 0, &used), 3);
    CHECK_INT(used, 3);
    CHECK_INT(dh_text_sanitize("\x1b", 1, out, 2, 0, &used), 0);
    CHECK_INT(used, 0);
    CHECK_STR(out, "");
    CHECK_INT(dh_text_sanitize("\x1b", 1, out, 3, 0, &used), 2);
    CHECK_INT(dh_text_sanitize("ab\xe2\x80\xae", 5, out, 8, 0, &used), 2);
    CHECK_INT(used, 2);
    CHECK_INT(dh_text_sanitize("abcdef", 6, out, 0, 0, &used), 0);
    CHECK_INT(dh_text_sanitize("abcdef", 6, out, 1, 0, &used), 0);
    CHECK_STR(out, "");
    CHECK_INT(dh_text_sanitize("abcdef", 6, out, 5, DH_SANITIZE_ELLIPSIS, &used), 4);
    CHECK_STR(out, "a\xe2\x80\xa6");
    CHECK_INT(dh_text_sanitize("abcdef", 6, out, 7, DH_SANITIZE_ELLIPSIS, &used), 6);
    CHECK_STR(out, "abcdef");
    CHECK_INT(used, 6);
    CHECK_INT(dh_text_sanitize("abcdefg", 7, out, 7, DH_SANITIZE_ELLIPSIS, &used), 6);
    CHECK_STR(out, "abc\xe2\x80\xa6");
    CHECK_INT(used, 3);
}

/* Widths: combining zero, East Asian wide two, controls zero. */
static void test_codepoint_widths(void)
{
    CHECK_INT(dh_text_codepoint_width('a'), 1);
    CHECK_INT(dh_text_codepoint_width(0), 0);
    CHECK_INT(dh_text_codepoint_width(0x1B), 0);
    CHECK_INT(dh_text_codepoint_width(0x7F), 0);
    CHECK_INT(dh_text_codepoint_width(0x85), 0);
    CHECK_INT(dh_text_codepoint_width(0xA0), 1);
    CHECK_INT(dh_text_codepoint_width(0xAD), 1);
    CHECK_INT(dh_text_codepoint_width(0xE9), 1);
    CHECK_INT(dh_text_codepoint_width(0x300), 0);  /* combining grave */
    CHECK_INT(dh_text_codepoint_width(0x5B4), 0);  /* Hebrew point hiriq */
    CHECK_INT(dh_text_codepoint_width(0x64B), 0);  /* Arabic fathatan */
    CHECK_INT(dh_text_codepoint_width(0x600), 1);  /* Arabic number sign: prints */
    CHECK_INT(dh_text_codepoint_width(0x1100), 2); /* Hangul choseong */
    CHECK_INT(dh_text_codepoint_width(0x1160), 0); /* Hangul jungseong */
    CHECK_INT(dh_text_codepoint_width(0x200B), 0);
    CHECK_INT(dh_text_codepoint_width(0x200D), 0);
    CHECK_INT(dh_text_codepoint_width(0x3000), 2);
    CHECK_INT(dh_text_codepoint_width(0x3042), 2); /* hiragana a */
    CHECK_INT(dh_text_codepoint_width(0x4E2D), 2);
    CHECK_INT(dh_text_codepoint_width(0xAC00), 2);  /* Hangul syllable */
    CHECK_INT(dh_text_codepoint_width(0xFE0F), 0);  /* variation selector */
    CHECK_INT(dh_text_codepoint_width(0xFF01), 2);  /* fullwidth ! */
    CHECK_INT(dh_text_codepoint_width(0xFF61), 1);  /* halfwidth katakana */
    CHECK_INT(dh_text_codepoint_width(0x1F600), 2); /* emoji */
    CHECK_INT(dh_text_codepoint_width(0x20000), 2);
    CHECK_INT(dh_text_codepoint_width(0x2FFFD), 2);
    CHECK_INT(dh_text_codepoint_width(0xE0001), 0); /* language tag */
    CHECK_INT(dh_text_codepoint_width(0x10FFFF), 1);
}

/* Text widths and column cuts on character boundaries, with '…'. */
static void test_width_and_truncate(void)
{
    const char *cjk = "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97"; /* 3 wide characters */
    const char *comb = "e\xcc\x81x";                          /* e + acute, x */
    char buf[64];
    size_t cols = 0;
    CHECK_INT(dh_text_width(cjk, strlen(cjk)), 6);
    CHECK_INT(dh_text_width(comb, strlen(comb)), 2);
    CHECK_INT(dh_text_prefix_for_width(cjk, 9, 5, &cols), 6);
    CHECK_INT(cols, 4);
    CHECK_INT(dh_text_prefix_for_width(comb, 4, 1, &cols), 3); /* keeps the accent */
    CHECK_INT(cols, 1);
    CHECK_INT(dh_text_prefix_for_width(cjk, 9, 1, &cols), 0);
    CHECK_INT(dh_text_prefix_for_width(cjk, 9, 0, &cols), 0);

    CHECK_INT(dh_text_truncate_to_width(cjk, 9, 6, DH_TRUNCATE_ELLIPSIS, buf, sizeof buf, &cols),
              9);
    CHECK_STR(buf, cjk);
    CHECK_INT(cols, 6);
    dh_text_truncate_to_width(cjk, 9, 5, DH_TRUNCATE_ELLIPSIS, buf, sizeof buf, &cols);
    CHECK_STR(buf, "\xe4\xb8\xad\xe6\x96\x87\xe2\x80\xa6");
    CHECK_INT(cols, 5);
    dh_text_truncate_to_width(cjk, 9, 4, DH_TRUNCATE_ELLIPSIS, buf, sizeof buf, &cols);
    CHECK_STR(buf, "\xe4\xb8\xad\xe2\x80\xa6");
    CHECK_INT(cols, 3);
    dh_text_truncate_to_width(cjk, 9, 5, 0, buf, sizeof buf, &cols);
    CHECK_STR(buf, "\xe4\xb8\xad\xe6\x96\x87");
    CHECK_INT(cols, 4);
    dh_text_truncate_to_width("abcdef", 6, 3, DH_TRUNCATE_ELLIPSIS, buf, sizeof buf, &cols);
    CHECK_STR(buf, "ab\xe2\x80\xa6");
    dh_text_truncate_to_width("abcdef", 6, 0, DH_TRUNCATE_ELLIPSIS, buf, sizeof buf, &cols);
    CHECK_STR(buf, "");
    CHECK_INT(cols, 0);
    /* A small output buffer cuts on a character boundary too. */
    CHECK_INT(dh_text_truncate_to_width(cjk, 9, 6, 0, buf, 5, &cols), 3);
    CHECK_STR(buf, "\xe4\xb8\xad");
    CHECK_INT(cols, 2);
    CHECK_INT(dh_text_truncate_to_width(cjk, 9, 6, 0, buf, 0, &cols), 0);
}

int main(void)
{
    CHECK_RUN(T(test_escape_sequences), T(test_nul_inside), T(test_bidi_and_rtl),
              T(test_invalid_utf8), T(test_random_bytes_safe), T(test_long_text),
              T(test_sanitize_cuts), T(test_codepoint_widths), T(test_width_and_truncate));
}
