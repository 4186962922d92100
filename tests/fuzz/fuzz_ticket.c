/* SPDX-License-Identifier: MIT */
/* fuzz_ticket.c: libFuzzer target for dh_ticket_parse; every accepted ticket
 * must come back byte-equal through every text form that applies to it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "dh_encoding.h"
#include "dh_ticket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s is made only of hex digits (such base64 is read as hex). */
static int all_hex(const char *s)
{
    for (; *s; s++)
        if (dh_hex_digit_value((unsigned char)*s) < 0)
            return 0;
    return 1;
}

/* Whether s starts like a form known by its start (base64 text may: dh_ticket.h). */
static int starts_like_a_form(const char *s)
{
    static const char *const ci[] = {"shared/", "export/", "scope/", "app/", "0x"};
    for (size_t i = 0; i < sizeof ci / sizeof *ci; i++)
        if (strncasecmp(s, ci[i], strlen(ci[i])) == 0)
            return 1;
    return strncmp(s, "s/", 2) == 0 || strncmp(s, "a/", 2) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum dh_ticket_text forms[] = {DH_TEXT_CANONICAL, DH_TEXT_HEX,
                                                DH_TEXT_PATH,      DH_TEXT_BASE64,
                                                DH_TEXT_BASE64URL, DH_TEXT_PYTHON};
    static char text[5 * DH_TICKET_MAX + 16];
    struct dh_ticket t, back;
    struct dh_error err;
    if (dh_ticket_parse(&t, (const char *)data, size, &err) != DH_OK) {
        if (t.len != 0 || err.code != DH_EINVAL || strncmp(err.msg, "expected ", 9) != 0)
            __builtin_trap();
        for (const char *p = err.msg; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                __builtin_trap(); /* a message must never carry control bytes */
        return 0;
    }
    enum dh_ticket_kind kind = dh_ticket_kind(&t);
    /* Only "base64:<text>" yields invalid or other tickets; their canonical text
     * is that form again. The other forms need a known kind to be read back. */
    int known = kind != DH_TICKET_INVALID && kind != DH_TICKET_OTHER;
    for (size_t f = 0; f < sizeof forms / sizeof *forms; f++) {
        if (!known && forms[f] != DH_TEXT_CANONICAL)
            continue;
        int n = dh_ticket_format_as(&t, forms[f], text, sizeof text);
        if (n < 0)
            continue;
        if ((size_t)n >= sizeof text || strlen(text) != (size_t)n)
            __builtin_trap();
        int rc = dh_ticket_parse(&back, text, (size_t)n, &err);
        int base64 = forms[f] == DH_TEXT_BASE64 || forms[f] == DH_TEXT_BASE64URL;
        if (base64 && all_hex(text))
            continue; /* documented: such text is read as hex */
        if (base64 && rc == DH_OK && starts_like_a_form(text))
            continue; /* documented: such text that reads as that form is that form */
        if (rc != DH_OK || !dh_ticket_equal(&t, &back))
            __builtin_trap();
    }
    return 0;
}
