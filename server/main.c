/* SPDX-License-Identifier: MIT */
/* main: dhtui-demo-server's options, startup, stdin control channel and clean shutdown. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "fields.h"
#include "handlers.h"
#include "registry.h"
#include "rollup.h"
#include "rpc_server.h"
#include "sessions.h"

#define DEFAULT_ROWS 1000000
#define DEFAULT_DURATION_MS 300000 /* http.session.durationMs in dh-defaults.prop */
#define MIN_DURATION_MS 1000
#define CONTROL_LINE_MAX 4096
#define PEM_FILE_MAX (1024 * 1024)

struct options {
    int port;
    const char *psk;
    int64_t rows;
    int64_t duration_ms;
    int quiet;
    int samples;          /* --samples: list the sample objects (dhtui --demo) */
    const char *tls_cert; /* PEM file names; NULL: plaintext */
    const char *tls_key;
    const char *tls_client_ca;
};

/* State shared by the main, housekeeping and control threads. */
struct server {
    struct demo_app app;
    struct demo_rpc_server *rpc; /* set before the control thread starts */
    pthread_mutex_t ctl_lock;    /* held while a control command runs */
    int ctl_dead;                /* set by main before freeing: the control thread must stop */
    atomic_int housekeeping_stop;
};

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: dhtui-demo-server [--port N] [--psk KEY] [--rows N]\n"
        "                         [--session-duration-ms MS] [--quiet] [--help]\n"
        "                         [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]\n"
        "\n"
        "A small Deephaven-protocol server with sample data (gRPC on 127.0.0.1; plaintext\n"
        "unless --tls-cert and --tls-key are given).\n"
        "  --port N                 listen on port N (0 = pick a free port; default 10000)\n"
        "  --psk KEY                accept only the pre-shared key KEY, sent as\n"
        "                           io.deephaven.authentication.psk.PskAuthenticationHandler KEY;\n"
        "                           without --psk, Anonymous authentication is accepted\n"
        "  --rows N                 rows of the `trades` table (default %d)\n"
        "  --session-duration-ms MS session lifetime after the last token rotation\n"
        "                           (http.session.durationMs, default %d, minimum %d)\n"
        "  --quiet                  no log lines on stderr\n"
        "  --samples                also list a sample of every other kind of object a\n"
        "                           server may hold (dhtui --demo passes it)\n"
        "  --tls-cert FILE          serve TLS with this certificate chain (PEM)...\n"
        "  --tls-key FILE           ...and its private key (PEM); both or neither\n"
        "  --tls-client-ca FILE     with TLS: require a client certificate signed by one of\n"
        "                           these roots (PEM)\n"
        "\n"
        "Prints `listening on 127.0.0.1:<port>` once ready. Control commands on stdin, one\n"
        "per line, one reply line each: add NAME [TYPE [LIKE]] (TYPE: Table, Figure, churn,\n"
        "PartitionedTable, rollup, odd_types, or any other name), add-hex HEXBYTES [TIMES]\n"
        "(a table named by those bytes, repeated), remove NAME, stats, expire-all, stall\n"
        "SECONDS (hold new calls unanswered; 0 ends it), calls (calls accepted in total and\n"
        "during the last whole second), exchanges (DoExchange calls, subscriptions among\n"
        "them, viewport changes on open subscriptions), quit. SIGINT/SIGTERM shut down\n"
        "cleanly.\n",
        DEFAULT_ROWS, DEFAULT_DURATION_MS, MIN_DURATION_MS);
}

/* Parse a decimal integer in [lo, hi]; 0 or -1. */
static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The value of option `name` at argv[*i] ("--name V" or "--name=V"), or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

/* Parse the command line; 0 to run, 1 to exit 0 (--help), -1 to exit 2. */
static int parse_options(int argc, char **argv, struct options *o)
{
    o->port = 10000;
    o->psk = NULL;
    o->rows = DEFAULT_ROWS;
    o->duration_ms = DEFAULT_DURATION_MS;
    o->quiet = 0;
    o->samples = 0;
    o->tls_cert = o->tls_key = o->tls_client_ca = NULL;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        int64_t v;
        const char *val;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(argv[i], "--samples") == 0) {
            o->samples = 1;
        } else if (strcmp(argv[i], "--quiet") == 0) {
            o->quiet = 1;
        } else if ((val = option_value(argc, argv, &i, "--port", &missing))) {
            if (parse_int(val, 0, 65535, &v) != 0) {
                fprintf(stderr, "dhtui-demo-server: --port expects 0..65535, not '%s'\n", val);
                return -1;
            }
            o->port = (int)v;
        } else if ((val = option_value(argc, argv, &i, "--psk", &missing))) {
            if (!*val || strchr(val, '\n')) {
                fprintf(stderr, "dhtui-demo-server: --psk expects a non-empty key\n");
                return -1;
            }
            o->psk = val;
        } else if ((val = option_value(argc, argv, &i, "--rows", &missing))) {
            if (parse_int(val, 0, INT64_C(1) << 40, &v) != 0) {
                fprintf(stderr, "dhtui-demo-server: --rows expects a row count, not '%s'\n", val);
                return -1;
            }
            o->rows = v;
        } else if ((val = option_value(argc, argv, &i, "--session-duration-ms", &missing))) {
            /* SessionService refuses tokenExpireMs below 10 s; the demo allows shorter
             * sessions so tests of expiry run fast. */
            if (parse_int(val, MIN_DURATION_MS, INT64_C(1) << 40, &v) != 0) {
                fprintf(stderr,
                        "dhtui-demo-server: --session-duration-ms expects at least %d, not '%s'\n",
                        MIN_DURATION_MS, val);
                return -1;
            }
            o->duration_ms = v;
        } else if ((val = option_value(argc, argv, &i, "--tls-cert", &missing))) {
            o->tls_cert = val;
        } else if ((val = option_value(argc, argv, &i, "--tls-key", &missing))) {
            o->tls_key = val;
        } else if ((val = option_value(argc, argv, &i, "--tls-client-ca", &missing))) {
            o->tls_client_ca = val;
        } else {
            if (missing)
                fprintf(stderr, "dhtui-demo-server: %s needs a value\n", argv[i]);
            else
                fprintf(stderr, "dhtui-demo-server: unknown option '%s' (try --help)\n", argv[i]);
            return -1;
        }
        if (missing) {
            fprintf(stderr, "dhtui-demo-server: %s needs a value\n", argv[i]);
            return -1;
        }
    }
    if ((o->tls_cert != NULL) != (o->tls_key != NULL) || (o->tls_client_ca && !o->tls_cert)) {
        fprintf(stderr, "dhtui-demo-server: TLS needs both --tls-cert and --tls-key"
                        " (--tls-client-ca only with them)\n");
        return -1;
    }
    return 0;
}

/* Read a whole PEM file (at most PEM_FILE_MAX bytes) into a NUL-terminated heap string;
 * NULL with a message on stderr. */
static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dhtui-demo-server: cannot open '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(PEM_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, PEM_FILE_MAX, f) : 0;
    int too_big = buf && n == PEM_FILE_MAX && fgetc(f) != EOF;
    fclose(f);
    if (!buf || n == 0 || too_big) {
        fprintf(stderr, "dhtui-demo-server: cannot read '%s' (empty, or over %d bytes)\n", path,
                PEM_FILE_MAX);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* PEM text of the TLS files named in o; the strings stay NULL without --tls-cert. */
struct tls_files {
    char *cert;
    char *key;
    char *client_ca;
};

/* Free the PEM text; idempotent. */
static void tls_files_reset(struct tls_files *t)
{
    free(t->cert);
    free(t->key);
    free(t->client_ca);
    t->cert = t->key = t->client_ca = NULL;
}

/* Load the files named by the --tls-* options; 0, or -1 after a message on stderr. */
static int tls_files_load(const struct options *o, struct tls_files *t)
{
    t->cert = t->key = t->client_ca = NULL;
    if (!o->tls_cert)
        return 0;
    if (!(t->cert = read_pem(o->tls_cert)) || !(t->key = read_pem(o->tls_key)) ||
        (o->tls_client_ca && !(t->client_ca = read_pem(o->tls_client_ca)))) {
        tls_files_reset(t);
        return -1;
    }
    return 0;
}

/* Print one control reply line and flush it. */
static void ctl_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ctl_reply(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* A control-channel object name: 1..200 printable non-space ASCII characters. */
static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 200)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~' || s[i] == '/')
            return 0;
    return 1;
}

/* add-hex: the name given as hex bytes (any bytes but NUL and '/'), repeated
 * `times` times, so tests can add names no command line can carry (escape
 * sequences, 5,000 characters). A new string, or NULL if malformed. */
static char *hex_name(const char *hex, const char *times)
{
    size_t n = strlen(hex);
    long reps = times ? strtol(times, NULL, 10) : 1;
    if (n == 0 || n % 2 != 0 || reps < 1 || (size_t)reps * (n / 2) > 65536)
        return NULL;
    char *out = malloc(n / 2 * (size_t)reps + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1 || v == 0 || v == '/') {
            free(out);
            return NULL;
        }
        out[i] = (char)v;
    }
    for (long r = 1; r < reps; r++)
        memcpy(out + (size_t)r * (n / 2), out, n / 2);
    out[n / 2 * (size_t)reps] = '\0';
    return out;
}

/* Run one control command (ctl_lock held). Returns 1 for quit. */
/* --samples: one object of every kind the built-ins do not show, as `add` makes them
 * (before the registry lists the catalogue, so they are there from the first list). */
static int add_samples(struct demo_catalog *cat)
{
    static const struct {
        const char *name, *type, *like;
    } samples[] = {
        {"trades_by_sym", "PartitionedTable", "trades"}, /* keys, constituents, merge */
        {"trades_rollup", "rollup", NULL},               /* a HierarchicalTable */
        {"quotes_rollup", "rollup", "quotes"},           /* ... over a ticking source */
        {"odd_types", "odd_types", NULL},                /* Interval, dictionary, Map columns */
        {"churn", "churn", NULL},                        /* inserts, removes, changes */
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        if (!demo_catalog_add(cat, samples[i].name, samples[i].type, samples[i].like))
            return -1;
    return 0;
}

static int control_command(struct server *sv, char *line)
{
    char *save = NULL;
    char *cmd = strtok_r(line, " \t", &save);
    if (!cmd)
        return 0;
    char *a1 = strtok_r(NULL, " \t", &save);
    char *a2 = strtok_r(NULL, " \t", &save);
    char *a3 = strtok_r(NULL, " \t", &save);
    char *extra = strtok_r(NULL, " \t", &save);
    struct demo_app *app = &sv->app;
    if (strcmp(cmd, "add") == 0) {
        if (!a1 || extra || !valid_name(a1) || (a2 && !valid_name(a2))) {
            ctl_reply("error: usage: add NAME [TYPE [LIKE]]");
            return 0;
        }
        const struct demo_object *o = demo_catalog_add(app->cat, a1, a2 ? a2 : "Table", a3);
        if (!o) {
            ctl_reply("error: cannot add '%s' (a built-in has that name?)", a1);
            return 0;
        }
        demo_fields_touch(app->reg, o);
        ctl_reply("ok");
    } else if (strcmp(cmd, "add-hex") == 0) {
        char *name = a1 && !a3 ? hex_name(a1, a2) : NULL;
        const struct demo_object *o = name ? demo_catalog_add(app->cat, name, "Table", NULL) : NULL;
        free(name);
        if (!o) {
            ctl_reply("error: usage: add-hex HEXBYTES [TIMES] (a table named by the bytes)");
            return 0;
        }
        demo_fields_touch(app->reg, o);
        ctl_reply("ok");
    } else if (strcmp(cmd, "remove") == 0) {
        if (!a1 || a2) {
            ctl_reply("error: usage: remove NAME");
            return 0;
        }
        const struct demo_object *o = demo_catalog_find(app->cat, a1);
        if (!o || demo_catalog_remove(app->cat, a1) != 0) {
            ctl_reply("error: no object named '%s'", a1);
            return 0;
        }
        demo_fields_touch(app->reg, o);
        ctl_reply("ok");
    } else if (strcmp(cmd, "stats") == 0) {
        size_t s, e, h;
        demo_registry_stats(app->reg, &s, &e, &h);
        ctl_reply("sessions=%zu exports=%zu shared=%zu", s, e, h);
    } else if (strcmp(cmd, "expire-all") == 0) {
        demo_registry_expire_all(app->reg);
        ctl_reply("ok");
    } else if (strcmp(cmd, "stall") == 0) {
        int64_t secs;
        if (!a1 || a2 || parse_int(a1, 0, 3600, &secs) != 0) {
            ctl_reply("error: usage: stall SECONDS (0..3600)");
            return 0;
        }
        demo_rpc_server_stall(sv->rpc, (int)secs * 1000);
        ctl_reply("ok");
    } else if (strcmp(cmd, "calls") == 0) {
        uint64_t total, last;
        demo_rpc_server_calls(sv->rpc, &total, &last);
        ctl_reply("calls=%" PRIu64 " last_second=%" PRIu64, total, last);
    } else if (strcmp(cmd, "exchanges") == 0) {
        struct demo_exchange_counts *n = &app->counts;
        ctl_reply("exchanges=%" PRIu64 " subscriptions=%" PRIu64 " changes=%" PRIu64,
                  atomic_load(&n->exchanges), atomic_load(&n->subscriptions),
                  atomic_load(&n->changes));
    } else if (strcmp(cmd, "quit") == 0) {
        ctl_reply("ok");
        return 1;
    } else {
        ctl_reply("error: unknown command '%.100s' (add, add-hex, remove, stats, expire-all, "
                  "stall, calls, exchanges, quit)",
                  cmd);
    }
    return 0;
}

/* Control thread: one command per stdin line; stops reading at EOF. */
static void *control_main(void *arg)
{
    struct server *sv = arg;
    char line[CONTROL_LINE_MAX];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        int too_long = n == sizeof line - 1 && line[n - 1] != '\n';
        if (too_long) {
            int ch;
            while ((ch = getchar()) != EOF && ch != '\n') {
            }
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        pthread_mutex_lock(&sv->ctl_lock);
        if (sv->ctl_dead) {
            pthread_mutex_unlock(&sv->ctl_lock);
            break;
        }
        int quit = 0;
        if (too_long)
            ctl_reply("error: line too long");
        else
            quit = control_command(sv, line);
        pthread_mutex_unlock(&sv->ctl_lock);
        if (quit) {
            kill(getpid(), SIGTERM);
            break;
        }
    }
    return NULL;
}

/* Housekeeping thread: session expiry, token cleanup, ListFields propagation. */
static void *housekeeping_main(void *arg)
{
    struct server *sv = arg;
    while (!atomic_load(&sv->housekeeping_stop)) {
        int ms = demo_registry_tick(sv->app.reg);
        demo_registry_wait(sv->app.reg, ms < 100 ? ms : 100);
    }
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* SessionService.onShutdown: termination listeners first, then every session closes,
 * then the grpc server stops (cancelling whatever still runs). */
static void shut_down(struct server *sv, struct demo_rpc_server *rpc)
{
    demo_registry_begin_shutdown(sv->app.reg);
    for (int i = 0; i < 40 && demo_registry_termination_waiters(sv->app.reg) > 0; i++)
        sleep_ms(25);
    demo_registry_expire_all(sv->app.reg);
    sleep_ms(200); /* let session-bound streams send their final statuses */
    demo_rpc_server_stop(rpc);
}

int main(int argc, char **argv)
{
    struct options opt;
    int prc = parse_options(argc, argv, &opt);
    if (prc != 0)
        return prc > 0 ? 0 : 2;

    /* Signals go to sigwait in this thread only; SIGPIPE must not kill us. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct tls_files tf;
    if (tls_files_load(&opt, &tf) != 0)
        return 1;
    struct demo_rpc_tls tls = {tf.cert, tf.key, tf.client_ca};

    struct demo_catalog_options copt = {opt.rows};
    /* Static: the detached control thread may outlive main's frame until exit. */
    static struct server sv;
    pthread_mutex_init(&sv.ctl_lock, NULL);
    sv.app.cat = demo_catalog_new(&copt);
    if (sv.app.cat)
        demo_catalog_set_hier_fn(sv.app.cat, demo_rollup_new);
    if (sv.app.cat && opt.samples && add_samples(sv.app.cat) != 0) {
        fprintf(stderr, "dhtui-demo-server: out of memory\n");
        demo_catalog_free(sv.app.cat);
        tls_files_reset(&tf);
        return 1;
    }
    struct demo_registry_options ropt = {opt.duration_ms, opt.psk, sv.app.cat, opt.quiet};
    sv.app.reg = sv.app.cat ? demo_registry_new(&ropt) : NULL;
    if (!sv.app.reg) {
        fprintf(stderr, "dhtui-demo-server: out of memory\n");
        demo_catalog_free(sv.app.cat);
        tls_files_reset(&tf);
        return 1;
    }
    int port = 0;
    char err[256];
    struct demo_rpc_server *rpc = demo_rpc_server_start(
        opt.port, tf.cert ? &tls : NULL, demo_handle_call, &sv.app, &port, err, sizeof err);
    tls_files_reset(&tf); /* grpc keeps its own copies */
    if (!rpc) {
        fprintf(stderr, "dhtui-demo-server: %s\n", err);
        demo_registry_free(sv.app.reg);
        demo_catalog_free(sv.app.cat);
        return 1;
    }
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);
    const char *transport = "plaintext";
    if (opt.tls_cert)
        transport = opt.tls_client_ca ? "TLS, client certificates required" : "TLS";
    demo_log(sv.app.reg,
             "transport: %s; auth: %s; session duration %" PRId64 " ms; trades rows %" PRId64,
             transport, opt.psk ? "pre-shared key" : "Anonymous", opt.duration_ms, opt.rows);

    sv.rpc = rpc;
    pthread_t hk, ctl;
    int hk_ok = pthread_create(&hk, NULL, housekeeping_main, &sv) == 0;
    if (pthread_create(&ctl, NULL, control_main, &sv) == 0)
        pthread_detach(ctl);

    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    demo_log(sv.app.reg, "shutting down (signal %d)", sig);
    shut_down(&sv, rpc);
    atomic_store(&sv.housekeeping_stop, 1);
    if (hk_ok)
        pthread_join(hk, NULL);
    pthread_mutex_lock(&sv.ctl_lock);
    sv.ctl_dead = 1; /* the detached control thread may still sit in fgets */
    pthread_mutex_unlock(&sv.ctl_lock);
    demo_registry_free(sv.app.reg);
    demo_catalog_free(sv.app.cat);
    fflush(stdout);
    return 0;
}
