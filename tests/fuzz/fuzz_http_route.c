/* fuzz-libs: sluis_http */
/*
 * fuzz_http_route.c - the router of the HTTP server: the register's route patterns, and an
 * arbitrary "METHOD /path" from the input. Matching must never read past the path, crash or
 * return a parameter longer than its cap; a match must name a route of the right method.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

static struct router r;
static int ready;

static void init(void)
{
    static const char *const pats[] = {"/api/v1/health",
                                       "/api/v1/applications",
                                       "/api/v1/applications/{id}",
                                       "/api/v1/applications/{id}/verdict",
                                       "/api/v1/applications/{id}/advice",
                                       "/api/v1/assessments/{id}",
                                       "/api/v1/training/import",
                                       "/api/v1/training/{id}",
                                       "/api/v1/policies/{id}",
                                       "/api/v1/{kind}/{id}/{sub}/{x}",
                                       "/"};
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    router_init(&r);
    for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
        router_add(&r, methods[i % 4], pats[i], NULL, NULL, NULL);
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        init();
    const uint8_t *sp = memchr(data, ' ', size);
    char method[16] = "GET";
    const char *path = (const char *)data;
    size_t plen = size;
    if (sp && (size_t)(sp - data) < sizeof(method)) {
        memcpy(method, data, (size_t)(sp - data));
        method[sp - data] = '\0';
        path = (const char *)sp + 1;
        plen = size - (size_t)(sp - data) - 1;
    }
    /* copy into an exact-size heap buffer so ASan sees any over-read */
    char *p = malloc(plen ? plen : 1);
    if (!p)
        return 0;
    memcpy(p, path, plen);
    struct router_match m;
    int rc = router_match(&r, method, p, plen, &m);
    if (rc == 0) {
        if (!m.route || m.n_params > ROUTER_MAX_PARAMS)
            abort();
        for (int i = 0; i < m.n_params; i++)
            if (strlen(m.values[i]) >= ROUTER_VALUE_MAX || !m.values[i][0])
                abort();
    }
    /* adding arbitrary patterns must fail cleanly or succeed */
    static struct router r2;
    r2.n_routes = 0;
    char *pat = malloc(plen + 1);
    if (pat) {
        memcpy(pat, p, plen);
        pat[plen] = '\0';
        if (router_add(&r2, "GET", pat, NULL, NULL, NULL) == 0)
            router_match(&r2, "GET", p, plen, &m);
        free(pat);
    }
    free(p);
    return 0;
}
