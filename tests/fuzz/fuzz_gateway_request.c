/* fuzz-libs: sluis_gateway */
/*
 * fuzz_gateway_request.c - the OpenAI request parser: arbitrary bodies for each endpoint (the
 * first byte picks it) must parse or be refused with a param and message; every text part
 * found must point into the parsed tree and replacing it must keep the tree valid; error
 * bodies are always valid JSON. A streamed request given include_usage for the provider
 * (gw_request_ask_usage) must parse again with include_usage true and the same text parts. A
 * usage record whose user is the raw input (a header can hold any bytes) is valid JSON.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_error.h"
#include "gateway/gw_request.h"
#include "gateway/gw_usage.h"

static void check_usage_record(const uint8_t *data, size_t size)
{
    struct gw_usage_rec r;
    memset(&r, 0, sizeof(r));
    size_t n = size < sizeof(r.user) - 1 ? size : sizeof(r.user) - 1;
    memcpy(r.user, data, n);
    memcpy(r.model, data, size < sizeof(r.model) - 1 ? size : sizeof(r.model) - 1);
    r.total_tokens = -1;
    size_t len = 0;
    char *t = gw_usage_format(&r, &len);
    if (!t)
        return;
    json_t *j = json_loads(t, JSON_REJECT_DUPLICATES, NULL);
    if (!j || len != strlen(t))
        __builtin_trap();
    json_decref(j);
    free(t);
}

static void check_ask_usage(struct gw_parsed *p, enum gw_endpoint ep, const char *body, size_t len)
{
    char *nb = NULL;
    size_t nl = 0;
    if (gw_request_ask_usage(p, body, len, 0, &nb, &nl))
        __builtin_trap(); /* a parsed object always gets the member */
    struct gw_parsed q;
    struct gw_perr e;
    if (gw_request_parse(&q, ep, nb, nl, &e) != 0 || !q.include_usage || q.n_texts != p->n_texts)
        __builtin_trap();
    gw_request_free(&q);
    free(nb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    check_usage_record(data, size);
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
    if (p.stream && ep != GW_EP_EMBEDDINGS)
        check_ask_usage(&p, ep, (const char *)data + 1, size - 1);
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
