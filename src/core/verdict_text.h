/* verdict_text.h - {derived.*} placeholders in rule messages and remedies (internal). */
#ifndef SLUIS_CORE_VERDICT_TEXT_H
#define SLUIS_CORE_VERDICT_TEXT_H

#include <stddef.h>

#include "core/verdict.h"

/* Checks the placeholders of a policy text; on error returns -1 with the offset and a message. */
int verdict_text_check(const char *s, size_t *bad_off, char *msg, size_t cap);

/* Fills in the placeholders of the unmet findings of v from v->derived into v->texts.
 * placeholders (NULL: look at every text): per finding, bit k set when text k of message.nl,
 * message.en, remedy.nl, remedy.en may hold one (policy_set.placeholders).
 * Returns 0 or -1 when memory ran out (the raw texts then stay). */
int verdict_text_render(struct verdict *v, const unsigned char *placeholders);

#endif
