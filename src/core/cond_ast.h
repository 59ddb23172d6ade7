/* cond_ast.h - the compiled form of a condition, shared by cond_parse.c and cond_eval.c. */
#ifndef SLUIS_CORE_COND_AST_H
#define SLUIS_CORE_COND_AST_H

#include "core/cond.h"
#include "core/cond_schema.h"

#define COND_MAX_SEGS 8
#define COND_MAX_LIST 64

enum cond_node_kind {
    CN_TRUE,
    CN_FALSE,
    CN_AND,
    CN_OR,
    CN_NOT,
    CN_ANY,
    CN_ALL,
    CN_NONE,
    CN_CMP,
    CN_PRESENT,
    CN_ABSENT,
    CN_BOOLPATH,
};

enum cond_root { CR_DOSSIER, CR_DERIVED, CR_ELEM };

struct cond_path {
    enum cond_root root;
    int level;  /* CR_ELEM: index into the quantifier scope stack */
    int slot;   /* memo slot (cond_slots_assign), -1 = none */
    int parent; /* with slot: memo slot of the path without its last segment, -1 = none */
    int nseg;
    /* seg[0..nseg) and seglen[0..nseg) (strlen of each, stored at parse time for the
     * look-ups): room for COND_MAX_SEGS each, outside the node so that nodes stay small (the
     * evaluator reads them only when a look-up is not memoised); NULL while nseg is 0 */
    char **seg;
    size_t *seglen;
    const struct cond_field *field;
};

enum cond_opd_kind { CO_PATH, CO_ENV, CO_TODAY, CO_COUNT, CO_STR, CO_INT, CO_BOOL, CO_LIST };

/* Field order: what the evaluator reads for every dossier first, the path (mostly read from
 * its first bytes) last, so that an operand touches few cache lines. */
struct cond_operand {
    enum cond_opd_kind kind;
    int nlist;   /* CO_LIST */
    long long i; /* CO_INT, CO_BOOL; CO_TODAY: offset in days */
    char *s;     /* CO_STR (strings, enum values, dates) */
    size_t slen; /* CO_STR: strlen(s), set at parse time (equality by length first) */
    struct cond_operand *list;
    int is_date;           /* CO_STR holding a date */
    size_t at;             /* offset in the source, for messages */
    struct cond_path path; /* CO_PATH, CO_COUNT */
};

enum cond_op { COP_EQ, COP_NE, COP_LT, COP_LE, COP_GT, COP_GE, COP_IN, COP_NOT_IN, COP_CONTAINS };

struct cond_node {
    enum cond_node_kind kind;
    enum cond_op op;         /* CMP */
    int cmp_slot;            /* CMP: 1 + its result memo in cond_cache.cmp (cond_slots_assign),
                                0 = evaluated every time */
    struct cond_node *a, *b; /* AND/OR: a, b; NOT: a; quantifiers: body in a */
    struct cond_operand lhs, rhs;
    struct cond_path path; /* quantifier target, PRESENT/ABSENT/BOOLPATH */
};

struct cond {
    struct cond_node *root;
    char *src;
    void *arena; /* when set, root and everything below it live in this one block */
};

#endif
