/* SPDX-License-Identifier: MIT */
/* test_session.c: authorization headers and the keep-alive's deadline rule and
 * retry back-off. */
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

static void test_retry_wait_doubles_to_cap(void)
{
    /* No jitter: 500, 1000, 2000, 4000, then the cap. */
    CHECK_INT(dh_retry_wait_ms(500, 5000, 1, 0.0), 500);
    CHECK_INT(dh_retry_wait_ms(500, 5000, 2, 0.0), 1000);
    CHECK_INT(dh_retry_wait_ms(500, 5000, 4, 0.0), 4000);
    CHECK_INT(dh_retry_wait_ms(500, 5000, 5, 0.0), 5000);
    CHECK_INT(dh_retry_wait_ms(500, 5000, 1000, 0.0), 5000);
    /* Full jitter halves the wait, never more; out-of-range jitter is clamped. */
    CHECK_INT(dh_retry_wait_ms(500, 5000, 5, 1.0), 2500);
    CHECK_INT(dh_retry_wait_ms(500, 5000, 5, 7.0), 2500);
    CHECK_INT(dh_retry_wait_ms(500, 5000, 5, -1.0), 5000);
    int64_t w = dh_retry_wait_ms(500, 5000, 3, 0.5);
    CHECK(w >= 1000 && w <= 2000);
    /* Degenerate arguments still wait. */
    CHECK(dh_retry_wait_ms(0, 0, 1, 0.0) >= 1);
}

static void test_keepalive_regular_refresh(void)
{
    /* No failure: refresh at half the duration after the last success. */
    CHECK_INT(dh_keepalive_wait_ms(1000, 1000, 300000, 0, 0.3), 150000);
    CHECK_INT(dh_keepalive_wait_ms(101000, 1000, 300000, 0, 0.3), 50000);
    CHECK_INT(dh_keepalive_wait_ms(200000, 1000, 300000, 0, 0.3), 0);
}

static void test_keepalive_retries_until_deadline(void)
{
    /* T = 300 s, last success at 0, link down from 150 s: the keep-alive keeps
     * trying with growing waits (0.5 .. 30 s cap), never gives up before 300 s,
     * and tries once more at the deadline itself. pydeephaven gave up ~11 s in. */
    int64_t now = 150000, last = 0;
    unsigned failures = 0;
    int64_t prev = 0, waits = 0;
    for (;;) {
        failures++;
        int64_t w = dh_keepalive_wait_ms(now, last, 300000, failures, 0.0);
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
        CHECK(waits < 1000);
    }
    CHECK_INT(now, 300000);
    CHECK(waits >= 8);
    /* The first retry comes quickly; the cap is duration/8 (30 s max). */
    CHECK_INT(dh_keepalive_wait_ms(150000, 0, 300000, 1, 0.0), 1000);
    CHECK_INT(dh_keepalive_wait_ms(150000, 0, 300000, 20, 0.0), 30000);
    CHECK_INT(dh_keepalive_wait_ms(150000, 0, 16000, 1, 0.0) , -1);
    /* A short session (2 s): waits of 100 ms growing to 250 ms, cut at the deadline. */
    CHECK_INT(dh_keepalive_wait_ms(1000, 0, 2000, 1, 0.0), 100);
    CHECK_INT(dh_keepalive_wait_ms(1000, 0, 2000, 9, 0.0), 250);
    CHECK_INT(dh_keepalive_wait_ms(1900, 0, 2000, 9, 0.0), 100);
    CHECK_INT(dh_keepalive_wait_ms(2000, 0, 2000, 9, 0.0), -1);
    /* A success moves the deadline: the same moment is fine again. */
    CHECK(dh_keepalive_wait_ms(2000, 1500, 2000, 1, 0.0) > 0);
}

static void test_keepalive_jitter_spreads(void)
{
    /* Jitter shortens a wait by at most half, never lengthens it. */
    for (int i = 0; i <= 10; i++) {
        int64_t w = dh_keepalive_wait_ms(150000, 0, 300000, 5, i / 10.0);
        CHECK(w >= 8000 && w <= 16000);
    }
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
              T(test_retry_wait_doubles_to_cap), T(test_keepalive_regular_refresh),
              T(test_keepalive_retries_until_deadline), T(test_keepalive_jitter_spreads),
              T(test_connect_refused));
}
