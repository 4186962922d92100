/* SPDX-License-Identifier: MIT */
/* fuzz_tableops_replies.c: libFuzzer target for the server's answers to the
 * pager's questions: a SeekRowResponse (dh_seek_response_decode: a row of at
 * least -1 or DH_EINVAL) and a statistics table (packed FlightData messages
 * read as DoGet reads them, then dh_stats_text: each line terminal-safe).
 *
 * Input: byte 0 even = the rest is a SeekRowResponse; odd = the rest is
 * messages, each a little-endian u32 length and that many bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dh_table.h"
#include "dh_tableops.h"
#include "dh_text.h"
#include "fuzzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void seek_reply(const uint8_t *data, size_t size)
{
    struct dh_error err;
    int64_t row = 42;
    int rc = dh_seek_response_decode(data, size, &row, &err);
    if (rc == DH_OK ? row < -1 : (rc != DH_EINVAL || row != -1))
        __builtin_trap();
}

/* Every line of the text checked as display text (the newlines split it). */
static void check_lines(char *text, size_t len)
{
    if (strlen(text) != len)
        __builtin_trap();
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        if (!nl)
            __builtin_trap(); /* every line ends with a newline */
        *nl = '\0';
        size_t n = (size_t)(nl - line);
        fc_check_text(line, n, n + 1);
        line = nl + 1;
    }
}

static void stats_reply(const uint8_t *data, size_t size)
{
    struct dh_table_reader r;
    dh_table_reader_init(&r, 0, -1);
    size_t at = 0;
    const uint8_t *p;
    size_t n;
    int rc = DH_OK;
    while (rc == DH_OK && fc_next_chunk(data, size, &at, &p, &n))
        rc = dh_table_apply_packed(&r, p, n, NULL);
    struct dh_rows rows;
    memset(&rows, 0, sizeof rows);
    if (rc == DH_OK && dh_table_reader_finish(&r, &rows, NULL) == DH_OK) {
        char *text = NULL;
        size_t len = 0;
        rc = dh_stats_text(&rows, &text, &len, NULL);
        if (rc == DH_OK)
            check_lines(text, len);
        else if (text || rows.batch.length == 1)
            __builtin_trap();
        free(text);
    }
    dh_rows_reset(&rows);
    dh_table_reader_reset(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] % 2 == 0)
        seek_reply(data + 1, size - 1);
    else
        stats_reply(data + 1, size - 1);
    return 0;
}
