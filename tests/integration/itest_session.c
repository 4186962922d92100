/* SPDX-License-Identifier: MIT */
/* itest_session.c: session expiry against a demo server started with a short
 * http.session.durationMs. A session that does not refresh expires on the
 * server; one with the keep-alive outlives several durations.
 * Usage: itest_session PORT DURATION_MS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dh_objects.h"
#include "dh_session.h"

static int g_port;
static int64_t g_duration;

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct dh_session *open_session(void)
{
    struct dh_connect_options o = {.host = "127.0.0.1", .port = g_port};
    struct dh_error e;
    struct dh_session *s = dh_session_connect(&o, &e);
    if (!s)
        fprintf(stderr, "connect: %s\n", e.msg);
    return s;
}

static void test_config_reports_duration(void)
{
    struct dh_session *s = open_session();
    CHECK_REQ(s != NULL);
    CHECK_INT(dh_session_duration_ms(s), g_duration);
    char buf[64];
    CHECK_INT(dh_session_config(s, "http.session.durationMs", buf, sizeof buf), DH_OK);
    CHECK_INT(dh_session_config(s, "no.such.key", buf, sizeof buf), DH_EINVAL);
    CHECK_INT(dh_session_next_export_id(s), 1);
    CHECK_INT(dh_session_next_export_id(s), 2);
    dh_session_free(s);
}

static void test_idle_session_expires(void)
{
    struct dh_session *s = open_session();
    CHECK_REQ(s != NULL);
    sleep_ms(g_duration + g_duration / 2);
    struct dh_error e;
    dh_error_clear(&e);
    CHECK_INT(dh_session_refresh(s, &e), DH_EGRPC);
    CHECK_INT(e.grpc_status, DH_GRPC_UNAUTHENTICATED);
    CHECK(strstr(e.msg, "UNAUTHENTICATED") != NULL);
    struct dh_object_list *l = NULL;
    CHECK(dh_objects_list(s, &l, &e) != DH_OK);
    dh_object_list_free(l);
    dh_session_free(s);
}

static void test_keepalive_keeps_session(void)
{
    struct dh_session *s = open_session();
    CHECK_REQ(s != NULL);
    char before[600], after[600];
    CHECK_INT(dh_session_start_keepalive(s, NULL), DH_OK);
    dh_bearer_get(dh_session_bearer(s), before, sizeof before);
    sleep_ms(3 * g_duration);
    CHECK_INT(dh_session_state(s, NULL), DH_SESSION_OK);
    struct dh_error e;
    struct dh_object_list *l = NULL;
    CHECK_INT(dh_objects_list(s, &l, &e), DH_OK);
    CHECK(l && l->n >= 7);
    dh_object_list_free(l);
    /* The server rotates the token after duration/5 (SessionService.refreshToken);
     * the keep-alive adopted the new one. */
    dh_bearer_get(dh_session_bearer(s), after, sizeof after);
    CHECK(strncmp(after, "Bearer ", 7) == 0);
    CHECK(strcmp(before, after) != 0);
    CHECK(dh_bearer_generation(dh_session_bearer(s)) >= 1);
    dh_session_free(s);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: itest_session PORT DURATION_MS\n");
        return 2;
    }
    g_port = atoi(argv[1]);
    g_duration = atoll(argv[2]);
    CHECK_RUN(T(test_config_reports_duration), T(test_idle_session_expires),
              T(test_keepalive_keeps_session));
}
