/* SPDX-License-Identifier: MIT */
/* fuzz_objects.c: libFuzzer target for the ListFields object model: a sequence
 * of packed FieldsChangeUpdate messages (each a little-endian u32 length and
 * its bytes) through dh_objects_apply, then dh_objects_snapshot, checking the
 * model's invariants (sorted, tickets unique and valid, malformed input changes
 * nothing) and that every string sanitises safely for display. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dh_objects.h"
#include "dh_text.h"
#include "fuzzcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check the snapshot: order, ticket uniqueness and validity, find and copy. */
static void check_snapshot(const struct dh_object_list *l, size_t expect, unsigned flags)
{
    if (l->n != expect)
        __builtin_trap();
    for (size_t i = 0; i < l->n; i++) {
        const struct dh_object *o = &l->items[i];
        if (!o->name || !o->type || !o->description || !o->app_name || !o->app_id)
            __builtin_trap();
        /* An object dhtui cannot use is listed with the reason and an empty ticket. */
        if (o->unusable ? o->ticket.len != 0 || !o->unusable[0]
                        : o->ticket.len == 0 || o->ticket.len > DH_TICKET_MAX)
            __builtin_trap();
        if (i > 0) {
            const struct dh_object *prev = &l->items[i - 1];
            int c = strcmp(prev->name, o->name);
            if (c > 0 || (c == 0 && strcmp(prev->app_id, o->app_id) > 0))
                __builtin_trap(); /* not sorted by name, then application id */
        }
        for (size_t j = 0; j < i && l->n <= 256; j++) {
            const struct dh_object *other = &l->items[j];
            if (!o->unusable && !other->unusable && dh_ticket_equal(&other->ticket, &o->ticket))
                __builtin_trap(); /* the model is keyed by ticket */
            if (o->unusable && other->unusable && strcmp(other->name, o->name) == 0 &&
                strcmp(other->app_id, o->app_id) == 0)
                __builtin_trap(); /* ... or, without one, by name and application */
        }
        const struct dh_object *found = dh_object_list_find(l, o->name);
        if (!found || found > o || strcmp(found->name, o->name) != 0)
            __builtin_trap();
        struct dh_object copy;
        if (dh_object_copy(&copy, o) == DH_OK) {
            if (strcmp(copy.name, o->name) != 0 || !dh_ticket_equal(&copy.ticket, &o->ticket))
                __builtin_trap();
            dh_object_reset(&copy);
        }
        if (i < 64) {
            fc_check_sanitize(o->name, strlen(o->name), flags + (unsigned)i);
            fc_check_sanitize(o->type, strlen(o->type), flags + (unsigned)i + 1);
            fc_check_sanitize(o->description, strlen(o->description), flags + (unsigned)i + 2);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dh_objects *m = dh_objects_new();
    if (!m)
        return 0;
    size_t at = 0;
    const uint8_t *p;
    size_t n;
    unsigned k = 0;
    while (fc_next_chunk(data, size, &at, &p, &n)) {
        size_t before = dh_objects_count(m);
        struct dh_error err;
        int rc = dh_objects_apply(m, p, n, &err);
        if (rc == DH_EINVAL && dh_objects_count(m) != before)
            __builtin_trap(); /* a message that does not decode changes nothing */
        if (rc != DH_OK && rc != DH_EINVAL && rc != DH_ENOMEM)
            __builtin_trap();
        if ((k++ & 3) == 0) { /* snapshots between messages, as the watch takes them */
            struct dh_object_list *l = dh_objects_snapshot(m);
            if (l)
                check_snapshot(l, dh_objects_count(m), k);
            dh_object_list_free(l);
        }
    }
    struct dh_object_list *l = dh_objects_snapshot(m);
    if (l)
        check_snapshot(l, dh_objects_count(m), (unsigned)size);
    dh_object_list_free(l);
    dh_objects_free(m);
    return 0;
}
