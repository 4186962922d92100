/* SPDX-License-Identifier: MIT */
/* cellfit.c: numbers and times are shown whole or as "###" (see cellfit.h). */
#include "cellfit.h"

#include <string.h>

#include "dh_format.h"
#include "dh_text.h"

int cellfit_whole(const struct dh_field *f)
{
    return dh_format_is_numeric(f) || f->type == DH_TYPE_DATE || f->type == DH_TYPE_TIME ||
           f->type == DH_TYPE_TIMESTAMP || f->type == DH_TYPE_DURATION;
}

int cellfit_max_width(int numeric)
{
    return numeric ? CELLFIT_NUMBER_MAX : CELLFIT_TEXT_MAX;
}

const char *cellfit_number(const char *text, int width, char *hashes, size_t n)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    size_t len = strlen(text);
    /* A text dh_format_cell already cut (ends in '…') is not the number. */
    int cut = len >= 3 && memcmp(text + len - 3, ellipsis, 3) == 0;
    if (!cut && width >= 0 && dh_text_width(text, len) <= (size_t)width)
        return text;
    size_t k = width > 0 ? (size_t)width : 0;
    if (n == 0)
        return "";
    if (k > n - 1)
        k = n - 1;
    memset(hashes, '#', k);
    hashes[k] = '\0';
    return hashes;
}
