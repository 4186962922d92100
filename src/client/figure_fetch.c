/* SPDX-License-Identifier: MIT */
/* figure_fetch.c: dh_figure_fetch: a figure object's first message through
 * ObjectService.MessageStream, decoded as a FigureDescriptor (figure.c) or,
 * when the server names the object a plot-express figure, as its JSON document
 * (express.c); then plot_by's partitioned tables (figure_by.c). */
#include "dh_figure.h"

#include <stdio.h>
#include <string.h>

#include "dh_exports.h"
#include "dh_express.h"
#include "dh_object_stream.h"

/* Read every partitioned table the figure references; a failure becomes a
 * line in f->errors (its series then say they have no data). DH_ENOMEM. */
static int read_partitioned_all(struct dh_session *s, struct dh_figure *f, struct dh_error *err)
{
    for (size_t i = 0; i < f->n_partitioned; i++) {
        struct dh_error e;
        dh_error_clear(&e);
        if (dh_figure_read_partitioned(s, &f->partitioned[i], &e) == DH_OK)
            continue;
        char msg[DH_ERROR_MSG_MAX + 64];
        snprintf(msg, sizeof msg, "partitioned table %zu: %s", i + 1, e.msg);
        if (dh_figure_add_error(f, msg) != DH_OK)
            return dh_error_set(err, DH_ENOMEM, "out of memory while reading a figure");
    }
    return DH_OK;
}

int dh_figure_fetch(struct dh_session *s, const struct dh_ticket *t, struct dh_figure **out,
                    struct dh_error *err)
{
    *out = NULL;
    struct dh_object_reply r = {0};
    struct dh_figure *f = NULL;
    struct dh_error e; /* local: the status code is needed even when err is NULL */
    dh_error_clear(&e);
    int rc = dh_object_stream_fetch(s, t, "Figure", &r, &e);
    char type[128];
    if (rc != DH_OK && r.n_refs == 0 && dh_error_object_type(&e, type, sizeof type) &&
        strcmp(type, DH_EXPRESS_TYPE) == 0) {
        /* A plot-express figure: the same model from its JSON document. */
        dh_error_clear(&e);
        rc = dh_object_stream_fetch(s, t, DH_EXPRESS_TYPE, &r, &e);
        if (rc == DH_OK)
            rc = dh_express_decode(r.payload, r.payload_len, &f, &e);
    } else if (rc == DH_OK) {
        rc = dh_figure_decode(r.payload, r.payload_len, &f, &e);
    }
    if (rc == DH_OK)
        rc = dh_figure_attach_refs(f, r.refs, (const char *const *)r.types, r.n_refs, &e);
    if (rc == DH_OK)
        rc = read_partitioned_all(s, f, &e);
    if (err)
        *err = e;
    if (rc != DH_OK) {
        /* Leave nothing behind on the server: release what it exported to us. */
        dh_object_reply_release(s, &r);
        for (size_t i = 0; f && i < f->n_partitioned; i++)
            if (f->partitioned[i].merged.len)
                dh_release(s, &f->partitioned[i].merged, NULL);
        dh_figure_free(f);
        dh_object_reply_reset(&r);
        return rc;
    }
    dh_object_reply_reset(&r);
    *out = f;
    return DH_OK;
}
