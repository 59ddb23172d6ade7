/*
 * test_derive_util.h - helpers shared by the derive tests: a minimal valid dossier and a
 * dotted-path setter. Header-only (static functions) so each test stays one program.
 */
#ifndef SLUIS_TEST_DERIVE_UTIL_H
#define SLUIS_TEST_DERIVE_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "core/derive.h"
#include "core/dossier.h"

static const char minimal_yaml[] = "sluis_dossier: 1\n"
                                   "id: test\n"
                                   "name: Testdossier\n"
                                   "organisation:\n"
                                   "  name: Gemeente Teststad\n"
                                   "  layer: gemeente\n"
                                   "owner:\n"
                                   "  name: Jan Jansen\n"
                                   "use:\n"
                                   "  kind: use\n"
                                   "  environment: pilot\n";

/* A new minimal valid dossier; aborts the test program if it does not load. */
__attribute__((unused)) static json_t *minimal_dossier(void)
{
    struct sluis_err err;
    json_t *d = NULL;
    if (dossier_load_buffer(minimal_yaml, sizeof(minimal_yaml) - 1, "minimal", &d, &err) != 0)
        abort();
    return d;
}

/* Sets dotted path (objects created on the way; numeric segments index arrays) to v (stolen). */
__attribute__((unused)) static void set_path(json_t *doc, const char *path, json_t *v)
{
    char buf[128], *seg, *save = NULL, *next;
    json_t *cur = doc;
    snprintf(buf, sizeof(buf), "%s", path);
    seg = strtok_r(buf, ".", &save);
    while (seg) {
        next = strtok_r(NULL, ".", &save);
        if (json_is_array(cur)) {
            size_t idx = (size_t)atoi(seg);
            if (!next) {
                json_array_set_new(cur, idx, v);
                return;
            }
            cur = json_array_get(cur, idx);
        } else {
            json_t *child;
            if (!next) {
                json_object_set_new(cur, seg, v);
                return;
            }
            child = json_object_get(cur, seg);
            if (!child) {
                child = json_object();
                json_object_set_new(cur, seg, child);
            }
            cur = child;
        }
        if (!cur)
            abort();
        seg = next;
    }
}

/* A list of strings from a NULL-terminated argument list. */
__attribute__((unused)) static json_t *strs(const char *first, ...)
{
    json_t *a = json_array();
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        json_array_append_new(a, json_string(s));
    va_end(ap);
    return a;
}

/* n strings "c0".."c{n-1}". */
__attribute__((unused)) static json_t *n_strs(int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        char s[16];
        snprintf(s, sizeof(s), "c%d", i);
        json_array_append_new(a, json_string(s));
    }
    return a;
}

#endif
