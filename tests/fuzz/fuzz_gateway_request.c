/* fuzz-libs: sluis_gateway */
/*
 * fuzz_gateway_request.c - the OpenAI request parser: arbitrary bodies for each endpoint (the
 * first byte picks it) must parse or be refused with a param and message; every text part
 * found must point into the parsed tree and replacing it must keep the tree valid; error
 * bodies are always valid JSON.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_error.h"
#include "gateway/gw_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum gw_endpoint ep = (enum gw_endpoint)(data[0] % GW_EP_COUNT);
    struct gw_parsed p;
    struct gw_perr e;
    int rc = gw_request_parse(&p, ep, (const char *)data + 1, size - 1, &e);
    if (rc) {
        char *body = NULL;
        if (gw_error_body(e.invalid_json ? "invalid_json" : "invalid_request", e.param, NULL, NULL,
                          e.msg, &body) > 0) {
            json_t *j = json_loads(body, 0, NULL);
            if (!j)
                __builtin_trap();
            json_decref(j);
        }
        free(body);
        return 0;
    }
    if (!p.model || !*p.model)
        __builtin_trap();
    for (size_t i = 0; i < p.n_texts; i++)
        if (!p.texts[i].s || strlen(p.texts[i].s) > p.texts[i].len)
            __builtin_trap();
    for (size_t i = 0; i < p.n_texts; i++)
        if (gw_request_replace_text(&p, i, "[X]", 3))
            __builtin_trap();
    char *out = json_dumps(p.root, JSON_COMPACT);
    if (!out)
        __builtin_trap();
    struct gw_parsed q;
    if (gw_request_parse(&q, ep, out, strlen(out), &e) == 0) {
        if (q.n_texts != p.n_texts)
            __builtin_trap();
        gw_request_free(&q);
    }
    free(out);
    gw_request_free(&p);
    return 0;
}
