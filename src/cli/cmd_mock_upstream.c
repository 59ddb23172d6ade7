/*
 * cmd_mock_upstream.c - `sluis mock-upstream`: a MOCK OpenAI-compatible upstream for tests,
 * benchmarks and the demo. It is not a model: every answer is canned text that says MOCK, and
 * every response carries `system_fingerprint: "sluis-MOCK"`.
 *
 * Endpoints: POST /v1/chat/completions (plain and streaming), /v1/completions, /v1/embeddings;
 * GET /v1/models. Behaviour is chosen per request by the model name, so one mock serves every
 * test:
 *   mock-echo       answers with the text of the last message (to see what reached upstream);
 *                   streamed: that text in slices of 4 bytes, one per event
 *   mock-hang       never answers (until the mock stops, at most 120 s)
 *   mock-reset      closes the connection without a response; when streaming, after 2 events
 *   mock-bad-sse    streams one good event, one broken JSON event, then a line without end
 *   mock-500        answers 500 with an OpenAI error object
 *   mock-leak       answers (streamed: 4 bytes per event) a text with a BSN and an e-mail
 *                   address, to test response scanning
 *   mock-no-usage   streams without a usage chunk even when stream_options.include_usage asks
 *   anything else   the normal canned answer
 * Options set latency (before the first byte), the number of stream events, the delay between
 * events, and the size of each token.
 */
#include "cli/commands.h"

#include <getopt.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MOCK_MAX_BODY (16 * 1024 * 1024)
/* mock-leak: sensitive data in an answer (a valid test BSN and an e-mail address) */
#define MOCK_LEAK_TEXT "MOCK: het nummer is 111222333, mail jan@example.nl voor vragen."

struct mock_cfg {
    unsigned latency_us;  /* before the first byte of every response */
    unsigned events;      /* stream events (tokens) per answer */
    unsigned event_us;    /* delay between stream events */
    unsigned token_bytes; /* bytes per token */
    unsigned dims;        /* embedding dimensions */
};

static struct mock_cfg g_cfg = {0, 16, 0, 4, 8};
static volatile sig_atomic_t g_stop;
static atomic_ulong g_requests;

struct mock_req {
    char *body;
    size_t len;
    int too_big;
};

struct mock_stream {
    char model[128];
    unsigned sent;     /* events sent */
    int include_usage; /* stream_options.include_usage */
    int fault;         /* 0 none, 1 reset, 2 bad sse */
    int chat;          /* chat.completion.chunk or text_completion */
    char *echo;        /* mock-echo streaming: the JSON-escaped text to send in slices */
    size_t echo_len, echo_off;
    char *pending; /* bytes of the current event not yet handed to MHD */
    size_t pending_len, pending_off;
    int done;
};

static void sleep_us(unsigned us)
{
    if (!us)
        return;
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static void json_str_extract(const char *body, const char *key, char *out, size_t cap)
{
    /* Tiny extraction of "key":"value" from the request; the mock trusts its callers. */
    out[0] = 0;
    if (!body)
        return;
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\"", key);
    const char *p = strstr(body, pat);
    if (!p)
        return;
    p += strlen(pat);
    while (*p == ' ' || *p == ':' || *p == '\t' || *p == '\n')
        p++;
    if (*p != '"')
        return;
    p++;
    size_t i = 0;
    while (*p && *p != '"' && i + 1 < cap) {
        if (*p == '\\' && p[1])
            p++;
        out[i++] = *p++;
    }
    out[i] = 0;
}

static int json_flag(const char *body, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\"", key);
    const char *p = body ? strstr(body, pat) : NULL;
    if (!p)
        return 0;
    p += strlen(pat);
    while (*p == ' ' || *p == ':')
        p++;
    return !strncmp(p, "true", 4);
}

/* The text of the last string member named key (quoted, e.g. "\"content\"") in the request
   (for mock-echo), JSON-escaped as is. */
static void last_string(const char *body, const char *key, char *out, size_t cap)
{
    out[0] = 0;
    size_t kl = strlen(key);
    const char *p = body, *last = NULL;
    while (p && (p = strstr(p, key)) != NULL) {
        last = p;
        p += kl;
    }
    if (!last)
        return;
    p = last + kl;
    while (*p == ' ' || *p == ':')
        p++;
    if (*p != '"')
        return;
    p++;
    size_t i = 0;
    while (*p && i + 2 < cap) {
        if (*p == '\\' && p[1]) {
            out[i++] = *p++;
            out[i++] = *p++;
            continue;
        }
        if (*p == '"')
            break;
        out[i++] = *p++;
    }
    out[i] = 0;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *ctype,
                                 char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "x-mock", "sluis-MOCK");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static char *token_text(void)
{
    /* "MOCK" padded with 'x' to token_bytes, at least 4 bytes. */
    unsigned n = g_cfg.token_bytes < 4 ? 4 : g_cfg.token_bytes;
    if (n > 65536)
        n = 65536;
    char *t = malloc(n + 1);
    if (!t)
        return NULL;
    memcpy(t, "MOCK", 4);
    memset(t + 4, 'x', n - 4);
    t[n] = 0;
    return t;
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct mock_stream *s = cls;
    if (s->pending && s->pending_off < s->pending_len) {
        size_t n = s->pending_len - s->pending_off;
        if (n > max)
            n = max;
        memcpy(buf, s->pending + s->pending_off, n);
        s->pending_off += n;
        return (ssize_t)n;
    }
    free(s->pending);
    s->pending = NULL;
    if (s->done || g_stop)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (s->sent > 0)
        sleep_us(g_cfg.event_us);
    char *ev = NULL;
    size_t evlen = 0;
    FILE *f = open_memstream(&ev, &evlen);
    if (!f)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (s->fault == 1 && s->sent == 2) {
        fclose(f);
        free(ev);
        return MHD_CONTENT_READER_END_WITH_ERROR; /* abrupt close mid-stream */
    }
    if (s->fault == 2 && s->sent == 1) {
        fputs("data: {\"id\":\"broken\",\"choices\":[{\"delta\":{\"content\":\"MO\n\n", f);
        for (int i = 0; i < 300000; i++)
            fputc('z', f); /* an event line that never ends */
        s->done = 1;
    } else if (s->echo && s->echo_off < s->echo_len) {
        /* 4 bytes of the echo per event; an escape sequence is never cut */
        size_t b = s->echo_off, e = b;
        while (e < s->echo_len && e - b < 4) {
            if (s->echo[e] == '\\' && e + 1 < s->echo_len)
                e += s->echo[e + 1] == 'u' ? 6 : 2;
            else
                e++;
        }
        if (e > s->echo_len)
            e = s->echo_len;
        s->echo_off = e;
        if (s->chat)
            fprintf(f,
                    "data: {\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\","
                    "\"created\":1700000000,\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\","
                    "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%.*s\"},"
                    "\"finish_reason\":null}]}\n\n",
                    s->model, (int)(e - b), s->echo + b);
        else
            fprintf(f,
                    "data: {\"id\":\"cmpl-mock\",\"object\":\"text_completion\","
                    "\"created\":1700000000,\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\","
                    "\"choices\":[{\"index\":0,\"text\":\"%.*s\",\"finish_reason\":null}]}\n\n",
                    s->model, (int)(e - b), s->echo + b);
        s->sent--; /* echo slices do not count against --events */
    } else if (!s->echo && s->sent < g_cfg.events) {
        char *tok = token_text();
        if (!tok) {
            fclose(f);
            free(ev);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        /* like OpenAI: with include_usage every chunk carries "usage": null */
        if (s->chat)
            fprintf(f,
                    "data: {\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\","
                    "\"created\":1700000000,\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\","
                    "\"choices\":[{\"index\":0,\"delta\":{%s\"content\":\"%s \"},"
                    "\"finish_reason\":null}]%s}\n\n",
                    s->model, s->sent == 0 ? "\"role\":\"assistant\"," : "", tok,
                    s->include_usage ? ",\"usage\":null" : "");
        else
            fprintf(f,
                    "data: {\"id\":\"cmpl-mock\",\"object\":\"text_completion\","
                    "\"created\":1700000000,\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\","
                    "\"choices\":[{\"index\":0,\"text\":\"%s \",\"finish_reason\":null}]}\n\n",
                    s->model, tok);
        free(tok);
    } else {
        if (s->chat)
            fprintf(f,
                    "data: {\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\","
                    "\"created\":1700000000,\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\","
                    "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                    s->model);
        if (s->include_usage)
            fprintf(f,
                    "data: {\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\","
                    "\"created\":1700000000,\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\","
                    "\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":%u,"
                    "\"total_tokens\":%u}}\n\n",
                    s->model, g_cfg.events, g_cfg.events + 10);
        fputs("data: [DONE]\n\n", f);
        s->done = 1;
    }
    s->sent++;
    if (fclose(f) != 0) {
        free(ev);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    s->pending = ev;
    s->pending_len = evlen;
    s->pending_off = 0;
    return 0 == evlen ? MHD_CONTENT_READER_END_OF_STREAM : stream_reader(cls, pos, buf, max);
}

static void stream_free(void *cls)
{
    struct mock_stream *s = cls;
    free(s->pending);
    free(s->echo);
    free(s);
}

static char *chat_json(const char *model, const char *content, int chat)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return NULL;
    if (chat)
        fprintf(f,
                "{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion\",\"created\":1700000000,"
                "\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\",\"choices\":[{\"index\":0,"
                "\"message\":{\"role\":\"assistant\",\"content\":\"%s\",\"refusal\":null},"
                "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,"
                "\"completion_tokens\":%u,\"total_tokens\":%u}}",
                model, content, g_cfg.events, g_cfg.events + 10);
    else
        fprintf(f,
                "{\"id\":\"cmpl-mock\",\"object\":\"text_completion\",\"created\":1700000000,"
                "\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\",\"choices\":[{\"index\":0,"
                "\"text\":\"%s\",\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":%u,\"total_tokens\":%u}}",
                model, content, g_cfg.events, g_cfg.events + 10);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static char *canned_content(void)
{
    /* events tokens of token_bytes each, space separated, capped at 1 MiB. */
    char *tok = token_text();
    if (!tok)
        return NULL;
    size_t tl = strlen(tok) + 1, n = g_cfg.events ? g_cfg.events : 1;
    if (n * tl > 1024 * 1024)
        n = (1024 * 1024) / tl;
    char *s = malloc(n * tl + 1);
    if (!s) {
        free(tok);
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(s + o, tok, tl - 1);
        o += tl - 1;
        s[o++] = ' ';
    }
    s[o ? o - 1 : 0] = 0;
    free(tok);
    return s;
}

static char *embeddings_json(const char *model, const char *body)
{
    /* One vector per input string: count the strings of "input" roughly (1 if a string). */
    unsigned n = 1;
    const char *p = body ? strstr(body, "\"input\"") : NULL;
    if (p) {
        p += 7;
        while (*p == ' ' || *p == ':')
            p++;
        if (*p == '[') {
            n = 0;
            int depth = 0, instr = 0;
            for (; *p; p++) {
                if (instr) {
                    if (*p == '\\' && p[1])
                        p++;
                    else if (*p == '"')
                        instr = 0;
                    continue;
                }
                if (*p == '"') {
                    instr = 1;
                    if (depth == 1)
                        n++;
                } else if (*p == '[') {
                    if (++depth == 2)
                        n++;
                } else if (*p == ']') {
                    if (--depth == 0)
                        break;
                } else if (depth == 1 && ((*p >= '0' && *p <= '9') || *p == '-') &&
                           (p[-1] == '[' || p[-1] == ',' || p[-1] == ' ')) {
                    /* a flat token array is one input */
                    n = 1;
                    break;
                }
            }
            if (n == 0)
                n = 1;
            if (n > 2048)
                n = 2048;
        }
    }
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return NULL;
    fputs("{\"object\":\"list\",\"data\":[", f);
    for (unsigned i = 0; i < n; i++) {
        fprintf(f, "%s{\"object\":\"embedding\",\"index\":%u,\"embedding\":[", i ? "," : "", i);
        for (unsigned d = 0; d < g_cfg.dims; d++)
            fprintf(f, "%s0.%03u", d ? "," : "", (i * 31 + d * 17) % 1000);
        fputs("]}", f);
    }
    fprintf(f,
            "],\"model\":\"%s\",\"system_fingerprint\":\"sluis-MOCK\",\"usage\":{\"prompt_tokens\":"
            "%u,\"total_tokens\":%u}}",
            model, n * 4, n * 4);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static enum MHD_Result handle_post(struct MHD_Connection *c, const char *url, struct mock_req *r)
{
    char model[128];
    json_str_extract(r->body, "model", model, sizeof(model));
    for (char *p = model; *p; p++)
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
            *p = '_';
    if (!model[0])
        snprintf(model, sizeof(model), "mock-model");

    if (!strcmp(model, "mock-hang")) {
        for (int i = 0; i < 1200 && !g_stop; i++)
            sleep_us(100000);
        return MHD_NO;
    }
    sleep_us(g_cfg.latency_us);
    if (!strcmp(model, "mock-500"))
        return send_text(c, 500, "application/json",
                         strdup("{\"error\":{\"message\":\"MOCK upstream failure\",\"type\":"
                                "\"server_error\",\"param\":null,\"code\":\"mock_failure\"}}"));
    int stream = json_flag(r->body, "stream");
    int chat = !strcmp(url, "/v1/chat/completions");
    if (!strcmp(model, "mock-reset") && !stream)
        return MHD_NO; /* closes without a response */
    if (!strcmp(url, "/v1/embeddings"))
        return send_text(c, 200, "application/json", embeddings_json(model, r->body));
    if (!chat && strcmp(url, "/v1/completions"))
        return send_text(c, 404, "application/json",
                         strdup("{\"error\":{\"message\":\"MOCK: unknown path\",\"type\":"
                                "\"invalid_request_error\",\"param\":null,\"code\":null}}"));
    if (stream) {
        struct mock_stream *s = calloc(1, sizeof(*s));
        if (!s)
            return MHD_NO;
        snprintf(s->model, sizeof(s->model), "%s", model);
        s->include_usage =
            json_flag(r->body, "include_usage") && strcmp(model, "mock-no-usage") != 0;
        s->fault = !strcmp(model, "mock-reset") ? 1 : !strcmp(model, "mock-bad-sse") ? 2 : 0;
        s->chat = chat;
        if (!strcmp(model, "mock-leak")) {
            s->echo = strdup(MOCK_LEAK_TEXT);
            if (!s->echo) {
                free(s);
                return MHD_NO;
            }
            s->echo_len = strlen(MOCK_LEAK_TEXT);
        } else if (!strcmp(model, "mock-echo")) {
            char buf[8192];
            last_string(r->body, chat ? "\"content\"" : "\"prompt\"", buf, sizeof(buf));
            s->echo = strdup(buf);
            if (!s->echo) {
                free(s);
                return MHD_NO;
            }
            s->echo_len = strlen(buf);
        }
        struct MHD_Response *resp = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 4096, stream_reader, s, stream_free);
        if (!resp) {
            free(s);
            return MHD_NO;
        }
        MHD_add_response_header(resp, "Content-Type", "text/event-stream");
        MHD_add_response_header(resp, "Cache-Control", "no-cache");
        MHD_add_response_header(resp, "x-mock", "sluis-MOCK");
        enum MHD_Result ret = MHD_queue_response(c, 200, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    char *content = NULL;
    if (!strcmp(model, "mock-leak")) {
        content = strdup(MOCK_LEAK_TEXT);
    } else if (!strcmp(model, "mock-echo")) {
        char buf[8192];
        last_string(r->body, "\"content\"", buf, sizeof(buf));
        content = strdup(buf);
    } else {
        content = canned_content();
    }
    if (!content)
        return MHD_NO;
    char *out = chat_json(model, content, chat);
    free(content);
    if (!out)
        return MHD_NO;
    return send_text(c, 200, "application/json", out);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct mock_req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->len + *upload_size > MOCK_MAX_BODY) {
            r->too_big = 1;
        } else {
            char *nb = realloc(r->body, r->len + *upload_size + 1);
            if (!nb)
                return MHD_NO;
            r->body = nb;
            memcpy(r->body + r->len, upload, *upload_size);
            r->len += *upload_size;
            r->body[r->len] = 0;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    atomic_fetch_add(&g_requests, 1);
    if (r->too_big)
        return send_text(c, 413, "application/json",
                         strdup("{\"error\":{\"message\":\"MOCK: body too large\",\"type\":"
                                "\"invalid_request_error\",\"param\":null,\"code\":null}}"));
    if (!strcmp(method, "GET") && !strncmp(url, "/v1/models", 10)) {
        sleep_us(g_cfg.latency_us);
        if (url[10] == '/') {
            char *o = NULL;
            if (asprintf(&o,
                         "{\"id\":\"%.100s\",\"object\":\"model\",\"created\":1700000000,"
                         "\"owned_by\":\"sluis-MOCK\"}",
                         url + 11) < 0)
                return MHD_NO;
            return send_text(c, 200, "application/json", o);
        }
        return send_text(c, 200, "application/json",
                         strdup("{\"object\":\"list\",\"data\":[{\"id\":\"mock-model\",\"object\":"
                                "\"model\",\"created\":1700000000,\"owned_by\":\"sluis-MOCK\"}]}"));
    }
    if (!strcmp(method, "POST"))
        return handle_post(c, url, r);
    return send_text(c, 405, "application/json",
                     strdup("{\"error\":{\"message\":\"MOCK: method not allowed\",\"type\":"
                            "\"invalid_request_error\",\"param\":null,\"code\":null}}"));
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct mock_req *r = *con_cls;
    if (r) {
        free(r->body);
        free(r);
        *con_cls = NULL;
    }
}

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "gebruik / usage: sluis mock-upstream [--port N] [--latency-us N] [--events N]\n"
            "                 [--event-us N] [--token-bytes N] [--dims N] [--port-file PATH]\n\n"
            "Een MOCK OpenAI-compatibele upstream voor tests en demo; geen echt model.\n"
            "A MOCK OpenAI-compatible upstream for tests and the demo; not a real model.\n"
            "Models mock-echo, mock-hang, mock-reset, mock-bad-sse, mock-500, mock-no-usage,\n"
            "mock-leak "
            "select faults.\n");
}

int cmd_mock_upstream(int argc, char **argv)
{
    static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
                                         {"latency-us", required_argument, NULL, 'l'},
                                         {"events", required_argument, NULL, 'e'},
                                         {"event-us", required_argument, NULL, 'd'},
                                         {"token-bytes", required_argument, NULL, 't'},
                                         {"dims", required_argument, NULL, 'm'},
                                         {"port-file", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    unsigned port = 19001;
    const char *port_file = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:l:e:d:t:m:f:h", opts, NULL)) != -1) {
        unsigned long v = 0;
        if (c != 'h' && c != 'f') {
            char *end = NULL;
            v = strtoul(optarg, &end, 10);
            if (!end || *end || v > 100000000UL) {
                fprintf(stderr, "sluis mock-upstream: ongeldige waarde / bad value '%s'\n", optarg);
                return CLI_USAGE;
            }
        }
        switch (c) {
        case 'p':
            port = (unsigned)v;
            break;
        case 'l':
            g_cfg.latency_us = (unsigned)v;
            break;
        case 'e':
            g_cfg.events = (unsigned)v;
            break;
        case 'd':
            g_cfg.event_us = (unsigned)v;
            break;
        case 't':
            g_cfg.token_bytes = (unsigned)v;
            break;
        case 'm':
            g_cfg.dims = v > 4096 ? 4096 : (unsigned)v;
            break;
        case 'f':
            port_file = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (port > 65535) {
        fprintf(stderr, "sluis mock-upstream: ongeldige poort / bad port\n");
        return CLI_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
            MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "sluis mock-upstream: kan poort %u niet openen / cannot listen on %u\n",
                port, port);
        return CLI_NO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = di ? di->port : port;
    fprintf(stderr,
            "sluis MOCK upstream (geen echt model / not a real model) op / on "
            "http://127.0.0.1:%u/v1\n",
            bound);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (f) {
            fprintf(f, "%u\n", bound);
            fclose(f);
        }
    }
    while (!g_stop)
        sleep_us(100000);
    MHD_stop_daemon(d);
    fprintf(stderr, "sluis MOCK upstream: %lu verzoeken / requests\n",
            (unsigned long)atomic_load(&g_requests));
    return CLI_OK;
}
