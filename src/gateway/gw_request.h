/*
 * gw_request.h - parsing and validating OpenAI-compatible request bodies, and collecting
 * every text part the sensitive-data scanner must see.
 *
 * Text parts: chat messages' string content, text parts of array content, "name" fields,
 * "refusal", tool-call function names and arguments, tool results (role tool); completions'
 * prompt (string or array of strings) and suffix; embeddings' input (string or array of
 * strings). Token-id arrays and non-text parts (image_url, input_audio, file) cannot be
 * scanned; they are counted in n_unscannable so policy can refuse them where it must.
 */
#ifndef SLUIS_GATEWAY_GW_REQUEST_H
#define SLUIS_GATEWAY_GW_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#define GW_MAX_MODEL 256     /* bytes of a model id */
#define GW_MAX_MESSAGES 4096 /* chat messages */
#define GW_MAX_PARTS 4096    /* content parts per message */
#define GW_MAX_TEXTS 65536   /* text parts per request */
#define GW_MAX_INPUTS 4096   /* prompts / embedding inputs */

enum gw_endpoint { GW_EP_CHAT = 0, GW_EP_COMPLETIONS, GW_EP_EMBEDDINGS, GW_EP_COUNT };

/* One scannable string in the request: parent is an object (key set) or array (index). */
struct gw_text {
    json_t *parent;  /* borrowed from the parsed root */
    const char *key; /* borrowed; NULL when parent is an array */
    size_t index;
    const char *s; /* borrowed string value */
    size_t len;
};

struct gw_parsed {
    json_t *root; /* owned */
    enum gw_endpoint ep;
    const char *model; /* borrowed from root */
    int stream;
    int include_usage;
    struct gw_text *texts; /* owned array */
    size_t n_texts, cap_texts;
    size_t text_bytes;
    size_t n_unscannable;
};

/* Why a body was refused: an OpenAI-style param path and a message (English). */
struct gw_perr {
    char param[96];
    char msg[256];
    int invalid_json; /* 1 when the body is not JSON at all */
};

/*
 * Parses body (len bytes, need not be NUL-terminated) for endpoint ep into *out (zeroed by
 * this function; release with gw_request_free()). Returns 0, SLUIS_EINVAL with perr filled
 * (malformed JSON or a request that does not follow the API), SLUIS_ETOOBIG (over a cap,
 * perr filled) or SLUIS_ENOMEM.
 */
int gw_request_parse(struct gw_parsed *out, enum gw_endpoint ep, const char *body, size_t len,
                     struct gw_perr *perr);

/* Frees what p owns and zeroes it; safe on a zeroed struct. */
void gw_request_free(struct gw_parsed *p);

/*
 * Replaces text part i with the len bytes of s (copied). Returns 0, SLUIS_EINVAL (i out of
 * range) or SLUIS_ENOMEM. Other gw_text entries stay valid (their parents are unchanged);
 * entry i's s/len then point at the new value.
 */
int gw_request_replace_text(struct gw_parsed *p, size_t i, const char *s, size_t len);

/*
 * The upstream body of a streamed request whose client did not ask for usage: the request
 * with stream_options.include_usage set to true, so the provider reports token counts. body
 * (len bytes) is the body as parsed into p; dump non-zero means body is stale (p was changed,
 * e.g. redacted) and p->root must be serialised. Without a stream_options member and with
 * dump 0 the member is spliced in textually (no re-serialisation); otherwise p->root gets it
 * (p is changed) and is serialised. Returns 0 and *out (malloc'ed, NUL-terminated, caller
 * frees) with *out_len, SLUIS_EINVAL (body is not an object) or SLUIS_ENOMEM.
 */
int gw_request_ask_usage(struct gw_parsed *p, const char *body, size_t len, int dump, char **out,
                         size_t *out_len);

/* "/chat/completions", "/completions", "/embeddings". */
const char *gw_endpoint_path(enum gw_endpoint ep);
/* "chat", "completions", "embeddings". */
const char *gw_endpoint_name(enum gw_endpoint ep);

#endif
