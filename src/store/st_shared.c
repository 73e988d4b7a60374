/*
 * st_shared.c -- what both backends compute alike before they write
 * (st_shared.h).
 */
#include "st_shared.h"

#include <stdlib.h>
#include <string.h>

char *st_join_names(const char *const *v, size_t n) {
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    *p = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(v[i]);
        memcpy(p, v[i], k);
        p += k;
        if (i + 1 < n)
            *p++ = '\n';
        *p = 0;
    }
    return s;
}

const char **st_split_names(char *s, size_t *n) {
    *n = 0;
    if (!s || !*s)
        return NULL;
    size_t cap = 1;
    for (char *c = s; *c; c++)
        cap += *c == '\n';
    const char **v = malloc(cap * sizeof *v);
    if (!v)
        return NULL;
    v[(*n)++] = s;
    for (char *c = s; *c; c++)
        if (*c == '\n') {
            *c = 0;
            v[(*n)++] = c + 1;
        }
    return v;
}

bool st_chunk_box(const pel_position *c, size_t n, int32_t box[4]) {
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (c[i].segment < 0)
            continue;
        if (!any || c[i].lat < box[0])
            box[0] = c[i].lat;
        if (!any || c[i].lat > box[1])
            box[1] = c[i].lat;
        if (!any || c[i].lon < box[2])
            box[2] = c[i].lon;
        if (!any || c[i].lon > box[3])
            box[3] = c[i].lon;
        any = true;
    }
    return any;
}
