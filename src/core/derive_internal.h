/*
 * derive_internal.h - internals of the derived facts shared with their tests.
 */
#ifndef SLUIS_CORE_DERIVE_INTERNAL_H
#define SLUIS_CORE_DERIVE_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "core/derive.h"

/*
 * The canonical serialisation the material hash is computed over (docs/dossier.md, "Decision
 * hash"), without the "sluis-material/1\n" prefix: byte-identical to jansson's
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) of {"<path>": value, ...}. On success *out is a
 * malloc'ed NUL-terminated string of *len bytes (caller frees). Returns 0 or SLUIS_ENOMEM /
 * SLUIS_EINVAL.
 */
int derive_material_canonical(const json_t *dossier, const struct derive_params *p, char **out,
                              size_t *len);

#endif
