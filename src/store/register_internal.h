/* register_internal.h - helpers shared by the register_*.c files. Not a public interface. */
#ifndef SLUIS_STORE_REGISTER_INTERNAL_H
#define SLUIS_STORE_REGISTER_INTERNAL_H

#include "store/register.h"

#include <stddef.h>

/* 1 when s is an identifier: 1..127 bytes of [A-Za-z0-9._:@-]. */
int reg_id_valid(const char *s);

/* Validates an identifier argument; sets err naming what. */
int reg_id_check(const char *what, const char *s, struct sluis_err *err);

/* Validates free text: not NULL, shorter than cap, no control bytes. */
int reg_text_check(const char *what, const char *s, size_t cap, struct sluis_err *err);

/*
 * Appends the audit entry for a change in tx: hashes of content before/after (NULL = none)
 * and detail (JSON object text or NULL).
 */
int reg_audit(struct store_tx *tx, const char *org_id, const char *actor, const char *action,
              const char *kind, const char *id, const char *before, const char *after,
              const char *detail, struct sluis_err *err);

/* Copies src (NULL = "") into dst[cap], truncating. */
void reg_copy(char *dst, size_t cap, const char *src);

/* "" -> NULL, for optional columns. */
const char *reg_null_if_empty(const char *s);

#endif
