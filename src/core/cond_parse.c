/*
 * cond_parse.c - lexer, recursive-descent parser and type checker of the condition language.
 *
 * Grammar (docs/policy.md):
 *   expr    = and { "or" and }
 *   and     = unary { "and" unary }
 *   unary   = "not" unary | quant | primary
 *   quant   = ("any" | "all" | "none") PATH ":" expr        -- the body extends to the right
 *   primary = "(" expr ")" | "true" | "false" | "present" "(" PATH ")" | "absent" "(" PATH ")"
 *           | left [ op right ]                             -- a lone bool PATH means "is true"
 *   left    = PATH | "env" | "today" | "count" "(" PATH ")"
 *   op      = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" | "contains"
 *   right   = value | "[" value { "," value } "]" | "env" | "today" [ ("+"|"-") NUMBER ]
 *   value   = WORD | "quoted string" | NUMBER | DATE | "true" | "false"
 */
#include "core/cond_ast.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok {
    T_END,
    T_WORD,
    T_NUM,
    T_DATE,
    T_STR,
    T_LP,
    T_RP,
    T_LB,
    T_RB,
    T_COMMA,
    T_COLON,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_PLUS,
    T_MINUS,
    T_ERR
};

struct parser {
    const char *s;
    size_t len;
    size_t pos;   /* next unread byte */
    enum tok t;   /* current token */
    size_t start; /* current token start */
    size_t tlen;  /* current token length */
    struct cond_error *e;
    int failed;
    int oom;
    int depth;
    int nodes;
    int nscopes;
    char scopes[COND_MAX_SCOPES][128]; /* schema path of each quantifier's list */
    unsigned flags;
};

static void fail(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct parser *p, size_t at, const char *fmt, ...)
{
    va_list ap;

    if (p->failed)
        return;
    p->failed = 1;
    p->e->offset = at;
    va_start(ap, fmt);
    vsnprintf(p->e->msg, sizeof p->e->msg, fmt, ap);
    va_end(ap);
}

static int is_word_start(int c)
{
    return isalpha(c) || c == '_';
}

static int is_word_char(int c)
{
    return isalnum(c) || c == '_';
}

/* Reads the next token into p->t / start / tlen. */
static void next(struct parser *p)
{
    const char *s = p->s;
    size_t i = p->pos;

    while (i < p->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    p->start = i;
    if (i >= p->len) {
        p->t = T_END;
        p->tlen = 0;
        p->pos = i;
        return;
    }
    unsigned char c = (unsigned char)s[i];
    if (is_word_start(c)) {
        size_t j = i;
        for (;;) {
            while (j < p->len && is_word_char((unsigned char)s[j]))
                j++;
            if (j + 1 < p->len && s[j] == '.' && is_word_start((unsigned char)s[j + 1])) {
                j++;
                continue;
            }
            break;
        }
        p->t = T_WORD;
        p->tlen = j - i;
        p->pos = j;
        return;
    }
    if (isdigit(c)) {
        size_t j = i;
        while (j < p->len && isdigit((unsigned char)s[j]))
            j++;
        if (j - i == 4 && j + 5 < p->len && s[j] == '-' && isdigit((unsigned char)s[j + 1]) &&
            isdigit((unsigned char)s[j + 2]) && s[j + 3] == '-' &&
            isdigit((unsigned char)s[j + 4]) && isdigit((unsigned char)s[j + 5])) {
            p->t = T_DATE;
            p->tlen = 10;
            p->pos = i + 10;
            if (p->pos < p->len && is_word_char((unsigned char)s[p->pos]))
                fail(p, i, "malformed date; write YYYY-MM-DD");
            return;
        }
        if (j < p->len && is_word_start((unsigned char)s[j])) {
            fail(p, i, "a number may not run into letters; quote the value (\"...\")");
            p->t = T_ERR;
            return;
        }
        p->t = T_NUM;
        p->tlen = j - i;
        p->pos = j;
        return;
    }
    if (c == '"' || c == '\'') {
        size_t j = i + 1;
        while (j < p->len && s[j] != (char)c) {
            if (s[j] == '\\' && j + 1 < p->len)
                j++;
            j++;
        }
        if (j >= p->len) {
            fail(p, i, "string without a closing quote");
            p->t = T_ERR;
            return;
        }
        p->t = T_STR;
        p->tlen = j + 1 - i;
        p->pos = j + 1;
        return;
    }
    p->tlen = 1;
    p->pos = i + 1;
    switch (c) {
    case '(':
        p->t = T_LP;
        return;
    case ')':
        p->t = T_RP;
        return;
    case '[':
        p->t = T_LB;
        return;
    case ']':
        p->t = T_RB;
        return;
    case ',':
        p->t = T_COMMA;
        return;
    case ':':
        p->t = T_COLON;
        return;
    case '+':
        p->t = T_PLUS;
        return;
    case '-':
        p->t = T_MINUS;
        return;
    case '=':
    case '!':
    case '<':
    case '>':
        if (i + 1 < p->len && s[i + 1] == '=') {
            p->tlen = 2;
            p->pos = i + 2;
            p->t = c == '=' ? T_EQ : c == '!' ? T_NE : c == '<' ? T_LE : T_GE;
            return;
        }
        if (c == '<' || c == '>') {
            p->t = c == '<' ? T_LT : T_GT;
            return;
        }
        fail(p, i, "unexpected '%c'; comparisons are ==, !=, <, <=, >, >=", c);
        p->t = T_ERR;
        return;
    default:
        if (c < 0x20 || c >= 0x7f)
            fail(p, i, "unexpected character (byte 0x%02x)", c);
        else
            fail(p, i, "unexpected character '%c'", c);
        p->t = T_ERR;
        return;
    }
}

static int word_is(const struct parser *p, const char *w)
{
    return p->t == T_WORD && strlen(w) == p->tlen && memcmp(p->s + p->start, w, p->tlen) == 0;
}

static const char *const keywords[] = {"and",    "or",    "not",      "any",   "all", "none",
                                       "in",     "true",  "false",    "today", "env", "present",
                                       "absent", "count", "contains", NULL};

static int is_keyword(const char *w, size_t n)
{
    for (int i = 0; keywords[i]; i++)
        if (strlen(keywords[i]) == n && memcmp(keywords[i], w, n) == 0)
            return 1;
    return 0;
}

static void *palloc(struct parser *p, size_t n)
{
    void *m;

    if (++p->nodes > COND_MAX_NODES) {
        fail(p, p->start, "condition too large (more than %d parts)", COND_MAX_NODES);
        return NULL;
    }
    m = calloc(1, n);
    if (!m) {
        p->oom = 1;
        fail(p, p->start, "out of memory");
    }
    return m;
}

static char *pdup(struct parser *p, const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (!d) {
        p->oom = 1;
        fail(p, p->start, "out of memory");
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void path_free(struct cond_path *pa)
{
    for (int i = 0; i < pa->nseg; i++)
        free(pa->seg[i]);
    free(pa->seg); /* seglen shares the block */
    pa->seg = NULL;
    pa->seglen = NULL;
    pa->nseg = 0;
}

static void operand_free(struct cond_operand *o)
{
    path_free(&o->path);
    free(o->s);
    for (int i = 0; i < o->nlist; i++)
        operand_free(&o->list[i]);
    free(o->list);
}

static void node_free(struct cond_node *n)
{
    if (!n)
        return;
    node_free(n->a);
    node_free(n->b);
    path_free(&n->path);
    operand_free(&n->lhs);
    operand_free(&n->rhs);
    free(n);
}

/* Parses the current WORD token as a field path and resolves it against the schema. */
static int parse_path(struct parser *p, struct cond_path *pa)
{
    const char *w = p->s + p->start;
    size_t n = p->tlen, at = p->start;
    char key[256];
    const struct cond_field *f = NULL;

    pa->slot = -1;
    pa->parent = -1;
    if (p->t != T_WORD) {
        fail(p, at, "expected a field path (e.g. use.environment)");
        return -1;
    }
    if (is_keyword(w, n)) {
        fail(p, at, "expected a field path, found the keyword '%.*s'", (int)n, w);
        return -1;
    }
    if (n > 120) {
        fail(p, at, "field path too long");
        return -1;
    }
    /* innermost quantifier scope first: "terms" inside "any models:" is models[].terms */
    for (int i = p->nscopes - 1; i >= 0 && !f; i--) {
        int k = snprintf(key, sizeof key, "%s[].%.*s", p->scopes[i], (int)n, w);
        f = cond_schema_find(key, (size_t)k);
        if (f) {
            pa->root = CR_ELEM;
            pa->level = i;
        }
    }
    if (!f) {
        f = cond_schema_find(w, n);
        if (!f) {
            fail(p, at, "unknown field '%.*s' (not in the dossier schema, docs/dossier.md)", (int)n,
                 w);
            return -1;
        }
        if (n > 8 && memcmp(w, "derived.", 8) == 0) {
            pa->root = CR_DERIVED;
            w += 8;
            n -= 8;
            if ((p->flags & COND_F_NO_ROLES) && n >= 5 && memcmp(w, "roles", 5) == 0) {
                fail(p, at, "derived.roles cannot be used in a role-matrix condition");
                return -1;
            }
        } else {
            pa->root = CR_DOSSIER;
        }
    }
    pa->field = f;
    /* split into segments */
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && w[j] != '.')
            j++;
        if (pa->nseg >= COND_MAX_SEGS) {
            fail(p, at, "field path too deep");
            return -1;
        }
        if (!pa->seg) {
            /* seg[] and seglen[] in one block */
            pa->seg = calloc(COND_MAX_SEGS, sizeof(char *) + sizeof(size_t));
            if (!pa->seg) {
                p->oom = 1;
                fail(p, at, "out of memory");
                return -1;
            }
            pa->seglen = (size_t *)(void *)(pa->seg + COND_MAX_SEGS);
        }
        pa->seg[pa->nseg] = pdup(p, w + i, j - i);
        if (!pa->seg[pa->nseg])
            return -1;
        pa->seglen[pa->nseg] = strlen(pa->seg[pa->nseg]);
        pa->nseg++;
        i = j + 1;
    }
    next(p);
    return 0;
}

static long long parse_int(const char *s, size_t n)
{
    long long v = 0;

    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int parse_value(struct parser *p, struct cond_operand *o)
{
    size_t at = p->start;

    o->at = at;

    switch (p->t) {
    case T_WORD:
        if (word_is(p, "true") || word_is(p, "false")) {
            o->kind = CO_BOOL;
            o->i = word_is(p, "true");
        } else {
            o->kind = CO_STR;
            o->s = pdup(p, p->s + p->start, p->tlen);
            if (!o->s)
                return -1;
            o->slen = strlen(o->s);
        }
        break;
    case T_STR: {
        char *d = pdup(p, p->s + p->start + 1, p->tlen - 2);
        size_t k = 0;
        if (!d)
            return -1;
        for (size_t i = 0; d[i]; i++) {
            if (d[i] == '\\' && d[i + 1])
                i++;
            d[k++] = d[i];
        }
        d[k] = '\0';
        o->kind = CO_STR;
        o->s = d;
        o->slen = k;
        break;
    }
    case T_NUM:
        if (p->tlen > 15) {
            fail(p, at, "number too large");
            return -1;
        }
        o->kind = CO_INT;
        o->i = parse_int(p->s + p->start, p->tlen);
        break;
    case T_MINUS:
        next(p);
        if (p->t != T_NUM || p->tlen > 15) {
            fail(p, at, "expected a number after '-'");
            return -1;
        }
        o->kind = CO_INT;
        o->i = -parse_int(p->s + p->start, p->tlen);
        break;
    case T_DATE:
        if (!cond_date_valid(p->s + p->start, p->tlen)) {
            fail(p, at, "'%.*s' is not a calendar day", (int)p->tlen, p->s + p->start);
            return -1;
        }
        o->kind = CO_STR;
        o->is_date = 1;
        o->s = pdup(p, p->s + p->start, p->tlen);
        if (!o->s)
            return -1;
        o->slen = strlen(o->s);
        break;
    default:
        fail(p, at, "expected a value (a word, \"text\", number, date, true or false)");
        return -1;
    }
    next(p);
    return 0;
}

static int parse_right(struct parser *p, struct cond_operand *o)
{
    size_t at = p->start;

    if (word_is(p, "env")) {
        o->kind = CO_ENV;
        next(p);
        return 0;
    }
    if (word_is(p, "today")) {
        o->kind = CO_TODAY;
        next(p);
        if (p->t == T_PLUS || p->t == T_MINUS) {
            int neg = p->t == T_MINUS;
            next(p);
            if (p->t != T_NUM || p->tlen > 6) {
                fail(p, p->start, "expected a number of days after 'today %c'", neg ? '-' : '+');
                return -1;
            }
            o->i = parse_int(p->s + p->start, p->tlen) * (neg ? -1 : 1);
            next(p);
        }
        return 0;
    }
    if (p->t == T_LB) {
        o->kind = CO_LIST;
        o->list = calloc(COND_MAX_LIST, sizeof *o->list);
        if (!o->list) {
            p->oom = 1;
            fail(p, at, "out of memory");
            return -1;
        }
        next(p);
        for (;;) {
            if (o->nlist >= COND_MAX_LIST) {
                fail(p, p->start, "list too long (at most %d values)", COND_MAX_LIST);
                return -1;
            }
            if (parse_value(p, &o->list[o->nlist]) < 0) {
                o->nlist++;
                return -1;
            }
            o->nlist++;
            if (p->t == T_COMMA) {
                next(p);
                continue;
            }
            if (p->t == T_RB) {
                struct cond_operand *fit;
                next(p);
                /* give back the unused room: the evaluator walks these lists for every
                 * dossier, so the compiled condition should be small and close together */
                fit = realloc(o->list, (size_t)o->nlist * sizeof *o->list);
                if (fit)
                    o->list = fit;
                return 0;
            }
            fail(p, p->start, "expected ',' or ']' in the list");
            return -1;
        }
    }
    return parse_value(p, o);
}

static const char *op_name(enum cond_op op)
{
    static const char *const n[] = {"==", "!=", "<", "<=", ">", ">=", "in", "not in", "contains"};
    return n[op];
}

/* Checks one literal against the type of the left side. */
static int check_literal(struct parser *p, const struct cond_operand *v, enum cond_type t,
                         const struct cond_field *f, const char *what, size_t at)
{
    switch (t) {
    case COND_T_BOOL:
        if (v->kind != CO_BOOL) {
            fail(p, at, "%s is a yes/no field: compare it with true or false", what);
            return -1;
        }
        return 0;
    case COND_T_INT:
        if (v->kind != CO_INT) {
            fail(p, at, "%s is a number: compare it with a number", what);
            return -1;
        }
        return 0;
    case COND_T_DATE:
        if (v->kind == CO_TODAY || (v->kind == CO_STR && v->is_date))
            return 0;
        fail(p, at, "%s is a date: compare it with YYYY-MM-DD or today", what);
        return -1;
    case COND_T_ENUM:
    case COND_T_LIST_ENUM:
        if (v->kind != CO_STR || v->is_date) {
            fail(p, at, "%s takes one of: %s", what, f ? f->values : "?");
            return -1;
        }
        if (f && !cond_schema_enum_has(f, v->s, strlen(v->s))) {
            fail(p, at, "'%s' is not a value of %s (one of: %s)", v->s, what, f->values);
            return -1;
        }
        return 0;
    case COND_T_STR:
    case COND_T_LIST_STR:
        if (v->kind != CO_STR) {
            fail(p, at, "%s is text: compare it with a word or \"quoted text\"", what);
            return -1;
        }
        return 0;
    default:
        fail(p, at, "%s cannot be compared; use present(), count() or any/all", what);
        return -1;
    }
}

static const struct cond_field env_field = {"env", COND_T_ENUM, "exploration|pilot|production"};

static struct cond_node *parse_comparison(struct parser *p)
{
    struct cond_node *n = palloc(p, sizeof *n);
    size_t at = p->start, opat, rat;
    enum cond_type lt;
    const struct cond_field *lf = NULL;
    char what[160];

    if (!n)
        return NULL;
    n->kind = CN_CMP;
    if (word_is(p, "env")) {
        n->lhs.kind = CO_ENV;
        lf = &env_field;
        lt = COND_T_ENUM;
        snprintf(what, sizeof what, "env");
        next(p);
    } else if (word_is(p, "today")) {
        n->lhs.kind = CO_TODAY;
        lt = COND_T_DATE;
        snprintf(what, sizeof what, "today");
        next(p);
    } else if (word_is(p, "count")) {
        next(p);
        if (p->t != T_LP) {
            fail(p, p->start, "expected '(' after count");
            goto err;
        }
        next(p);
        if (parse_path(p, &n->lhs.path) < 0)
            goto err;
        if (n->lhs.path.field->type != COND_T_LIST_STR &&
            n->lhs.path.field->type != COND_T_LIST_ENUM &&
            n->lhs.path.field->type != COND_T_LIST_OBJ) {
            fail(p, at, "count() needs a list; %s is %s", n->lhs.path.field->path,
                 cond_schema_type_name(n->lhs.path.field->type));
            goto err;
        }
        if (p->t != T_RP) {
            fail(p, p->start, "expected ')' after the field of count(");
            goto err;
        }
        next(p);
        n->lhs.kind = CO_COUNT;
        lt = COND_T_INT;
        snprintf(what, sizeof what, "count(...)");
    } else if (p->t == T_WORD) {
        if (parse_path(p, &n->lhs.path) < 0)
            goto err;
        n->lhs.kind = CO_PATH;
        lf = n->lhs.path.field;
        lt = lf->type;
        snprintf(what, sizeof what, "%s", lf->path);
    } else {
        if (p->t == T_END)
            fail(p, at, "condition ends too early; expected a field, '(' or 'not'");
        else
            fail(p, at, "expected a field path, '(' or 'not'");
        goto err;
    }

    opat = p->start;
    switch (p->t) {
    case T_EQ:
        n->op = COP_EQ;
        break;
    case T_NE:
        n->op = COP_NE;
        break;
    case T_LT:
        n->op = COP_LT;
        break;
    case T_LE:
        n->op = COP_LE;
        break;
    case T_GT:
        n->op = COP_GT;
        break;
    case T_GE:
        n->op = COP_GE;
        break;
    case T_WORD:
        if (word_is(p, "in")) {
            n->op = COP_IN;
            break;
        }
        if (word_is(p, "contains")) {
            n->op = COP_CONTAINS;
            break;
        }
        if (word_is(p, "not")) {
            next(p);
            if (!word_is(p, "in")) {
                fail(p, opat, "expected 'not in'");
                goto err;
            }
            n->op = COP_NOT_IN;
            break;
        }
        /* fall through */
    default:
        /* no operator: a lone yes/no field */
        if (n->lhs.kind == CO_PATH && lt == COND_T_BOOL) {
            n->kind = CN_BOOLPATH;
            n->path = n->lhs.path;
            memset(&n->lhs.path, 0, sizeof n->lhs.path);
            return n;
        }
        if (n->lhs.kind == CO_PATH)
            fail(p, opat, "%s is %s, not yes/no: compare it (==, !=, in, ...) or use present(%s)",
                 what, cond_schema_type_name(lt), what);
        else
            fail(p, opat, "expected a comparison after %s", what);
        goto err;
    }
    next(p);
    rat = p->start;
    if (parse_right(p, &n->rhs) < 0)
        goto err;

    /* type check */
    switch (n->op) {
    case COP_EQ:
    case COP_NE:
        if (lt == COND_T_LIST_STR || lt == COND_T_LIST_ENUM) {
            fail(p, opat, "%s is a list: use 'contains' or count()", what);
            goto err;
        }
        if (n->rhs.kind == CO_LIST) {
            fail(p, rat, "use 'in' to compare with a list");
            goto err;
        }
        if (n->rhs.kind == CO_ENV) {
            if (lt != COND_T_ENUM || !lf || !(strcmp(lf->values, env_field.values) == 0)) {
                fail(p, rat, "only an environment field can be compared with env");
                goto err;
            }
            break;
        }
        if (check_literal(p, &n->rhs, lt, lf, what, rat) < 0)
            goto err;
        break;
    case COP_LT:
    case COP_LE:
    case COP_GT:
    case COP_GE:
        if (lt != COND_T_INT && lt != COND_T_DATE) {
            fail(p, opat, "'%s' needs a number or a date; %s is %s", op_name(n->op), what,
                 cond_schema_type_name(lt));
            goto err;
        }
        if (check_literal(p, &n->rhs, lt, lf, what, rat) < 0)
            goto err;
        break;
    case COP_IN:
    case COP_NOT_IN:
        if (n->rhs.kind != CO_LIST) {
            fail(p, rat, "'%s' needs a list: [a, b]", op_name(n->op));
            goto err;
        }
        if (lt == COND_T_LIST_STR || lt == COND_T_LIST_ENUM || lt == COND_T_LIST_OBJ ||
            lt == COND_T_OBJ) {
            fail(p, opat, "%s is a list: use 'contains'", what);
            goto err;
        }
        for (int i = 0; i < n->rhs.nlist; i++)
            if (check_literal(p, &n->rhs.list[i], lt, lf, what, n->rhs.list[i].at) < 0)
                goto err;
        break;
    case COP_CONTAINS:
        if (lt != COND_T_LIST_STR && lt != COND_T_LIST_ENUM) {
            fail(p, opat, "'contains' needs a list of values; %s is %s", what,
                 cond_schema_type_name(lt));
            goto err;
        }
        if (n->rhs.kind == CO_LIST) {
            fail(p, rat, "'contains' takes one value");
            goto err;
        }
        if (check_literal(p, &n->rhs, lt, lf, what, rat) < 0)
            goto err;
        break;
    }
    return n;
err:
    node_free(n);
    return NULL;
}

static struct cond_node *parse_expr(struct parser *p);

static struct cond_node *parse_presence(struct parser *p, enum cond_node_kind kind)
{
    struct cond_node *n = palloc(p, sizeof *n);

    if (!n)
        return NULL;
    n->kind = kind;
    next(p);
    if (p->t != T_LP) {
        fail(p, p->start, "expected '(' after %s", kind == CN_PRESENT ? "present" : "absent");
        goto err;
    }
    next(p);
    if (parse_path(p, &n->path) < 0)
        goto err;
    if (p->t != T_RP) {
        fail(p, p->start, "expected ')'");
        goto err;
    }
    next(p);
    return n;
err:
    node_free(n);
    return NULL;
}

static struct cond_node *parse_primary(struct parser *p)
{
    struct cond_node *n;

    if (p->t == T_LP) {
        size_t at = p->start;
        next(p);
        n = parse_expr(p);
        if (!n)
            return NULL;
        if (p->t != T_RP) {
            fail(p, p->t == T_END ? at : p->start, "missing ')' for the '(' here");
            node_free(n);
            return NULL;
        }
        next(p);
        return n;
    }
    if (word_is(p, "true") || word_is(p, "false")) {
        n = palloc(p, sizeof *n);
        if (!n)
            return NULL;
        n->kind = word_is(p, "true") ? CN_TRUE : CN_FALSE;
        next(p);
        return n;
    }
    if (word_is(p, "present"))
        return parse_presence(p, CN_PRESENT);
    if (word_is(p, "absent"))
        return parse_presence(p, CN_ABSENT);
    return parse_comparison(p);
}

static struct cond_node *parse_unary(struct parser *p)
{
    struct cond_node *n;

    if (p->failed)
        return NULL;
    if (++p->depth > COND_MAX_DEPTH) {
        fail(p, p->start, "condition nested too deeply (more than %d levels)", COND_MAX_DEPTH);
        return NULL;
    }
    if (word_is(p, "not")) {
        next(p);
        n = palloc(p, sizeof *n);
        if (!n)
            goto out;
        n->kind = CN_NOT;
        n->a = parse_unary(p);
        if (!n->a) {
            node_free(n);
            n = NULL;
        }
        goto out;
    }
    if (word_is(p, "any") || word_is(p, "all") || word_is(p, "none")) {
        enum cond_node_kind k = word_is(p, "any") ? CN_ANY : word_is(p, "all") ? CN_ALL : CN_NONE;
        size_t at;
        next(p);
        at = p->start;
        n = palloc(p, sizeof *n);
        if (!n)
            goto out;
        n->kind = k;
        if (parse_path(p, &n->path) < 0)
            goto bad;
        if (n->path.field->type != COND_T_LIST_OBJ) {
            fail(p, at, "any/all/none need a list of records (models, agreements, ...); %s is %s",
                 n->path.field->path, cond_schema_type_name(n->path.field->type));
            goto bad;
        }
        if (p->t != T_COLON) {
            fail(p, p->start, "expected ':' after the list of any/all/none");
            goto bad;
        }
        if (p->nscopes >= COND_MAX_SCOPES) {
            fail(p, at, "any/all/none nested too deeply");
            goto bad;
        }
        snprintf(p->scopes[p->nscopes], sizeof p->scopes[0], "%s", n->path.field->path);
        p->nscopes++;
        next(p);
        n->a = parse_expr(p);
        p->nscopes--;
        if (!n->a)
            goto bad;
        goto out;
    bad:
        node_free(n);
        n = NULL;
        goto out;
    }
    n = parse_primary(p);
out:
    p->depth--;
    return n;
}

static struct cond_node *parse_binary(struct parser *p, const char *kw, enum cond_node_kind kind,
                                      struct cond_node *(*sub)(struct parser *))
{
    struct cond_node *left = sub(p);

    while (left && word_is(p, kw)) {
        struct cond_node *n;
        next(p);
        n = palloc(p, sizeof *n);
        if (!n) {
            node_free(left);
            return NULL;
        }
        n->kind = kind;
        n->a = left;
        n->b = sub(p);
        if (!n->b) {
            node_free(n);
            return NULL;
        }
        left = n;
    }
    return left;
}

static struct cond_node *parse_and(struct parser *p)
{
    return parse_binary(p, "and", CN_AND, parse_unary);
}

static struct cond_node *parse_expr(struct parser *p)
{
    struct cond_node *n;

    if (++p->depth > COND_MAX_DEPTH) {
        fail(p, p->start, "condition nested too deeply (more than %d levels)", COND_MAX_DEPTH);
        p->depth--;
        return NULL;
    }
    n = parse_binary(p, "or", CN_OR, parse_and);
    p->depth--;
    return n;
}

/*
 * ---- relocation ----
 * The parser allocates every node, list and string on its own; the evaluator walks the nodes
 * of every rule for every dossier, and scattered over the heap they cost a cache miss each.
 * relocate() copies a compiled tree into one block: nodes, lists and compared strings in
 * evaluation order (depth first), the path segment names (read only on a memo miss) after
 * them. Two passes over the same code: the first (base NULL) only counts.
 */
struct arena {
    char *base;
    size_t hot, cold; /* bytes used in the hot part and in the cold part (after hot_cap) */
    size_t hot_cap;
};

static void *bump(struct arena *a, size_t n)
{
    size_t off = (a->hot + 15) & ~(size_t)15;

    a->hot = off + n;
    return a->base ? a->base + off : NULL;
}

static char *bump_str(struct arena *a, const char *s, size_t n, int cold)
{
    char *d = NULL;

    if (cold) {
        if (a->base)
            d = a->base + a->hot_cap + a->cold;
        a->cold += n + 1;
    } else {
        if (a->base)
            d = a->base + a->hot;
        a->hot += n + 1;
    }
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* dst (NULL while counting) is a copy of src whose pointers still point into src's tree */
static void reloc_path(struct arena *a, struct cond_path *dst, const struct cond_path *src)
{
    char **seg = NULL;
    size_t *seglen = NULL;

    if (!src->nseg)
        return;
    /* the two arrays (only the nseg used entries), then the names */
    a->cold = (a->cold + 15) & ~(size_t)15;
    if (a->base) {
        seg = (char **)(void *)(a->base + a->hot_cap + a->cold);
        seglen = (size_t *)(void *)(seg + src->nseg);
        memcpy(seglen, src->seglen, (size_t)src->nseg * sizeof *seglen);
    }
    a->cold += (size_t)src->nseg * (sizeof *seg + sizeof *seglen);
    for (int i = 0; i < src->nseg; i++) {
        char *d = bump_str(a, src->seg[i], src->seglen[i], 1);
        if (seg)
            seg[i] = d;
    }
    if (dst) {
        dst->seg = seg;
        dst->seglen = seglen;
    }
}

static void reloc_operand(struct arena *a, struct cond_operand *dst, const struct cond_operand *src)
{
    if (src->s) {
        char *d = bump_str(a, src->s, strlen(src->s), 0);
        if (dst)
            dst->s = d;
    }
    if (src->list) {
        struct cond_operand *l = bump(a, (size_t)src->nlist * sizeof *l);
        if (l)
            memcpy(l, src->list, (size_t)src->nlist * sizeof *l);
        if (dst)
            dst->list = l;
        for (int i = 0; i < src->nlist; i++)
            reloc_operand(a, l ? &l[i] : NULL, &src->list[i]);
    }
    reloc_path(a, dst ? &dst->path : NULL, &src->path);
}

static struct cond_node *reloc_node(struct arena *a, const struct cond_node *n)
{
    struct cond_node *d = bump(a, sizeof *d), *ca, *cb;

    if (d)
        memcpy(d, n, sizeof *d);
    reloc_operand(a, d ? &d->lhs : NULL, &n->lhs);
    reloc_operand(a, d ? &d->rhs : NULL, &n->rhs);
    reloc_path(a, d ? &d->path : NULL, &n->path);
    ca = n->a ? reloc_node(a, n->a) : NULL;
    cb = n->b ? reloc_node(a, n->b) : NULL;
    if (d) {
        d->a = ca;
        d->b = cb;
    }
    return d;
}

/* Moves c's tree into one block (c->arena); leaves it as it is when memory runs out. */
static void relocate(struct cond *c)
{
    struct arena a = {0};
    struct cond_node *root;

    reloc_node(&a, c->root);
    a.hot_cap = (a.hot + 15) & ~(size_t)15;
    a.base = malloc(a.hot_cap + a.cold);
    if (!a.base)
        return;
    a.hot = a.cold = 0;
    root = reloc_node(&a, c->root);
    node_free(c->root);
    c->root = root;
    c->arena = a.base;
}

int cond_compile(const char *src, size_t len, unsigned flags, struct cond **out,
                 struct cond_error *e)
{
    struct parser p;
    struct cond *c = NULL;
    struct cond_node *root;

    *out = NULL;
    memset(e, 0, sizeof *e);
    memset(&p, 0, sizeof p);
    p.s = src;
    p.len = len;
    p.e = e;
    p.flags = flags;
    if (len > COND_MAX_SRC) {
        fail(&p, 0, "condition too long (%zu bytes, at most %d)", len, COND_MAX_SRC);
        return -1;
    }
    if (memchr(src, '\0', len)) {
        fail(&p, (size_t)((const char *)memchr(src, '\0', len) - src), "NUL byte in condition");
        return -1;
    }
    next(&p);
    if (p.t == T_END && !p.failed) {
        fail(&p, 0, "empty condition; write true if the rule always applies");
        return -1;
    }
    root = parse_expr(&p);
    if (root && !p.failed && p.t != T_END) {
        if (p.t == T_WORD)
            fail(&p, p.start, "unexpected '%.*s'; join conditions with 'and' / 'or'",
                 (int)(p.tlen > 40 ? 40 : p.tlen), src + p.start);
        else
            fail(&p, p.start, "unexpected text after the end of the condition");
    }
    if (p.failed || !root) {
        node_free(root);
        if (!p.failed)
            fail(&p, p.start, "syntax error");
        return p.oom ? -2 : -1;
    }
    c = calloc(1, sizeof *c);
    if (!c || !(c->src = malloc(len + 1))) {
        free(c);
        node_free(root);
        snprintf(e->msg, sizeof e->msg, "out of memory");
        return -2;
    }
    memcpy(c->src, src, len);
    c->src[len] = '\0';
    c->root = root;
    relocate(c);
    *out = c;
    return 0;
}

void cond_free(struct cond *c)
{
    if (!c)
        return;
    if (c->arena)
        free(c->arena);
    else
        node_free(c->root);
    free(c->src);
    free(c);
}

const char *cond_source(const struct cond *c)
{
    return c->src;
}
