/*
 * dossier.h - the application dossier (docs/dossier.md): loading and validation.
 *
 * One YAML 1.2 or JSON file per GenAI application. The loader converts it to a jansson object
 * while checking it against one static schema table (src/core/dossier_schema.c); the same table
 * validates dossiers that arrive as JSON over the register's REST API. Pure: no I/O beyond
 * reading the named file in dossier_load_file().
 */
#ifndef SLUIS_CORE_DOSSIER_H
#define SLUIS_CORE_DOSSIER_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

/* Hard caps (docs/dossier.md, "Limits"). */
#define DOSSIER_MAX_FILE (1024 * 1024) /* bytes */
#define DOSSIER_MAX_DEPTH 32           /* nesting of mappings and sequences */
#define DOSSIER_MAX_LIST 256           /* items per list */
#define DOSSIER_MAX_STR 4096           /* bytes of a `str` field unless the schema says less */
#define DOSSIER_MAX_TEXT 20000         /* bytes of a `text` field */

/*
 * Loads and validates a dossier (YAML 1.2 or JSON, told apart by content). On success returns 0
 * and *out is a new reference (caller json_decref's) to an object that follows docs/dossier.md
 * exactly (dates stay "YYYY-MM-DD" strings). On error returns SLUIS_EINVAL/ETOOBIG/EIO (or
 * ENOMEM) and fills err with file, line, column, path ("/models/0/terms") and a message; *out
 * is NULL. Caps: file 1 MiB, depth 32, list 256, strings per docs. err may be NULL.
 */
int dossier_load_file(const char *path, json_t **out, struct sluis_err *err);

/*
 * As dossier_load_file() for an in-memory buffer of len bytes (need not be NUL-terminated;
 * a NUL byte inside is an error). name is used in error messages (may be NULL or "").
 */
int dossier_load_buffer(const char *buf, size_t len, const char *name, json_t **out,
                        struct sluis_err *err);

/*
 * Validates an already-parsed JSON object (the register's REST API uses this) with the same
 * schema table as the loader: same rules, but errors carry the path only (line/column 0).
 * Returns 0 or SLUIS_EINVAL/ETOOBIG. doc is borrowed and not modified.
 */
int dossier_validate(const json_t *doc, struct sluis_err *err);

/*
 * Looks up a dotted field path ("use.environment", "models.0.terms"; a numeric segment indexes
 * a list) in doc. Returns a borrowed reference (valid while doc lives) or NULL when absent.
 * Also accepts JSON-pointer style ("/use/environment").
 */
json_t *dossier_get_path(const json_t *doc, const char *path);

#endif
