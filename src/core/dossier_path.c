/*
 * dossier_path.c - dotted-path lookup in a dossier ("use.environment", "models.0.terms").
 */
#include "core/dossier.h"

#include <stdlib.h>
#include <string.h>

json_t *dossier_get_path(const json_t *doc, const char *path)
{
    const json_t *cur = doc;
    const char *p = path;
    char seg[128];
    if (!doc || !path)
        return NULL;
    if (*p == '/')
        p++;
    while (*p && cur) {
        size_t n = strcspn(p, "./");
        if (n == 0 || n >= sizeof(seg))
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, seg);
        } else if (json_is_array(cur)) {
            char *end = NULL;
            unsigned long idx;
            if (seg[0] < '0' || seg[0] > '9')
                return NULL;
            idx = strtoul(seg, &end, 10);
            if (*end)
                return NULL;
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
