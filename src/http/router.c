/* router.c - method + path-pattern matching (see router.h). */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

void router_init(struct router *r)
{
    memset(r, 0, sizeof(*r));
}

static int method_ok(const char *m)
{
    static const char *const known[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (!strcmp(m, known[i]))
            return 1;
    return 0;
}

int router_add(struct router *r, const char *method, const char *pattern, void *fn, void *ud,
               struct sluis_err *err)
{
    if (!method || !pattern || !method_ok(method) || pattern[0] != '/' ||
        strlen(pattern) >= sizeof(r->routes[0].pattern))
        return sluis_err_set(err, SLUIS_EINVAL, "bad route %s %s", method ? method : "(null)",
                             pattern ? pattern : "(null)");
    if (r->n_routes >= ROUTER_MAX_ROUTES)
        return sluis_err_set(err, SLUIS_ETOOBIG, "route table full");
    struct router_route *rt = &r->routes[r->n_routes];
    memset(rt, 0, sizeof(*rt));
    snprintf(rt->method, sizeof(rt->method), "%s", method);
    snprintf(rt->pattern, sizeof(rt->pattern), "%s", pattern);
    int n_params = 0;
    const char *p = pattern + 1;
    if (*p) {
        for (;;) {
            const char *e = strchr(p, '/');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len == 0 || len >= ROUTER_SEG_MAX || rt->n_segments >= ROUTER_MAX_SEGMENTS)
                return sluis_err_set(err, SLUIS_EINVAL, "bad route pattern %s", pattern);
            int i = rt->n_segments++;
            if (p[0] == '{') {
                if (len < 3 || p[len - 1] != '}' || len - 2 >= ROUTER_NAME_MAX ||
                    ++n_params > ROUTER_MAX_PARAMS)
                    return sluis_err_set(err, SLUIS_EINVAL, "bad route parameter in %s", pattern);
                memcpy(rt->segments[i], p + 1, len - 2);
                rt->is_param[i] = 1;
            } else {
                if (memchr(p, '{', len) || memchr(p, '}', len))
                    return sluis_err_set(err, SLUIS_EINVAL, "bad route pattern %s", pattern);
                memcpy(rt->segments[i], p, len);
                rt->literals++;
            }
            if (!e)
                break;
            p = e + 1;
            if (!*p) /* trailing slash in a pattern is ignored */
                break;
        }
    }
    rt->fn = fn;
    rt->ud = ud;
    r->n_routes++;
    return 0;
}

struct split {
    int n;
    const char *seg[ROUTER_MAX_SEGMENTS];
    size_t len[ROUTER_MAX_SEGMENTS];
};

static int split_path(const char *path, size_t path_len, struct split *s)
{
    s->n = 0;
    if (path_len == 0 || path[0] != '/' || memchr(path, '\0', path_len))
        return SLUIS_EINVAL;
    if (path_len > 1 && path[path_len - 1] == '/')
        path_len--;
    size_t i = 1;
    while (i < path_len) {
        size_t j = i;
        while (j < path_len && path[j] != '/')
            j++;
        if (s->n >= ROUTER_MAX_SEGMENTS || j - i >= ROUTER_VALUE_MAX)
            return SLUIS_EINVAL;
        s->seg[s->n] = path + i;
        s->len[s->n] = j - i;
        s->n++;
        i = j + 1;
    }
    return 0;
}

static int route_fits(const struct router_route *rt, const struct split *s)
{
    if (rt->n_segments != s->n)
        return 0;
    for (int i = 0; i < s->n; i++) {
        if (rt->is_param[i]) {
            if (s->len[i] == 0)
                return 0;
        } else if (strlen(rt->segments[i]) != s->len[i] ||
                   memcmp(rt->segments[i], s->seg[i], s->len[i])) {
            return 0;
        }
    }
    return 1;
}

int router_match(const struct router *r, const char *method, const char *path, size_t path_len,
                 struct router_match *m)
{
    memset(m, 0, sizeof(*m));
    struct split s;
    if (!method || !path || split_path(path, path_len, &s))
        return SLUIS_EINVAL;
    const struct router_route *best = NULL;
    int any = 0;
    for (int i = 0; i < r->n_routes; i++) {
        const struct router_route *rt = &r->routes[i];
        if (!route_fits(rt, &s))
            continue;
        any = 1;
        int same =
            !strcmp(rt->method, method) || (!strcmp(method, "HEAD") && !strcmp(rt->method, "GET"));
        if (same) {
            if (!best || rt->literals > best->literals)
                best = rt;
        } else if (!strstr(m->allow, rt->method) &&
                   strlen(m->allow) + strlen(rt->method) + 3 < sizeof(m->allow)) {
            if (m->allow[0])
                strcat(m->allow, ", ");
            strcat(m->allow, rt->method);
        }
    }
    if (!best)
        return any ? SLUIS_EDENIED : SLUIS_ENOTFOUND;
    m->route = best;
    for (int i = 0; i < s.n; i++) {
        if (!best->is_param[i])
            continue;
        int k = m->n_params++;
        size_t nl = strnlen(best->segments[i], ROUTER_NAME_MAX - 1);
        memcpy(m->names[k], best->segments[i], nl);
        m->names[k][nl] = '\0';
        memcpy(m->values[k], s.seg[i], s.len[i]);
        m->values[k][s.len[i]] = '\0';
    }
    return 0;
}
