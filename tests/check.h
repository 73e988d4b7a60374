/*
 * check.h -- the unit tests' one assertion: CHECK(condition, printf
 * arguments) counts a pass, or counts a failure and prints where and why.
 * Each test program ends with printf("NAME: %d passed, %d failed\n", ...).
 */
#ifndef PEL_CHECK_H
#define PEL_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (cond)                                                                                                      \
            passed++;                                                                                                  \
        else {                                                                                                         \
            failed++;                                                                                                  \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                                \
            printf(__VA_ARGS__);                                                                                       \
            printf("\n");                                                                                              \
        }                                                                                                              \
    } while (0)

#endif
