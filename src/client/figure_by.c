/* SPDX-License-Identifier: MIT */
/* figure_by.c: what a plot_by figure needs of its partitioned tables, through
 * dh_partitioned: the key column names (the object's descriptor; its
 * underlying table is released unread) and the merged table, which the
 * figure view splits into a series per key. Upstream's web client
 * (JsMultiSeries) asks GetTable per key instead; one merged read costs one
 * call and one snapshot whatever the number of keys. */
#include "dh_figure.h"

#include <stdlib.h>
#include <string.h>

#include "dh_partitioned.h"
#include "dh_session.h"

/* Copy d's key column names into p (replacing any). DH_ENOMEM. */
static int take_keys(struct dh_figure_partitioned *p, const struct dh_partitioned *d,
                     struct dh_error *err)
{
    char **keys = d->n_keys ? calloc(d->n_keys, sizeof *keys) : NULL;
    int rc = d->n_keys && !keys ? DH_ENOMEM : DH_OK;
    for (size_t i = 0; rc == DH_OK && i < d->n_keys; i++) {
        size_t n = strlen(d->key_columns[i]) + 1;
        if (!(keys[i] = malloc(n)))
            rc = DH_ENOMEM;
        else
            memcpy(keys[i], d->key_columns[i], n);
    }
    if (rc != DH_OK) {
        for (size_t i = 0; keys && i < d->n_keys; i++)
            free(keys[i]);
        free(keys);
        return dh_error_set(err, DH_ENOMEM, "out of memory reading a partitioned table");
    }
    for (size_t i = 0; i < p->n_keys; i++)
        free(p->keys[i]);
    free(p->keys);
    p->keys = keys;
    p->n_keys = d->n_keys;
    return DH_OK;
}

int dh_figure_read_partitioned(struct dh_session *s, struct dh_figure_partitioned *p,
                               struct dh_error *err)
{
    if (p->ticket.len == 0)
        return dh_error_set(err, DH_EINVAL, "the server sent no ticket for it");
    struct dh_partitioned *d = NULL;
    int rc = dh_partitioned_fetch(s, &p->ticket, &d, err);
    if (rc != DH_OK)
        return rc;
    dh_partitioned_release(s, d);
    rc = take_keys(p, d, err);
    dh_partitioned_free(d);
    if (rc != DH_OK)
        return rc;
    struct dh_ticket out;
    dh_ticket_make_export(&out, dh_session_next_export_id(s));
    struct dh_table_info info;
    memset(&info, 0, sizeof info);
    rc = dh_partitioned_merge(s, &p->ticket, &out, &info, err);
    if (rc != DH_OK)
        return rc; /* nothing is left on the server */
    dh_table_info_reset(&info);
    p->merged = out;
    return DH_OK;
}
