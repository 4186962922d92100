/* SPDX-License-Identifier: MIT */
/* fuzz_express.c: libFuzzer target for the plot-express figure decoder
 * (dh_express_decode: the plugin's JSON message). Checks that strings are present and sanitise
 * safely, that table indexes are -1 or a reference position after attaching, and that failures
 * leave nothing. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_express.h"
#include "dh_figure.h"
#include "dh_text.h"
#include "fuzzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void text(const char *s, unsigned flags)
{
    if (!s)
        __builtin_trap(); /* documented never NULL */
    fc_check_sanitize(s, strlen(s), flags);
}

static void check_express(const uint8_t *data, size_t size)
{
    struct dh_figure *f = NULL;
    struct dh_error err;
    if (dh_express_decode(data, size, &f, &err) != DH_OK) {
        if (f)
            __builtin_trap(); /* *out is NULL on failure */
        return;
    }
    if (!f->is_express || f->n_charts != 1 || f->charts[0].n_series > DH_EXPRESS_MAX_TRACES)
        __builtin_trap();
    struct dh_ticket tickets[4];
    const char *const types[] = {"Table", "Table", "Table", "Table"};
    size_t n = size % 5;
    for (size_t i = 0; i < n; i++)
        dh_ticket_make_export(&tickets[i], (int32_t)i + 1);
    if (dh_figure_attach_refs(f, tickets, types, n, &err) == DH_OK) {
        text(f->title, (unsigned)size);
        for (size_t i = 0; i < f->n_errors; i++)
            text(f->errors[i], (unsigned)i);
        const struct dh_figure_chart *ch = &f->charts[0];
        for (size_t i = 0; i < ch->n_series; i++) {
            const struct dh_figure_series *se = &ch->series[i];
            text(se->name, (unsigned)i);
            text(se->x_column, 1);
            text(se->y_column, 2);
            text(se->x_axis_label, 3);
            text(se->y_axis_label, 4);
            if (se->partitioned_index != -1 || se->table_index < -1 ||
                (se->table_index >= 0 && (size_t)se->table_index >= f->n_tables))
                __builtin_trap();
        }
    }
    dh_figure_free(f);
}

/* The same bytes as two messages of one stream (dh_express_take): the
 * references stay aligned, removed ones come back at most once, and every
 * table index names one of them. */
static void check_stream(const uint8_t *data, size_t size)
{
    struct dh_express_refs k = {0};
    struct dh_ticket removed[8];
    const char *const types[] = {"Table", "Table", "Table"};
    for (int m = 0; m < 2; m++) {
        struct dh_ticket refs[3];
        size_t n = (size + (size_t)m) % 4;
        for (size_t i = 0; i < n; i++)
            dh_ticket_make_export(&refs[i], (int32_t)(m * 3 + (int)i + 1));
        struct dh_figure *f = NULL;
        size_t n_removed = 0, before = k.n;
        struct dh_error err;
        int rc = dh_express_take(&k, data, size, refs, types, n, &f, removed, &n_removed, 8, &err);
        if (rc != DH_OK) {
            if (f)
                __builtin_trap();
            continue;
        }
        if (k.n != before + n || n_removed > k.n || n_removed > 8)
            __builtin_trap();
        const struct dh_figure_chart *ch = &f->charts[0];
        for (size_t i = 0; i < ch->n_series; i++)
            if (ch->series[i].table_index >= 0 && (size_t)ch->series[i].table_index >= f->n_tables)
                __builtin_trap();
        dh_figure_free(f);
    }
    dh_express_refs_reset(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_express(data, size);
    check_stream(data, size);
    return 0;
}
