/* SPDX-License-Identifier: MIT */
/* cancel: a mutex-guarded switch and the stream running under it (dh_cancel.h). */
#include "dh_cancel.h"

#include <pthread.h>
#include <stdlib.h>

#include "dh_error.h"
#include "dh_transport.h"

struct dh_cancel {
    pthread_mutex_t mu;
    int fired;
    struct dh_stream *running[DH_CANCEL_STREAMS]; /* attached, not owned; NULL: free */
};

struct dh_cancel *dh_cancel_new(void)
{
    struct dh_cancel *c = calloc(1, sizeof *c);
    if (c && pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void dh_cancel_free(struct dh_cancel *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* dh_stream_cancel only asks gRPC to cancel (grpc_call_cancel never blocks), so it is
 * called with the mutex held: the stream cannot be detached and freed meanwhile. */
void dh_cancel_fire(struct dh_cancel *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->fired = 1;
    for (int i = 0; i < DH_CANCEL_STREAMS; i++)
        dh_stream_cancel(c->running[i]); /* NULL-safe */
    pthread_mutex_unlock(&c->mu);
}

void dh_cancel_reset(struct dh_cancel *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->fired = 0;
    pthread_mutex_unlock(&c->mu);
}

int dh_cancel_fired(struct dh_cancel *c)
{
    if (!c)
        return 0;
    pthread_mutex_lock(&c->mu);
    int fired = c->fired;
    pthread_mutex_unlock(&c->mu);
    return fired;
}

int dh_cancel_attach(struct dh_cancel *c, struct dh_stream *s, struct dh_error *err)
{
    if (!c)
        return DH_OK;
    pthread_mutex_lock(&c->mu);
    int i = 0;
    while (i < DH_CANCEL_STREAMS && c->running[i])
        i++;
    int rc = c->fired ? DH_ECANCELLED : i == DH_CANCEL_STREAMS ? DH_ENOMEM : DH_OK;
    if (rc == DH_OK)
        c->running[i] = s;
    else
        dh_stream_cancel(s); /* never a call that cannot be cancelled */
    pthread_mutex_unlock(&c->mu);
    if (rc == DH_ECANCELLED)
        return dh_error_set(err, rc, "cancelled");
    if (rc != DH_OK)
        return dh_error_set(err, rc, "more than %d calls under one cancel switch",
                            DH_CANCEL_STREAMS);
    return DH_OK;
}

void dh_cancel_detach(struct dh_cancel *c, struct dh_stream *s)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < DH_CANCEL_STREAMS; i++)
        if (c->running[i] == s)
            c->running[i] = NULL;
    pthread_mutex_unlock(&c->mu);
}
