/* SPDX-License-Identifier: MIT */
/* check.h: the tiny test harness every tests/unit program uses.
 * CHECK records a failure and goes on; CHECK_REQ returns from the test.
 * check_main runs the tests and prints "N passed, N failed". */
#ifndef DH_CHECK_H
#define DH_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_current_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                      \
            check_failures++;                                                                      \
            check_current_failed = 1;                                                              \
        }                                                                                          \
    } while (0)
#define CHECK_REQ(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                      \
            check_failures++;                                                                      \
            check_current_failed = 1;                                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                           \
            fprintf(stderr, "  FAIL %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,                \
                    check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");               \
            check_failures++;                                                                      \
            check_current_failed = 1;                                                              \
        }                                                                                          \
    } while (0)
#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr, "  FAIL %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a,   \
                    check_a_, check_b_);                                                           \
            check_failures++;                                                                      \
            check_current_failed = 1;                                                              \
        }                                                                                          \
    } while (0)

struct check_test {
    const char *name;
    void (*fn)(void);
};

static inline int check_main(const struct check_test *tests, size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        check_current_failed = 0;
        tests[i].fn();
        if (check_current_failed) {
            failed++;
            fprintf(stderr, "not ok %s\n", tests[i].name);
        } else {
            passed++;
            fprintf(stderr, "ok %s\n", tests[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define CHECK_RUN(...)                                                                             \
    do {                                                                                           \
        static const struct check_test t_[] = {__VA_ARGS__};                                       \
        return check_main(t_, sizeof t_ / sizeof t_[0]);                                           \
    } while (0)
#define T(fn)                                                                                      \
    {                                                                                              \
#fn, fn                                                                                    \
    }

#endif
