/* gw_request.c - OpenAI request parsing, validation and text-part extraction. */
#include "gateway/gw_request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static int perr_set(struct gw_perr *e, int code, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int perr_set(struct gw_perr *e, int code, const char *param, const char *fmt, ...)
{
    if (e) {
        snprintf(e->param, sizeof(e->param), "%s", param ? param : "");
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *gw_endpoint_path(enum gw_endpoint ep)
{
    switch (ep) {
    case GW_EP_CHAT:
        return "/chat/completions";
    case GW_EP_COMPLETIONS:
        return "/completions";
    case GW_EP_EMBEDDINGS:
        return "/embeddings";
    default:
        return "";
    }
}

const char *gw_endpoint_name(enum gw_endpoint ep)
{
    switch (ep) {
    case GW_EP_CHAT:
        return "chat";
    case GW_EP_COMPLETIONS:
        return "completions";
    case GW_EP_EMBEDDINGS:
        return "embeddings";
    default:
        return "unknown";
    }
}

static int add_text(struct gw_parsed *p, json_t *parent, const char *key, size_t index, json_t *str,
                    struct gw_perr *e)
{
    if (p->n_texts >= GW_MAX_TEXTS)
        return perr_set(e, SLUIS_ETOOBIG, "", "too many text parts (max %d)", GW_MAX_TEXTS);
    if (p->n_texts == p->cap_texts) {
        size_t nc = p->cap_texts ? p->cap_texts * 2 : 8;
        struct gw_text *nt = realloc(p->texts, nc * sizeof(*nt));
        if (!nt)
            return SLUIS_ENOMEM;
        p->texts = nt;
        p->cap_texts = nc;
    }
    struct gw_text *t = &p->texts[p->n_texts++];
    t->parent = parent;
    t->key = key;
    t->index = index;
    t->s = json_string_value(str);
    t->len = json_string_length(str);
    p->text_bytes += t->len;
    return 0;
}

/* Adds obj[key] when it is a string; a present non-string non-null value is an error. */
static int opt_string(struct gw_parsed *p, json_t *obj, const char *key, const char *param,
                      struct gw_perr *e)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return perr_set(e, SLUIS_EINVAL, param, "'%s' must be a string", param);
    return add_text(p, obj, key, 0, v, e);
}

static int is_token_array(const json_t *a)
{
    if (!json_is_array(a) || json_array_size(a) == 0)
        return 0;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_integer(v))
            return 0;
    }
    return 1;
}

static int parse_content(struct gw_parsed *p, json_t *msg, size_t mi, struct gw_perr *e)
{
    char param[96];
    snprintf(param, sizeof(param), "messages[%zu].content", mi);
    json_t *c = json_object_get(msg, "content");
    if (!c || json_is_null(c))
        return 0;
    if (json_is_string(c))
        return add_text(p, msg, "content", 0, c, e);
    if (!json_is_array(c))
        return perr_set(e, SLUIS_EINVAL, param, "'%s' must be a string or an array of parts",
                        param);
    if (json_array_size(c) > GW_MAX_PARTS)
        return perr_set(e, SLUIS_ETOOBIG, param, "too many content parts");
    size_t i;
    json_t *part;
    json_array_foreach(c, i, part)
    {
        snprintf(param, sizeof(param), "messages[%zu].content[%zu]", mi, i);
        if (!json_is_object(part))
            return perr_set(e, SLUIS_EINVAL, param, "'%s' must be an object", param);
        const char *type = json_string_value(json_object_get(part, "type"));
        if (!type)
            return perr_set(e, SLUIS_EINVAL, param, "'%s.type' is required", param);
        if (!strcmp(type, "text")) {
            json_t *t = json_object_get(part, "text");
            if (!json_is_string(t))
                return perr_set(e, SLUIS_EINVAL, param, "'%s.text' must be a string", param);
            int rc = add_text(p, part, "text", 0, t, e);
            if (rc)
                return rc;
        } else if (!strcmp(type, "refusal")) {
            int rc = opt_string(p, part, "refusal", param, e);
            if (rc)
                return rc;
        } else if (!strcmp(type, "image_url") || !strcmp(type, "input_audio") ||
                   !strcmp(type, "file")) {
            p->n_unscannable++;
        } else {
            return perr_set(e, SLUIS_EINVAL, param, "unknown content part type");
        }
    }
    return 0;
}

static int parse_tool_calls(struct gw_parsed *p, json_t *msg, size_t mi, struct gw_perr *e)
{
    json_t *tc = json_object_get(msg, "tool_calls");
    if (!tc || json_is_null(tc))
        return 0;
    char param[96];
    snprintf(param, sizeof(param), "messages[%zu].tool_calls", mi);
    if (!json_is_array(tc))
        return perr_set(e, SLUIS_EINVAL, param, "'%s' must be an array", param);
    size_t i;
    json_t *call;
    json_array_foreach(tc, i, call)
    {
        snprintf(param, sizeof(param), "messages[%zu].tool_calls[%zu]", mi, i);
        if (!json_is_object(call))
            return perr_set(e, SLUIS_EINVAL, param, "'%s' must be an object", param);
        json_t *fn = json_object_get(call, "function");
        if (!fn)
            continue;
        if (!json_is_object(fn))
            return perr_set(e, SLUIS_EINVAL, param, "'%s.function' must be an object", param);
        int rc = opt_string(p, fn, "name", param, e);
        if (!rc)
            rc = opt_string(p, fn, "arguments", param, e);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_chat(struct gw_parsed *p, struct gw_perr *e)
{
    json_t *msgs = json_object_get(p->root, "messages");
    if (!json_is_array(msgs) || json_array_size(msgs) == 0)
        return perr_set(e, SLUIS_EINVAL, "messages", "'messages' must be a non-empty array");
    if (json_array_size(msgs) > GW_MAX_MESSAGES)
        return perr_set(e, SLUIS_ETOOBIG, "messages", "too many messages (max %d)",
                        GW_MAX_MESSAGES);
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m)
    {
        char param[96];
        snprintf(param, sizeof(param), "messages[%zu]", i);
        if (!json_is_object(m))
            return perr_set(e, SLUIS_EINVAL, param, "'%s' must be an object", param);
        const char *role = json_string_value(json_object_get(m, "role"));
        if (!role)
            return perr_set(e, SLUIS_EINVAL, param, "'%s.role' is required", param);
        if (strcmp(role, "system") && strcmp(role, "developer") && strcmp(role, "user") &&
            strcmp(role, "assistant") && strcmp(role, "tool") && strcmp(role, "function"))
            return perr_set(e, SLUIS_EINVAL, param, "'%s.role' is not a known role", param);
        int rc = parse_content(p, m, i, e);
        if (!rc)
            rc = opt_string(p, m, "name", param, e);
        if (!rc)
            rc = opt_string(p, m, "refusal", param, e);
        if (!rc)
            rc = parse_tool_calls(p, m, i, e);
        if (rc)
            return rc;
    }
    return 0;
}

/* prompt / input: string, array of strings, token array, or array of token arrays. */
static int parse_inputs(struct gw_parsed *p, const char *key, struct gw_perr *e)
{
    json_t *v = json_object_get(p->root, key);
    if (!v)
        return perr_set(e, SLUIS_EINVAL, key, "'%s' is required", key);
    if (json_is_string(v))
        return add_text(p, p->root, key, 0, v, e);
    if (!json_is_array(v) || json_array_size(v) == 0)
        return perr_set(e, SLUIS_EINVAL, key, "'%s' must be a string or a non-empty array", key);
    if (json_array_size(v) > GW_MAX_INPUTS && !is_token_array(v))
        return perr_set(e, SLUIS_ETOOBIG, key, "too many inputs (max %d)", GW_MAX_INPUTS);
    if (is_token_array(v)) {
        p->n_unscannable++;
        return 0;
    }
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it)
    {
        if (json_is_string(it)) {
            int rc = add_text(p, v, NULL, i, it, e);
            if (rc)
                return rc;
        } else if (is_token_array(it)) {
            p->n_unscannable++;
        } else {
            return perr_set(e, SLUIS_EINVAL, key, "'%s' must hold strings or arrays of token ids",
                            key);
        }
    }
    return 0;
}

int gw_request_parse(struct gw_parsed *out, enum gw_endpoint ep, const char *body, size_t len,
                     struct gw_perr *perr)
{
    memset(out, 0, sizeof(*out));
    if (perr)
        memset(perr, 0, sizeof(*perr));
    out->ep = ep;
    json_error_t jerr;
    out->root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!out->root) {
        if (perr)
            perr->invalid_json = 1;
        return perr_set(perr, SLUIS_EINVAL, "", "malformed JSON at line %d column %d", jerr.line,
                        jerr.column);
    }
    int rc;
    if (!json_is_object(out->root)) {
        rc = perr_set(perr, SLUIS_EINVAL, "", "the body must be a JSON object");
        goto out;
    }
    json_t *model = json_object_get(out->root, "model");
    if (!json_is_string(model) || json_string_length(model) == 0 ||
        json_string_length(model) >= GW_MAX_MODEL ||
        strlen(json_string_value(model)) != json_string_length(model)) {
        rc = perr_set(perr, SLUIS_EINVAL, "model", "'model' must be a non-empty string");
        goto out;
    }
    out->model = json_string_value(model);
    json_t *stream = json_object_get(out->root, "stream");
    if (stream && !json_is_null(stream)) {
        if (!json_is_boolean(stream)) {
            rc = perr_set(perr, SLUIS_EINVAL, "stream", "'stream' must be a boolean");
            goto out;
        }
        if (ep == GW_EP_EMBEDDINGS && json_is_true(stream)) {
            rc = perr_set(perr, SLUIS_EINVAL, "stream", "embeddings cannot stream");
            goto out;
        }
        out->stream = json_is_true(stream);
    }
    json_t *so = json_object_get(out->root, "stream_options");
    if (so && json_is_object(so))
        out->include_usage = json_is_true(json_object_get(so, "include_usage"));
    switch (ep) {
    case GW_EP_CHAT:
        rc = parse_chat(out, perr);
        break;
    case GW_EP_COMPLETIONS:
        rc = parse_inputs(out, "prompt", perr);
        if (!rc)
            rc = opt_string(out, out->root, "suffix", "suffix", perr);
        break;
    case GW_EP_EMBEDDINGS:
        rc = parse_inputs(out, "input", perr);
        break;
    default:
        rc = perr_set(perr, SLUIS_EINVAL, "", "unknown endpoint");
    }
    if (!rc && ep != GW_EP_EMBEDDINGS) {
        /* the end-user id some clients send is data about a person: scan it too */
        rc = opt_string(out, out->root, "user", "user", perr);
    }
out:
    if (rc)
        gw_request_free(out);
    return rc;
}

void gw_request_free(struct gw_parsed *p)
{
    if (!p)
        return;
    json_decref(p->root);
    free(p->texts);
    memset(p, 0, sizeof(*p));
}

int gw_request_replace_text(struct gw_parsed *p, size_t i, const char *s, size_t len)
{
    if (i >= p->n_texts)
        return SLUIS_EINVAL;
    struct gw_text *t = &p->texts[i];
    json_t *nv = json_stringn_nocheck(s, len);
    if (!nv)
        return SLUIS_ENOMEM;
    int rc = t->key ? json_object_set_new(t->parent, t->key, nv)
                    : json_array_set_new(t->parent, t->index, nv);
    if (rc)
        return SLUIS_ENOMEM;
    json_t *now = t->key ? json_object_get(t->parent, t->key) : json_array_get(t->parent, t->index);
    /* keys borrowed from the old object entry stay valid: jansson keeps the key string */
    t->s = json_string_value(now);
    t->len = json_string_length(now);
    return 0;
}

int gw_request_ask_usage(struct gw_parsed *p, const char *body, size_t len, int dump, char **out,
                         size_t *out_len)
{
    static const char ins[] = "\"stream_options\":{\"include_usage\":true},";
    *out = NULL;
    *out_len = 0;
    json_t *so = json_object_get(p->root, "stream_options");
    if (!dump && !so) {
        /* fast path: splice the member in after the opening brace, the rest as the client sent
           it (the body parsed as an object with at least "model", so a member follows) */
        const char *b = memchr(body, '{', len);
        if (!b)
            return SLUIS_EINVAL;
        size_t head = (size_t)(b - body) + 1;
        char *nb = malloc(len + sizeof(ins));
        if (!nb)
            return SLUIS_ENOMEM;
        memcpy(nb, body, head);
        memcpy(nb + head, ins, sizeof(ins) - 1);
        memcpy(nb + head + sizeof(ins) - 1, body + head, len - head);
        *out_len = len + sizeof(ins) - 1;
        nb[*out_len] = 0;
        *out = nb;
        return 0;
    }
    if (!json_is_object(so)) {
        so = json_object();
        if (!so || json_object_set_new(p->root, "stream_options", so))
            return SLUIS_ENOMEM;
    }
    if (json_object_set_new(so, "include_usage", json_true()))
        return SLUIS_ENOMEM;
    *out = json_dumps(p->root, JSON_COMPACT);
    if (!*out)
        return SLUIS_ENOMEM;
    *out_len = strlen(*out);
    return 0;
}
