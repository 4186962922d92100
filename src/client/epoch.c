/* SPDX-License-Identifier: MIT */
/* epoch.c: the source -> export table keyed by session epoch (see dh_epoch.h). */
#include "dh_epoch.h"

#include <string.h>

int dh_source_durable(const struct dh_source *src)
{
    return src->ticket.len > 0 && dh_ticket_kind(&src->ticket) != DH_TICKET_EXPORT;
}

void dh_epoch_cache_init(struct dh_epoch_cache *c)
{
    memset(c, 0, sizeof *c);
}

static void remove_at(struct dh_epoch_cache *c, size_t i)
{
    c->items[i] = c->items[c->n - 1];
    c->n--;
}

/* Drop resolutions made in other epochs. */
static void retire_others(struct dh_epoch_cache *c, uint64_t epoch)
{
    for (size_t i = c->n; i-- > 0;)
        if (c->items[i].epoch != epoch)
            remove_at(c, i);
}

static struct dh_epoch_entry *find(struct dh_epoch_cache *c, const struct dh_ticket *source)
{
    for (size_t i = 0; i < c->n; i++)
        if (dh_ticket_equal(&c->items[i].source, source))
            return &c->items[i];
    return NULL;
}

enum dh_resolve dh_epoch_resolve(struct dh_epoch_cache *c, const struct dh_source *src,
                                 uint64_t epoch, struct dh_ticket *export_ticket)
{
    retire_others(c, epoch);
    if (!dh_source_durable(src)) {
        if (src->epoch != epoch || src->ticket.len == 0)
            return DH_RESOLVE_STALE;
        *export_ticket = src->ticket;
        return DH_RESOLVE_DIRECT;
    }
    struct dh_epoch_entry *e = find(c, &src->ticket);
    if (!e)
        return DH_RESOLVE_NEEDED;
    e->used = ++c->clock;
    *export_ticket = e->export_ticket;
    return DH_RESOLVE_CACHED;
}

int dh_epoch_put(struct dh_epoch_cache *c, const struct dh_ticket *source, uint64_t epoch,
                 const struct dh_ticket *export_ticket, struct dh_ticket *release)
{
    retire_others(c, epoch);
    struct dh_epoch_entry *e = find(c, source);
    int released = 0;
    if (e) {
        if (!dh_ticket_equal(&e->export_ticket, export_ticket)) {
            *release = e->export_ticket; /* superseded */
            released = 1;
        }
    } else {
        if (c->n == DH_EPOCH_CACHE_MAX) {
            size_t lru = 0;
            for (size_t i = 1; i < c->n; i++)
                if (c->items[i].used < c->items[lru].used)
                    lru = i;
            *release = c->items[lru].export_ticket;
            released = 1;
            remove_at(c, lru);
        }
        e = &c->items[c->n++];
        e->source = *source;
    }
    e->export_ticket = *export_ticket;
    e->epoch = epoch;
    e->used = ++c->clock;
    return released;
}

int dh_epoch_forget(struct dh_epoch_cache *c, const struct dh_ticket *source, uint64_t epoch,
                    struct dh_ticket *release)
{
    for (size_t i = 0; i < c->n; i++) {
        if (!dh_ticket_equal(&c->items[i].source, source))
            continue;
        int mine = c->items[i].epoch == epoch;
        if (mine)
            *release = c->items[i].export_ticket;
        remove_at(c, i);
        return mine;
    }
    return 0;
}
