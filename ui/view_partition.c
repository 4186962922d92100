/* SPDX-License-Identifier: MIT */
/* view_partition: the pager of a partitioned table's key table (docs/PROTOCOL.md,
 * Partitioned tables): Enter opens the constituent of the key on the cursor's row,
 * M the merged table, each in a pager of its own (a table like any other: sort,
 * filter, publish). The key row is named by its position in what the pager shows,
 * so a sorted or filtered key table picks the row the user sees. The key table
 * and the merge are exports with no durable name: after a session renewal they
 * are asked for again from the partitioned table's durable source. */
#include <stdio.h>
#include <string.h>

#include "view_table.h"

/* "Sym = AAPL, Exchange = NYSE" for the key row at pos, or "key row 3" when its
 * cells are not on hand. */
static void key_label(const struct table_view *v, int64_t pos, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < v->part->n_keys && used < n; k++) {
        char cell[64];
        if (table_row_text(v, pos, v->part->key_columns[k], cell, sizeof cell) != 0) {
            snprintf(buf, n, "key row %lld", (long long)pos + 1);
            return;
        }
        int w = snprintf(buf + used, n - used, "%s%s = %s", k ? ", " : "", v->part->key_columns[k],
                         cell);
        used += w > 0 ? (size_t)w : 0;
    }
}

unsigned table_partition_key(struct table_view *v, struct app *a, enum ui_action act)
{
    if (!v->part)
        return UR_NONE;
    char base[128];
    snprintf(base, sizeof base, "%s", v->name);
    char *colon = strstr(base, ": keys");
    if (colon)
        *colon = '\0'; /* the partitioned table's own name */
    char name[400];
    if (act == ACT_MERGE) {
        snprintf(name, sizeof name, "%s: merged", base);
        app_open_partition(a, name, &v->part_source, v->part->unique_keys, NULL, 0);
        return UR_HANDLED | UR_STATUS;
    }
    int64_t n = v->size;
    if (n == 0 || (n > 0 && v->cur >= n)) {
        app_message(a, APP_INFO, "There are no keys.");
        return UR_HANDLED | UR_STATUS;
    }
    char key[256];
    key_label(v, v->cur, key, sizeof key);
    snprintf(name, sizeof name, "%s: %s", base, key);
    app_open_partition(a, name, &v->part_source, v->part->unique_keys, &v->source, v->cur);
    return UR_HANDLED | UR_STATUS;
}

void table_partition_destroy(struct table_view *v, struct app *a)
{
    if (!v->part)
        return;
    if (v->part_forget)
        dh_client_forget(a->client, &v->part_source);
    dh_partitioned_free(v->part);
    v->part = NULL;
}

int table_partition_reopen(struct table_view *v, struct app *a)
{
    uint64_t epoch = dh_client_epoch(a->client);
    if (v->reopen == PART_REOPEN_NONE || v->reopen_epoch == epoch ||
        !dh_source_durable(&v->part_source))
        return 0;
    v->reopen_epoch = epoch; /* a failure does not repeat in this epoch */
    v->reopen_req = v->reopen == PART_REOPEN_KEYS
                        ? dh_client_fetch_again(a->client, &v->part_source.ticket)
                        : dh_client_partition_merge(a->client, &v->part_source);
    return v->reopen_req != 0;
}

int table_partition_reopened(struct table_view *v, struct dh_fetched *f)
{
    if (v->reopen == PART_REOPEN_MERGED)
        return f->kind == DH_KIND_TABLE ? 0 : -1;
    if (f->kind != DH_KIND_PARTITIONED || !f->partitioned)
        return -1;
    dh_partitioned_free(v->part);
    v->part = f->partitioned; /* its export is part_source's resolution in this epoch */
    f->partitioned = NULL;
    return 0;
}
