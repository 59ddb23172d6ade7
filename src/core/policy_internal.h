/* policy_internal.h - the in-memory policy set shared by policy_load.c, policy.c, verdict.c. */
#ifndef SLUIS_CORE_POLICY_INTERNAL_H
#define SLUIS_CORE_POLICY_INTERNAL_H

#include "core/cond.h"
#include "core/derive.h"
#include "core/policy.h"
#include "core/verdict.h"

#define POLICY_MAX_SCHEDULE 8
#define POLICY_ENV_EXPLORATION 1
#define POLICY_ENV_PILOT 2
#define POLICY_ENV_PRODUCTION 4

struct policy_schedule {
    char until[11]; /* the severity below holds up to and including this day */
    long until_num; /* until as YYYYMMDD (set at load), compared as a number */
    enum severity severity;
};

/* Field order: what eval_rules() reads for every dossier comes first and together (about 150
 * bytes), so that a pass over the rules touches few cache lines per rule. */
struct policy_rule {
    char *id;
    char *catalogue;
    struct policy_text title, explanation, message, remedy, source;
    struct cond *applies_when; /* NULL = always */
    struct cond *requires;
    long from_num, until_num; /* effective_from/until as YYYYMMDD, 0 = open (set at load) */
    int env_mask;             /* POLICY_ENV_* bits; 0 = every environment */
    int uses_env;             /* a condition reads env or derived.roles (set at load) */
    enum severity severity;   /* after the last schedule entry */
    int n_schedule;
    struct policy_schedule schedule[POLICY_MAX_SCHEDULE];
    char *kind;              /* mandatory | encouraged | law | guidance (informative) */
    char *origin;            /* id of the file that defined the rule */
    char effective_from[11]; /* "" = open */
    char effective_until[11];
};

struct policy_role {
    char *id;
    struct policy_text title;
    int decides;                       /* the accountable role: decides, does not advise */
    struct cond *advice_required_when; /* NULL = never required to advise */
    char *literacy;                    /* bewust | bekwaam | vloeiend | expert, or NULL */
};

/* A valid YYYY-MM-DD date as the number YYYYMMDD (orders like the string); "" gives 0. */
static inline long policy_date_num(const char *s)
{
    long v = 0;

    if (!s[0])
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7)
            v = v * 10 + (s[i] - '0');
    return v;
}

/* What eval_rules() decides with for one rule, copied out of struct policy_rule after every
 * load into one small array (policy_set.hot), so that the pass over the rules for each dossier
 * reads a few kilobytes in order instead of a line or more of each 440-byte rule. */
struct policy_rule_hot {
    const struct cond_node *applies_when; /* cond_root() of the rule's conditions */
    const struct cond_node *requires;
    long from_num, until_num;
    int env_mask;
    int uses_env;
    int n_schedule; /* > 0: the severity comes from the rule's schedule */
    enum severity severity;
};

struct policy_set {
    struct policy_rule *rules;
    size_t n_rules;
    struct policy_rule_hot *hot; /* n_rules entries (policy_set_index()), or NULL */
    struct finding *tmpl; /* n_rules findings with the rule's ids and texts filled in, or NULL */
    unsigned char *placeholders; /* per rule, bit k: text k of message.nl, message.en,
                                    remedy.nl, remedy.en holds a '{' (verdict_text_render()) */
    struct policy_role *roles;
    size_t n_roles;
    int roles_use_env; /* a role's advice_required_when reads env or derived.roles (at load) */
    struct derive_params params;
    struct cond_slots slots; /* memo slots of the field paths of all conditions */
    char base_id[72];
    char version[256];
};

/* Builds ps->hot and ps->tmpl from ps->rules (after every file merged into ps).
 * Returns 0 or SLUIS_ENOMEM. */
int policy_set_index(struct policy_set *ps);

/* collects the errors of one load or lint run */
struct policy_diag {
    const char *file;
    void (*cb)(const struct sluis_err *e, void *ud);
    void *ud;
    int n;
    struct sluis_err first;
};

/*
 * Parses one policy file into ps: is_base 1 = the base file, 0 = an organisation file merged
 * into what ps holds, 2 = a file linted on its own (either kind).
 * Every error goes to d; returns the number of errors found (0 = ok), or <0 on out of memory.
 */
int policy_file_parse(struct policy_set *ps, const char *buf, size_t len, int is_base,
                      struct policy_diag *d);

void policy_diag_report(struct policy_diag *d, int code, int line, int col, const char *path,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));

void policy_rule_clear(struct policy_rule *r);
void policy_role_clear(struct policy_role *r);

#endif
