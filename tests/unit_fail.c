/*
 * unit_fail.c -- util/fail.h: pel_fail returns its code, accepts a NULL
 * error, formats like printf, cuts an over-long message at a character
 * boundary with "...", and may take err->msg itself as an argument.
 */
#include <string.h>

#include "check.h"
#include "util/fail.h"

/* A string of n copies of c. */
static const char *rep(char c, size_t n) {
    static char buf[1024];
    memset(buf, c, n);
    buf[n] = 0;
    return buf;
}

int main(void) {
    pel_error e = {PEL_OK, "untouched"};

    CHECK(pel_fail(NULL, PEL_ERR_IO, "%s", "x") == PEL_ERR_IO, "NULL err: the code comes back");
    CHECK(pel_fail(&e, PEL_ERR_ARG, "%s: %d of %zu", "a", -3, (size_t)7) == PEL_ERR_ARG, "returns the code");
    CHECK(e.code == PEL_ERR_ARG && !strcmp(e.msg, "a: -3 of 7"), "printf's format: [%s] %d", e.msg, e.code);
    CHECK(pel_fail(&e, PEL_OK, "%s", "") == PEL_OK && e.code == PEL_OK && !e.msg[0], "an empty message");

    /* the longest that fits, as it is */
    pel_fail(&e, PEL_ERR_IO, "%s", rep('a', sizeof e.msg - 1));
    CHECK(strlen(e.msg) == sizeof e.msg - 1 && e.msg[sizeof e.msg - 2] == 'a', "255 bytes fit: %zu", strlen(e.msg));
    /* one more: cut, with "..." */
    pel_fail(&e, PEL_ERR_IO, "%s", rep('b', sizeof e.msg));
    CHECK(strlen(e.msg) == sizeof e.msg - 1 && !strcmp(e.msg + sizeof e.msg - 4, "...") &&
              e.msg[sizeof e.msg - 5] == 'b',
          "256 bytes: cut to 252 and ...: [%s]", e.msg + 240);
    pel_fail(&e, PEL_ERR_IO, "%s%s", rep('c', 900), "tail");
    CHECK(strlen(e.msg) == sizeof e.msg - 1 && !strcmp(e.msg + sizeof e.msg - 4, "..."), "far too long: cut");

    /* never inside a character: "é" (2 bytes) straddling the cut at 252 */
    char s[400];
    memset(s, 'x', 251);
    strcpy(s + 251, "\xc3\xa9 and more text to overflow the message for sure");
    memset(s + strlen(s), 'y', 100);
    s[251 + 2 + 46 + 100] = 0;
    pel_fail(&e, PEL_ERR_FORMAT, "%s", s);
    CHECK(strlen(e.msg) == 251 + 3 && !strcmp(e.msg + 251, "..."), "backs off to the character's start: %zu",
          strlen(e.msg));
    /* a 3-byte character ending exactly at the cut is kept */
    memset(s, 'x', 249);
    strcpy(s + 249, "\xe2\x80\xa6");
    memset(s + 252, 'z', 20);
    s[272] = 0;
    pel_fail(&e, PEL_ERR_FORMAT, "%s", s);
    CHECK(strlen(e.msg) == 255 && !memcmp(e.msg + 249, "\xe2\x80\xa6...", 6), "a whole character before the cut");

    /* err->msg as an argument: a prefix on the message already there */
    pel_fail(&e, PEL_ERR_IO, "disk full");
    pel_fail(&e, e.code, "%s: %s", "store.db", e.msg);
    CHECK(!strcmp(e.msg, "store.db: disk full") && e.code == PEL_ERR_IO, "its own message as argument: [%s]", e.msg);
    pel_fail(&e, PEL_ERR_IO, "%s", rep('d', 250));
    pel_fail(&e, PEL_ERR_IO, "%s (%s)", e.msg, "run again to continue");
    CHECK(strlen(e.msg) == 255 && !strcmp(e.msg + 252, "..."), "a suffix that does not fit is cut");

    printf("unit_fail: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
