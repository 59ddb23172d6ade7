/*
 * router.h - method + path-pattern matching for the HTTP server (pure; no MHD). Patterns are
 * absolute paths whose segments are literals or "{name}" parameters. Kept apart from the
 * server so the fuzz target can drive it directly.
 */
#ifndef SLUIS_HTTP_ROUTER_H
#define SLUIS_HTTP_ROUTER_H

#include <stddef.h>

#include "core/err.h"

#define ROUTER_MAX_SEGMENTS 16
#define ROUTER_MAX_ROUTES 256
#define ROUTER_MAX_PARAMS 8
#define ROUTER_NAME_MAX 32
#define ROUTER_VALUE_MAX 128
#define ROUTER_SEG_MAX 64

struct router_route {
    char method[8];
    char pattern[200];
    int n_segments;
    char segments[ROUTER_MAX_SEGMENTS][ROUTER_SEG_MAX]; /* literal, or the parameter name */
    unsigned char is_param[ROUTER_MAX_SEGMENTS];
    int literals; /* number of literal segments: more literals win */
    void *fn;     /* opaque for the router */
    void *ud;
};

struct router {
    int n_routes;
    struct router_route routes[ROUTER_MAX_ROUTES];
};

struct router_match {
    const struct router_route *route; /* NULL when nothing matched under this method */
    int n_params;
    char names[ROUTER_MAX_PARAMS][ROUTER_NAME_MAX];
    char values[ROUTER_MAX_PARAMS][ROUTER_VALUE_MAX];
    char allow[64]; /* when route is NULL: methods under which the path exists ("GET, PUT") */
};

/* Empties r. Cannot fail. */
void router_init(struct router *r);

/*
 * Adds a route. Returns 0, SLUIS_EINVAL (bad method or pattern: not absolute, empty segment,
 * unterminated or empty {name}, too many segments/params, segment over ROUTER_SEG_MAX-1) or
 * SLUIS_ETOOBIG (table full). err may be NULL.
 */
int router_add(struct router *r, const char *method, const char *pattern, void *fn, void *ud,
               struct sluis_err *err);

/*
 * Matches method + path (no query string). A single trailing slash is ignored. Fills m; returns
 * 0 on a match, SLUIS_ENOTFOUND when no pattern matches the path at all, SLUIS_EDENIED when
 * the path exists under other methods only (m->allow lists them), SLUIS_EINVAL when the path
 * is not absolute, holds a NUL byte, has too many segments or a segment/parameter over its cap. GET
 * routes also match HEAD. Never reads past path_len.
 */
int router_match(const struct router *r, const char *method, const char *path, size_t path_len,
                 struct router_match *m);

#endif
