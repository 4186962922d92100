/* SPDX-License-Identifier: MIT */
/* view_partition: the pager of a partitioned table's key table (docs/PROTOCOL.md,
 * Partitioned tables): Enter opens the constituent of the key on the cursor's row,
 * M the merged table, each in a pager of its own (a table like any other: sort,
 * filter, publish). The key row is named by its position in what the pager shows,
 * so a sorted or filtered key table picks the row the user sees. The key table,
 * the merge and a constituent are exports with no durable name: after a session
 * renewal they are asked for again from the partitioned table's durable source
 * (a constituent by its key's values, kept when it was opened). */
#include <stdio.h>
#include <stdlib.h>
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

/* The cursor row's key as one match per key column (isNull for a null), for
 * asking for its constituent again by value in a new session. 0, or -1 when a
 * key cell is not on hand (a hidden key column, a row still loading). */
static int key_values(struct table_view *v, struct dh_view_ops *out)
{
    struct dh_error err;
    const struct dh_schema *s = v->rows ? &v->rows->schema : NULL;
    for (size_t k = 0; s && k < v->part->n_keys; k++) {
        const char *col = v->part->key_columns[k];
        size_t shown = v->n_vis;
        for (size_t i = 0; i < v->n_vis; i++)
            if (v->vis[i] < s->n_fields && strcmp(s->fields[v->vis[i]].name, col) == 0)
                shown = i;
        struct dh_literal value;
        int is_null = 0;
        if (shown == v->n_vis || table_cell_literal(v, shown, &value, &is_null, &err) != DH_OK)
            return -1;
        int rc;
        if (is_null) {
            char text[300];
            snprintf(text, sizeof text, "isNull(%s)", col);
            rc = dh_view_ops_add_where(out, text, &err);
        } else {
            rc = dh_view_ops_add_match(out, col, 0, &value, &err);
        }
        free(value.s);
        if (rc != DH_OK)
            return -1;
    }
    return s && out->n == v->part->n_keys ? 0 : -1;
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
        app_open_partition(a, name, &v->part_source, v->part->unique_keys, NULL, 0, NULL);
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
    struct dh_view_ops match;
    dh_view_ops_init(&match);
    int have_key = key_values(v, &match) == 0;
    app_open_partition(a, name, &v->part_source, v->part->unique_keys, &v->source, v->cur,
                       have_key ? &match : NULL);
    dh_view_ops_reset(&match);
    return UR_HANDLED | UR_STATUS;
}

void table_partition_destroy(struct table_view *v, struct app *a)
{
    dh_view_ops_reset(&v->part_key);
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
    if (v->reopen == PART_REOPEN_KEYS)
        v->reopen_req = dh_client_fetch_again(a->client, &v->part_source.ticket);
    else if (v->reopen == PART_REOPEN_KEY) /* its row in the old keys means nothing now */
        v->reopen_req =
            dh_client_partition_get_key(a->client, &v->part_source, v->part_unique, &v->part_key);
    else
        v->reopen_req = dh_client_partition_merge(a->client, &v->part_source);
    return v->reopen_req != 0;
}

int table_partition_reopened(struct table_view *v, struct dh_fetched *f)
{
    if (v->reopen == PART_REOPEN_MERGED || v->reopen == PART_REOPEN_KEY)
        return f->kind == DH_KIND_TABLE ? 0 : -1;
    if (f->kind != DH_KIND_PARTITIONED || !f->partitioned)
        return -1;
    dh_partitioned_free(v->part);
    v->part = f->partitioned; /* its export is part_source's resolution in this epoch */
    f->partitioned = NULL;
    return 0;
}
