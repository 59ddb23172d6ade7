/* scan_serial.c - compiled pattern databases to a byte blob and back. */
#include "scan/scan_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAGIC "SLUISSC2"
#define HDR 36 /* magic, pattern set id, count, year, reference flag, checksum of the rest */

/* FNV-1a 64 of the bytes after the header: a damaged cache file is refused, not loaded. */
static uint64_t body_sum(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* Identifies the pattern set (expressions, flags, kinds) and the Hyperscan version. */
static uint64_t pattern_set_id(void)
{
    uint64_t h = 1469598103934665603ull;
    const char *v = hs_version();

    for (unsigned i = 0; i < scan_npatterns; i++) {
        const struct scan_pattern *p = &scan_patterns[i];
        for (const char *c = p->re; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ull;
        h = (h ^ (p->flags * 131u + p->kind * 7u + p->arg * 3u + p->nosom + p->cparse * 1024u)) *
            1099511628211ull;
    }
    for (; *v; v++)
        h = (h ^ (unsigned char)*v) * 1099511628211ull;
    return h;
}

int scan_db_serialize(const struct scan_db *db, char **out, size_t *len, struct sluis_err *err)
{
    char *blob[2 * SCAN_NGROUPS] = {0};
    size_t blen[2 * SCAN_NGROUPS] = {0}, total, off;
    uint64_t id = pattern_set_id();
    uint32_t n = db->npat;
    int rc = 0, year = db->year_max;
    char *buf = NULL;

    *out = NULL;
    *len = 0;
    total = HDR + (size_t)n * sizeof(unsigned);
    for (int g = 0; g < 2 * SCAN_NGROUPS && !rc; g++) {
        const hs_database_t *d = g < SCAN_NGROUPS ? db->block[g] : db->stream[g - SCAN_NGROUPS];
        if (d && hs_serialize_database(d, &blob[g], &blen[g]) != HS_SUCCESS)
            rc = sluis_err_set(err, SLUIS_ENOMEM, "scan: cannot serialise the database");
        total += 8 + blen[g];
    }
    if (!rc && !(buf = malloc(total)))
        rc = sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
    if (!rc) {
        memcpy(buf, MAGIC, 8);
        memcpy(buf + 8, &id, 8);
        memcpy(buf + 16, &n, 4);
        memcpy(buf + 20, &year, 4);
        memcpy(buf + 24, &db->reference, 4);
        memcpy(buf + HDR, db->width, (size_t)n * sizeof(unsigned));
        off = HDR + (size_t)n * sizeof(unsigned);
        for (int g = 0; g < 2 * SCAN_NGROUPS; g++) {
            uint64_t l = blen[g];
            memcpy(buf + off, &l, 8);
            off += 8;
            if (blen[g])
                memcpy(buf + off, blob[g], blen[g]);
            off += blen[g];
        }
        uint64_t sum = body_sum(buf + HDR, total - HDR);
        memcpy(buf + 28, &sum, 8);
        *out = buf;
        *len = total;
    }
    for (int g = 0; g < 2 * SCAN_NGROUPS; g++)
        free(blob[g]);
    return rc;
}

int scan_db_deserialize(const char *buf, size_t len, struct scan_db **out, struct sluis_err *err)
{
    struct scan_db *db;
    uint64_t id;
    uint32_t n;
    size_t off;

    *out = NULL;
    uint64_t sum;
    if (len < HDR || memcmp(buf, MAGIC, 8))
        return sluis_err_set(err, SLUIS_EINVAL, "scan: not a serialised scan database");
    memcpy(&sum, buf + 28, 8);
    if (sum != body_sum(buf + HDR, len - HDR))
        return sluis_err_set(err, SLUIS_EINVAL, "scan: serialised database is damaged");
    memcpy(&id, buf + 8, 8);
    memcpy(&n, buf + 16, 4);
    if (id != pattern_set_id() || n != scan_npatterns)
        return sluis_err_set(err, SLUIS_EINVAL,
                             "scan: serialised database is of another pattern set or version");
    off = HDR + (size_t)n * sizeof(unsigned);
    if (len < off)
        return sluis_err_set(err, SLUIS_EINVAL, "scan: serialised database is truncated");
    db = calloc(1, sizeof(*db));
    if (!db || !(db->width = malloc((size_t)n * sizeof(unsigned)))) {
        free(db);
        return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
    }
    db->npat = n;
    db->pat = scan_patterns;
    memcpy(&db->year_max, buf + 20, 4);
    memcpy(&db->reference, buf + 24, 4);
    db->reference = db->reference != 0;
    scan_db_fill_kid(db);
    memcpy(db->width, buf + HDR, (size_t)n * sizeof(unsigned));
    for (int g = 0; g < 2 * SCAN_NGROUPS; g++) {
        uint64_t l;
        hs_database_t **d = g < SCAN_NGROUPS ? &db->block[g] : &db->stream[g - SCAN_NGROUPS];
        if (len - off < 8)
            goto bad;
        memcpy(&l, buf + off, 8);
        off += 8;
        if (l > len - off)
            goto bad;
        if (l && hs_deserialize_database(buf + off, (size_t)l, d) != HS_SUCCESS)
            goto bad;
        off += (size_t)l;
    }
    if (off != len)
        goto bad;
    *out = db;
    return 0;
bad:
    scan_db_free(db);
    return sluis_err_set(err, SLUIS_EINVAL, "scan: serialised database is damaged");
}
