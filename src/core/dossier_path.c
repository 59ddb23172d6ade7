/*
 * dossier_path.c - dotted-path lookup in a dossier ("use.environment", "models.0.terms").
 */
#include "core/dossier.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

json_t *dossier_get_path(const json_t *doc, const char *path)
{
    const json_t *cur = doc;
    const char *p = path;
    if (!doc || !path)
        return NULL;
    if (*p == '/')
        p++;
    while (*p && cur) {
        size_t n = 0;
        while (p[n] && p[n] != '.' && p[n] != '/')
            n++;
        if (n == 0 || n >= 128) /* a segment is at most 127 bytes */
            return NULL;
        if (json_is_object(cur)) {
            cur = json_object_getn(cur, p, n);
        } else if (json_is_array(cur)) {
            size_t idx = 0;
            for (size_t i = 0; i < n; i++) {
                if (p[i] < '0' || p[i] > '9')
                    return NULL;
                /* saturates: an index past SIZE_MAX stays out of range */
                idx = idx > (SIZE_MAX - 9) / 10 ? SIZE_MAX : idx * 10 + (size_t)(p[i] - '0');
            }
            cur = json_array_get(cur, idx);
        } else {
            return NULL;
        }
        p += n;
        if (*p)
            p++;
    }
    return (json_t *)cur;
}
