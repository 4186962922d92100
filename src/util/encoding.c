/* SPDX-License-Identifier: MIT */
/* encoding.c: hex and base64 codecs shared by tickets and value formatting. */
#include "dh_encoding.h"

static const char hex_digits[] = "0123456789abcdef";
static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t dh_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
    size_t w = 0;
    for (size_t i = 0; i < n && cap > 0 && w + 2 < cap; i++) {
        out[w++] = hex_digits[in[i] >> 4];
        out[w++] = hex_digits[in[i] & 15];
    }
    if (cap > 0)
        out[w] = '\0';
    return 2 * n;
}

int dh_hex_digit_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t dh_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    if (len % 2 != 0 || len / 2 > cap)
        return (size_t)-1;
    for (size_t i = 0; i < len; i += 2) {
        int hi = dh_hex_digit_value((unsigned char)in[i]);
        int lo = dh_hex_digit_value((unsigned char)in[i + 1]);
        if (hi < 0 || lo < 0)
            return (size_t)-1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return len / 2;
}

size_t dh_base64_encode(const uint8_t *in, size_t n, unsigned flags, char *out, size_t cap)
{
    const char *abc = (flags & DH_BASE64_URL) ? b64_url : b64_std;
    int pad = !(flags & DH_BASE64_NOPAD);
    size_t need = pad ? (n + 2) / 3 * 4 : n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
    size_t w = 0;
    for (size_t i = 0; i < n; i += 3) {
        size_t left = n - i;
        uint32_t v = (uint32_t)in[i] << 16;
        if (left > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (left > 2)
            v |= in[i + 2];
        char q[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63], left > 1 ? abc[v >> 6 & 63] : '=',
                     left > 2 ? abc[v & 63] : '='};
        size_t qn = 4;
        if (!pad)
            qn = left > 2 ? 4 : left + 1;
        if (w + qn >= cap)
            break;
        for (size_t k = 0; k < qn; k++)
            out[w++] = q[k];
    }
    if (cap > 0)
        out[w] = '\0';
    return need;
}

int dh_base64_char_value(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Report a malformed base64 text at offset pos. */
static size_t b64_fail(size_t *bad_pos, size_t pos)
{
    if (bad_pos)
        *bad_pos = pos;
    return (size_t)-1;
}

size_t dh_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *bad_pos)
{
    size_t data = len;
    while (data > 0 && in[data - 1] == '=' && len - data < 2)
        data--;
    /* Padding, when present, must complete the last group of four. */
    if (data != len && len % 4 != 0)
        return b64_fail(bad_pos, data);
    if (data % 4 == 1)
        return b64_fail(bad_pos, len);
    size_t nbytes = data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0);
    if (nbytes > cap)
        return b64_fail(bad_pos, len);
    uint32_t acc = 0;
    int bits = 0;
    size_t w = 0;
    for (size_t i = 0; i < data; i++) {
        int v = dh_base64_char_value((unsigned char)in[i]);
        if (v < 0)
            return b64_fail(bad_pos, i);
        acc = (acc << 6 | (uint32_t)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[w++] = (uint8_t)(acc >> bits);
        }
    }
    return w;
}
