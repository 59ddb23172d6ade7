/*
 * cond_schema.h - the dossier field paths (docs/dossier.md) that policy conditions may name,
 * with their types, so a condition is checked when the policy is loaded: an unknown path, a
 * comparison of the wrong type or an enum value the dossier cannot hold is a load error.
 */
#ifndef SLUIS_CORE_COND_SCHEMA_H
#define SLUIS_CORE_COND_SCHEMA_H

#include <stddef.h>

enum cond_type {
    COND_T_BOOL,
    COND_T_INT,
    COND_T_STR,
    COND_T_DATE,
    COND_T_ENUM,
    COND_T_LIST_STR,  /* list of free strings */
    COND_T_LIST_ENUM, /* list of enum values */
    COND_T_LIST_OBJ,  /* list of objects; fields are "<path>[].<field>" */
    COND_T_OBJ,
};

struct cond_field {
    const char *path; /* "use.environment", "models[].terms", "derived.prescan.dpia" */
    enum cond_type type;
    const char *values; /* enums: "a|b|c"; NULL otherwise */
};

/* Looks up a field by its schema path (len bytes of path). NULL when unknown. */
const struct cond_field *cond_schema_find(const char *path, size_t len);

/* Returns 1 when value (len bytes) is one of the "|"-separated values of f, else 0. */
int cond_schema_enum_has(const struct cond_field *f, const char *value, size_t len);

/* The table itself, for checks against the dossier schema: entry i < cond_schema_count(). */
size_t cond_schema_count(void);
const struct cond_field *cond_schema_at(size_t i);

/* Human name of a type ("bool", "date", ...). */
const char *cond_schema_type_name(enum cond_type t);

#endif
