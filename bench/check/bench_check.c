/*
 * bench_check.c - throughput of `sluis check` work in one process: load + validate + evaluate
 * N dossiers (default 100,000), cycling through the given example files.
 *
 * Three passes, each over N dossiers:
 *   buffer:   dossier_load_buffer() from memory + policy_evaluate() + verdict_free()
 *   file:     dossier_load_file() (open/read/close each time) + policy_evaluate()
 *   evaluate: policy_evaluate() only, on dossiers loaded once (to split load from evaluation)
 *   load:     dossier_load_buffer() + json_decref() alone (part of buffer)
 *   hash:     dossier_material_hash() alone (part of evaluate)
 *   jansson:  baseline peer: json_loads() + json_decref() of the same dossiers as compact JSON
 *             (no validation, no evaluation): the floor for building the JSON tree
 * Single-threaded: dossiers/s per core = dossiers/s. Wall time and process CPU time are both
 * reported (the machine may be shared; CPU time is the fairer per-core figure).
 *
 * usage: bench_check [-n N] [-d YYYY-MM-DD] [-m buffer|file|evaluate|load|hash|jansson] -p
 * POLICY... DOSSIER...
 * (-m runs one pass only, e.g. under valgrind --tool=callgrind)
 */
#include "core/derive.h"
#include "core/dossier.h"
#include "core/jpool.h"
#include "core/policy.h"
#include "core/verdict.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INPUTS 256

struct input {
    const char *path;
    char *buf;
    size_t len;
    json_t *doc;
    char *json; /* the loaded dossier re-serialised as compact JSON, for the jansson baseline */
};

static double now(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;

    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
        !(*buf = malloc((size_t)n + 1)) || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    fclose(f);
    *len = (size_t)n;
    return 0;
}

struct tally {
    long kinds[4];
    long unmet;
};

static void report(const char *pass, long n, double wall, double cpu, const struct tally *t)
{
    if (!t) {
        printf("%-9s %8ld dossiers  wall %7.3f s  cpu %7.3f s  %9.0f dossiers/s (wall)  "
               "%9.0f dossiers/s per core (cpu)  [%s only]\n",
               pass, n, wall, cpu, (double)n / wall, (double)n / cpu,
               !strcmp(pass, "hash")   ? "dossier_material_hash"
               : !strcmp(pass, "load") ? "dossier_load_buffer + free"
                                       : "parse + free");
        return;
    }
    printf("%-9s %8ld dossiers  wall %7.3f s  cpu %7.3f s  %9.0f dossiers/s (wall)  "
           "%9.0f dossiers/s per core (cpu)  [allowed %ld, exploration_only %ld, not_allowed "
           "%ld, prohibited %ld; %ld unmet findings]\n",
           pass, n, wall, cpu, (double)n / wall, (double)n / cpu, t->kinds[0], t->kinds[1],
           t->kinds[2], t->kinds[3], t->unmet);
}

static void tally_add(struct tally *t, const struct verdict *v)
{
    t->kinds[v->kind & 3]++;
    for (size_t k = 0; k < v->n_findings; k++)
        if (v->findings[k].status == FINDING_UNMET)
            t->unmet++;
}

int main(int argc, char **argv)
{
    const char *policies[POLICY_MAX_FILES];
    size_t n_policies = 0, n_inputs = 0;
    struct input inputs[MAX_INPUTS];
    struct policy_set *ps = NULL;
    struct sluis_err err;
    const char *date = "2026-01-02";
    const char *mode = "all";
    long n = 100000;
    double w0, c0;
    int c, rc = 1;

    while ((c = getopt(argc, argv, "n:d:p:m:")) != -1) {
        switch (c) {
        case 'm':
            mode = optarg;
            break;
        case 'n':
            n = strtol(optarg, NULL, 10);
            break;
        case 'd':
            date = optarg;
            break;
        case 'p':
            if (n_policies < POLICY_MAX_FILES)
                policies[n_policies++] = optarg;
            break;
        default:
            fprintf(stderr, "usage: bench_check [-n N] [-d DATE] -p POLICY DOSSIER...\n");
            return 2;
        }
    }
    if (!n_policies || optind >= argc || n <= 0) {
        fprintf(stderr, "usage: bench_check [-n N] [-d DATE] -p POLICY DOSSIER...\n");
        return 2;
    }
    memset(inputs, 0, sizeof(inputs));
    sluis_err_clear(&err);

    w0 = now(CLOCK_MONOTONIC);
    c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    if (policy_set_load(&ps, policies, n_policies, &err)) {
        fprintf(stderr, "policy: %s:%d:%d: %s\n", err.file, err.line, err.column, err.msg);
        return 2;
    }
    printf("policy    %s loaded in %.3f ms (wall), %zu rules\n", policy_set_version(ps),
           (now(CLOCK_MONOTONIC) - w0) * 1e3, policy_set_rule_count(ps));
    (void)c0;

    for (int i = optind; i < argc && n_inputs < MAX_INPUTS; i++) {
        struct input *in = &inputs[n_inputs];

        in->path = argv[i];
        if (read_file(in->path, &in->buf, &in->len) ||
            dossier_load_buffer(in->buf, in->len, in->path, &in->doc, &err)) {
            fprintf(stderr, "skipping %s: %s\n", in->path, err.msg);
            free(in->buf);
            in->buf = NULL;
            continue;
        }
        in->json = json_dumps(in->doc, JSON_COMPACT);
        if (!in->json) {
            json_decref(in->doc);
            free(in->buf);
            continue;
        }
        n_inputs++;
    }
    if (!n_inputs) {
        fprintf(stderr, "no loadable dossiers\n");
        goto out;
    }
    printf("inputs    %zu dossier files cycled, eval date %s, single thread\n", n_inputs, date);
    {
        size_t pa, pf;
        int ranged;
        jpool_stats(&pa, &pf, &ranged);
        printf("jpool     %s\n", ranged ? "on (jansson blocks from the core's pool)"
                                        : "off (SLUIS_JPOOL_OFF set: plain malloc)");
    }

    /* pass 1: from memory buffers */
    if (!strcmp(mode, "all") || !strcmp(mode, "buffer")) {
        struct tally t = {0};

        w0 = now(CLOCK_MONOTONIC);
        c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            struct input *in = &inputs[(size_t)i % n_inputs];
            struct verdict v = {0};
            json_t *doc = NULL;

            if (dossier_load_buffer(in->buf, in->len, in->path, &doc, &err) ||
                policy_evaluate(ps, doc, date, &v, &err)) {
                fprintf(stderr, "%s: %s\n", in->path, err.msg);
                json_decref(doc);
                goto out;
            }
            tally_add(&t, &v);
            verdict_free(&v);
            json_decref(doc);
        }
        report("buffer", n, now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0, &t);
    }
    /* pass 2: from files */
    if (!strcmp(mode, "all") || !strcmp(mode, "file")) {
        struct tally t = {0};

        w0 = now(CLOCK_MONOTONIC);
        c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            struct input *in = &inputs[(size_t)i % n_inputs];
            struct verdict v = {0};
            json_t *doc = NULL;

            if (dossier_load_file(in->path, &doc, &err) ||
                policy_evaluate(ps, doc, date, &v, &err)) {
                fprintf(stderr, "%s: %s\n", in->path, err.msg);
                json_decref(doc);
                goto out;
            }
            tally_add(&t, &v);
            verdict_free(&v);
            json_decref(doc);
        }
        report("file", n, now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0, &t);
    }
    /* pass 3: evaluation only */
    if (!strcmp(mode, "all") || !strcmp(mode, "evaluate")) {
        struct tally t = {0};

        w0 = now(CLOCK_MONOTONIC);
        c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            struct input *in = &inputs[(size_t)i % n_inputs];
            struct verdict v = {0};

            if (policy_evaluate(ps, in->doc, date, &v, &err)) {
                fprintf(stderr, "%s: %s\n", in->path, err.msg);
                goto out;
            }
            tally_add(&t, &v);
            verdict_free(&v);
        }
        report("evaluate", n, now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0, &t);
    }
    /* part of buffer: loading alone (parse, validate, build the tree, free it) */
    if (!strcmp(mode, "all") || !strcmp(mode, "load")) {
        w0 = now(CLOCK_MONOTONIC);
        c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            struct input *in = &inputs[(size_t)i % n_inputs];
            json_t *doc = NULL;

            if (dossier_load_buffer(in->buf, in->len, in->path, &doc, &err))
                goto out;
            json_decref(doc);
        }
        report("load", n, now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0, NULL);
    }
    /* part of evaluate: the material hash alone (derive_facts computes it on every evaluation) */
    if (!strcmp(mode, "all") || !strcmp(mode, "hash")) {
        const struct derive_params *dp = policy_set_derive_params(ps);

        w0 = now(CLOCK_MONOTONIC);
        c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            char hash[65];

            if (dossier_material_hash(inputs[(size_t)i % n_inputs].doc, dp, hash))
                goto out;
        }
        report("hash", n, now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0, NULL);
    }
    /* baseline: what jansson alone costs to build and free the same dossiers from JSON text */
    if (!strcmp(mode, "all") || !strcmp(mode, "jansson")) {
        w0 = now(CLOCK_MONOTONIC);
        c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < n; i++) {
            struct input *in = &inputs[(size_t)i % n_inputs];
            json_t *doc = json_loads(in->json, 0, NULL);

            if (!doc)
                goto out;
            json_decref(doc);
        }
        report("jansson", n, now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0, NULL);
    }
    rc = 0;
out:
    for (size_t i = 0; i < n_inputs; i++) {
        free(inputs[i].buf);
        free(inputs[i].json);
        json_decref(inputs[i].doc);
    }
    policy_set_free(ps);
    return rc;
}
