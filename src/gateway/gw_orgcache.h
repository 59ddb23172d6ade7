/*
 * gw_orgcache.h - organisations' loaded policy sets, kept between snapshot rebuilds.
 *
 * Loading an organisation's set parses the base policy and its own files (YAML) again; the
 * snapshot is rebuilt every few seconds when anything in the register changed and at least
 * every 30 s. A set is reused as long as the fingerprint of that organisation's active policy
 * objects (their ids, states and contents, in listing order) is unchanged; a failed load (NULL
 * set: the organisation's applications are refused) is kept the same way, so it is logged once
 * per change, not at every rebuild. Only the snapshot refresher uses it (one rebuild at a time).
 */
#ifndef SLUIS_GATEWAY_GW_ORGCACHE_H
#define SLUIS_GATEWAY_GW_ORGCACHE_H

#include <stddef.h>

#include "gateway/gw_snapshot.h"

struct policy_set;

struct gw_org_cache_ent {
    char org[GW_ID_CAP];
    unsigned char fp[32];
    struct policy_set *ps; /* owned; NULL when the set did not load */
    int used;              /* looked up or stored since the last sweep */
};

struct gw_org_cache {
    struct gw_org_cache_ent *ents;
    size_t n, cap;
};

/*
 * Finds org's entry with fingerprint fp and marks it used. Returns 1 and *ps (borrowed, valid
 * until the entry is replaced or swept; may be NULL: the set did not load), or 0 when there is
 * no such entry (none for org, or another fingerprint).
 */
int gw_org_cache_get(struct gw_org_cache *c, const char *org, const unsigned char fp[32],
                     const struct policy_set **ps);

/*
 * Stores ps (ownership taken, NULL allowed) as org's set for fingerprint fp, replacing (and
 * freeing) any older one of org; marks it used. Returns 0, or SLUIS_ENOMEM (ps is then freed).
 */
int gw_org_cache_put(struct gw_org_cache *c, const char *org, const unsigned char fp[32],
                     struct policy_set *ps);

/* Frees the entries not used since the last sweep (organisations without active policy any
   more) and clears the marks. Call once a snapshot built from the used ones is done. */
void gw_org_cache_sweep(struct gw_org_cache *c);

/* Frees everything; the cache may be reused empty. */
void gw_org_cache_free(struct gw_org_cache *c);

#endif
