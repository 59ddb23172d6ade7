/*
 * cond.h - the condition language of policy files (docs/policy.md, "Conditions").
 *
 * A condition is a small declarative expression a jurist can read, e.g.
 *     use.environment in [pilot, production] and any models: terms == consumer
 * over dossier fields (docs/dossier.md), derived facts (`derived.*`), the environment being
 * evaluated (`env`) and the evaluation date (`today`). No loops beyond the quantifiers over a
 * dossier list, no user functions, no scripting. A condition is compiled once (parsed and
 * type-checked against the dossier schema) and then evaluated many times.
 *
 * Evaluation uses three-valued logic: a field that is absent is unknown; a comparison with an
 * unknown operand is unknown; and/or/not follow Kleene's rules. The caller decides what unknown
 * means (the policy engine fails closed: a rule whose applies_when is unknown applies, a
 * requirement that is unknown is unmet).
 */
#ifndef SLUIS_CORE_COND_H
#define SLUIS_CORE_COND_H

#include <jansson.h>
#include <stddef.h>

#define COND_MAX_SRC 4096 /* bytes of one condition */
#define COND_MAX_DEPTH 48 /* nesting of parentheses / operators */
#define COND_MAX_NODES 512
#define COND_MAX_SCOPES 4 /* nesting of quantifiers */

enum cond_tri { COND_FALSE = 0, COND_TRUE = 1, COND_UNKNOWN = 2 };

/* compile flags */
#define COND_F_NO_ROLES 1u /* derived.roles.* may not be used (role-matrix conditions) */

struct cond;

struct cond_error {
    size_t offset; /* byte offset in the source where the error was found */
    char msg[256];
};

/* What a condition is evaluated against. All pointers are borrowed. */
struct cond_env {
    const json_t *dossier;    /* the dossier object */
    const json_t *derived;    /* the derived facts object (may be NULL: derived.* unknown) */
    const char *env;          /* environment being evaluated: exploration | pilot | production */
    const char *today;        /* evaluation date YYYY-MM-DD */
    struct cond_cache *cache; /* optional (NULL): memo of field lookups, see below */
};

/*
 * Field lookups shared by many conditions (use.kind appears in most rules) can be memoised for
 * one evaluation: give the conditions slots with cond_slots_assign() once after compiling, and
 * pass a cache, cond_cache_reset() before each dossier (and whenever derived changes).
 */
#define COND_MAX_SLOTS 256
/* Comparisons of a memoised field with constants (use.kind != unavoidable opens most rules) are
 * memoised too: the same comparison anywhere in the policy shares one result per evaluation. */
#define COND_MAX_CMPS 256
struct cond_slots {
    size_t n;
    char *key[COND_MAX_SLOTS]; /* "d:use.kind", "v:prescan.dpia" */
    size_t n_roles;
    unsigned short roles[COND_MAX_SLOTS]; /* the slots of derived.roles.* paths */
    size_t n_cmp;
    char *cmp_key[COND_MAX_CMPS]; /* field slot, operator and constants of a comparison */
};
struct cond_cache {
    const json_t *val[COND_MAX_SLOTS];
    unsigned char state[COND_MAX_SLOTS]; /* 0 unknown yet, 1 looked up */
    unsigned char cmp[COND_MAX_CMPS];    /* 0 unknown yet, else 1 + its enum cond_tri */
};

/* Gives every dossier/derived field path in c a slot in t (paths beyond the cap get none).
 * Returns 0 or -2 when memory ran out. */
int cond_slots_assign(struct cond *c, struct cond_slots *t);
void cond_slots_free(struct cond_slots *t);

/* 1 when c may evaluate differently for another cond_env.env: it reads `env` or
 * derived.roles.* (the role matrix depends on the environment); 0 otherwise (NULL too). */
int cond_uses_env(const struct cond *c);
void cond_cache_reset(struct cond_cache *cc);
/* Forgets only the derived.roles.* lookups of t (after derived.roles was replaced; every other
 * memoised value still points into the unchanged dossier and derived objects). */
void cond_cache_reset_roles(struct cond_cache *cc, const struct cond_slots *t);

/*
 * Compiles src (len bytes, need not be NUL-terminated) into *out (caller frees with
 * cond_free()). Returns 0, or -1 with e filled (offset + message) on a syntax or type error,
 * or -2 when memory ran out. Never reads beyond len.
 */
int cond_compile(const char *src, size_t len, unsigned flags, struct cond **out,
                 struct cond_error *e);

/* Evaluates c against env. Cannot fail; never allocates. */
enum cond_tri cond_eval(const struct cond *c, const struct cond_env *env);

/* The compiled tree of c, valid while c is (NULL for NULL): lets a caller that evaluates c for
 * every dossier keep it next to its own data and skip reading struct cond each time. */
struct cond_node;
const struct cond_node *cond_root(const struct cond *c);
/* cond_eval() of cond_root(c) (not NULL). */
enum cond_tri cond_eval_root(const struct cond_node *root, const struct cond_env *env);

/* Frees a compiled condition; NULL is fine. */
void cond_free(struct cond *c);

/* The condition text as written (borrowed from c). */
const char *cond_source(const struct cond *c);

/*
 * Date helpers shared with the policy loader: cond_date_valid() is 1 when s (10 bytes read)
 * is a real calendar day "YYYY-MM-DD"; cond_date_add() writes s + days into out[11].
 */
int cond_date_valid(const char *s, size_t len);
void cond_date_add(const char *s, long days, char out[11]);

#endif
