/* SPDX-License-Identifier: MIT */
/* test_session.c: authorization headers and the keep-alive's deadline rule and
 * its retry back-off. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_session.h"

static void test_auth_anonymous(void)
{
    char buf[256];
    struct dh_connect_options o = {0};
    CHECK_INT(dh_auth_header(&o, buf, sizeof buf, NULL), DH_OK);
    CHECK_STR(buf, "Anonymous");
    o.auth_type = "Anonymous";
    o.auth_value = "x";
    CHECK_INT(dh_auth_header(&o, buf, sizeof buf, NULL), DH_EINVAL);
}

static void test_auth_basic(void)
{
    char buf[256];
    struct dh_connect_options o = {.auth_type = "Basic", .auth_value = "user:password"};
    CHECK_INT(dh_auth_header(&o, buf, sizeof buf, NULL), DH_OK);
    /* base64("user:password") */
    CHECK_STR(buf, "Basic dXNlcjpwYXNzd29yZA==");
    struct dh_error e;
    o.auth_value = "nocolon";
    CHECK_INT(dh_auth_header(&o, buf, sizeof buf, &e), DH_EINVAL);
    CHECK(strstr(e.msg, "user:password") != NULL);
}

static void test_auth_psk_and_other(void)
{
    char buf[256];
    struct dh_connect_options o = {.auth_type = "psk", .auth_value = "secret"};
    CHECK_INT(dh_auth_header(&o, buf, sizeof buf, NULL), DH_OK);
    CHECK_STR(buf, "io.deephaven.authentication.psk.PskAuthenticationHandler secret");
    o.auth_type = "com.example.Handler";
    o.auth_value = "k v";
    CHECK_INT(dh_auth_header(&o, buf, sizeof buf, NULL), DH_OK);
    CHECK_STR(buf, "com.example.Handler k v");
    o.auth_type = "bad type";
    CHECK_INT(dh_auth_header(&o, buf, sizeof buf, NULL), DH_EINVAL);
    char tiny[8];
    o.auth_type = "psk";
    CHECK_INT(dh_auth_header(&o, tiny, sizeof tiny, NULL), DH_EINVAL);
}

/* Credentials up to DH_CREDENTIAL_MAX bytes (OIDC tokens are 1-16 KB) make a
 * header; one byte more is refused, saying both sizes. A bearer keeps a
 * 64 KB header whole. */
static void test_auth_long_credentials(void)
{
    char *value = malloc(DH_CREDENTIAL_MAX + 2);
    char *buf = malloc(DH_AUTH_HEADER_MAX);
    CHECK_REQ(value && buf);
    memset(value, 'k', DH_CREDENTIAL_MAX);
    value[DH_CREDENTIAL_MAX] = '\0';
    struct dh_connect_options o = {.auth_type = "psk", .auth_value = value};
    CHECK_INT(dh_auth_header(&o, buf, DH_AUTH_HEADER_MAX, NULL), DH_OK);
    CHECK_INT(strlen(buf), strlen("io.deephaven.authentication.psk.PskAuthenticationHandler ") +
                               DH_CREDENTIAL_MAX);
    value[0] = 'u';
    value[1] = ':';
    o.auth_type = "Basic";
    CHECK_INT(dh_auth_header(&o, buf, DH_AUTH_HEADER_MAX, NULL), DH_OK);
    CHECK_INT(strlen(buf), strlen("Basic ") + (DH_CREDENTIAL_MAX + 2) / 3 * 4);
    struct dh_bearer *b = dh_bearer_new(buf);
    CHECK_REQ(b);
    char *back = dh_bearer_dup(b);
    CHECK(back && strcmp(back, buf) == 0);
    free(back);
    dh_bearer_free(b);
    strcat(value, "k");
    struct dh_error e;
    CHECK_INT(dh_auth_header(&o, buf, DH_AUTH_HEADER_MAX, &e), DH_EINVAL);
    CHECK(strstr(e.msg, "65537 bytes; at most 65536") != NULL);
    free(value);
    free(buf);
}

/* A keep-alive back-off for duration T after n failures at now, no jitter. */
static struct dh_backoff failed(int64_t duration, unsigned n, int64_t now)
{
    struct dh_backoff b;
    dh_keepalive_backoff_init(&b, duration, 0, 1);
    for (unsigned i = 0; i < n; i++)
        dh_backoff_fail(&b, now);
    return b;
}

static void test_keepalive_regular_refresh(void)
{
    /* No failure: refresh at half the duration after the last success. */
    struct dh_backoff b = failed(300000, 0, 0);
    CHECK_INT(dh_keepalive_wait_ms(1000, 1000, 300000, &b), 150000);
    CHECK_INT(dh_keepalive_wait_ms(101000, 1000, 300000, &b), 50000);
    CHECK_INT(dh_keepalive_wait_ms(200000, 1000, 300000, &b), 0);
}

static void test_keepalive_retries_until_deadline(void)
{
    /* T = 300 s, last success at 0, link down from 150 s: the keep-alive keeps
     * trying with growing waits (1 .. 30 s cap), never gives up before 300 s,
     * and tries once more at the deadline itself. pydeephaven gave up ~11 s in. */
    struct dh_backoff b;
    dh_keepalive_backoff_init(&b, 300000, 0, 1);
    int64_t now = 150000, prev = 0, waits = 0;
    for (;;) {
        dh_backoff_fail(&b, now);
        int64_t w = dh_keepalive_wait_ms(now, 0, 300000, &b);
        if (w < 0)
            break;
        CHECK(w > 0);
        CHECK(w <= 30000);
        CHECK(now + w <= 300000);
        if (now + w < 300000)
            CHECK(w >= prev);
        prev = w;
        now += w;
        waits++;
        CHECK_REQ(waits < 1000);
    }
    CHECK_INT(now, 300000);
    CHECK(waits >= 8);
    /* The first retry comes quickly; the cap is duration/8 (30 s at most). */
    b = failed(300000, 1, 150000);
    CHECK_INT(dh_keepalive_wait_ms(150000, 0, 300000, &b), 1000);
    b = failed(300000, 20, 150000);
    CHECK_INT(dh_keepalive_wait_ms(150000, 0, 300000, &b), 30000);
    b = failed(16000, 1, 150000);
    CHECK_INT(dh_keepalive_wait_ms(150000, 0, 16000, &b), -1);
    /* A short session (2 s): waits of 100 ms growing to 250 ms, cut at the deadline. */
    b = failed(2000, 1, 1000);
    CHECK_INT(dh_keepalive_wait_ms(1000, 0, 2000, &b), 100);
    b = failed(2000, 9, 1000);
    CHECK_INT(dh_keepalive_wait_ms(1000, 0, 2000, &b), 250);
    b = failed(2000, 9, 1900);
    CHECK_INT(dh_keepalive_wait_ms(1900, 0, 2000, &b), 100);
    CHECK_INT(dh_keepalive_wait_ms(2000, 0, 2000, &b), -1);
    /* A success moves the deadline: the same moment is fine again. */
    b = failed(2000, 1, 2000);
    CHECK(dh_keepalive_wait_ms(2000, 1500, 2000, &b) > 0);
}

static void test_keepalive_jitter_spreads(void)
{
    /* Half jitter shortens a wait by at most half, never lengthens it, and
     * the waits differ. */
    int64_t lo = INT64_MAX, hi = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct dh_backoff b;
        dh_keepalive_backoff_init(&b, 300000, 50, seed);
        for (int i = 0; i < 5; i++)
            dh_backoff_fail(&b, 150000);
        int64_t w = dh_keepalive_wait_ms(150000, 0, 300000, &b);
        CHECK(w >= 8000 && w <= 16000);
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    CHECK(lo < hi);
}

static void test_connect_refused(void)
{
    /* Port 1 on loopback: nothing listens; the error says so in one line. */
    struct dh_connect_options o = {.host = "127.0.0.1", .port = 1, .connect_timeout_ms = 3000};
    struct dh_error e;
    dh_error_clear(&e);
    struct dh_session *s = dh_session_connect(&o, &e);
    CHECK(s == NULL);
    CHECK_INT(e.code, DH_EGRPC);
    CHECK(strstr(e.msg, "connect to 127.0.0.1:1") != NULL);
    CHECK(strchr(e.msg, '\n') == NULL);
    dh_session_free(s);
}

int main(void)
{
    CHECK_RUN(T(test_auth_anonymous), T(test_auth_basic), T(test_auth_psk_and_other),
              T(test_auth_long_credentials), T(test_keepalive_regular_refresh),
              T(test_keepalive_retries_until_deadline), T(test_keepalive_jitter_spreads),
              T(test_connect_refused));
}
