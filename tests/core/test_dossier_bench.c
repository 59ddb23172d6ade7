/*
 * test_dossier_bench.c - throughput of the dossier loader and the derived facts alone (not a
 * test: CMake builds it as `bench_dossier`, ctest does not run it). CPU time of the calling
 * thread, so a shared machine distorts it less than wall time.
 *
 * usage: bench_dossier [-n N] DOSSIER.yaml
 * Prints per path: microseconds per dossier and dossiers/s per core, for the public loader on
 * the YAML file (fast path) and on the same dossier as JSON, the libfyaml reference path,
 * jansson's json_loadb() alone on the JSON, and derive_facts() + dossier_material_hash().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/derive.h"
#include "core/dossier.h"
#include "core/dossier_internal.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void report(const char *label, double secs, int n)
{
    printf("%-40s %8.1f us/dossier %10.0f dossiers/s per core\n", label, secs / n * 1e6,
           n / secs);
}

int main(int argc, char **argv)
{
    int n = 20000, i;
    const char *path;
    FILE *fp;
    static char buf[DOSSIER_MAX_FILE];
    size_t len, jlen;
    char *json, hash[65];
    struct sluis_err err;
    json_t *doc, *x;
    json_error_t jerr;
    double t;

    if (argc == 4 && strcmp(argv[1], "-n") == 0) {
        n = atoi(argv[2]);
        path = argv[3];
    } else if (argc == 2) {
        path = argv[1];
    } else {
        fprintf(stderr, "usage: bench_dossier [-n N] DOSSIER.yaml\n");
        return 2;
    }
    if (n <= 0 || !(fp = fopen(path, "rb"))) {
        fprintf(stderr, "bench_dossier: cannot read %s\n", path);
        return 2;
    }
    len = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    if (dossier_load_buffer(buf, len, path, &doc, &err) != 0) {
        fprintf(stderr, "%s:%d:%d: %s\n", path, err.line, err.column, err.msg);
        return 2;
    }
    json = json_dumps(doc, JSON_INDENT(2));
    jlen = strlen(json);
    printf("# %s: %zu bytes YAML, %zu bytes as JSON, %d iterations\n", path, len, jlen, n);

#define BENCH(label, call)                                                                         \
    do {                                                                                           \
        t = cpu_now();                                                                             \
        for (i = 0; i < n; i++) {                                                                  \
            x = NULL;                                                                              \
            if (call)                                                                              \
                return 1;                                                                          \
            json_decref(x);                                                                        \
        }                                                                                          \
        report(label, cpu_now() - t, n);                                                           \
    } while (0)

    BENCH("dossier_load_buffer, YAML (fast path)", dossier_load_buffer(buf, len, "b", &x, &err));
    BENCH("dossier_load_buffer, JSON (jansson)", dossier_load_buffer(json, jlen, "b", &x, &err));
    BENCH("reference path (libfyaml), YAML", dossier_load_buffer_ref(buf, len, "b", &x, &err));
    BENCH("json_loadb alone, JSON", !(x = json_loadb(json, jlen, 0, &jerr)));
    BENCH("derive_facts (incl. material hash)",
          derive_facts(doc, NULL, "2026-01-02", &x, &err));
    BENCH("dossier_material_hash", dossier_material_hash(doc, NULL, hash));
    free(json);
    json_decref(doc);
    return 0;
}
