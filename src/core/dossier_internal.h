/*
 * dossier_internal.h - the loader's fast paths (internal to src/core and its tests).
 *
 * libfyaml's event parser costs about 60 us for a 4 KB dossier, too slow for the 50,000
 * dossiers/s target. dossier_load_buffer() therefore first tries two fast paths that only ever
 * produce successes: jansson for JSON input, and a line-based reader for the plain subset of
 * YAML that dossiers use (dossier_fast.c). Anything they do not fully understand, and every
 * error, falls back to the libfyaml path, which is the reference and reports line:column. The
 * fuzz target and tests/core/test_dossier_fast.c check that both paths agree.
 */
#ifndef SLUIS_CORE_DOSSIER_INTERNAL_H
#define SLUIS_CORE_DOSSIER_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

/* Return values of the fast paths. */
#define DOSSIER_FAST_OK 0
#define DOSSIER_FAST_BAIL 1 /* not handled: use the reference path */

/* Plain-subset YAML -> validated object. Returns DOSSIER_FAST_OK with *out set, or BAIL. */
int dossier_fast_yaml(const char *buf, size_t len, json_t **out);

/* JSON via jansson + dossier_validate(). Returns DOSSIER_FAST_OK with *out set, or BAIL. */
int dossier_fast_json(const char *buf, size_t len, json_t **out);

/* The reference path alone (libfyaml events), same contract as dossier_load_buffer(). */
int dossier_load_buffer_ref(const char *buf, size_t len, const char *name, json_t **out,
                            struct sluis_err *err);

#endif
