/* cond_eval.c - three-valued evaluation of a compiled condition (Kleene logic). */
#include "core/cond_ast.h"
#include "core/bytes_eq.h"

#include <string.h>

struct ectx {
    const struct cond_env *env;
    const json_t *elem[COND_MAX_SCOPES];
    int nelem;
};

enum vkind { V_UNK, V_BOOL, V_INT, V_STR, V_ARR };

struct val {
    enum vkind k;
    long long i;
    const char *s;
    size_t n; /* V_STR: strlen(s) */
    const json_t *arr;
    char buf[11];
};

/* The value at pa's first nseg segments (json null reads as absent: NULL). */
static const json_t *path_walk(const struct ectx *x, const struct cond_path *pa, int nseg)
{
    const json_t *j;

    switch (pa->root) {
    case CR_DERIVED:
        j = x->env->derived;
        break;
    case CR_ELEM:
        j = pa->level < x->nelem ? x->elem[pa->level] : NULL;
        break;
    default:
        j = x->env->dossier;
        break;
    }
    for (int i = 0; j && i < nseg; i++)
        j = json_is_object(j) ? json_object_getn(j, pa->seg[i], pa->seglen[i]) : NULL;
    return json_is_null(j) ? NULL : j;
}

static const json_t *path_get(const struct ectx *x, const struct cond_path *pa)
{
    struct cond_cache *cc = x->env->cache;

    if (pa->slot < 0 || !cc)
        return path_walk(x, pa, pa->nseg);
    if (!cc->state[pa->slot]) {
        const json_t *j;
        if (pa->parent >= 0) {
            /* the parent (e.g. the dossier section) is memoised too: one look-up from there */
            if (!cc->state[pa->parent]) {
                cc->val[pa->parent] = path_walk(x, pa, pa->nseg - 1);
                cc->state[pa->parent] = 1;
            }
            j = cc->val[pa->parent];
            if (j)
                j = json_is_object(j)
                        ? json_object_getn(j, pa->seg[pa->nseg - 1], pa->seglen[pa->nseg - 1])
                        : NULL;
            j = json_is_null(j) ? NULL : j;
        } else {
            j = path_walk(x, pa, pa->nseg);
        }
        cc->val[pa->slot] = j;
        cc->state[pa->slot] = 1;
    }
    return cc->val[pa->slot];
}

void cond_cache_reset(struct cond_cache *cc)
{
    memset(cc->state, 0, sizeof cc->state);
    memset(cc->cmp, 0, sizeof cc->cmp);
}

static void val_of_json(const json_t *j, struct val *v)
{
    v->k = V_UNK;
    if (!j)
        return;
    if (json_is_boolean(j)) {
        v->k = V_BOOL;
        v->i = json_is_true(j);
    } else if (json_is_integer(j)) {
        v->k = V_INT;
        v->i = json_integer_value(j);
    } else if (json_is_string(j)) {
        v->k = V_STR;
        v->s = json_string_value(j);
        v->n = json_string_length(j);
    } else if (json_is_array(j)) {
        v->k = V_ARR;
        v->arr = j;
    }
}

static void operand_val(const struct ectx *x, const struct cond_operand *o, struct val *v)
{
    v->k = V_UNK;
    switch (o->kind) {
    case CO_PATH:
        val_of_json(path_get(x, &o->path), v);
        break;
    case CO_COUNT: {
        const json_t *j = path_get(x, &o->path);
        v->k = V_INT;
        v->i = json_is_array(j) ? (long long)json_array_size(j) : 0;
        break;
    }
    case CO_ENV:
        if (x->env->env) {
            v->k = V_STR;
            v->s = x->env->env;
            v->n = strlen(v->s);
        }
        break;
    case CO_TODAY:
        if (x->env->today && cond_date_valid(x->env->today, strlen(x->env->today))) {
            if (o->i) {
                cond_date_add(x->env->today, (long)o->i, v->buf);
                v->s = v->buf;
            } else {
                v->s = x->env->today;
            }
            v->n = 10; /* a valid YYYY-MM-DD */
            v->k = V_STR;
        }
        break;
    case CO_STR:
        v->k = V_STR;
        v->s = o->s;
        v->n = o->slen;
        break;
    case CO_INT:
        v->k = V_INT;
        v->i = o->i;
        break;
    case CO_BOOL:
        v->k = V_BOOL;
        v->i = o->i;
        break;
    case CO_LIST:
        break;
    }
}

/* -1, 0, 1 ordering; returns 2 when the values cannot be compared (unknown) */
static int val_cmp(const struct val *a, const struct val *b)
{
    if (a->k == V_UNK || b->k == V_UNK || a->k != b->k)
        return 2;
    if (a->k == V_STR) {
        int c = strcmp(a->s, b->s);
        return c < 0 ? -1 : c > 0;
    }
    if (a->k == V_INT || a->k == V_BOOL)
        return a->i < b->i ? -1 : a->i > b->i;
    return 2;
}

/* 0 equal, 1 different, 2 unknown: val_cmp() == 0 without ordering strings (length first) */
static int val_eq(const struct val *a, const struct val *b)
{
    if (a->k == V_UNK || b->k == V_UNK || a->k != b->k)
        return 2;
    if (a->k == V_STR)
        return a->n != b->n || !sluis_bytes_eq(a->s, b->s, a->n);
    if (a->k == V_INT || a->k == V_BOOL)
        return a->i != b->i;
    return 2;
}

static enum cond_tri tri_not(enum cond_tri t)
{
    return t == COND_UNKNOWN ? t : t == COND_TRUE ? COND_FALSE : COND_TRUE;
}

static enum cond_tri eval_cmp(const struct ectx *x, const struct cond_node *n)
{
    struct val l, r;
    int c;

    operand_val(x, &n->lhs, &l);
    if (l.k == V_UNK)
        return COND_UNKNOWN;
    switch (n->op) {
    case COP_IN:
    case COP_NOT_IN: {
        enum cond_tri t = COND_FALSE;
        for (int i = 0; i < n->rhs.nlist; i++) {
            operand_val(x, &n->rhs.list[i], &r);
            c = val_eq(&l, &r);
            if (c == 0) {
                t = COND_TRUE;
                break;
            }
            if (c == 2)
                t = COND_UNKNOWN;
        }
        return n->op == COP_IN ? t : tri_not(t);
    }
    case COP_CONTAINS: {
        size_t i;
        json_t *it;
        enum cond_tri t = COND_FALSE;
        if (l.k != V_ARR)
            return COND_UNKNOWN;
        operand_val(x, &n->rhs, &r);
        json_array_foreach(l.arr, i, it)
        {
            struct val e;
            val_of_json(it, &e);
            c = val_eq(&e, &r);
            if (c == 0)
                return COND_TRUE;
            if (c == 2)
                t = COND_UNKNOWN;
        }
        return t;
    }
    default:
        break;
    }
    operand_val(x, &n->rhs, &r);
    if (n->op == COP_EQ || n->op == COP_NE) {
        c = val_eq(&l, &r);
        if (c == 2)
            return COND_UNKNOWN;
        return (c == 0) == (n->op == COP_EQ) ? COND_TRUE : COND_FALSE;
    }
    c = val_cmp(&l, &r);
    if (c == 2)
        return COND_UNKNOWN;
    switch (n->op) {
    case COP_EQ:
        return c == 0 ? COND_TRUE : COND_FALSE;
    case COP_NE:
        return c != 0 ? COND_TRUE : COND_FALSE;
    case COP_LT:
        return c < 0 ? COND_TRUE : COND_FALSE;
    case COP_LE:
        return c <= 0 ? COND_TRUE : COND_FALSE;
    case COP_GT:
        return c > 0 ? COND_TRUE : COND_FALSE;
    case COP_GE:
        return c >= 0 ? COND_TRUE : COND_FALSE;
    default:
        return COND_UNKNOWN;
    }
}

static int is_present(const json_t *j)
{
    if (!j)
        return 0;
    if (json_is_string(j))
        return json_string_length(j) > 0;
    if (json_is_array(j))
        return json_array_size(j) > 0;
    if (json_is_object(j))
        return json_object_size(j) > 0;
    return 1;
}

static enum cond_tri eval_node(struct ectx *x, const struct cond_node *n)
{
    enum cond_tri a, b;

    switch (n->kind) {
    case CN_TRUE:
        return COND_TRUE;
    case CN_FALSE:
        return COND_FALSE;
    case CN_AND:
        a = eval_node(x, n->a);
        if (a == COND_FALSE)
            return COND_FALSE;
        b = eval_node(x, n->b);
        if (b == COND_FALSE)
            return COND_FALSE;
        return a == COND_TRUE && b == COND_TRUE ? COND_TRUE : COND_UNKNOWN;
    case CN_OR:
        a = eval_node(x, n->a);
        if (a == COND_TRUE)
            return COND_TRUE;
        b = eval_node(x, n->b);
        if (b == COND_TRUE)
            return COND_TRUE;
        return a == COND_FALSE && b == COND_FALSE ? COND_FALSE : COND_UNKNOWN;
    case CN_NOT:
        return tri_not(eval_node(x, n->a));
    case CN_ANY:
    case CN_ALL:
    case CN_NONE: {
        const json_t *arr = path_get(x, &n->path);
        size_t i;
        json_t *it;
        /* any: true if one is true; all: false if one is false */
        enum cond_tri stop = n->kind == CN_ALL ? COND_FALSE : COND_TRUE;
        enum cond_tri res = n->kind == CN_ALL ? COND_TRUE : COND_FALSE;
        if (!json_is_array(arr) || x->nelem >= COND_MAX_SCOPES)
            return COND_UNKNOWN;
        x->nelem++;
        json_array_foreach(arr, i, it)
        {
            enum cond_tri t;
            x->elem[x->nelem - 1] = it;
            t = eval_node(x, n->a);
            if (t == stop) {
                res = stop;
                break;
            }
            if (t == COND_UNKNOWN)
                res = COND_UNKNOWN;
        }
        x->nelem--;
        return n->kind == CN_NONE ? tri_not(res) : res;
    }
    case CN_CMP:
        if (n->cmp_slot && x->env->cache) {
            unsigned char *m = &x->env->cache->cmp[n->cmp_slot - 1];
            if (!*m)
                *m = (unsigned char)(1 + eval_cmp(x, n));
            return (enum cond_tri)(*m - 1);
        }
        return eval_cmp(x, n);
    case CN_PRESENT:
        return is_present(path_get(x, &n->path)) ? COND_TRUE : COND_FALSE;
    case CN_ABSENT:
        return is_present(path_get(x, &n->path)) ? COND_FALSE : COND_TRUE;
    case CN_BOOLPATH: {
        const json_t *j = path_get(x, &n->path);
        if (!json_is_boolean(j))
            return COND_UNKNOWN;
        return json_is_true(j) ? COND_TRUE : COND_FALSE;
    }
    }
    return COND_UNKNOWN;
}

enum cond_tri cond_eval_root(const struct cond_node *root, const struct cond_env *env)
{
    struct ectx x;

    x.env = env;
    x.nelem = 0;
    return eval_node(&x, root);
}

enum cond_tri cond_eval(const struct cond *c, const struct cond_env *env)
{
    return cond_eval_root(c->root, env);
}

const struct cond_node *cond_root(const struct cond *c)
{
    return c ? c->root : NULL;
}
