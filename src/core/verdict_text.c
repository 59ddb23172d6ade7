/*
 * verdict_text.c - placeholders in rule messages and remedies: "{derived.roles.missing}" is
 * replaced by the value of that derived fact ("fg, jurist"), so a finding can name what is
 * missing. Only derived facts (they are kept in the verdict); checked when the policy loads.
 */
#include "core/verdict_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cond_schema.h"

#define TEXT_MAX 8192 /* bytes of one rendered text */

int verdict_text_check(const char *s, size_t *bad_off, char *msg, size_t cap)
{
    const char *p = s;

    while ((p = strchr(p, '{'))) {
        const char *end = strchr(p, '}');
        size_t n;
        const struct cond_field *f;
        if (!end) {
            *bad_off = (size_t)(p - s);
            snprintf(msg, cap, "'{' without '}' (placeholders look like {derived.roles.missing})");
            return -1;
        }
        n = (size_t)(end - p - 1);
        f = cond_schema_find(p + 1, n);
        if (n < 9 || strncmp(p + 1, "derived.", 8) || !f || f->type == COND_T_OBJ) {
            *bad_off = (size_t)(p - s);
            snprintf(msg, cap,
                     "unknown placeholder {%.*s}; use a derived fact such as "
                     "{derived.roles.missing}",
                     (int)(n > 60 ? 60 : n), p + 1);
            return -1;
        }
        p = end + 1;
    }
    return 0;
}

static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + n >= cap)
        n = *len < cap - 1 ? cap - 1 - *len : 0;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

static void put_value(char *out, size_t cap, size_t *len, const json_t *v, int en)
{
    char num[32];
    size_t i;
    json_t *it;

    if (json_is_string(v)) {
        put(out, cap, len, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        put(out, cap, len, num, strlen(num));
    } else if (json_is_boolean(v)) {
        const char *b = json_is_true(v) ? (en ? "yes" : "ja") : (en ? "no" : "nee");
        put(out, cap, len, b, strlen(b));
    } else if (json_is_array(v)) {
        if (json_array_size(v) == 0)
            put(out, cap, len, "-", 1);
        json_array_foreach(v, i, it)
        {
            if (i)
                put(out, cap, len, ", ", 2);
            put_value(out, cap, len, it, en);
        }
    } else {
        put(out, cap, len, "?", 1);
    }
}

/* Renders s into a new string (caller frees) or returns NULL when s has no placeholder. */
static char *render(const char *s, const json_t *derived, int en, int *oom)
{
    char *out;
    size_t len = 0;
    const char *p = s;

    if (!s || !strchr(s, '{'))
        return NULL;
    out = malloc(TEXT_MAX);
    if (!out) {
        *oom = 1;
        return NULL;
    }
    out[0] = '\0';
    while (*p) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        const json_t *v = derived;
        if (!open || !close) {
            put(out, TEXT_MAX, &len, p, strlen(p));
            break;
        }
        put(out, TEXT_MAX, &len, p, (size_t)(open - p));
        /* walk "derived.a.b" below the derived object */
        for (const char *seg = open + 1 + 8; v && seg < close;) {
            const char *dot = memchr(seg, '.', (size_t)(close - seg));
            size_t n = dot ? (size_t)(dot - seg) : (size_t)(close - seg);
            char key[64];
            snprintf(key, sizeof key, "%.*s", (int)(n < 63 ? n : 63), seg);
            v = json_is_object(v) ? json_object_get(v, key) : NULL;
            seg += n + 1;
        }
        put_value(out, TEXT_MAX, &len, v, en);
        p = close + 1;
    }
    return out;
}

int verdict_text_render(struct verdict *v, const unsigned char *placeholders)
{
    size_t total = 0, n = 0;
    char *parts[256];
    const char **slots[256];
    int oom = 0;

    for (size_t i = 0; i < v->n_findings && !oom; i++) {
        struct finding *f = &v->findings[i];
        const char **targets[4] = {&f->message.nl, &f->message.en, &f->remedy.nl, &f->remedy.en};
        if (f->status != FINDING_UNMET)
            continue;
        for (int k = 0; k < 4 && !oom; k++) {
            char *r;
            if (placeholders && !(placeholders[i] >> k & 1))
                continue; /* no '{' in this text: render() would leave it as it is */
            r = render(*targets[k], v->derived, k % 2 == 1, &oom);
            if (!r)
                continue;
            if (n >= sizeof parts / sizeof parts[0]) {
                free(r); /* beyond the cap the raw text stays */
                continue;
            }
            parts[n] = r;
            slots[n++] = targets[k];
            total += strlen(r) + 1;
        }
    }
    if (!oom && n) {
        /* one block the verdict owns; finding pointers point into it */
        char *block = malloc(total), *w = block;
        if (!block) {
            oom = 1;
        } else {
            for (size_t i = 0; i < n; i++) {
                size_t l = strlen(parts[i]) + 1;
                memcpy(w, parts[i], l);
                *slots[i] = w;
                w += l;
            }
            v->texts = block;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(parts[i]);
    return oom ? -1 : 0;
}
