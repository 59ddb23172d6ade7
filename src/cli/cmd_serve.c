/* cmd_serve.c - `sluis serve`: the register (REST API /api/v1), the web UI at / and the
 * OpenAI-compatible gateway at /v1/ on one HTTP server. */
#include "cli/commands.h"

#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/http.h"
#include "store/store.h"

#if __has_include("gateway/gateway.h")
#include "gateway/gateway.h"
#define SERVE_HAVE_GATEWAY 1
#endif
#if __has_include("web/assets.h")
#include "web/assets.h"
#define SERVE_HAVE_WEB 1
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "gebruik / usage: sluis serve [options]\n\n"
            "Start het register (REST API /api/v1, web-UI op /, gateway op /v1/).\n"
            "Runs the register (REST API /api/v1, web UI at /, gateway at /v1/).\n\n"
            "  --db PATH|URL        SQLite-bestand of postgresql://... (default ./sluis.db)\n"
            "  --listen HOST:PORT   luisteradres / listen address (default 127.0.0.1:8080;\n"
            "                       port 0 = any free port, see --port-file)\n"
            "  --policy FILE        beleidsbestand / policy file (default standpunt-2025.yaml\n"
            "                       from $SLUIS_POLICY_DIR or the source tree)\n"
            "  --threads N          HTTP-threads (default 16 per CPU, max 64)\n"
            "  --max-body BYTES     maximale body / request body cap (default 1048576)\n"
            "  --oidc-jwks FILE     OIDC: JWKS-bestand met RS256/ES256-sleutels\n"
            "  --oidc-issuer ISS    OIDC: vereiste iss / required issuer\n"
            "  --oidc-audience AUD  OIDC: vereiste aud / required audience (optional)\n"
            "  --port-file FILE     schrijf de gebonden poort / write the bound port here\n"
            "  --today YYYY-MM-DD   vaste peildatum (tests) / fixed evaluation date (tests)\n"
            "  --no-gateway         zonder gateway op /v1/ / without the gateway\n"
            "  -h, --help           deze tekst / this text\n\n"
            "Bij een lege database maakt serve een beheerder aan en toont eenmalig diens token.\n"
            "On an empty database serve creates an admin user and prints its token once.\n");
}

static int split_listen(const char *s, char *host, size_t cap, unsigned *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return -1;
    size_t hl = (size_t)(colon - s);
    if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl >= cap)
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (*end || p > 65535 || colon[1] == '\0')
        return -1;
    *port = (unsigned)p;
    return 0;
}

/*
 * Default HTTP thread count: 16 per CPU this process may run on (sched_getaffinity, so a
 * server pinned with taskset counts its own cores), at most 64. A handler blocks its
 * thread, and every connection MHD gave that thread, while its write waits for the
 * group commit's fsync; many threads keep the other requests going and let concurrent
 * writes share one fsync (docs/bench-api.md). Idle threads cost only their stacks.
 */
static unsigned default_threads(void)
{
    cpu_set_t set;
    int n = 0;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        n = CPU_COUNT(&set);
    if (n <= 0)
        n = 1;
    return n >= 4 ? 64 : (unsigned)n * 16;
}

static void policy_path(const char *given, char *out, size_t cap)
{
    const char *dir = getenv("SLUIS_POLICY_DIR");
    if (given)
        snprintf(out, cap, "%s", given);
    else if (dir && *dir)
        snprintf(out, cap, "%s/standpunt-2025.yaml", dir);
    else
        snprintf(out, cap, "%s/policy/standpunt-2025.yaml", SLUIS_SOURCE_DIR);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"policy", required_argument, NULL, 'p'},
        {"threads", required_argument, NULL, 't'},
        {"max-body", required_argument, NULL, 'b'},
        {"oidc-jwks", required_argument, NULL, 'J'},
        {"oidc-issuer", required_argument, NULL, 'I'},
        {"oidc-audience", required_argument, NULL, 'A'},
        {"port-file", required_argument, NULL, 'P'},
        {"today", required_argument, NULL, 'T'},
        {"no-gateway", no_argument, NULL, 'G'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = "./sluis.db", *listen = "127.0.0.1:8080", *policy = NULL;
    const char *jwks = NULL, *issuer = NULL, *audience = NULL, *port_file = NULL, *today = NULL;
    unsigned threads = 0;
    size_t max_body = 0;
    int no_gateway = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'p':
            policy = optarg;
            break;
        case 't':
            threads = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'b':
            max_body = (size_t)strtoull(optarg, NULL, 10);
            break;
        case 'J':
            jwks = optarg;
            break;
        case 'I':
            issuer = optarg;
            break;
        case 'A':
            audience = optarg;
            break;
        case 'P':
            port_file = optarg;
            break;
        case 'T':
            today = optarg;
            break;
        case 'G':
            no_gateway = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc || threads > 256) {
        usage(stderr);
        return CLI_USAGE;
    }
    char host[64];
    unsigned port;
    if (split_listen(listen, host, sizeof(host), &port)) {
        fprintf(stderr, "sluis serve: ongeldig --listen / bad --listen '%s' (HOST:PORT)\n", listen);
        return CLI_USAGE;
    }
    char ppath[1024];
    policy_path(policy, ppath, sizeof(ppath));

    /* signals are taken by sigwait() below; block them before any thread starts */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = CLI_USAGE;
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store *st = NULL;
    struct api *api = NULL;
    struct http_server *srv = NULL;
#ifdef SERVE_HAVE_GATEWAY
    struct gateway *gw = NULL;
#endif
    if (!threads)
        threads = default_threads();
    /* One pooled database connection per HTTP thread: fewer make threads queue for a
     * connection (measured: twice the context switches per PostgreSQL read at 4 for 16). */
    if (!getenv("SLUIS_STORE_POOL")) {
        char pool[16];
        snprintf(pool, sizeof(pool), "%u", threads < 64 ? threads : 64);
        setenv("SLUIS_STORE_POOL", pool, 0);
    }
    if (store_open(db, &st, &err)) {
        fprintf(stderr, "sluis serve: database: %s\n", err.msg);
        goto out;
    }
    char token[80];
    int created = 0;
    if (api_bootstrap_admin(st, "organisatie", "Mijn organisatie", token, &created, &err)) {
        fprintf(stderr, "sluis serve: %s\n", err.msg);
        goto out;
    }
    if (created)
        printf("Lege database: beheerder 'admin' aangemaakt / empty database: created admin user\n"
               "Token (eenmalig getoond / shown once): %s\n",
               token);
    struct api_config acfg = {.store = st,
                              .policy_file = ppath,
                              .oidc_jwks = jwks,
                              .oidc_issuer = issuer,
                              .oidc_audience = audience,
                              .today = today};
    if (api_new(&api, &acfg, &err)) {
        fprintf(stderr, "sluis serve: %s\n", err.msg);
        goto out;
    }
    struct http_config hcfg = {
        .host = host, .port = (uint16_t)port, .threads = threads, .max_body = max_body};
    if (http_server_new(&srv, &hcfg, &err) || api_routes_register(api, srv, &err)) {
        fprintf(stderr, "sluis serve: %s\n", err.msg);
        goto out;
    }
#ifdef SERVE_HAVE_WEB
    http_server_mount_assets(srv, web_asset_lookup);
    for (const struct web_header *h = web_asset_security_headers(); h->name; h++)
        http_server_asset_header(srv, h->name, h->value);
#endif
#ifdef SERVE_HAVE_GATEWAY
    if (!no_gateway) {
        const char *paths[1] = {ppath};
        struct gateway_config gcfg = {
            .store = st,
            .policy_paths = paths,
            .n_policy_paths = 1,
            .eval_date = today,
            .oidc_jwks = jwks, /* the register's OIDC settings also verify X-Sluis-User-Token */
            .oidc_issuer = issuer,
            .oidc_audience = audience};
        if (gateway_new(&gw, &gcfg, &err) || gateway_mount(gw, srv, &err) ||
            gateway_start(gw, &err)) {
            fprintf(stderr, "sluis serve: gateway: %s\n", err.msg);
            goto out;
        }
    }
#else
    (void)no_gateway;
#endif
    if (http_server_start(srv, &err)) {
        fprintf(stderr, "sluis serve: %s\n", err.msg);
        goto out;
    }
    unsigned bound = http_server_port(srv);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%u\n", bound) < 0 || fclose(f)) {
            fprintf(stderr, "sluis serve: kan --port-file niet schrijven / cannot write %s\n",
                    port_file);
            goto out;
        }
    }
    printf("sluis luistert op / listening on http://%s:%u/ (API /api/v1, beleid / policy %s)\n",
           host, bound, api_policy_version(api));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    printf("sluis: gestopt / stopped (signal %d)\n", sig);
    rc = CLI_OK;
out:
#ifdef SERVE_HAVE_GATEWAY
    gateway_shutdown(gw);
#endif
    http_server_stop(srv);
#ifdef SERVE_HAVE_GATEWAY
    gateway_free(gw);
#endif
    http_server_free(srv);
    api_free(api);
    store_close(st);
    return rc;
}
