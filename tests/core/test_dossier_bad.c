/*
 * test_dossier_bad.c - data-driven: every malformed dossier in tests/core/bad-dossiers/ is
 * rejected with the code, line:column and message its line in bad-dossiers/EXPECT names, by
 * both the public loader and the reference (libfyaml) path; every file there is listed.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dossier.h"
#include "core/dossier_internal.h"

#define BAD_DIR SLUIS_TEST_SOURCE_DIR "/bad-dossiers"

struct expect {
    char file[128];
    int line, column;
    int code;
    char substr[400];
};

static struct expect cases[128];
static int n_cases;

static int code_of(const char *s)
{
    if (strcmp(s, "EINVAL") == 0)
        return SLUIS_EINVAL;
    if (strcmp(s, "ETOOBIG") == 0)
        return SLUIS_ETOOBIG;
    return 1; /* never a valid code: fails the test */
}

static int load_expectations(void **state)
{
    FILE *fp = fopen(BAD_DIR "/EXPECT", "r");
    char line[1024];
    (void)state;
    if (!fp)
        return -1;
    while (fgets(line, sizeof(line), fp)) {
        char *f, *pos, *code, *sub, *save = NULL;
        struct expect *e;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        f = strtok_r(line, "\t", &save);
        pos = strtok_r(NULL, "\t", &save);
        code = strtok_r(NULL, "\t", &save);
        sub = strtok_r(NULL, "\t", &save);
        if (!f || !pos || !code || !sub || n_cases >= 128) {
            fclose(fp);
            return -1;
        }
        e = &cases[n_cases++];
        snprintf(e->file, sizeof(e->file), "%s", f);
        if (sscanf(pos, "%d:%d", &e->line, &e->column) != 2) {
            fclose(fp);
            return -1;
        }
        e->code = code_of(code);
        snprintf(e->substr, sizeof(e->substr), "%s", sub);
    }
    fclose(fp);
    return n_cases > 0 ? 0 : -1;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    if (!fp)
        return NULL;
    buf = malloc(2 * 1024 * 1024);
    if (buf)
        *len = fread(buf, 1, 2 * 1024 * 1024, fp);
    fclose(fp);
    return buf;
}

static void check_err(const struct expect *e, int rc, const json_t *doc,
                      const struct sluis_err *err)
{
    char formatted[1024];
    sluis_err_format(err, formatted, sizeof(formatted));
    print_message("%s -> %s\n", e->file, formatted);
    assert_int_equal(rc, e->code);
    assert_null(doc);
    assert_int_equal(err->code, e->code);
    assert_int_equal(err->line, e->line);
    assert_int_equal(err->column, e->column);
    assert_non_null(strstr(err->msg, e->substr));
    assert_true(err->line >= 1 && err->column >= 1);
}

/* At least 30 cases, every one named in EXPECT exists and every file is named in EXPECT. */
static void test_folder_matches_expectations(void **state)
{
    DIR *d = opendir(BAD_DIR);
    struct dirent *de;
    int files = 0;
    (void)state;
    assert_non_null(d);
    while ((de = readdir(d))) {
        int found = 0;
        if (de->d_name[0] == '.' || strcmp(de->d_name, "EXPECT") == 0)
            continue;
        files++;
        for (int i = 0; i < n_cases; i++) {
            if (strcmp(cases[i].file, de->d_name) == 0)
                found = 1;
        }
        if (!found)
            print_error("not in EXPECT: %s\n", de->d_name);
        assert_true(found);
    }
    closedir(d);
    assert_int_equal(files, n_cases);
    assert_true(n_cases >= 30);
}

static void test_each_bad_dossier_file(void **state)
{
    (void)state;
    for (int i = 0; i < n_cases; i++) {
        const struct expect *e = &cases[i];
        char path[512];
        struct sluis_err err;
        json_t *doc = (json_t *)1;
        int rc;
        snprintf(path, sizeof(path), "%s/%.127s", BAD_DIR, e->file);
        rc = dossier_load_file(path, &doc, &err);
        check_err(e, rc, doc, &err);
        assert_string_equal(err.file, path);
    }
}

/* The same buffers through dossier_load_buffer() and the reference path alone. */
static void test_each_bad_dossier_buffer(void **state)
{
    (void)state;
    for (int i = 0; i < n_cases; i++) {
        const struct expect *e = &cases[i];
        char path[512];
        size_t len = 0;
        char *buf;
        struct sluis_err err;
        json_t *doc = (json_t *)1;
        int rc;
        snprintf(path, sizeof(path), "%s/%.127s", BAD_DIR, e->file);
        buf = read_all(path, &len);
        assert_non_null(buf);
        rc = dossier_load_buffer(buf, len, e->file, &doc, &err);
        check_err(e, rc, doc, &err);
        assert_string_equal(err.file, e->file);
        doc = (json_t *)1;
        rc = dossier_load_buffer_ref(buf, len, e->file, &doc, &err);
        check_err(e, rc, doc, &err);
        /* the fast paths never accept what the reference rejects */
        doc = NULL;
        if (dossier_fast_yaml(buf, len, &doc) == DOSSIER_FAST_OK || doc) {
            json_decref(doc);
            fail_msg("fast YAML path accepted %s", e->file);
        }
        if (dossier_fast_json(buf, len, &doc) == DOSSIER_FAST_OK || doc) {
            json_decref(doc);
            fail_msg("fast JSON path accepted %s", e->file);
        }
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folder_matches_expectations),
        cmocka_unit_test(test_each_bad_dossier_file),
        cmocka_unit_test(test_each_bad_dossier_buffer),
    };
    return cmocka_run_group_tests(tests, load_expectations, NULL);
}
