/* SPDX-License-Identifier: MIT */
/* dh_exports: session exports and shared tickets, mirroring pydeephaven's
 * publish / fetch (py/client/pydeephaven/session.py, _session_service.py):
 * ExportFromTicket, PublishFromTicket, Release, and ticket probes. */
#ifndef DH_EXPORTS_H
#define DH_EXPORTS_H

#include <stdint.h>

#include "dh_error.h"
#include "dh_ticket.h"

struct dh_session;

/* fetch(): copy src into a new session export (ExportFromTicket) and put its
 * ticket in *out ('e' + fresh id; caller releases it with dh_release). On
 * failure the id is released again (best effort) so the server keeps nothing,
 * and *out is empty. Any thread. */
int dh_export_from_ticket(struct dh_session *s, const struct dh_ticket *src, struct dh_ticket *out,
                          struct dh_error *err);

/* publish(): PublishFromTicket{source_id=src_export, result_id=dst}. src must be
 * one of this session's exports (the server refuses others with
 * FAILED_PRECONDITION; an existing dst gives ALREADY_EXISTS). Any thread. */
int dh_publish_from_ticket(struct dh_session *s, const struct dh_ticket *src_export,
                           const struct dh_ticket *dst, struct dh_error *err);

/* The whole publish flow for any object: export src (scope/app/shared ticket)
 * into this session, publish that export to a fresh random shared ticket.
 * On success *shared is the new shared ticket and *export_out the session
 * export that keeps it alive (release it to invalidate the shared ticket). On
 * failure the export is released and the outputs are untouched. Any thread. */
int dh_publish_object(struct dh_session *s, const struct dh_ticket *src, struct dh_ticket *shared,
                      struct dh_ticket *export_out, struct dh_error *err);

/* Release{id}: OK also when the export is already terminal. Any thread. */
int dh_release(struct dh_session *s, const struct dh_ticket *t, struct dh_error *err);

/* What a probe says about a ticket (a ticket we did not publish). */
enum dh_probe_result {
    DH_PROBE_VALID_TABLE = 0,
    DH_PROBE_VALID_OTHER, /* valid, not a table */
    DH_PROBE_NOT_FOUND,   /* NOT_FOUND: unknown, or collected */
    DH_PROBE_FAILED,      /* resolves to a released / failed export */
    DH_PROBE_ERROR,       /* could not tell (network, timeout): err says why */
};

/* Probe a ticket without creating anything on the server:
 * GetExportedTableCreationResponse(ticket) (docs/PROTOCOL.md, Detecting an invalid ticket).
 * OK -> VALID_TABLE (err cleared); FAILED_PRECONDITION "...not a table" ->
 * VALID_OTHER; NOT_FOUND -> NOT_FOUND; another FAILED_PRECONDITION (or a
 * reply with success=false) -> FAILED; anything else -> ERROR. Except for
 * VALID_TABLE, err (may be NULL) keeps the server's message. Any thread. */
enum dh_probe_result dh_probe_ticket(struct dh_session *s, const struct dh_ticket *t,
                                     struct dh_error *err);

#endif
