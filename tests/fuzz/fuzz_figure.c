/* SPDX-License-Identifier: MIT */
/* fuzz_figure.c: libFuzzer target for dh_figure_decode (a FigureDescriptor
 * payload from ObjectService.MessageStream, plot_by multi-series included) and
 * dh_figure_attach_refs, checking
 * that every string is present, table indexes end up valid, and every text
 * sanitises safely for display. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_figure.h"
#include "dh_text.h"
#include "fuzzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check one string of the figure and sanitise it. */
static void text(const char *s, unsigned flags)
{
    if (!s)
        __builtin_trap(); /* documented never NULL */
    fc_check_sanitize(s, strlen(s), flags);
}

static void check_figure(const struct dh_figure *f, unsigned flags)
{
    text(f->title, flags);
    for (size_t i = 0; i < f->n_errors; i++)
        text(f->errors[i], flags + (unsigned)i);
    for (size_t c = 0; c < f->n_charts; c++) {
        const struct dh_figure_chart *ch = &f->charts[c];
        text(ch->title, flags + (unsigned)c);
        for (size_t i = 0; i < ch->n_series; i++) {
            const struct dh_figure_series *se = &ch->series[i];
            text(se->name, flags + (unsigned)i);
            text(se->x_column, flags + 1);
            text(se->y_column, flags + 2);
            text(se->x_axis_label, flags + 3);
            text(se->y_axis_label, flags + 4);
            if (se->table_index < -1 ||
                (se->table_index >= 0 && (size_t)se->table_index >= f->n_tables))
                __builtin_trap(); /* attach_refs leaves only valid indexes */
            if (se->partitioned_index < -1 ||
                (se->partitioned_index >= 0 && (size_t)se->partitioned_index >= f->n_partitioned))
                __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dh_figure *f = NULL;
    struct dh_error err;
    if (dh_figure_decode(data, size, &f, &err) != DH_OK) {
        if (f)
            __builtin_trap(); /* *out is NULL on failure */
        return 0;
    }
    /* References as a ServerData message might carry: a few, of mixed types. */
    static const char *const types[] = {"Table", "PartitionedTable", "Table", NULL, "Table"};
    struct dh_ticket tickets[5];
    size_t n = size % 6;
    for (size_t i = 0; i < n; i++)
        dh_ticket_make_export(&tickets[i], (int32_t)i + 1);
    size_t errors_before = f->n_errors;
    if (dh_figure_attach_refs(f, tickets, types, n, &err) == DH_OK) {
        if (f->n_tables + f->n_partitioned + f->n_other_refs != n || f->n_errors < errors_before)
            __builtin_trap();
        check_figure(f, (unsigned)size);
    }
    dh_figure_free(f);
    return 0;
}
