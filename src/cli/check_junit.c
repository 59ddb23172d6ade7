/*
 * check_junit.c - `sluis check --format junit`: JUnit XML for CI pipelines.
 *
 * One <testsuite> per dossier, one <testcase> per rule. Mapping (docs/check.md):
 * unmet with severity block or prohibit -> <failure>; unmet warn/advise -> passing testcase
 * with the message in <system-out>; not applicable -> <skipped/>; met -> passing testcase.
 * A dossier that cannot be loaded -> a testsuite with one testcase "load" holding an <error>.
 */
#include "cli/check_common.h"

#include <string.h>

static void attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    check_xml_escape(out, value);
    fputc('"', out);
}

static void write_text_block(FILE *out, const struct finding *f, const char *lang)
{
    const char *msg = check_text_pick(&f->message, lang, NULL);
    const char *remedy = check_text_pick(&f->remedy, lang, NULL);
    const char *source = check_text_pick(&f->source, lang, NULL);

    if (msg) {
        check_xml_escape(out, msg);
        fputc('\n', out);
    }
    if (remedy) {
        check_xml_escape(out, strcmp(lang, "en") ? "Wat te doen / what to do: " : "What to do: ");
        check_xml_escape(out, remedy);
        fputc('\n', out);
    }
    if (source) {
        check_xml_escape(out, strcmp(lang, "en") ? "Bron / source: " : "Source: ");
        check_xml_escape(out, source);
        fputc('\n', out);
    }
}

static void write_suite(FILE *out, const struct check_result *r, const struct check_output *o)
{
    const struct verdict *v = &r->v;
    size_t failures = 0, skipped = 0;
    char label[128];

    if (r->failed) {
        char buf[1200];

        sluis_err_format(&r->err, buf, sizeof(buf));
        fputs("  <testsuite", out);
        attr(out, "name", r->file);
        fputs(" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase", out);
        attr(out, "name", "load");
        attr(out, "classname", r->file);
        fputs(">\n      <error", out);
        attr(out, "message", buf);
        fputs("/>\n    </testcase>\n  </testsuite>\n", out);
        return;
    }
    for (size_t i = 0; i < v->n_findings; i++) {
        const struct finding *f = &v->findings[i];

        if (f->status == FINDING_UNMET && f->severity >= SEVERITY_BLOCK)
            failures++;
        else if (f->status == FINDING_NOT_APPLICABLE)
            skipped++;
    }
    snprintf(label, sizeof(label), "%s", check_verdict_label(v->kind, o->lang));
    fputs("  <testsuite", out);
    attr(out, "name", r->id[0] ? r->id : r->file);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\"", v->n_findings,
            failures, skipped);
    attr(out, "timestamp", v->eval_date);
    fputs(">\n    <properties>\n", out);
    fputs("      <property name=\"file\"", out);
    attr(out, "value", r->file);
    fputs("/>\n      <property name=\"dossier_name\"", out);
    attr(out, "value", r->name);
    fputs("/>\n      <property name=\"environment\"", out);
    attr(out, "value", v->environment);
    fputs("/>\n      <property name=\"verdict\"", out);
    attr(out, "value", verdict_kind_name(v->kind));
    fputs("/>\n      <property name=\"verdict_label\"", out);
    attr(out, "value", label);
    fputs("/>\n      <property name=\"policy_version\"", out);
    attr(out, "value", v->policy_version);
    fputs("/>\n    </properties>\n", out);
    for (size_t i = 0; i < v->n_findings; i++) {
        const struct finding *f = &v->findings[i];
        const char *title = check_text_pick(&f->title, o->lang, "");
        char name[512];

        snprintf(name, sizeof(name), "%s %s", f->rule_id, title);
        fputs("    <testcase", out);
        attr(out, "name", name);
        attr(out, "classname", r->id[0] ? r->id : r->file);
        if (f->status == FINDING_MET) {
            fputs("/>\n", out);
            continue;
        }
        fputs(">\n", out);
        if (f->status == FINDING_NOT_APPLICABLE) {
            fputs("      <skipped message=\"not applicable\"/>\n", out);
        } else if (f->severity >= SEVERITY_BLOCK) {
            fputs("      <failure", out);
            attr(out, "message", check_text_pick(&f->message, o->lang, f->rule_id));
            attr(out, "type", verdict_severity_name(f->severity));
            fputs(">", out);
            write_text_block(out, f, o->lang);
            fputs("</failure>\n", out);
        } else {
            fputs("      <system-out>", out);
            check_xml_escape(out, verdict_severity_name(f->severity));
            fputs(": ", out);
            write_text_block(out, f, o->lang);
            fputs("</system-out>\n", out);
        }
        fputs("    </testcase>\n", out);
    }
    fputs("  </testsuite>\n", out);
}

int check_junit_write(FILE *out, const struct check_result *r, size_t n,
                      const struct check_output *o)
{
    size_t tests = 0, failures = 0, errors = 0;

    for (size_t i = 0; i < n; i++) {
        if (r[i].failed) {
            tests++;
            errors++;
            continue;
        }
        tests += r[i].v.n_findings;
        for (size_t k = 0; k < r[i].v.n_findings; k++)
            if (r[i].v.findings[k].status == FINDING_UNMET &&
                r[i].v.findings[k].severity >= SEVERITY_BLOCK)
                failures++;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
    attr(out, "name", "sluis check");
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", tests, failures, errors);
    for (size_t i = 0; i < n; i++)
        write_suite(out, &r[i], o);
    fputs("</testsuites>\n", out);
    fflush(out);
    return ferror(out) ? SLUIS_EIO : 0;
}
