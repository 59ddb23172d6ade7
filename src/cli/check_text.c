/* check_text.c - `sluis check` output for people: per dossier the verdict, then what to fix. */
#include "cli/check_common.h"

#include <string.h>

#define WIDTH 100

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"

static const char *col(const struct check_output *o, const char *code)
{
    return o->colour ? code : "";
}

static const char *verdict_colour(enum verdict_kind k)
{
    switch (k) {
    case VERDICT_ALLOWED:
        return C_GREEN;
    case VERDICT_EXPLORATION_ONLY:
        return C_YELLOW;
    default:
        return C_RED;
    }
}

static const char *severity_colour(enum severity s)
{
    return s >= SEVERITY_BLOCK ? C_RED : s == SEVERITY_WARN ? C_YELLOW : C_DIM;
}

/*
 * Writes "<indent><label><text>" wrapped at WIDTH columns; continuation lines are indented to
 * the start of the text. Newlines in text start a new line. Columns are counted in bytes of
 * non-continuation UTF-8, i.e. roughly characters.
 */
static void wrap(FILE *out, int indent, const char *label, const char *text)
{
    int start = indent + (int)strlen(label);
    int colno;
    const char *p = text;

    fprintf(out, "%*s%s", indent, "", label);
    colno = start;
    while (*p) {
        size_t wl = strcspn(p, " \n");
        int chars = 0;

        for (size_t i = 0; i < wl; i++)
            if (((unsigned char)p[i] & 0xC0) != 0x80)
                chars++;
        if (colno > start && colno + 1 + chars > WIDTH) {
            fprintf(out, "\n%*s", start, "");
            colno = start;
        } else if (colno > start) {
            fputc(' ', out);
            colno++;
        }
        fwrite(p, 1, wl, out);
        colno += chars;
        p += wl;
        if (*p == '\n') {
            while (*p == '\n' || *p == ' ')
                p++;
            if (*p) {
                fprintf(out, "\n%*s", start, "");
                colno = start;
            }
        } else {
            while (*p == ' ')
                p++;
        }
    }
    fputc('\n', out);
}

static void write_finding(FILE *out, const struct finding *f, const struct check_output *o)
{
    int en = !strcmp(o->lang, "en");
    const char *title = check_text_pick(&f->title, o->lang, NULL);
    const char *msg = check_text_pick(&f->message, o->lang, NULL);
    const char *remedy = check_text_pick(&f->remedy, o->lang, NULL);
    const char *source = check_text_pick(&f->source, o->lang, NULL);

    fprintf(out, "\n  %s%s%s  %s%s%s", col(o, C_BOLD), f->rule_id, col(o, C_RESET),
            col(o, severity_colour(f->severity)), check_severity_label(f->severity, o->lang),
            col(o, C_RESET));
    if (!f->in_force)
        fprintf(out, "  %s",
                en ? "(not yet in force)" : "(nog niet van kracht / not yet in force)");
    fputc('\n', out);
    if (title)
        wrap(out, 4, "", title);
    if (msg)
        wrap(out, 4, en ? "Finding:    " : "Bevinding / finding:        ", msg);
    if (remedy)
        wrap(out, 4, en ? "What to do: " : "Wat te doen / what to do:   ", remedy);
    if (source)
        wrap(out, 4, en ? "Source:     " : "Bron / source:              ", source);
}

static void write_result(FILE *out, const struct check_result *r, const struct check_output *o)
{
    int en = !strcmp(o->lang, "en");
    const struct verdict *v = &r->v;
    size_t met = 0, na = 0, unmet = 0;

    if (r->failed) {
        char buf[1200];

        sluis_err_format(&r->err, buf, sizeof(buf));
        fprintf(out, "%s%s%s\n", col(o, C_BOLD), r->file, col(o, C_RESET));
        fprintf(out, "  %s%s%s %s\n\n", col(o, C_RED),
                en ? "INPUT ERROR:" : "INVOERFOUT / input error:", col(o, C_RESET), buf);
        return;
    }
    fprintf(out, "%s%s%s  [%s]\n", col(o, C_BOLD), r->name[0] ? r->name : r->file, col(o, C_RESET),
            r->id);
    fprintf(out, "  %-29s %s\n", en ? "file:" : "bestand / file:", r->file);
    fprintf(out, "  %-29s %s\n", en ? "environment:" : "omgeving / environment:", v->environment);
    fprintf(out, "  %-29s %s\n", en ? "as of:" : "peildatum / as of:", v->eval_date);
    fprintf(out, "  %-29s %s%s%s%s\n", en ? "verdict:" : "oordeel / verdict:", col(o, C_BOLD),
            col(o, verdict_colour(v->kind)), check_verdict_label(v->kind, o->lang),
            col(o, C_RESET));

    /* Unmet findings, heaviest first. */
    for (int sev = SEVERITY_PROHIBIT; sev >= SEVERITY_ADVISE; sev--) {
        for (size_t i = 0; i < v->n_findings; i++) {
            const struct finding *f = &v->findings[i];

            if (f->status == FINDING_UNMET && (int)f->severity == sev) {
                write_finding(out, f, o);
                unmet++;
            }
        }
    }
    for (size_t i = 0; i < v->n_findings; i++) {
        if (v->findings[i].status == FINDING_MET)
            met++;
        else if (v->findings[i].status == FINDING_NOT_APPLICABLE)
            na++;
    }
    if (o->verbose) {
        fputc('\n', out);
        for (size_t i = 0; i < v->n_findings; i++) {
            const struct finding *f = &v->findings[i];
            const char *title = check_text_pick(&f->title, o->lang, "");

            if (f->status == FINDING_UNMET)
                continue;
            fprintf(out, "  %s%-8s %-34s%s %s\n", col(o, C_DIM), f->rule_id,
                    f->status == FINDING_MET
                        ? (en ? "met" : "voldaan / met")
                        : (en ? "not applicable" : "niet van toepassing / n.a."),
                    col(o, C_RESET), title);
        }
    }
    fprintf(out, "\n  %zu %s, %zu %s, %zu %s\n\n", unmet, en ? "open" : "open / unmet", met,
            en ? "met" : "voldaan / met", na,
            en ? "not applicable" : "niet van toepassing / not applicable");
}

int check_text_write(FILE *out, const struct check_result *r, size_t n,
                     const struct check_output *o)
{
    size_t count[4] = {0}, failed = 0;
    int en = !strcmp(o->lang, "en"), first = 1;

    for (size_t i = 0; i < n; i++) {
        write_result(out, &r[i], o);
        if (r[i].failed)
            failed++;
        else if ((unsigned)r[i].v.kind < 4)
            count[r[i].v.kind]++;
    }
    /* Only the categories that occur, e.g. "1 toegestaan / allowed, 2 verboden / prohibited". */
    fprintf(out, "%s %zu dossier(s):", en ? "Summary:" : "Samenvatting / summary:", n);
    for (int k = 0; k < 5; k++) {
        static const char *const nl[] = {"toegestaan / allowed",
                                         "alleen verkenning / exploration only",
                                         "niet toegestaan / not allowed", "verboden / prohibited",
                                         "invoerfout(en) / input error(s)"};
        static const char *const eng[] = {"allowed", "exploration only", "not allowed",
                                          "prohibited", "input error(s)"};
        size_t c = k < 4 ? count[k] : failed;

        if (c)
            fprintf(out, "%s %zu %s", first ? "" : ",", c, en ? eng[k] : nl[k]);
        if (c)
            first = 0;
    }
    fprintf(out, ".\n%s %s, %s %s.\n", en ? "Policy" : "Beleid / policy",
            o->policy_version ? o->policy_version : "?", en ? "as of" : "peildatum / as of",
            o->eval_date);
    fflush(out);
    return ferror(out) ? SLUIS_EIO : 0;
}
