/*
 * bytes_eq.h - equality of two short byte strings, inline.
 *
 * The keys, enum values and field names the hot paths compare are a few to a few dozen bytes:
 * there a call to memcmp() costs more than the comparison. 8 bytes a step, then the tail.
 */
#ifndef SLUIS_CORE_BYTES_EQ_H
#define SLUIS_CORE_BYTES_EQ_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* memcmp(a, b, n) == 0; reads exactly n bytes of each. */
static inline bool sluis_bytes_eq(const char *a, const char *b, size_t n)
{
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return false;
    }
    for (; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* The sign of memcmp(a, b, n) (-1, 0, 1): unsigned bytes, first difference decides. */
static inline int sluis_bytes_cmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    return 0;
}

#endif
