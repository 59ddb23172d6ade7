/*
 * str_copy.h - a capped string copy for hot paths.
 */
#ifndef SLUIS_CORE_STR_COPY_H
#define SLUIS_CORE_STR_COPY_H

#include <string.h>

/* Copies src into dst of cap bytes (cap >= 1): cut to cap - 1 bytes, always terminated.
   snprintf(dst, cap, "%s", src) without the format machinery; src must not be NULL. */
static inline void sluis_str_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

#endif
