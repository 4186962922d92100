/* SPDX-License-Identifier: MIT */
/* test_session.c: authorization headers and pydeephaven's refresh back-off. */
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

static void test_backoff_default_duration(void)
{
    /* T = 300 s, skew 0.5: [0.6, 1.5, 10.5]; 0.25*T = 75 >= 10.5, so no extension. */
    int64_t b[8];
    size_t n = dh_refresh_backoff(300000, 0.5, b, 8);
    CHECK_INT(n, 3);
    CHECK_INT(b[0], 600);
    CHECK_INT(b[1], 1500);
    CHECK_INT(b[2], 10500);
}

static void test_backoff_short_duration(void)
{
    /* T = 20 s, skew 0: [0.1, 1, 10] + [5, 7, 9] (0.25*T = 5 < 10), none > T. */
    int64_t b[8];
    size_t n = dh_refresh_backoff(20000, 0.0, b, 8);
    CHECK_INT(n, 6);
    CHECK_INT(b[2], 10000);
    CHECK_INT(b[3], 5000);
    CHECK_INT(b[4], 7000);
    CHECK_INT(b[5], 9000);
    /* T = 4 s: 10 > 4 cuts the list at index 2. */
    n = dh_refresh_backoff(4000, 0.0, b, 8);
    CHECK_INT(n, 2);
    CHECK_INT(b[1], 1000);
    /* The cap is respected. */
    CHECK_INT(dh_refresh_backoff(20000, 0.0, b, 2), 2);
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
              T(test_backoff_default_duration), T(test_backoff_short_duration),
              T(test_connect_refused));
}
