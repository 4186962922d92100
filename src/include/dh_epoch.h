/* SPDX-License-Identifier: MIT */
/* dh_epoch: which session epoch an export belongs to. Export ids are numbered
 * per session and restart when the session is renewed, so an export ticket
 * means nothing outside the session (the epoch) it was made in. Views name a
 * durable SOURCE instead (a scope, application or shared ticket, valid in any
 * session) and the client resolves it to an export of the current epoch with
 * ExportFromTicket; this table remembers those resolutions, keyed by source and
 * epoch, and decides what may be sent in which epoch. Pure (no network, no
 * threads): the client serialises access and makes the calls it asks for. */
#ifndef DH_EPOCH_H
#define DH_EPOCH_H

#include <stddef.h>
#include <stdint.h>

#include "dh_ticket.h"

/* What a view reads through. */
struct dh_source {
    struct dh_ticket ticket; /* durable (scope, application, shared) or an export */
    uint64_t epoch;          /* for an export ticket: the epoch it was made in */
};

/* 1 if the source stays valid across sessions (not an export ticket). */
int dh_source_durable(const struct dh_source *src);

/* How a source maps to an export in an epoch. */
enum dh_resolve {
    DH_RESOLVE_CACHED = 1, /* *export: an export of this epoch made for the source */
    DH_RESOLVE_DIRECT,     /* *export: the source is itself an export of this epoch */
    DH_RESOLVE_NEEDED,     /* durable and not yet resolved: ExportFromTicket, then _put */
    DH_RESOLVE_STALE,      /* an export from another epoch: must never be sent */
};

#define DH_EPOCH_CACHE_MAX 16

struct dh_epoch_entry {
    struct dh_ticket source;
    struct dh_ticket export_ticket;
    uint64_t epoch;
    uint64_t used; /* for least-recently-used eviction */
};

/* Resolutions, at most DH_EPOCH_CACHE_MAX. Zero it (or _init) before use. */
struct dh_epoch_cache {
    struct dh_epoch_entry items[DH_EPOCH_CACHE_MAX];
    size_t n;
    uint64_t clock;
};

void dh_epoch_cache_init(struct dh_epoch_cache *c);

/* Resolve src in epoch. Entries of other epochs are dropped first (their
 * session is gone, and the server released their exports with it). */
enum dh_resolve dh_epoch_resolve(struct dh_epoch_cache *c, const struct dh_source *src,
                                 uint64_t epoch, struct dh_ticket *export_ticket);

/* Remember that source resolved to export_ticket in epoch. Returns 1 and sets
 * *release when an export of this epoch is no longer referenced (the source's
 * previous export, or the least recently used entry pushed out): the caller
 * releases it on the server. */
int dh_epoch_put(struct dh_epoch_cache *c, const struct dh_ticket *source, uint64_t epoch,
                 const struct dh_ticket *export_ticket, struct dh_ticket *release);

/* Forget source's resolution (the view closed, or the server no longer knows
 * the export). Returns 1 and sets *release when it was an export of epoch. */
int dh_epoch_forget(struct dh_epoch_cache *c, const struct dh_ticket *source, uint64_t epoch,
                    struct dh_ticket *release);

#endif
