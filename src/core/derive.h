/*
 * derive.h - the derived facts of a dossier (docs/dossier.md, "Derived facts"): DPIA pre-scan
 * outcome, AI Act class, procurement, missing agreements, decision validity (material hash).
 * Pure functions. Every weight, threshold and material path is in struct derive_params so the
 * policy file can set it; derive_params_default() gives the values of standpunt.md sections 4/6.
 */
#ifndef SLUIS_CORE_DERIVE_H
#define SLUIS_CORE_DERIVE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"

#define DERIVE_MATERIAL_MAX 32 /* material field paths */
#define DERIVE_PATH_MAX 64     /* bytes of one path, NUL included */
#define DERIVE_NAME_MAX 32     /* bytes of one enum value / list item name, NUL included */
#define DERIVE_LIST_MAX 16     /* entries of a name list below */
#define DERIVE_COUNTRIES_MAX 40

struct derive_subject_weight {
    char subject[DERIVE_NAME_MAX]; /* value of data.subjects[] (employees, citizens, ...) */
    int weight;
};

struct derive_params {
    /* DPIA pre-scan scores (standpunt 4, "Scores") */
    int categories_min;     /* >= this many ordinary categories (data.categories) ... */
    int categories_score;   /* ... scores this (1) */
    int special_low_max;    /* 1..this special categories ... */
    int special_low_score;  /* ... score this (1) */
    int special_high_score; /* more than special_low_max score this (2) */
    struct derive_subject_weight subject_weights[DERIVE_LIST_MAX];
    int n_subject_weights;
    int subjects_low_max; /* weighted subject sum <= this scores 0 */
    int subjects_mid_max; /* <= this scores subjects_mid_score (1) */
    int subjects_mid_score;
    int subjects_high_score;             /* above subjects_mid_max (2) */
    long subject_count_min;              /* >= this many data subjects ... */
    int subject_count_score;             /* ... scores this (1) */
    char frequency_min[DERIVE_NAME_MAX]; /* data.frequency at least this often ("monthly") ... */
    int frequency_score;                 /* ... scores this (1) */
    int retention_years_min;             /* data.retention_years >= this ... */
    int retention_score;                 /* ... scores this (1) */
    int transfers_max;                   /* prescan.transfers_score is clamped to 0..this (2) */
    int basisregistratie_score;          /* data.basisregistratie true scores this (1) */
    int minors_max;                      /* prescan.minors_score is clamped to 0..this (2) */
    /* DPIA pre-scan outcome (standpunt 4) */
    int dpia_score_above;      /* DPIA required when score > this (4) */
    int dpia_edpb_required;    /* DPIA required with >= this many EDPB criteria (2) */
    int dpia_edpb_recommended; /* DPIA recommended with >= this many (1) */
    int dpia_ap_list_required; /* DPIA required with >= this many AP-list items (1) */
    /* DTIA: these storage/support/telemetry/hosting locations are outside the EEA */
    char outside_eea_locations[DERIVE_LIST_MAX][DERIVE_NAME_MAX]; /* {"us", "other"} */
    int n_outside_eea_locations;
    /* AI Act */
    double systemic_risk_flops;      /* GPAI training compute above this = systemic risk (1e25) */
    bool profiling_always_high_risk; /* standpunt 4: profiling of natural persons is high-risk */
    /* art. 5(1)(f): emotion recognition in these Annex III areas is prohibited */
    char emotion_prohibited_areas[DERIVE_LIST_MAX]
                                 [DERIVE_NAME_MAX]; /* {"employment", "education"} */
    int n_emotion_prohibited_areas;
    /* SP-09: ISO 3166 alpha-2 codes that count as European (EU + EEA) for derived.models */
    char european_countries[DERIVE_COUNTRIES_MAX][3];
    int n_european_countries;
    /* Material fields (standpunt 6): a change in any of them invalidates a decision. */
    char material[DERIVE_MATERIAL_MAX][DERIVE_PATH_MAX]; /* dotted paths, e.g. "use.environment" */
    int n_material;
};

/* Fills p with the values of standpunt.md sections 4 and 6. Cannot fail. */
void derive_params_default(struct derive_params *p);

/*
 * Computes the derived facts of docs/dossier.md (everything under `derived.` except `roles.*`,
 * which the policy engine computes from the policy's role matrix) into a new object *out
 * (caller json_decref's): {"procured":..,"prescan":{..},"ai_act":{..},"decision":{..},
 * "agreements":{"missing":[..]},"eval_date":".."}. dossier must have passed dossier_validate()
 * (or come from dossier_load_*); p may be NULL for the defaults; eval_date is "YYYY-MM-DD".
 * Returns 0, SLUIS_EINVAL (bad eval_date / params) or SLUIS_ENOMEM; *out is NULL on error.
 */
int derive_facts(const json_t *dossier, const struct derive_params *p, const char *eval_date,
                 json_t **out, struct sluis_err *err);

/*
 * Canonical SHA-256 (lower-case hex, 64 chars + NUL) over the material fields (p->material
 * paths; p may be NULL for the defaults) in a canonical serialisation (sorted keys, no
 * whitespace, UTF-8), independent of key order and of non-material fields. Returns 0 or
 * SLUIS_ENOMEM / SLUIS_EINTERNAL.
 */
int dossier_material_hash(const json_t *dossier, const struct derive_params *p, char out[65]);

/* Returns true when s is a real calendar day written "YYYY-MM-DD" (Gregorian). */
bool derive_date_valid(const char *s);

#endif
