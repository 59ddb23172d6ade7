/* scan_db.c - compiling the pattern databases; scratch space; detector names. */
#include "scan/scan_internal.h"

#include <stdlib.h>
#include <time.h>

static const struct {
    const char *name, *category, *placeholder;
} detectors[SCAN_DET_COUNT] = {
    [SCAN_DET_BSN] = {"bsn", "identifier", "[BSN]"},
    [SCAN_DET_RSIN] = {"rsin", "identifier", "[RSIN]"},
    [SCAN_DET_ONDERWIJSNUMMER] = {"onderwijsnummer", "identifier", "[ONDERWIJSNUMMER]"},
    [SCAN_DET_BTW] = {"btw", "identifier", "[BTW]"},
    [SCAN_DET_IBAN] = {"iban", "financial", "[IBAN]"},
    [SCAN_DET_PHONE] = {"phone", "contact", "[TELEFOON]"},
    [SCAN_DET_EMAIL] = {"email", "contact", "[EMAIL]"},
    [SCAN_DET_POSTCODE] = {"postcode", "location", "[POSTCODE]"},
    [SCAN_DET_DOB] = {"dob", "personal", "[GEBOORTEDATUM]"},
    [SCAN_DET_KVK] = {"kvk", "identifier", "[KVK]"},
    [SCAN_DET_VESTIGING] = {"vestigingsnummer", "identifier", "[VESTIGINGSNUMMER]"},
    [SCAN_DET_KENTEKEN] = {"kenteken", "identifier", "[KENTEKEN]"},
    [SCAN_DET_PASPOORT] = {"paspoort", "identifier", "[DOCUMENTNUMMER]"},
    [SCAN_DET_RIJBEWIJS] = {"rijbewijs", "identifier", "[RIJBEWIJS]"},
    [SCAN_DET_BIG] = {"big", "identifier", "[BIG]"},
    [SCAN_DET_CLASSIFICATION] = {"classification", "classification", "[RUBRICERING]"},
    [SCAN_DET_PRIVATE_KEY] = {"private_key", "secret", "[PRIVATE_KEY]"},
    [SCAN_DET_API_KEY] = {"api_key", "secret", "[API_KEY]"},
    [SCAN_DET_PASSWORD] = {"password", "secret", "[WACHTWOORD]"},
};

const char *scan_detector_name(int detector)
{
    return detector >= 0 && detector < SCAN_DET_COUNT ? detectors[detector].name : NULL;
}

const char *scan_detector_category(int detector)
{
    return detector >= 0 && detector < SCAN_DET_COUNT ? detectors[detector].category : NULL;
}

const char *scan_detector_placeholder(int detector)
{
    return detector >= 0 && detector < SCAN_DET_COUNT ? detectors[detector].placeholder : NULL;
}

static int compile_mode(unsigned n, unsigned mode, const char **res, const unsigned *flags,
                        const unsigned *ids, hs_database_t **out, struct sluis_err *err)
{
    hs_compile_error_t *cerr = NULL;

    *out = NULL;
    if (n == 0)
        return 0;
    if (hs_compile_multi(res, flags, ids, n, mode, NULL, out, &cerr) != HS_SUCCESS) {
        int rc =
            sluis_err_set(err, SLUIS_EINTERNAL, "scan: Hyperscan compile failed: %s (pattern %d)",
                          cerr ? cerr->message : "?", cerr ? cerr->expression : -1);
        hs_free_compile_error(cerr);
        return rc;
    }
    return 0;
}

/* Patterns that begin with a digit (or +31): they share fast digit-accelerated engines. */
static int pattern_digitish(unsigned i)
{
    switch (scan_patterns[i].kind) {
    case RK_D8:
    case RK_D9:
    case RK_D10:
    case RK_D11:
    case RK_D12:
    case RK_D9_GROUPED:
    case RK_PHONE:
    case RK_POSTCODE:
    case RK_DATE_NUM:
    case RK_DATE_TEXT:
    case RK_TOKEN:
        return 1;
    default:
        return 0;
    }
}

void scan_db_fill_kid(struct scan_db *db)
{
    for (unsigned i = db->npat; i-- > 0;) /* the first pattern of a (kind, arg) wins */
        if (db->pat[i].kind < SCAN_NKINDS && db->pat[i].arg < 8)
            db->kid[db->pat[i].kind][db->pat[i].arg] = (unsigned short)i;
}

int scan_db_new(struct scan_db **out, struct sluis_err *err)
{
    return scan_db_new_mode(out, 0, err);
}

int scan_db_new_mode(struct scan_db **out, int reference, struct sluis_err *err)
{
    struct scan_db *db = calloc(1, sizeof(*db));
    const char **res = NULL, **gres = NULL;
    unsigned *flags = NULL, *gflags = NULL, *gids = NULL, *group = NULL;
    int rc = SLUIS_ENOMEM;
    time_t now = time(NULL);
    struct tm tm;

    *out = NULL;
    if (!db)
        return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
    db->npat = scan_npatterns;
    db->pat = scan_patterns;
    db->reference = reference;
    scan_db_fill_kid(db);
    db->width = calloc(db->npat, sizeof(*db->width));
    res = calloc(db->npat, sizeof(*res));
    flags = calloc(db->npat, sizeof(*flags));
    group = calloc(db->npat, sizeof(*group));
    gres = calloc(db->npat, sizeof(*gres));
    gflags = calloc(db->npat, sizeof(*gflags));
    gids = calloc(db->npat, sizeof(*gids));
    if (!db->width || !res || !flags || !group || !gres || !gflags || !gids) {
        sluis_err_set(err, rc, "scan: out of memory");
        goto out;
    }
    db->year_max = 2026;
    if (gmtime_r(&now, &tm))
        db->year_max = tm.tm_year + 1900;
    for (unsigned i = 0; i < db->npat; i++) {
        hs_expr_info_t *info = NULL;
        hs_compile_error_t *cerr = NULL;

        res[i] = scan_patterns[i].re;
        flags[i] = scan_patterns[i].flags;
        if (hs_expression_info(res[i], flags[i], &info, &cerr) != HS_SUCCESS) {
            rc = sluis_err_set(err, SLUIS_EINTERNAL, "scan: pattern %u refused: %s", i,
                               cerr ? cerr->message : "?");
            hs_free_compile_error(cerr);
            goto out;
        }
        if (info->min_width == info->max_width)
            db->width[i] = info->min_width;
        else if (!scan_patterns[i].nosom)
            flags[i] |= HS_FLAG_SOM_LEFTMOST;
        free(info);
        if (!reference) /* one database of the literal-anchored rest */
            group[i] = scan_patterns[i].cparse ? SCAN_NGROUPS : 0u;
        else
            group[i] =
                (flags[i] & HS_FLAG_SOM_LEFTMOST ? 2u : 0u) + (pattern_digitish(i) ? 0u : 1u);
    }
    rc = 0;
    for (unsigned g = 0; g < SCAN_NGROUPS && !rc; g++) {
        unsigned n = 0;
        for (unsigned i = 0; i < db->npat; i++)
            if (group[i] == g) {
                gres[n] = res[i];
                gflags[n] = flags[i];
                gids[n] = i;
                n++;
            }
        rc = compile_mode(n, HS_MODE_BLOCK, gres, gflags, gids, &db->block[g], err);
        if (!rc)
            rc = compile_mode(n, HS_MODE_STREAM | HS_MODE_SOM_HORIZON_MEDIUM, gres, gflags, gids,
                              &db->stream[g], err);
    }
out:
    free(res);
    free(flags);
    free(group);
    free(gres);
    free(gflags);
    free(gids);
    if (rc) {
        scan_db_free(db);
        return rc;
    }
    *out = db;
    return 0;
}

void scan_db_free(struct scan_db *db)
{
    if (!db)
        return;
    for (int g = 0; g < SCAN_NGROUPS; g++) {
        hs_free_database(db->block[g]);
        hs_free_database(db->stream[g]);
    }
    free(db->width);
    free(db);
}

int scan_scratch_new(const struct scan_db *db, struct scan_scratch **out)
{
    struct scan_scratch *s = calloc(1, sizeof(*s));

    *out = NULL;
    if (!s)
        return SLUIS_ENOMEM;
    for (int g = 0; g < SCAN_NGROUPS; g++) {
        if ((db->block[g] && hs_alloc_scratch(db->block[g], &s->hs) != HS_SUCCESS) ||
            (db->stream[g] && hs_alloc_scratch(db->stream[g], &s->hs) != HS_SUCCESS)) {
            hs_free_scratch(s->hs);
            free(s);
            return SLUIS_ENOMEM;
        }
    }
    scan_engine_init(&s->eng);
    *out = s;
    return 0;
}

void scan_scratch_free(struct scan_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->hs);
    scan_engine_free(&s->eng);
    free(s);
}
