/* gw_orgcache.c - organisations' policy sets kept between rebuilds (see gw_orgcache.h). */
#include "gateway/gw_orgcache.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/policy.h"
#include "core/str_copy.h"

static struct gw_org_cache_ent *find(struct gw_org_cache *c, const char *org)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->ents[i].org, org))
            return &c->ents[i];
    return NULL;
}

int gw_org_cache_get(struct gw_org_cache *c, const char *org, const unsigned char fp[32],
                     const struct policy_set **ps)
{
    struct gw_org_cache_ent *e = find(c, org);
    if (!e || memcmp(e->fp, fp, 32))
        return 0;
    e->used = 1;
    *ps = e->ps;
    return 1;
}

int gw_org_cache_put(struct gw_org_cache *c, const char *org, const unsigned char fp[32],
                     struct policy_set *ps)
{
    struct gw_org_cache_ent *e = find(c, org);
    if (!e) {
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 8;
            struct gw_org_cache_ent *ne = realloc(c->ents, nc * sizeof(*ne));
            if (!ne) {
                policy_set_free(ps);
                return SLUIS_ENOMEM;
            }
            c->ents = ne;
            c->cap = nc;
        }
        e = &c->ents[c->n++];
        memset(e, 0, sizeof(*e));
        sluis_str_copy(e->org, sizeof(e->org), org);
    } else if (e->ps != ps) {
        policy_set_free(e->ps);
    }
    memcpy(e->fp, fp, 32);
    e->ps = ps;
    e->used = 1;
    return 0;
}

void gw_org_cache_sweep(struct gw_org_cache *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->ents[i].used) {
            policy_set_free(c->ents[i].ps);
            continue;
        }
        c->ents[i].used = 0;
        c->ents[k++] = c->ents[i];
    }
    c->n = k;
}

void gw_org_cache_free(struct gw_org_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        policy_set_free(c->ents[i].ps);
    free(c->ents);
    memset(c, 0, sizeof(*c));
}
