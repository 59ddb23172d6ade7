/*
 * export_algoritmeregister.c - map a dossier to the Algoritmeregister publication standard 1.0
 * and validate the result. See export_algoritmeregister.h and docs/export.md.
 */
#include "core/export_algoritmeregister.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Largest rich-text value we build; the register's own limit is 5000 characters. */
#define RICH_CAP (256 * 1024)

static const char *const THEMES[] = {
    "Organisatie en bedrijfsvoering",
    "Cultuur en recreatie",
    "Economie",
    "Overheidsfinanciën",
    "Wonen",
    "Internationaal",
    "Migratie en integratie",
    "Natuur en milieu",
    "Onderwijs en wetenschap",
    "Openbare orde en veiligheid",
    "Recht",
    "Ruimte en infrastructuur",
    "Sociale zekerheid",
    "Verkeer",
    "Werk",
    "Zorg en gezondheid",
};

static const char *const STATUSES[] = {"In ontwikkeling", "In gebruik", "Buiten gebruik"};

static const char *const PUB_CATS[] = {
    "Hoog-risico AI-systeem",
    "Impactvolle algoritmes",
    "Overige algoritmes",
};

enum field_kind {
    FK_TEXT,     /* plain text with max length */
    FK_RICH,     /* rich text: allowed tags + max length */
    FK_URL,      /* https URL with max length */
    FK_YYYYMM,   /* yyyy-mm */
    FK_CONTACT,  /* e-mail or https URL, max length */
    FK_STATUS,   /* enum STATUSES */
    FK_PUBCAT,   /* enum PUB_CATS */
    FK_LANG,     /* "nld" */
    FK_STDVER,   /* "1.0" */
    FK_THEMES,   /* list of THEMES */
    FK_G_LAWFUL, /* list of {title <=100 req, link <=500 req} */
    FK_G_IMPACT, /* list of {title req, link <=500 opt} */
    FK_G_SOURCE, /* list of {title <=500 req, link <=500 req} */
};

struct field_spec {
    const char *key;
    int kind;   /* enum field_kind */
    size_t max; /* characters after stripping HTML; 0 = no limit */
    int required;
    const char *source; /* dossier path used by the builder, for messages */
};

static const struct field_spec FIELDS[] = {
    {"name", FK_TEXT, 100, 1, "name"},
    {"description_short", FK_TEXT, 400, 1, "purpose.description"},
    {"organization", FK_TEXT, 100, 1, "organisation.name"},
    {"category", FK_THEMES, 0, 0, "publication.theme"},
    {"status", FK_STATUS, 0, 1, "publication.status"},
    {"begin_date", FK_YYYYMM, 0, 0, "publication.begin_date"},
    {"end_date", FK_YYYYMM, 0, 0, ""},
    {"contact_email", FK_CONTACT, 500, 1, "publication.contact_email"},
    {"website", FK_URL, 500, 0, "publication.website"},
    {"publication_category", FK_PUBCAT, 0, 1, "derived.ai_act.high_risk / ai_act.impactful"},
    {"url", FK_URL, 500, 0, ""},
    {"goal", FK_RICH, 2500, 0, "purpose.description + purpose.problem"},
    {"proportionality", FK_RICH, 2500, 0, "purpose.alternatives"},
    {"human_intervention", FK_RICH, 2500, 0, "use.human_review / oversight"},
    {"risks", FK_RICH, 2500, 0, "assessments"},
    {"lawful_basis", FK_RICH, 2500, 0, "purpose.lawful_basis"},
    {"lawful_basis_grouping", FK_G_LAWFUL, 0, 0, ""},
    {"process_index_url", FK_URL, 500, 0, ""},
    {"impacttoetsen_grouping", FK_G_IMPACT, 0, 0, "assessments"},
    {"impacttoetsen", FK_RICH, 2500, 0, "assessments"},
    {"source_data", FK_RICH, 2500, 0, "data.sources"},
    {"source_data_grouping", FK_G_SOURCE, 0, 0, ""},
    {"methods_and_models", FK_RICH, 5000, 0, "models"},
    {"provider", FK_TEXT, 200, 0, "agreements[].provider"},
    {"publiccode", FK_URL, 500, 0, ""},
    {"lang", FK_LANG, 0, 1, ""},
    {"standard_version", FK_STDVER, 0, 0, ""},
    {"source_id", FK_TEXT, 100, 0, "id"},
    {"tags", FK_TEXT, 2500, 0, ""},
};

#define N_FIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

/* ---------------------------------------------------------------- report */

void export_report_init(struct export_report *rep)
{
    memset(rep, 0, sizeof(*rep));
}

void export_report_free(struct export_report *rep)
{
    if (!rep)
        return;
    free(rep->items);
    memset(rep, 0, sizeof(*rep));
}

static int report_add(struct export_report *rep, int severity, const char *field,
                      const char *source, const char *limit, const char *found_fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int report_add(struct export_report *rep, int severity, const char *field,
                      const char *source, const char *limit, const char *found_fmt, ...)
{
    struct export_problem *p;
    va_list ap;

    if (severity == EXPORT_ERROR)
        rep->n_errors++;
    if (rep->n >= EXPORT_PROBLEMS_MAX) {
        rep->dropped++;
        return 0;
    }
    if (rep->n == rep->cap) {
        size_t ncap = rep->cap ? rep->cap * 2 : 8;
        struct export_problem *ni;

        if (ncap > EXPORT_PROBLEMS_MAX)
            ncap = EXPORT_PROBLEMS_MAX;
        ni = realloc(rep->items, ncap * sizeof(*ni));
        if (!ni)
            return SLUIS_ENOMEM;
        rep->items = ni;
        rep->cap = ncap;
    }
    p = &rep->items[rep->n++];
    memset(p, 0, sizeof(*p));
    p->severity = severity;
    snprintf(p->field, sizeof(p->field), "%s", field);
    snprintf(p->source, sizeof(p->source), "%s", source ? source : "");
    snprintf(p->limit, sizeof(p->limit), "%s", limit);
    va_start(ap, found_fmt);
    vsnprintf(p->found, sizeof(p->found), found_fmt, ap);
    va_end(ap);
    return 0;
}

void export_problem_format(const struct export_problem *p, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s: %s (found / gevonden: %s)%s%s%s",
             p->severity == EXPORT_WARNING ? "warning / waarschuwing: " : "", p->field, p->limit,
             p->found, p->source[0] ? " [dossier: " : "", p->source, p->source[0] ? "]" : "");
}

/* ---------------------------------------------------------------- text checks */

size_t export_text_length(const char *s, size_t n)
{
    size_t i = 0, chars = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];

        if (c == '<') {
            const char *gt = memchr(s + i, '>', n - i);

            /* A tag starts with a letter, '/' or '!'; anything else is a literal '<'. */
            if (gt && i + 1 < n &&
                (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!')) {
                i = (size_t)(gt - s) + 1;
                continue;
            }
        } else if (c == '&') {
            size_t j = i + 1;

            while (j < n && j - i <= 12 && (isalnum((unsigned char)s[j]) || s[j] == '#'))
                j++;
            if (j < n && s[j] == ';' && j > i + 1) {
                chars++;
                i = j + 1;
                continue;
            }
        }
        if ((c & 0xC0) != 0x80)
            chars++;
        i++;
    }
    return chars;
}

int export_rich_text_check(const char *s, size_t n, char *why, size_t cap)
{
    static const char *const allowed[] = {"div", "br", "p", "ul", "ol", "li"};
    size_t i = 0;

    if (cap)
        why[0] = '\0';
    while (i < n) {
        const char *gt;
        size_t j, namelen;
        int ok = 0;

        if (s[i] != '<') {
            i++;
            continue;
        }
        gt = memchr(s + i, '>', n - i);
        if (!gt || i + 1 >= n ||
            !(isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!')) {
            i++;
            continue;
        }
        j = i + 1;
        if (s[j] == '/')
            j++;
        namelen = 0;
        while (j + namelen < n && isalnum((unsigned char)s[j + namelen]))
            namelen++;
        for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]) && namelen; k++)
            if (strlen(allowed[k]) == namelen && !strncasecmp(allowed[k], s + j, namelen))
                ok = 1;
        /* After the name only optional spaces and a self-closing '/' may follow. */
        for (const char *q = s + j + namelen; ok && q < gt; q++)
            if (*q != ' ' && *q != '/')
                ok = 0;
        if (!ok) {
            size_t len = (size_t)(gt - (s + i)) + 1;

            if (cap) {
                if (len > 40)
                    len = 40;
                if (len >= cap)
                    len = cap - 1;
                memcpy(why, s + i, len);
                why[len] = '\0';
            }
            return -1;
        }
        i = (size_t)(gt - s) + 1;
    }
    return 0;
}

int export_https_url_ok(const char *s)
{
    const char *host;
    size_t hostlen;

    if (strncmp(s, "https://", 8) != 0)
        return 0;
    host = s + 8;
    hostlen = strcspn(host, "/?#");
    if (hostlen == 0)
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>')
            return 0;
    /* host: letters, digits, '-', '.', optional :port; at least one dot or "localhost" */
    for (size_t i = 0; i < hostlen; i++) {
        char c = host[i];

        if (!(isalnum((unsigned char)c) || c == '-' || c == '.' || c == ':'))
            return 0;
    }
    if (host[0] == '.' || host[0] == '-' || host[0] == ':')
        return 0;
    return memchr(host, '.', hostlen) != NULL;
}

int export_yyyymm_ok(const char *s)
{
    int year, month;

    if (strlen(s) != 7 || s[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)s[i]))
            return 0;
    year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    month = (s[5] - '0') * 10 + (s[6] - '0');
    return year >= 1900 && year <= 2999 && month >= 1 && month <= 12;
}

int export_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    const char *dot;

    if (!at || at == s || strchr(at + 1, '@'))
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' ||
            *p == ',' || *p == ';')
            return 0;
    dot = strrchr(at + 1, '.');
    return dot && dot > at + 1 && dot[1] != '\0';
}

/* ---------------------------------------------------------------- validation */

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

/* Shows the start of a value in a problem message, keeping it short. */
static void excerpt(const char *s, char *buf, size_t cap)
{
    size_t len = strlen(s);

    if (len < 60) {
        snprintf(buf, cap, "\"%s\"", s);
        return;
    }
    /* cut at a UTF-8 boundary */
    len = 57;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    snprintf(buf, cap, "\"%.*s...\"", (int)len, s);
}

static int check_length(struct export_report *rep, const char *field, const char *source,
                        const char *s, size_t max, const char *what)
{
    size_t len = export_text_length(s, strlen(s));
    char limit[96];

    if (max && len > max) {
        snprintf(limit, sizeof(limit), "max %zu %s after stripping HTML", max, what);
        return report_add(rep, EXPORT_ERROR, field, source, limit, "%zu", len);
    }
    return 0;
}

static int check_url(struct export_report *rep, const char *field, const char *source,
                     const char *s, size_t max)
{
    char ex[128];
    int rc;

    if (!export_https_url_ok(s)) {
        excerpt(s, ex, sizeof(ex));
        rc = report_add(rep, EXPORT_ERROR, field, source, "valid link starting with https://", "%s",
                        ex);
        if (rc)
            return rc;
    }
    return check_length(rep, field, source, s, max, "characters");
}

static int check_group(struct export_report *rep, const struct field_spec *fs, const json_t *v)
{
    size_t i;
    json_t *item;
    char f[96];
    int rc;
    size_t title_max = fs->kind == FK_G_LAWFUL ? 100 : fs->kind == FK_G_SOURCE ? 500 : 0;
    int link_required = fs->kind != FK_G_IMPACT;

    if (!json_is_array(v))
        return report_add(rep, EXPORT_ERROR, fs->key, fs->source, "list of {title, link}", "%s",
                          "not a list");
    json_array_foreach(v, i, item)
    {
        const char *key;
        json_t *m;
        json_t *title = json_object_get(item, "title");
        json_t *link = json_object_get(item, "link");

        if (!json_is_object(item)) {
            snprintf(f, sizeof(f), "%s[%zu]", fs->key, i);
            rc = report_add(rep, EXPORT_ERROR, f, fs->source, "object {title, link}", "%s",
                            "not an object");
            if (rc)
                return rc;
            continue;
        }
        json_object_foreach((json_t *)item, key, m)
        {
            if (strcmp(key, "title") && strcmp(key, "link")) {
                snprintf(f, sizeof(f), "%s[%zu].%.40s", fs->key, i, key);
                rc = report_add(rep, EXPORT_ERROR, f, fs->source, "only title and link", "%s",
                                "unknown key");
                if (rc)
                    return rc;
            }
        }
        snprintf(f, sizeof(f), "%s[%zu].title", fs->key, i);
        if (!json_is_string(title) || !json_string_value(title)[0]) {
            rc = report_add(rep, EXPORT_ERROR, f, fs->source, "required text", "%s",
                            title ? "empty or not text" : "missing");
        } else {
            rc =
                check_length(rep, f, fs->source, json_string_value(title), title_max, "characters");
        }
        if (rc)
            return rc;
        snprintf(f, sizeof(f), "%s[%zu].link", fs->key, i);
        if (!link || json_is_null(link)) {
            rc = link_required ? report_add(rep, EXPORT_ERROR, f, fs->source, "required https link",
                                            "%s", "missing")
                               : 0;
        } else if (!json_is_string(link)) {
            rc = report_add(rep, EXPORT_ERROR, f, fs->source, "https link", "%s", "not text");
        } else {
            rc = check_url(rep, f, fs->source, json_string_value(link), 500);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int check_field(struct export_report *rep, const struct field_spec *fs, const json_t *v)
{
    const char *s;
    char why[64], ex[128];
    int rc;

    switch (fs->kind) {
    case FK_THEMES: {
        size_t i;
        json_t *t;

        if (!json_is_array(v))
            return report_add(rep, EXPORT_ERROR, fs->key, fs->source, "list of themes", "%s",
                              "not a list");
        json_array_foreach(v, i, t)
        {
            if (!json_is_string(t) ||
                !in_list(json_string_value(t), THEMES, sizeof(THEMES) / sizeof(THEMES[0]))) {
                char f[96];

                snprintf(f, sizeof(f), "%s[%zu]", fs->key, i);
                excerpt(json_is_string(t) ? json_string_value(t) : "(not text)", ex, sizeof(ex));
                rc = report_add(rep, EXPORT_ERROR, f, fs->source,
                                "one of the 16 themes (e.g. \"Organisatie en bedrijfsvoering\")",
                                "%s", ex);
                if (rc)
                    return rc;
            }
        }
        return 0;
    }
    case FK_G_LAWFUL:
    case FK_G_IMPACT:
    case FK_G_SOURCE:
        return check_group(rep, fs, v);
    default:
        break;
    }
    if (!json_is_string(v))
        return report_add(rep, EXPORT_ERROR, fs->key, fs->source, "text", "%s", "not text");
    s = json_string_value(v);
    if (fs->required && !s[0])
        return report_add(rep, EXPORT_ERROR, fs->key, fs->source, "required, not empty", "%s",
                          "empty");
    excerpt(s, ex, sizeof(ex));
    switch (fs->kind) {
    case FK_TEXT:
        rc = check_length(rep, fs->key, fs->source, s, fs->max, "characters");
        if (!rc && !strcmp(fs->key, "description_short") && export_text_length(s, strlen(s)) >= 350)
            rc = report_add(rep, EXPORT_WARNING, fs->key, fs->source,
                            "handbook: under 350 characters (the API allows 400)", "%zu",
                            export_text_length(s, strlen(s)));
        return rc;
    case FK_RICH:
        if (export_rich_text_check(s, strlen(s), why, sizeof(why)))
            if ((rc = report_add(rep, EXPORT_ERROR, fs->key, fs->source,
                                 "only the tags div, br, p, ul, ol, li, without attributes", "%s",
                                 why)))
                return rc;
        return check_length(rep, fs->key, fs->source, s, fs->max, "characters");
    case FK_URL:
        return check_url(rep, fs->key, fs->source, s, fs->max);
    case FK_YYYYMM:
        if (!export_yyyymm_ok(s))
            return report_add(rep, EXPORT_ERROR, fs->key, fs->source, "date as yyyy-mm", "%s", ex);
        return 0;
    case FK_CONTACT:
        if (!export_email_ok(s) && !export_https_url_ok(s))
            if ((rc = report_add(rep, EXPORT_ERROR, fs->key, fs->source,
                                 "valid e-mail address or https:// link", "%s", ex)))
                return rc;
        return check_length(rep, fs->key, fs->source, s, fs->max, "characters");
    case FK_STATUS:
        if (!in_list(s, STATUSES, 3))
            return report_add(rep, EXPORT_ERROR, fs->key, fs->source,
                              "In ontwikkeling | In gebruik | Buiten gebruik", "%s", ex);
        return 0;
    case FK_PUBCAT:
        if (!in_list(s, PUB_CATS, 3))
            return report_add(rep, EXPORT_ERROR, fs->key, fs->source,
                              "Hoog-risico AI-systeem | Impactvolle algoritmes | Overige "
                              "algoritmes",
                              "%s", ex);
        return 0;
    case FK_LANG:
        if (strcmp(s, "nld"))
            return report_add(rep, EXPORT_ERROR, fs->key, fs->source, "nld", "%s", ex);
        return 0;
    case FK_STDVER:
        if (strcmp(s, "1.0"))
            return report_add(rep, EXPORT_ERROR, fs->key, fs->source, "1.0", "%s", ex);
        return 0;
    default:
        return 0;
    }
}

int export_algoritmeregister_validate(const json_t *doc, struct export_report *rep)
{
    const char *key;
    json_t *v;
    size_t errors_before = rep->n_errors;
    int rc;

    if (!json_is_object(doc)) {
        rc = report_add(rep, EXPORT_ERROR, "(document)", "", "JSON object", "%s", "not an object");
        return rc ? rc : SLUIS_EINVAL;
    }
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct field_spec *fs = &FIELDS[i];

        v = json_object_get(doc, fs->key);
        if (!v || json_is_null(v)) {
            if (fs->required && (rc = report_add(rep, EXPORT_ERROR, fs->key, fs->source,
                                                 "required by the register API", "%s", "missing")))
                return rc;
            continue;
        }
        if ((rc = check_field(rep, fs, v)))
            return rc;
    }
    json_object_foreach((json_t *)doc, key, v)
    {
        int known = 0;

        for (size_t i = 0; i < N_FIELDS && !known; i++)
            known = !strcmp(FIELDS[i].key, key);
        if (!known) {
            char f[96];

            snprintf(f, sizeof(f), "%.90s", key);
            if ((rc = report_add(rep, EXPORT_ERROR, f, "", "a key of the publication standard 1.0",
                                 "%s", "unknown key")))
                return rc;
        }
    }
    return rep->n_errors > errors_before ? SLUIS_EINVAL : 0;
}

/* ---------------------------------------------------------------- building */

/* Capped growable string. */
struct sbuf {
    char *p;
    size_t len, cap;
    int failed; /* sticky: ENOMEM or over RICH_CAP */
};

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > RICH_CAP) {
        b->failed = SLUIS_ETOOBIG;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        char *np;

        while (ncap < b->len + n + 1)
            ncap *= 2;
        np = realloc(b->p, ncap);
        if (!np) {
            b->failed = SLUIS_ENOMEM;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

/* Appends plain text as HTML: escapes &, <, > and turns newlines into <br>. */
static void sb_add_escaped(struct sbuf *b, const char *s)
{
    size_t len = strlen(s);

    /* trailing newlines (YAML block scalars) add nothing */
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '&':
            sb_add(b, "&amp;");
            break;
        case '<':
            sb_add(b, "&lt;");
            break;
        case '>':
            sb_add(b, "&gt;");
            break;
        case '\r':
            break;
        case '\n':
            sb_add(b, "<br>");
            break;
        default:
            sb_addn(b, s + i, 1);
            break;
        }
    }
}

/* Borrowed string at a dotted path ("a.b") of obj, or NULL. */
static const char *jstr(const json_t *obj, const char *path)
{
    char part[64];
    const json_t *cur = obj;

    while (cur && *path) {
        size_t n = strcspn(path, ".");

        if (n >= sizeof(part))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        cur = json_object_get(cur, part);
        path += n;
        if (*path == '.')
            path++;
    }
    return json_is_string(cur) ? json_string_value(cur) : NULL;
}

static const json_t *jget(const json_t *obj, const char *path)
{
    char part[64];
    const json_t *cur = obj;

    while (cur && *path) {
        size_t n = strcspn(path, ".");

        if (n >= sizeof(part))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        cur = json_object_get(cur, part);
        path += n;
        if (*path == '.')
            path++;
    }
    return cur;
}

static int jtrue(const json_t *obj, const char *path)
{
    return json_is_true(jget(obj, path));
}

/* Sets key to a new string unless s is NULL or empty; returns -1 on ENOMEM. */
static int set_str(json_t *doc, const char *key, const char *s)
{
    if (!s || !s[0])
        return 0;
    return json_object_set_new(doc, key, json_string(s)) ? -1 : 0;
}

static int set_sbuf(json_t *doc, const char *key, struct sbuf *b)
{
    int rc = 0;

    if (b->failed == SLUIS_ENOMEM)
        rc = -1;
    else if (b->len) /* also when over RICH_CAP: validation reports the length */
        rc = json_object_set_new(doc, key, json_string(b->p)) ? -1 : 0;
    free(b->p);
    memset(b, 0, sizeof(*b));
    return rc;
}

static const char *status_from(const json_t *d)
{
    const char *s = jstr(d, "publication.status");

    if (s) {
        if (!strcmp(s, "in_ontwikkeling"))
            return "In ontwikkeling";
        if (!strcmp(s, "in_gebruik"))
            return "In gebruik";
        if (!strcmp(s, "buiten_gebruik"))
            return "Buiten gebruik";
        return s; /* validation reports it */
    }
    /* Lifecycle: approved for production means in use; anything else is in development. */
    if (jstr(d, "decision.outcome") && !strcmp(jstr(d, "decision.outcome"), "approved") &&
        jstr(d, "decision.environment") && !strcmp(jstr(d, "decision.environment"), "production"))
        return "In gebruik";
    return "In ontwikkeling";
}

static const char *assessment_title(const char *kind)
{
    static const char *const map[][2] = {
        {"dpia_prescan", "Pre-scan DPIA"},
        {"dpia", "DPIA"},
        {"dtia", "DTIA"},
        {"kia", "KIA"},
        {"iama", "IAMA"},
        {"fria", "FRIA"},
        {"aiia", "AIIA"},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(kind, map[i][0]))
            return map[i][1];
    return NULL;
}

/* Dutch name of any assessment kind, for the risks text. */
static const char *assessment_name(const char *kind)
{
    static const char *const map[][2] = {
        {"ai_act_classification", "Classificatie AI-verordening"},
        {"bio_risk_analysis", "BIO-risicoanalyse"},
        {"copyright_review", "Auteursrechtelijke toets"},
    };
    const char *t = assessment_title(kind);

    for (size_t i = 0; !t && i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(kind, map[i][0]))
            t = map[i][1];
    return t ? t : kind;
}

static const char *status_nl(const char *s)
{
    if (!s)
        return "status onbekend";
    if (!strcmp(s, "completed"))
        return "afgerond";
    if (!strcmp(s, "in_progress"))
        return "in uitvoering";
    if (!strcmp(s, "planned"))
        return "gepland";
    return s;
}

static int build_doc(const json_t *d, const json_t *derived, json_t *doc)
{
    struct sbuf b = {0};
    const json_t *arr, *item;
    const char *s;
    size_t i;
    int high_risk, impactful;

    if (set_str(doc, "name", jstr(d, "name")) ||
        set_str(doc, "description_short", jstr(d, "purpose.description")) ||
        set_str(doc, "organization", jstr(d, "organisation.name")) ||
        set_str(doc, "status", status_from(d)) ||
        set_str(doc, "begin_date", jstr(d, "publication.begin_date")) ||
        set_str(doc, "contact_email", jstr(d, "publication.contact_email")) ||
        set_str(doc, "website", jstr(d, "publication.website")) || set_str(doc, "lang", "nld") ||
        set_str(doc, "standard_version", "1.0") || set_str(doc, "source_id", jstr(d, "id")))
        return -1;
    /* Leading/trailing newlines of a YAML block scalar are not part of the short text. */
    s = jstr(doc, "description_short");
    if (s) {
        size_t len = strlen(s);

        while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
            len--;
        if (len != strlen(s) && json_object_set_new(doc, "description_short", json_stringn(s, len)))
            return -1;
    }

    if ((s = jstr(d, "publication.theme"))) {
        json_t *cat = json_array();

        if (!cat || json_array_append_new(cat, json_string(s)) ||
            json_object_set_new(doc, "category", cat))
            return -1;
    }

    if (derived && json_object_get(derived, "derived"))
        derived = json_object_get(derived, "derived");
    high_risk = jtrue(derived, "ai_act.high_risk");
    impactful = jtrue(d, "ai_act.impactful");
    if (set_str(doc, "publication_category",
                high_risk   ? PUB_CATS[0]
                : impactful ? PUB_CATS[1]
                            : PUB_CATS[2]))
        return -1;

    /* goal: what it is for and the problem it solves */
    if ((s = jstr(d, "purpose.description"))) {
        sb_add(&b, "<p>");
        sb_add_escaped(&b, s);
        sb_add(&b, "</p>");
    }
    if ((s = jstr(d, "purpose.problem"))) {
        sb_add(&b, "<p>");
        sb_add_escaped(&b, s);
        sb_add(&b, "</p>");
    }
    if (set_sbuf(doc, "goal", &b))
        return -1;

    /* proportionality: the less intrusive alternatives examined */
    arr = jget(d, "purpose.alternatives");
    if (json_is_array(arr) && json_array_size(arr)) {
        sb_add(&b, "<p>Onderzochte alternatieven:</p><ul>");
        json_array_foreach(arr, i, item)
        {
            sb_add(&b, "<li>");
            sb_add_escaped(&b, jstr(item, "option") ? jstr(item, "option") : "?");
            if ((s = jstr(item, "rejected_because"))) {
                sb_add(&b, " (niet gekozen: ");
                sb_add_escaped(&b, s);
                sb_add(&b, ")");
            }
            sb_add(&b, "</li>");
        }
        sb_add(&b, "</ul>");
    }
    if (set_sbuf(doc, "proportionality", &b))
        return -1;

    /* human intervention */
    if (json_is_boolean(jget(d, "use.human_review"))) {
        sb_add(&b, jtrue(d, "use.human_review")
                       ? "<p>Een medewerker beoordeelt de uitvoer voordat er een besluit wordt "
                         "genomen.</p>"
                       : "<p>De uitvoer wordt niet per geval door een medewerker beoordeeld.</p>");
    }
    if (jtrue(d, "oversight.human_oversight"))
        sb_add(&b, "<p>Er is menselijk toezicht ingericht op de werking van het systeem.</p>");
    if (jtrue(d, "kill_switch"))
        sb_add(&b, "<p>Het systeem kan direct worden stopgezet.</p>");
    if (set_sbuf(doc, "human_intervention", &b))
        return -1;

    if ((s = jstr(d, "purpose.lawful_basis"))) {
        sb_add(&b, "<p>");
        sb_add_escaped(&b, s);
        sb_add(&b, "</p>");
    }
    if (set_sbuf(doc, "lawful_basis", &b))
        return -1;

    /* risks + impact assessments */
    arr = jget(d, "assessments");
    if (json_is_array(arr) && json_array_size(arr)) {
        json_t *grp = json_array();
        struct sbuf imp = {0};

        if (!grp)
            return -1;
        sb_add(&b, "<p>Uitgevoerde en geplande toetsen:</p><ul>");
        json_array_foreach(arr, i, item)
        {
            const char *kind = jstr(item, "kind");
            const char *st = jstr(item, "status");
            const char *title = kind ? assessment_title(kind) : NULL;

            sb_add(&b, "<li>");
            sb_add_escaped(&b, kind ? assessment_name(kind) : "?");
            sb_add(&b, " (");
            sb_add(&b, status_nl(st));
            if ((s = jstr(item, "date"))) {
                sb_add(&b, ", ");
                sb_add_escaped(&b, s);
            }
            sb_add(&b, ")");
            if ((s = jstr(item, "outcome"))) {
                sb_add(&b, ": ");
                sb_add_escaped(&b, s);
            }
            sb_add(&b, "</li>");
            if (title && st && !strcmp(st, "completed")) {
                json_t *g = json_object();

                if (!g || json_array_append_new(grp, g) ||
                    json_object_set_new(g, "title", json_string(title))) {
                    json_decref(grp);
                    free(imp.p);
                    free(b.p);
                    return -1;
                }
                if ((s = jstr(item, "link")) && json_object_set_new(g, "link", json_string(s))) {
                    json_decref(grp);
                    free(imp.p);
                    free(b.p);
                    return -1;
                }
                if (!imp.len)
                    sb_add(&imp, "<p>Afgeronde impacttoetsen:</p><ul>");
                sb_add(&imp, "<li>");
                sb_add(&imp, title);
                if ((s = jstr(item, "outcome"))) {
                    sb_add(&imp, ": ");
                    sb_add_escaped(&imp, s);
                }
                sb_add(&imp, "</li>");
            }
        }
        sb_add(&b, "</ul>");
        if (imp.len)
            sb_add(&imp, "</ul>");
        if (json_array_size(grp)) {
            if (json_object_set_new(doc, "impacttoetsen_grouping", grp)) {
                free(imp.p);
                free(b.p);
                return -1;
            }
        } else {
            json_decref(grp);
        }
        if (set_sbuf(doc, "impacttoetsen", &imp)) {
            free(b.p);
            return -1;
        }
    }
    if (set_sbuf(doc, "risks", &b))
        return -1;

    /* source data */
    arr = jget(d, "data.sources");
    if (json_is_array(arr) && json_array_size(arr)) {
        sb_add(&b, "<p>Gegevensbronnen:</p><ul>");
        json_array_foreach(arr, i, item)
        {
            if (json_is_string(item)) {
                sb_add(&b, "<li>");
                sb_add_escaped(&b, json_string_value(item));
                sb_add(&b, "</li>");
            }
        }
        sb_add(&b, "</ul>");
    }
    arr = jget(d, "data.categories");
    if (json_is_array(arr) && json_array_size(arr)) {
        sb_add(&b, "<p>Categorieën persoonsgegevens:</p><ul>");
        json_array_foreach(arr, i, item)
        {
            if (json_is_string(item)) {
                sb_add(&b, "<li>");
                sb_add_escaped(&b, json_string_value(item));
                sb_add(&b, "</li>");
            }
        }
        sb_add(&b, "</ul>");
    }
    if (set_sbuf(doc, "source_data", &b))
        return -1;

    /* methods and models */
    arr = jget(d, "models");
    if (json_is_array(arr) && json_array_size(arr)) {
        sb_add(&b, "<p>Generatieve AI. Gebruikte modellen:</p><ul>");
        json_array_foreach(arr, i, item)
        {
            sb_add(&b, "<li>");
            sb_add_escaped(&b, jstr(item, "name") ? jstr(item, "name") : "?");
            if ((s = jstr(item, "version"))) {
                sb_add(&b, " ");
                sb_add_escaped(&b, s);
            }
            if ((s = jstr(item, "provider"))) {
                sb_add(&b, ", aanbieder ");
                sb_add_escaped(&b, s);
            }
            if ((s = jstr(item, "licence"))) {
                sb_add(&b, ", licentie ");
                sb_add_escaped(&b, s);
            }
            if ((s = jstr(item, "hosting_region"))) {
                sb_add(&b, ", hosting ");
                sb_add_escaped(&b, s);
            }
            sb_add(&b, "</li>");
        }
        sb_add(&b, "</ul>");
    }
    if (set_sbuf(doc, "methods_and_models", &b))
        return -1;

    /* provider: the suppliers with an agreement record, else the model providers */
    arr = jget(d, "agreements");
    if (!json_is_array(arr) || !json_array_size(arr))
        arr = jget(d, "models");
    if (json_is_array(arr)) {
        json_array_foreach(arr, i, item)
        {
            size_t j;
            const json_t *prev;
            int dup = 0;

            if (!(s = jstr(item, "provider")))
                continue;
            json_array_foreach(arr, j, prev)
            {
                if (j >= i)
                    break;
                if (jstr(prev, "provider") && !strcmp(jstr(prev, "provider"), s))
                    dup = 1;
            }
            if (dup)
                continue;
            if (b.len)
                sb_add(&b, ", ");
            sb_add(&b, s);
        }
    }
    if (set_sbuf(doc, "provider", &b))
        return -1;
    return 0;
}

int export_algoritmeregister_build(const json_t *dossier, const json_t *derived, json_t **out,
                                   struct export_report *rep, struct sluis_err *err)
{
    json_t *doc = NULL;
    int rc;

    *out = NULL;
    if (!json_is_object(dossier))
        return sluis_err_set(err, SLUIS_EINVAL, "dossier is not a JSON object");
    doc = json_object();
    if (!doc || build_doc(dossier, derived, doc)) {
        rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory while building the export");
        goto out;
    }
    rc = export_algoritmeregister_validate(doc, rep);
    if (rc == SLUIS_ENOMEM) {
        sluis_err_set(err, rc, "out of memory while validating the export");
        goto out;
    }
    if (rc) {
        sluis_err_set(err, SLUIS_EINVAL,
                      "het Algoritmeregister zou dit weigeren / the register would reject this: "
                      "%zu problem(s)",
                      rep->n_errors);
        goto out;
    }
    *out = doc;
    doc = NULL;
out:
    json_decref(doc);
    return rc;
}
