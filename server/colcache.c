/* SPDX-License-Identifier: MIT */
/* colcache.c: whole bulk columns, generated once. */
#include "colcache.h"

#include <pthread.h>
#include <stdlib.h>

struct demo_colcache {
    pthread_mutex_t mu;
    size_t ncols;
    uint8_t **vals; /* ncols entries, NULL until generated */
};

struct demo_colcache *demo_colcache_new(size_t ncols)
{
    struct demo_colcache *cc = calloc(1, sizeof *cc);
    if (cc)
        cc->vals = calloc(ncols ? ncols : 1, sizeof *cc->vals);
    if (!cc || !cc->vals) {
        free(cc);
        return NULL;
    }
    cc->ncols = ncols;
    pthread_mutex_init(&cc->mu, NULL);
    return cc;
}

void demo_colcache_free(struct demo_colcache *cc)
{
    if (!cc)
        return;
    for (size_t c = 0; c < cc->ncols; c++)
        free(cc->vals[c]);
    free(cc->vals);
    pthread_mutex_destroy(&cc->mu);
    free(cc);
}

/* Generate a whole column in slices (demo_table_column wants the rows listed). */
static uint8_t *generate(size_t col, int64_t rows, size_t w, demo_colcache_fill_fn fill,
                         const void *ctx)
{
    enum { SLICE = 4096 };
    uint8_t *out = malloc((size_t)(rows > 0 ? rows : 1) * w);
    int64_t *ids = malloc(SLICE * sizeof *ids);
    if (!out || !ids) {
        free(out);
        free(ids);
        return NULL;
    }
    for (int64_t r0 = 0; r0 < rows; r0 += SLICE) {
        size_t m = rows - r0 < SLICE ? (size_t)(rows - r0) : SLICE;
        for (size_t i = 0; i < m; i++)
            ids[i] = r0 + (int64_t)i;
        fill(ctx, col, ids, m, out + (size_t)r0 * w);
    }
    free(ids);
    return out;
}

const uint8_t *demo_colcache_get(struct demo_colcache *cc, size_t col, int64_t rows, size_t width,
                                 demo_colcache_fill_fn fill, const void *ctx)
{
    if (!cc || col >= cc->ncols)
        return NULL;
    pthread_mutex_lock(&cc->mu);
    if (!cc->vals[col])
        cc->vals[col] = generate(col, rows, width, fill, ctx);
    const uint8_t *v = cc->vals[col];
    pthread_mutex_unlock(&cc->mu);
    return v;
}
