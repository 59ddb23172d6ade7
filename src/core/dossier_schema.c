/*
 * dossier_schema.c - the schema table of docs/dossier.md and the scalar checks shared by the
 * YAML/JSON loader and the json_t validator.
 */
#include "core/dossier_schema.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dossier.h"
#include "core/bytes_eq.h"
#include "core/err.h"

/* ---- enum value lists ---- */
#define E(name, ...) static const char *const name[] = {__VA_ARGS__, NULL}
E(e_layer, "rijk", "gemeente", "provincie", "waterschap", "zbo", "other");
E(e_kind, "develop", "procure", "use", "unavoidable", "feature_in_existing", "third_party");
E(e_env, "exploration", "pilot", "production");
E(e_users, "internal", "citizens", "businesses", "minors");
E(e_modal, "text", "code", "image", "audio", "video");
E(e_hosting, "nl", "eu", "eea", "us", "other", "on_premise");
E(e_terms, "negotiated", "business", "consumer", "self_hosted");
E(e_sharing, "none", "subprocessors_only", "model_improvement", "unrestricted");
E(e_retrain, "prohibited", "opt_out", "allowed", "unspecified");
E(e_loc, "nl", "eu", "eea", "us", "other");
E(e_transfer, "none", "adequacy", "scc", "bcr");
E(e_class, "none", "intern", "dep_vertrouwelijk", "stg_confidentieel", "stg_geheim",
  "stg_zeer_geheim");
E(e_subjects, "employees", "citizens", "children", "vulnerable");
E(e_freq, "once", "yearly", "monthly", "weekly", "daily", "continuous");
E(e_edpb, "evaluation_scoring", "automated_decision", "systematic_monitoring", "sensitive_data",
  "large_scale", "matching", "vulnerable_subjects", "innovative_technology", "prevents_rights");
E(e_role, "provider", "deployer", "importer", "distributor");
E(e_systype, "ai_system", "gpai_system", "gpai_model");
E(e_excluded, "none", "military", "research", "personal");
E(e_annex3, "none", "biometrics", "critical_infrastructure", "education", "employment",
  "essential_services", "law_enforcement", "migration", "justice");
E(e_akind, "dpia_prescan", "dpia", "dtia", "kia", "iama", "fria", "aiia", "ai_act_classification",
  "bio_risk_analysis", "copyright_review");
E(e_astatus, "planned", "in_progress", "completed");
E(e_advice, "positive", "positive_with_conditions", "negative");
E(e_decision, "approved", "rejected");
E(e_literacy, "bewust", "bekwaam", "vloeiend", "expert");
E(e_pubstatus, "in_ontwikkeling", "in_gebruik", "buiten_gebruik");
#undef E

/* ---- field constructors ---- */
#define F_STR(n, r, m)                                                                             \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_STR, .required = r, .max_len = m         \
    }
#define F_TEXT(n, r)                                                                               \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_TEXT, .required = r                      \
    }
#define F_SLUG(n, r, m)                                                                            \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_SLUG, .required = r, .max_len = m        \
    }
#define F_IDENT(n, r)                                                                              \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_IDENT, .required = r, .max_len = 64      \
    }
#define F_EMAIL(n)                                                                                 \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_EMAIL, .max_len = 254                    \
    }
#define F_URL(n)                                                                                   \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_URL, .max_len = 2048                     \
    }
#define F_BOOL(n)                                                                                  \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_BOOL                                     \
    }
#define F_INT(n, r, lo, hi)                                                                        \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_INT, .required = r, .min = lo, .max = hi \
    }
#define F_DATE(n)                                                                                  \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_DATE                                     \
    }
#define F_MONTH(n)                                                                                 \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_MONTH                                    \
    }
#define F_NUMSTR(n)                                                                                \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_NUMSTR, .max_len = 64                    \
    }
#define F_ENUM(n, r, e)                                                                            \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_ENUM, .required = r, .enums = e          \
    }
#define F_OBJ(n, r, c)                                                                             \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_OBJECT, .required = r, .children = c     \
    }
#define F_LIST(n, r, it)                                                                           \
    {                                                                                              \
        .name = n, .name_len = sizeof(n) - 1, .type = DST_LIST, .required = r, .item = it          \
    }
#define F_END                                                                                      \
    {                                                                                              \
        .name = NULL                                                                               \
    }

/* list items (name unused) */
static const struct dschema_field i_users = F_ENUM("users[]", 0, e_users);
static const struct dschema_field i_modal = F_ENUM("output_modalities[]", 0, e_modal);
static const struct dschema_field i_str = F_STR("[]", 0, 200);
static const struct dschema_field i_subjects = F_ENUM("subjects[]", 0, e_subjects);
static const struct dschema_field i_edpb = F_ENUM("edpb_criteria[]", 0, e_edpb);

static const struct dschema_field f_organisation[] = {
    F_STR("name", 1, 200),
    F_ENUM("layer", 1, e_layer),
    F_END,
};
static const struct dschema_field f_owner[] = {
    F_STR("name", 0, 200),
    F_STR("function", 0, 200),
    F_EMAIL("email"),
    F_END,
};
static const struct dschema_field f_alternative[] = {
    F_STR("option", 1, 500),
    F_TEXT("rejected_because", 0),
    F_END,
};
static const struct dschema_field i_alternative = F_OBJ("alternatives[]", 0, f_alternative);
static const struct dschema_field f_purpose[] = {
    F_TEXT("description", 0),
    F_TEXT("problem", 0),
    F_LIST("alternatives", 0, &i_alternative),
    F_TEXT("lawful_basis", 0),
    F_END,
};
static const struct dschema_field f_use[] = {
    F_ENUM("kind", 1, e_kind),
    F_ENUM("environment", 1, e_env),
    F_DATE("exploration_end"),
    F_LIST("users", 0, &i_users),
    F_BOOL("citizen_facing"),
    F_BOOL("output_published"),
    F_BOOL("output_feeds_decisions"),
    F_BOOL("human_review"),
    F_BOOL("ai_disclosure"),
    F_BOOL("synthetic_content_marked"),
    F_LIST("output_modalities", 0, &i_modal),
    F_BOOL("production_data"),
    F_STR("third_party", 0, 200),
    F_STR("existing_software", 0, 200),
    F_END,
};
static const struct dschema_field f_model[] = {
    F_STR("name", 1, 200),
    F_STR("version", 0, 100),
    F_IDENT("provider", 1),
    F_STR("licence", 0, 100),
    F_BOOL("open_source"),
    F_STR("origin_country", 0, 2),
    F_ENUM("hosting_region", 0, e_hosting),
    F_ENUM("terms", 1, e_terms),
    F_BOOL("gpai"),
    F_NUMSTR("training_flops"),
    F_END,
};
static const struct dschema_field i_model = F_OBJ("models[]", 0, f_model);
static const struct dschema_field f_agreement[] = {
    F_IDENT("provider", 1),
    F_STR("reference", 0, 200),
    F_DATE("valid_until"),
    F_ENUM("data_sharing", 0, e_sharing),
    F_INT("retention_days", 0, 0, 36500),
    F_ENUM("retraining", 0, e_retrain),
    F_BOOL("access_logging"),
    F_ENUM("storage_location", 0, e_loc),
    F_ENUM("support_location", 0, e_loc),
    F_ENUM("telemetry_location", 0, e_loc),
    F_ENUM("transfer_mechanism", 0, e_transfer),
    F_BOOL("processor_agreement"),
    F_BOOL("ownership"),
    F_BOOL("copyright_statement"),
    F_BOOL("change_control"),
    F_BOOL("audit_rights"),
    F_BOOL("liability"),
    F_BOOL("exit_clause"),
    F_BOOL("arbit"),
    F_END,
};
static const struct dschema_field i_agreement = F_OBJ("agreements[]", 0, f_agreement);
static const struct dschema_field f_data[] = {
    F_BOOL("personal_data"),
    F_LIST("categories", 0, &i_str),
    F_LIST("special_categories", 0, &i_str),
    F_ENUM("classification", 0, e_class),
    F_BOOL("confidential"),
    F_LIST("sources", 0, &i_str),
    F_BOOL("basisregistratie"),
    F_LIST("subjects", 0, &i_subjects),
    F_INT("subject_count", 0, 0, 100000000000LL),
    F_ENUM("frequency", 0, e_freq),
    F_INT("retention_years", 0, 0, 1000),
    F_BOOL("outside_eea"),
    F_END,
};
static const struct dschema_field f_prescan[] = {
    F_BOOL("new_legislation"),
    F_LIST("ap_list", 0, &i_str),
    F_LIST("edpb_criteria", 0, &i_edpb),
    F_INT("transfers_score", 0, 0, 2),
    F_INT("minors_score", 0, 0, 2),
    F_BOOL("targets_minors"),
    F_END,
};
static const struct dschema_field f_ai_act[] = {
    F_ENUM("role", 0, e_role),
    F_ENUM("system_type", 0, e_systype),
    F_ENUM("excluded", 0, e_excluded),
    F_LIST("prohibited_practices", 0, &i_str),
    F_BOOL("annex_i_product"),
    F_ENUM("annex_iii_area", 0, e_annex3),
    F_BOOL("art6_3_exception"),
    F_BOOL("profiling"),
    F_BOOL("interacts_with_people"),
    F_BOOL("generates_synthetic_content"),
    F_BOOL("emotion_recognition"),
    F_BOOL("deepfake"),
    F_BOOL("impactful"),
    F_END,
};
static const struct dschema_field f_assessment[] = {
    F_ENUM("kind", 1, e_akind),
    F_ENUM("status", 0, e_astatus),
    F_DATE("date"),
    F_TEXT("outcome", 0),
    F_URL("link"),
    F_END,
};
static const struct dschema_field i_assessment = F_OBJ("assessments[]", 0, f_assessment);
static const struct dschema_field f_advice[] = {
    F_IDENT("role", 1),      F_STR("by", 0, 200),
    F_DATE("date"),          F_ENUM("outcome", 0, e_advice),
    F_TEXT("conditions", 0), F_END,
};
static const struct dschema_field i_advice = F_OBJ("advice[]", 0, f_advice);
static const struct dschema_field f_decision[] = {
    F_STR("by", 0, 200),
    F_IDENT("role", 0),
    F_DATE("date"),
    F_ENUM("outcome", 0, e_decision),
    F_ENUM("environment", 0, e_env),
    F_TEXT("conditions", 0),
    F_STR("dossier_hash", 0, 128),
    F_STR("policy_version", 0, 64),
    F_END,
};
static const struct dschema_field f_literacy[] = {
    F_ENUM("required_level", 0, e_literacy),
    F_BOOL("programme"),
    F_END,
};
static const struct dschema_field f_oversight[] = {
    F_BOOL("human_oversight"),
    F_INT("log_retention_days", 0, 0, 36500),
    F_BOOL("workers_informed"),
    F_END,
};
static const struct dschema_field f_retention[] = {
    F_BOOL("prompts_archived"),
    F_STR("selection_list", 0, 200),
    F_END,
};
static const struct dschema_field f_publication[] = {
    F_EMAIL("contact_email"), F_URL("website"),       F_ENUM("status", 0, e_pubstatus),
    F_MONTH("begin_date"),    F_STR("theme", 0, 100), F_END,
};
static const struct dschema_field f_root[] = {
    F_INT("sluis_dossier", 1, 1, 1),
    F_SLUG("id", 1, 64),
    F_STR("name", 1, 200),
    F_OBJ("organisation", 1, f_organisation),
    F_OBJ("owner", 1, f_owner),
    F_OBJ("purpose", 0, f_purpose),
    F_OBJ("use", 1, f_use),
    F_LIST("models", 0, &i_model),
    F_LIST("agreements", 0, &i_agreement),
    F_OBJ("data", 0, f_data),
    F_OBJ("prescan", 0, f_prescan),
    F_OBJ("ai_act", 0, f_ai_act),
    F_LIST("assessments", 0, &i_assessment),
    F_LIST("advice", 0, &i_advice),
    F_OBJ("decision", 0, f_decision),
    F_OBJ("literacy", 0, f_literacy),
    F_OBJ("oversight", 0, f_oversight),
    F_OBJ("retention", 0, f_retention),
    F_TEXT("open_source_explanation", 0),
    F_TEXT("european_explanation", 0),
    F_DATE("review_date"),
    F_TEXT("exit_plan", 0),
    F_BOOL("kill_switch"),
    F_OBJ("publication", 0, f_publication),
    F_END,
};
static const struct dschema_field root = F_OBJ("", 1, f_root);

const struct dschema_field *dossier_schema_root(void)
{
    return &root;
}

const struct dschema_field *dossier_schema_child(const struct dschema_field *obj, const char *name,
                                                 size_t len)
{
    if (!obj || obj->type != DST_OBJECT || len == 0 || memchr(name, '\0', len))
        return NULL;
    for (const struct dschema_field *c = obj->children; c->name; c++) {
        if (c->name_len == len && c->name[0] == name[0] && sluis_bytes_eq(c->name, name, len))
            return c;
    }
    return NULL;
}

static void list_join(const char *const *names, size_t stride, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const char *const *n = names; *n; n = (const char *const *)((const char *)n + stride)) {
        int w = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", *n);
        if (w < 0 || (size_t)w >= cap - used) {
            if (cap > 4)
                memcpy(buf + cap - 4, "...", 4);
            return;
        }
        used += (size_t)w;
    }
}

void dossier_schema_list_keys(const struct dschema_field *obj, char *buf, size_t cap)
{
    if (!cap)
        return;
    if (!obj || obj->type != DST_OBJECT) {
        buf[0] = '\0';
        return;
    }
    list_join(&obj->children[0].name, sizeof(struct dschema_field), buf, cap);
}

void dossier_schema_list_enums(const struct dschema_field *f, char *buf, size_t cap)
{
    if (!cap)
        return;
    if (!f || !f->enums) {
        buf[0] = '\0';
        return;
    }
    list_join(f->enums, sizeof(char *), buf, cap);
}

const char *dossier_schema_type_name(const struct dschema_field *f)
{
    switch (f->type) {
    case DST_OBJECT:
        return "mapping (object)";
    case DST_LIST:
        return "list (lijst)";
    case DST_STR:
    case DST_TEXT:
        return "string (tekst)";
    case DST_SLUG:
        return "identifier [a-z0-9-] (kenmerk)";
    case DST_IDENT:
        return "identifier [a-z0-9_-] (kenmerk)";
    case DST_EMAIL:
        return "e-mail address (e-mailadres)";
    case DST_URL:
        return "https URL (webadres)";
    case DST_BOOL:
        return "boolean true/false (ja/nee)";
    case DST_INT:
        return "integer (geheel getal)";
    case DST_DATE:
        return "date YYYY-MM-DD (datum)";
    case DST_MONTH:
        return "month YYYY-MM (maand)";
    case DST_NUMSTR:
        return "number as text, e.g. \"3e24\" (getal)";
    case DST_ENUM:
        return "one of the allowed values (keuzewaarde)";
    }
    return "?";
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int eq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* eq() for a string that is not a literal (an enum value): one pass, no strlen, never reads
 * beyond the NUL of lit. */
static int eq_str(const char *s, size_t len, const char *lit)
{
    for (size_t i = 0; i < len; i++)
        if (!lit[i] || lit[i] != s[i])
            return 0;
    return lit[len] == '\0';
}

enum dschema_kind dossier_schema_plain_kind(const char *s, size_t len)
{
    size_t i = 0;
    /* most values are words: a letter other than n/N/t/T/f/F (null, true, false) or a
     * non-ASCII byte first can only be a string (numbers, .inf/.nan, ~ start otherwise) */
    if (len > 0) {
        unsigned char c0 = (unsigned char)s[0];
        if (((c0 | 0x20) >= 'a' && (c0 | 0x20) <= 'z' && (c0 | 0x20) != 'n' && (c0 | 0x20) != 't' &&
             (c0 | 0x20) != 'f') ||
            c0 >= 0x80)
            return DSK_STRING;
    }
    if (len == 0 || eq(s, len, "~") || eq(s, len, "null") || eq(s, len, "Null") ||
        eq(s, len, "NULL"))
        return DSK_NULL;
    if (eq(s, len, "true") || eq(s, len, "True") || eq(s, len, "TRUE") || eq(s, len, "false") ||
        eq(s, len, "False") || eq(s, len, "FALSE"))
        return DSK_BOOL;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        int hex = s[1] == 'x';
        for (i = 2; i < len; i++) {
            char c = s[i];
            int ok = hex ? (is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                         : (c >= '0' && c <= '7');
            if (!ok)
                return DSK_STRING;
        }
        return DSK_INT;
    }
    /* [-+]? ( [0-9]+ | [0-9]* . [0-9]* ) ( [eE] [-+]? [0-9]+ )?  or .inf / .nan */
    if (s[i] == '-' || s[i] == '+')
        i++;
    if (i < len && s[i] == '.') {
        const char *r = s + i + 1;
        size_t rl = len - i - 1;
        if (eq(r, rl, "inf") || eq(r, rl, "Inf") || eq(r, rl, "INF"))
            return DSK_FLOAT;
        if (i == 0 && (eq(r, rl, "nan") || eq(r, rl, "NaN") || eq(r, rl, "NAN")))
            return DSK_FLOAT;
    }
    size_t digits = 0, frac = 0;
    int dot = 0;
    while (i < len && is_digit(s[i])) {
        i++;
        digits++;
    }
    if (i < len && s[i] == '.') {
        dot = 1;
        i++;
        while (i < len && is_digit(s[i])) {
            i++;
            frac++;
        }
    }
    if (digits + frac == 0)
        return DSK_STRING;
    int expo = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t e0;
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        e0 = i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == e0)
            return DSK_STRING;
        expo = 1;
    }
    if (i != len)
        return DSK_STRING;
    return (dot || expo) ? DSK_FLOAT : DSK_INT;
}

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int dossier_schema_date_ok(const char *s, size_t len)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (size_t i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && !is_digit(s[i]))
            return 0;
    }
    int y = two(s) * 100 + two(s + 2), m = two(s + 5), d = two(s + 8);
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max;
}

static int month_ok(const char *s, size_t len)
{
    if (len != 7 || s[4] != '-')
        return 0;
    for (size_t i = 0; i < 7; i++) {
        if (i != 4 && !is_digit(s[i]))
            return 0;
    }
    int m = two(s + 5);
    return m >= 1 && m <= 12 && (two(s) * 100 + two(s + 2)) >= 1;
}

static size_t max_len_of(const struct dschema_field *f)
{
    if (f->max_len)
        return f->max_len;
    return f->type == DST_TEXT ? DOSSIER_MAX_TEXT : DOSSIER_MAX_STR;
}

/* Control characters: none in one-line strings; tab/newline/CR allowed in text. */
static int has_bad_control(const char *s, size_t len, int multiline)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x7f || (c < 0x20 && !(multiline && (c == '\t' || c == '\n' || c == '\r'))))
            return 1;
    }
    return 0;
}

/* 1 when no byte of s is below 0x20 or 0x7f (no NUL, no control character), 8 bytes a step;
 * the common case, so that the byte loops below run only for strings that have one. */
static int all_printable(const char *s, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w, d;
        memcpy(&w, s + i, 8);
        d = w ^ (ones * 0x7f);
        if (((w - ones * 0x20) & ~w & highs) || ((d - ones) & ~d & highs))
            return 0;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

/* printable: the caller knows s has no control character (clean without looking) */
static int check_string(const struct dschema_field *f, const char *s, size_t len, char *msg,
                        size_t cap, int printable)
{
    size_t max = max_len_of(f);
    int clean;
    if (len > max) {
        snprintf(msg, cap, "value too long (te lang): %zu bytes, at most %zu", len, max);
        return SLUIS_ETOOBIG;
    }
    clean = printable || all_printable(s, len);
    if (!clean && memchr(s, '\0', len)) {
        snprintf(msg, cap, "NUL character in value (ongeldig teken)");
        return SLUIS_EINVAL;
    }
    if (!clean && has_bad_control(s, len, f->type == DST_TEXT)) {
        snprintf(msg, cap, "control character in value (ongeldig teken)%s",
                 f->type == DST_TEXT ? "" : "; use a text field for several lines");
        return SLUIS_EINVAL;
    }
    switch (f->type) {
    case DST_STR:
    case DST_TEXT:
        if (len == 0) {
            snprintf(msg, cap, "empty value (leeg veld): leave the field out or fill it in");
            return SLUIS_EINVAL;
        }
        return 0;
    case DST_SLUG:
    case DST_IDENT:
        if (len == 0)
            goto bad_slug;
        for (size_t i = 0; i < len; i++) {
            char c = s[i];
            if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-' ||
                  (c == '_' && f->type == DST_IDENT)))
                goto bad_slug;
        }
        return 0;
    bad_slug:
        snprintf(msg, cap,
                 "invalid identifier (ongeldig kenmerk) '%.*s': use 1-%zu of a-z, 0-9, '-'%s",
                 (int)(len > 64 ? 64 : len), s, max, f->type == DST_IDENT ? " and '_'" : "");
        return SLUIS_EINVAL;
    case DST_EMAIL: {
        const char *at = memchr(s, '@', len);
        int ok =
            at && at != s && at != s + len - 1 && !memchr(at + 1, '@', len - (size_t)(at - s) - 1);
        for (size_t i = 0; ok && i < len; i++) {
            if (s[i] == ' ')
                ok = 0;
        }
        if (!ok) {
            snprintf(msg, cap, "invalid e-mail address (ongeldig e-mailadres) '%.*s'",
                     (int)(len > 64 ? 64 : len), s);
            return SLUIS_EINVAL;
        }
        return 0;
    }
    case DST_URL: {
        int ok = len > 8 && memcmp(s, "https://", 8) == 0;
        for (size_t i = 0; ok && i < len; i++) {
            if (s[i] == ' ')
                ok = 0;
        }
        if (!ok) {
            snprintf(msg, cap, "invalid URL (ongeldig webadres) '%.*s': must start with https://",
                     (int)(len > 64 ? 64 : len), s);
            return SLUIS_EINVAL;
        }
        return 0;
    }
    case DST_DATE:
        if (!dossier_schema_date_ok(s, len)) {
            snprintf(msg, cap,
                     "invalid date (ongeldige datum) '%.*s': expected YYYY-MM-DD, a real "
                     "calendar day",
                     (int)(len > 32 ? 32 : len), s);
            return SLUIS_EINVAL;
        }
        return 0;
    case DST_MONTH:
        if (!month_ok(s, len)) {
            snprintf(msg, cap, "invalid month (ongeldige maand) '%.*s': expected YYYY-MM",
                     (int)(len > 32 ? 32 : len), s);
            return SLUIS_EINVAL;
        }
        return 0;
    case DST_NUMSTR: {
        char tmp[72], *end = NULL;
        double v;
        if (len == 0 || len >= sizeof(tmp) || dossier_schema_plain_kind(s, len) == DSK_STRING ||
            s[0] == '.' || s[0] == '-' || s[0] == '+')
            goto bad_num;
        memcpy(tmp, s, len);
        tmp[len] = '\0';
        errno = 0;
        v = strtod(tmp, &end);
        if (end != tmp + len || errno == ERANGE || !(v >= 0.0))
            goto bad_num;
        return 0;
    bad_num:
        snprintf(msg, cap, "invalid number (ongeldig getal) '%.*s': expected e.g. \"3e24\"",
                 (int)(len > 32 ? 32 : len), s);
        return SLUIS_EINVAL;
    }
    case DST_ENUM:
        for (const char *const *e = f->enums; *e; e++) {
            if (eq_str(s, len, *e))
                return 0;
        }
        {
            char allowed[320];
            dossier_schema_list_enums(f, allowed, sizeof(allowed));
            snprintf(msg, cap, "invalid value (ongeldige waarde) '%.*s'; allowed: %s",
                     (int)(len > 48 ? 48 : len), s, allowed);
        }
        return SLUIS_EINVAL;
    default:
        break;
    }
    snprintf(msg, cap, "internal schema error");
    return SLUIS_EINTERNAL;
}

static int parse_int(const char *s, size_t len, long long *v)
{
    char tmp[48], *end = NULL;
    int base = 10;
    if (len == 0 || len >= sizeof(tmp))
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (len > 2 && tmp[0] == '0' && tmp[1] == 'x')
        base = 16;
    else if (len > 2 && tmp[0] == '0' && tmp[1] == 'o') {
        base = 8;
        tmp[1] = '0';
    }
    errno = 0;
    *v = strtoll(tmp, &end, base);
    if (errno == ERANGE || end != tmp + len)
        return -1;
    return 0;
}

static const char *kind_name(enum dschema_kind k)
{
    switch (k) {
    case DSK_STRING:
        return "a string";
    case DSK_NULL:
        return "an empty value (null)";
    case DSK_BOOL:
        return "a boolean";
    case DSK_INT:
        return "an integer";
    case DSK_FLOAT:
        return "a decimal number";
    }
    return "?";
}

/* trust: 0 nothing known, 1 valid UTF-8, 2 valid UTF-8 without control characters */
static int scalar(const struct dschema_field *f, enum dschema_kind kind, const char *text,
                  size_t len, json_t **out, char *msg, size_t cap, int trust)
{
    int rc;
    *out = NULL;
    msg[0] = '\0';
    if (kind == DSK_NULL) {
        snprintf(msg, cap,
                 "empty value (leeg veld): expected %s; leave the field out or fill it in",
                 dossier_schema_type_name(f));
        return SLUIS_EINVAL;
    }
    switch (f->type) {
    case DST_OBJECT:
    case DST_LIST:
        snprintf(msg, cap, "wrong type (verkeerd type): expected %s, got %s",
                 dossier_schema_type_name(f), kind_name(kind));
        return SLUIS_EINVAL;
    case DST_BOOL:
        if (kind != DSK_BOOL)
            break;
        *out = json_boolean(text[0] == 't' || text[0] == 'T');
        return *out ? 0 : SLUIS_ENOMEM;
    case DST_INT: {
        long long v;
        if (kind != DSK_INT)
            break;
        if (parse_int(text, len, &v) < 0 || v < f->min || v > f->max) {
            snprintf(msg, cap, "number out of range (buiten bereik) '%.*s': allowed %lld..%lld",
                     (int)(len > 32 ? 32 : len), text, f->min, f->max);
            return SLUIS_EINVAL;
        }
        *out = json_integer((json_int_t)v);
        return *out ? 0 : SLUIS_ENOMEM;
    }
    default:
        if (kind != DSK_STRING)
            break;
        rc = check_string(f, text, len, msg, cap, trust >= 2);
        if (rc)
            return rc;
        *out = trust ? json_stringn_nocheck(text, len) : json_stringn(text, len);
        if (!*out) {
            snprintf(msg, cap, "invalid UTF-8 in value (ongeldige tekens)");
            return SLUIS_EINVAL;
        }
        return 0;
    }
    snprintf(msg, cap, "wrong type (verkeerd type): expected %s, got %s%s",
             dossier_schema_type_name(f), kind_name(kind),
             (kind != DSK_STRING && f->type != DST_BOOL && f->type != DST_INT)
                 ? "; put it in quotes to make it text"
                 : "");
    return SLUIS_EINVAL;
}

int dossier_schema_scalar(const struct dschema_field *f, enum dschema_kind kind, const char *text,
                          size_t len, json_t **out, char *msg, size_t cap)
{
    return scalar(f, kind, text, len, out, msg, cap, 0);
}

int dossier_schema_scalar_utf8(const struct dschema_field *f, enum dschema_kind kind,
                               const char *text, size_t len, json_t **out, char *msg, size_t cap)
{
    return scalar(f, kind, text, len, out, msg, cap, 1);
}

int dossier_schema_scalar_clean(const struct dschema_field *f, enum dschema_kind kind,
                                const char *text, size_t len, json_t **out, char *msg, size_t cap)
{
    return scalar(f, kind, text, len, out, msg, cap, 2);
}
