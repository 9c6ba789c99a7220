/* unit.h - a minimal assertion helper for tcpfsm's C unit tests.
 *
 * CHECK(expr) counts a check and, if expr is false, prints file:line and the
 * expression, then carries on (so one run reports every failure).  The _EQ
 * forms also print both values.  CHECKF adds a printf-style context line,
 * for checks made in loops.  A test's main() ends with
 * `return unit_done("name");`, which prints a summary and returns nonzero if
 * anything failed. */
#ifndef TCPFSM_TESTS_UNIT_H
#define TCPFSM_TESTS_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static unsigned long unit_checks_, unit_failures_;

static inline void unit_fail_(const char *file, int line, const char *expr)
{
    unit_failures_++;
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
}

#define CHECK(expr)                                                         \
    do {                                                                    \
        unit_checks_++;                                                     \
        if (!(expr))                                                        \
            unit_fail_(__FILE__, __LINE__, #expr);                          \
    } while (0)

/* CHECK with a context line (printf format and arguments) on failure. */
#define CHECKF(expr, ...)                                                   \
    do {                                                                    \
        unit_checks_++;                                                     \
        if (!(expr)) {                                                      \
            unit_fail_(__FILE__, __LINE__, #expr);                          \
            fprintf(stderr, "    context: ");                               \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
        }                                                                   \
    } while (0)

/* Integers of any type, compared and printed as 64-bit values. */
#define CHECK_EQ(a, b)                                                      \
    do {                                                                    \
        unit_checks_++;                                                     \
        long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);       \
        if (unit_a_ != unit_b_) {                                           \
            unit_fail_(__FILE__, __LINE__, #a " == " #b);                   \
            fprintf(stderr, "    got %lld (0x%llx), expected %lld (0x%llx)\n", \
                    unit_a_, (unsigned long long)unit_a_, unit_b_,          \
                    (unsigned long long)unit_b_);                           \
        }                                                                   \
    } while (0)

#define CHECK_STREQ(a, b)                                                   \
    do {                                                                    \
        unit_checks_++;                                                     \
        const char *unit_a_ = (a), *unit_b_ = (b);                          \
        if (!unit_a_ || !unit_b_ || strcmp(unit_a_, unit_b_) != 0) {        \
            unit_fail_(__FILE__, __LINE__, #a " equals " #b);               \
            fprintf(stderr, "    got \"%s\", expected \"%s\"\n",            \
                    unit_a_ ? unit_a_ : "(null)", unit_b_ ? unit_b_ : "(null)"); \
        }                                                                   \
    } while (0)

/* Print the summary; the test's exit status. */
static inline int unit_done(const char *name)
{
    printf("%s: %lu checks, %lu failed\n", name, unit_checks_, unit_failures_);
    if (unit_failures_)
        fprintf(stderr, "%s: %lu of %lu checks FAILED\n", name, unit_failures_, unit_checks_);
    return unit_failures_ ? 1 : 0;
}

/* A small deterministic generator (xorshift64): a test's inputs are the
 * same on every run.  *state must not be 0. */
static inline uint64_t unit_rand64(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* The same, 32 of its bits. */
static inline uint32_t unit_rand(uint64_t *state)
{
    return (uint32_t)(unit_rand64(state) >> 16);
}

#endif
