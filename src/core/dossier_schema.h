/*
 * dossier_schema.h - the one schema table of the dossier (internal to src/core).
 *
 * The YAML/JSON loader (dossier_load.c) and the json_t validator (dossier_validate.c) both walk
 * this table and both check scalars with dossier_schema_scalar(), so the two give the same
 * answer for the same content.
 */
#ifndef SLUIS_CORE_DOSSIER_SCHEMA_H
#define SLUIS_CORE_DOSSIER_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

enum dschema_type {
    DST_OBJECT, /* mapping with the fields in children[] */
    DST_LIST,   /* sequence of item */
    DST_STR,    /* UTF-8 text on one line, max_len bytes */
    DST_TEXT,   /* UTF-8 text, may span lines, max_len bytes */
    DST_SLUG,   /* [a-z0-9-]{1,max_len} */
    DST_IDENT,  /* [a-z0-9_-]{1,max_len}: role and provider ids */
    DST_EMAIL,  /* local@domain, no spaces */
    DST_URL,    /* https://... */
    DST_BOOL,
    DST_INT,    /* min..max */
    DST_DATE,   /* YYYY-MM-DD, a real calendar day */
    DST_MONTH,  /* YYYY-MM */
    DST_NUMSTR, /* a positive decimal number written as text, e.g. "3e24" */
    DST_ENUM,   /* one of enums[] */
};

/* The kind of a scalar as written: YAML 1.2 core schema resolution, or the JSON type. */
enum dschema_kind {
    DSK_STRING, /* quoted, block or plain scalar that is none of the below; JSON string */
    DSK_NULL,
    DSK_BOOL,
    DSK_INT,
    DSK_FLOAT,
};

struct dschema_field {
    const char *name; /* NULL ends a children[] array */
    size_t name_len;  /* strlen(name) */
    enum dschema_type type;
    int required;                         /* 1 = req */
    size_t max_len;                       /* strings; 0 = the type's default */
    long long min, max;                   /* DST_INT */
    const char *const *enums;             /* DST_ENUM, NULL-terminated */
    const struct dschema_field *children; /* DST_OBJECT */
    const struct dschema_field *item;     /* DST_LIST */
};

/* The root of the dossier schema (an object). */
const struct dschema_field *dossier_schema_root(void);

/* Finds the child called name (len bytes) of an object field; NULL when unknown. */
const struct dschema_field *dossier_schema_child(const struct dschema_field *obj, const char *name,
                                                 size_t len);

/* Writes "a, b, c" (the allowed keys of obj, or the enum values of f) into buf. */
void dossier_schema_list_keys(const struct dschema_field *obj, char *buf, size_t cap);
void dossier_schema_list_enums(const struct dschema_field *f, char *buf, size_t cap);

/* Type name for messages, e.g. "boolean (ja/nee)". */
const char *dossier_schema_type_name(const struct dschema_field *f);

/*
 * Checks a scalar of the given kind and text (len bytes; for DSK_BOOL "true"/"false", for
 * DSK_INT the decimal/0x/0o digits) against a scalar field f. On success returns 0 and *out is a
 * new json_t (string, integer or boolean). On failure returns SLUIS_EINVAL or SLUIS_ETOOBIG and
 * writes a message (English with the Dutch term) into msg.
 */
int dossier_schema_scalar(const struct dschema_field *f, enum dschema_kind kind, const char *text,
                          size_t len, json_t **out, char *msg, size_t cap);

/* As dossier_schema_scalar() for text already known to be valid UTF-8 (skips that check). */
int dossier_schema_scalar_utf8(const struct dschema_field *f, enum dschema_kind kind,
                               const char *text, size_t len, json_t **out, char *msg, size_t cap);

/* As dossier_schema_scalar_utf8() for text that is also known to hold no control character
 * (no byte below 0x20, no DEL): the YAML fast path's one-line scalars. */
int dossier_schema_scalar_clean(const struct dschema_field *f, enum dschema_kind kind,
                                const char *text, size_t len, json_t **out, char *msg, size_t cap);

/* Resolves a plain YAML scalar to its YAML 1.2 core-schema kind. */
enum dschema_kind dossier_schema_plain_kind(const char *text, size_t len);

/* Returns 1 when s (len bytes) is a real calendar day "YYYY-MM-DD", else 0. */
int dossier_schema_date_ok(const char *s, size_t len);

#endif
