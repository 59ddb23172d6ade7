/* test_assets.c - web_asset_lookup(): every file under web/ is embedded byte for byte,
 * "/" and single-page-app addresses map to index.html, /api and missing files do not,
 * bad paths are refused, and the security headers carry a strict CSP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "web/assets.h"

#define WEB_DIR SLUIS_SOURCE_DIR "/web"

static unsigned char *slurp(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    unsigned char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static size_t n_checked;

static int check_one(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
    const unsigned char *data = NULL;
    const char *ct = NULL, *rel = fpath + strlen(WEB_DIR);
    unsigned char *want;
    size_t len = 0, want_len = 0;

    (void)sb;
    if (type != FTW_F || fpath[ftw->base] == '.')
        return 0;
    want = slurp(fpath, &want_len);
    assert_non_null(want);
    assert_int_equal(web_asset_lookup(rel, &data, &len, &ct), 0);
    assert_int_equal(len, want_len);
    assert_memory_equal(data, want, len);
    assert_string_equal(ct, web_asset_content_type(rel));
    free(want);
    n_checked++;
    return 0;
}

static void every_file_is_embedded_byte_for_byte(void **state)
{
    (void)state;
    n_checked = 0;
    assert_int_equal(nftw(WEB_DIR, check_one, 16, FTW_PHYS), 0);
    assert_true(n_checked > 0);
    assert_int_equal(n_checked, web_asset_count());
}

static void root_and_app_routes_map_to_index(void **state)
{
    const unsigned char *idx = NULL, *d = NULL;
    size_t idx_len = 0, len = 0;
    const char *ct = NULL;
    const char *routes[] = {"/",
                            "/?lang=en",
                            "/applicaties",
                            "/applicaties/utrecht-chatbot",
                            "/applicaties/utrecht-chatbot/dossier#sectie-data",
                            "/dashboard/"};
    (void)state;
    assert_int_equal(web_asset_lookup("/index.html", &idx, &idx_len, &ct), 0);
    assert_string_equal(ct, "text/html; charset=utf-8");
    assert_non_null(strstr((const char *)idx, "<html"));
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        d = NULL;
        assert_int_equal(web_asset_lookup(routes[i], &d, &len, &ct), 0);
        assert_ptr_equal(d, idx);
        assert_int_equal(len, idx_len);
        assert_string_equal(ct, "text/html; charset=utf-8");
    }
}

static void api_and_missing_files_are_not_found(void **state)
{
    const unsigned char *d = (const unsigned char *)"untouched";
    size_t len = 7;
    (void)state;
    assert_int_equal(web_asset_lookup("/api", &d, &len, NULL), SLUIS_ENOTFOUND);
    assert_int_equal(web_asset_lookup("/api/v1/applications", &d, &len, NULL), SLUIS_ENOTFOUND);
    assert_int_equal(web_asset_lookup("/api/", &d, &len, NULL), SLUIS_ENOTFOUND);
    assert_int_equal(web_asset_lookup("/js/does-not-exist.js", &d, &len, NULL), SLUIS_ENOTFOUND);
    assert_int_equal(web_asset_lookup("/favicon.ico.bak", &d, &len, NULL), SLUIS_ENOTFOUND);
    assert_string_equal((const char *)d, "untouched");
    assert_int_equal(len, 7);
    /* "/apis" is an app route, not the API. */
    assert_int_equal(web_asset_lookup("/apis", NULL, NULL, NULL), 0);
}

static void bad_paths_are_refused(void **state)
{
    char longpath[1100];
    (void)state;
    assert_int_equal(web_asset_lookup(NULL, NULL, NULL, NULL), SLUIS_EINVAL);
    assert_int_equal(web_asset_lookup("", NULL, NULL, NULL), SLUIS_EINVAL);
    assert_int_equal(web_asset_lookup("index.html", NULL, NULL, NULL), SLUIS_EINVAL);
    assert_int_equal(web_asset_lookup("/../etc/passwd", NULL, NULL, NULL), SLUIS_EINVAL);
    assert_int_equal(web_asset_lookup("/js/..", NULL, NULL, NULL), SLUIS_EINVAL);
    assert_int_equal(web_asset_lookup("/a\\b", NULL, NULL, NULL), SLUIS_EINVAL);
    assert_int_equal(web_asset_lookup("/a\nb", NULL, NULL, NULL), SLUIS_EINVAL);
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = '\0';
    assert_int_equal(web_asset_lookup(longpath, NULL, NULL, NULL), SLUIS_ETOOBIG);
    /* The query string does not count towards the cap. */
    memcpy(longpath, "/?", 2);
    assert_int_equal(web_asset_lookup(longpath, NULL, NULL, NULL), 0);
}

static void content_types_follow_the_extension(void **state)
{
    (void)state;
    assert_string_equal(web_asset_content_type("/js/app.js"), "text/javascript; charset=utf-8");
    assert_string_equal(web_asset_content_type("/css/sluis.css"), "text/css; charset=utf-8");
    assert_string_equal(web_asset_content_type("/img/logo.svg"), "image/svg+xml");
    assert_string_equal(web_asset_content_type("/i18n/nl.json"), "application/json");
    assert_string_equal(web_asset_content_type("/x.v1/readme"), "application/octet-stream");
    assert_string_equal(web_asset_content_type("/noext"), "application/octet-stream");
    assert_string_equal(web_asset_content_type(NULL), "application/octet-stream");
}

static void security_headers_forbid_inline_script(void **state)
{
    const struct web_header *h = web_asset_security_headers();
    int have_csp = 0, have_nosniff = 0;
    (void)state;
    for (; h->name; h++) {
        if (!strcmp(h->name, "Content-Security-Policy")) {
            have_csp = 1;
            assert_non_null(strstr(h->value, "default-src 'self'"));
            assert_null(strstr(h->value, "unsafe-inline"));
            assert_null(strstr(h->value, "unsafe-eval"));
        }
        if (!strcmp(h->name, "X-Content-Type-Options"))
            have_nosniff = !strcmp(h->value, "nosniff");
    }
    assert_true(have_csp);
    assert_true(have_nosniff);
}

/* No embedded HTML file may carry an inline script or style, or CSP would break it. */
static void html_has_no_inline_script(void **state)
{
    const unsigned char *d;
    size_t len;
    (void)state;
    assert_int_equal(web_asset_lookup("/index.html", &d, &len, NULL), 0);
    const char *s = (const char *)d;
    for (const char *p = strstr(s, "<script"); p; p = strstr(p + 1, "<script"))
        assert_true(strstr(p, " src=") && strstr(p, " src=") < strchr(p, '>'));
    assert_null(strstr(s, "<style"));
    assert_null(strstr(s, " style="));
    assert_null(strstr(s, " onclick="));
    assert_null(strstr(s, "http://"));
    assert_null(strstr(s, "https://"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_file_is_embedded_byte_for_byte),
        cmocka_unit_test(root_and_app_routes_map_to_index),
        cmocka_unit_test(api_and_missing_files_are_not_found),
        cmocka_unit_test(bad_paths_are_refused),
        cmocka_unit_test(content_types_follow_the_extension),
        cmocka_unit_test(security_headers_forbid_inline_script),
        cmocka_unit_test(html_has_no_inline_script),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
