/*
 * cond_slots.c - interning the field paths of compiled conditions into memo slots, and which
 * conditions depend on the environment being evaluated.
 */
#include "core/cond_ast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The slot of pa's first nseg segments in *slot (-1: no room); -2 when out of memory. */
static int intern(const struct cond_path *pa, int nseg, struct cond_slots *t, int *slot)
{
    char key[512];
    size_t n;

    *slot = -1;
    n = (size_t)snprintf(key, sizeof key, "%c:", pa->root == CR_DERIVED ? 'v' : 'd');
    for (int i = 0; i < nseg && n < sizeof key; i++)
        n += (size_t)snprintf(key + n, sizeof key - n, "%s%s", i ? "." : "", pa->seg[i]);
    if (n >= sizeof key)
        return 0;
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->key[i], key)) {
            *slot = (int)i;
            return 0;
        }
    if (t->n >= COND_MAX_SLOTS)
        return 0; /* no memo for this path; still correct */
    t->key[t->n] = strdup(key);
    if (!t->key[t->n])
        return -2;
    *slot = (int)t->n++;
    if (pa->root == CR_DERIVED && !strcmp(pa->seg[0], "roles"))
        t->roles[t->n_roles++] = (unsigned short)*slot;
    return 0;
}

static int path_slot(struct cond_path *pa, struct cond_slots *t)
{
    int rc;

    pa->slot = -1;
    pa->parent = -1;
    if (pa->root == CR_ELEM || pa->nseg == 0)
        return 0;
    rc = intern(pa, pa->nseg, t, &pa->slot);
    if (rc == 0 && pa->slot >= 0 && pa->nseg > 1)
        rc = intern(pa, pa->nseg - 1, t, &pa->parent);
    return rc;
}

static int operand_slots(struct cond_operand *o, struct cond_slots *t)
{
    if (o->kind == CO_PATH || o->kind == CO_COUNT)
        return path_slot(&o->path, t);
    return 0;
}

static int path_env(const struct cond_path *pa);

/* Appends the key of a constant operand to key (at *k); -1 when it is not a constant. */
static int const_key(const struct cond_operand *o, char *key, size_t cap, size_t *k)
{
    int w;

    switch (o->kind) {
    case CO_STR:
        w = snprintf(key + *k, cap - *k, "s%d:%zu:%s;", o->is_date, o->slen, o->s);
        break;
    case CO_INT:
        w = snprintf(key + *k, cap - *k, "i%lld;", o->i);
        break;
    case CO_BOOL:
        w = snprintf(key + *k, cap - *k, "b%lld;", o->i);
        break;
    case CO_LIST:
        w = snprintf(key + *k, cap - *k, "l%d[", o->nlist);
        if (w < 0 || (size_t)w >= cap - *k)
            return -1;
        *k += (size_t)w;
        for (int i = 0; i < o->nlist; i++)
            if (const_key(&o->list[i], key, cap, k) < 0)
                return -1;
        w = snprintf(key + *k, cap - *k, "]");
        break;
    default:
        return -1; /* a field, env, today: not a constant */
    }
    if (w < 0 || (size_t)w >= cap - *k)
        return -1;
    *k += (size_t)w;
    return 0;
}

/* Gives a comparison of a memoised field (not derived.roles, which changes with env) with
 * constants a result memo, shared by every equal comparison. -2 when out of memory. */
static int cmp_slot(struct cond_node *n, struct cond_slots *t)
{
    char key[1024];
    size_t k;
    int w;

    n->cmp_slot = 0;
    if ((n->lhs.kind != CO_PATH && n->lhs.kind != CO_COUNT) || n->lhs.path.slot < 0 ||
        path_env(&n->lhs.path))
        return 0;
    w = snprintf(key, sizeof key, "%d:%d:%d:", (int)n->lhs.kind, n->lhs.path.slot, (int)n->op);
    if (w < 0 || (size_t)w >= sizeof key)
        return 0;
    k = (size_t)w;
    if (const_key(&n->rhs, key, sizeof key, &k) < 0)
        return 0;
    for (size_t i = 0; i < t->n_cmp; i++)
        if (!strcmp(t->cmp_key[i], key)) {
            n->cmp_slot = (int)i + 1;
            return 0;
        }
    if (t->n_cmp >= COND_MAX_CMPS)
        return 0; /* evaluated every time; still correct */
    t->cmp_key[t->n_cmp] = strdup(key);
    if (!t->cmp_key[t->n_cmp])
        return -2;
    n->cmp_slot = (int)++t->n_cmp;
    return 0;
}

static int node_slots(struct cond_node *n, struct cond_slots *t)
{
    int rc = 0;

    if (!n)
        return 0;
    switch (n->kind) {
    case CN_ANY:
    case CN_ALL:
    case CN_NONE:
    case CN_PRESENT:
    case CN_ABSENT:
    case CN_BOOLPATH:
        rc = path_slot(&n->path, t);
        break;
    case CN_CMP:
        rc = operand_slots(&n->lhs, t);
        if (rc == 0)
            rc = cmp_slot(n, t);
        break;
    default:
        break;
    }
    if (rc == 0)
        rc = node_slots(n->a, t);
    if (rc == 0)
        rc = node_slots(n->b, t);
    return rc;
}

int cond_slots_assign(struct cond *c, struct cond_slots *t)
{
    return c ? node_slots(c->root, t) : 0;
}

void cond_slots_free(struct cond_slots *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->key[i]);
    for (size_t i = 0; i < t->n_cmp; i++)
        free(t->cmp_key[i]);
    t->n_cmp = 0;
    t->n = 0;
    t->n_roles = 0;
}

void cond_cache_reset_roles(struct cond_cache *cc, const struct cond_slots *t)
{
    for (size_t i = 0; i < t->n_roles; i++)
        cc->state[t->roles[i]] = 0;
}

static int path_env(const struct cond_path *pa)
{
    return pa->root == CR_DERIVED && pa->nseg > 0 && !strcmp(pa->seg[0], "roles");
}

static int operand_env(const struct cond_operand *o)
{
    if (o->kind == CO_ENV)
        return 1;
    if ((o->kind == CO_PATH || o->kind == CO_COUNT) && path_env(&o->path))
        return 1;
    for (int i = 0; o->kind == CO_LIST && i < o->nlist; i++)
        if (operand_env(&o->list[i]))
            return 1;
    return 0;
}

static int node_env(const struct cond_node *n)
{
    if (!n)
        return 0;
    switch (n->kind) {
    case CN_ANY:
    case CN_ALL:
    case CN_NONE:
    case CN_PRESENT:
    case CN_ABSENT:
    case CN_BOOLPATH:
        if (path_env(&n->path))
            return 1;
        break;
    case CN_CMP:
        if (operand_env(&n->lhs) || operand_env(&n->rhs))
            return 1;
        break;
    default:
        break;
    }
    return node_env(n->a) || node_env(n->b);
}

int cond_uses_env(const struct cond *c)
{
    return c ? node_env(c->root) : 0;
}
