/*
 * cmd_gateway.c - `sluis gateway`: a gateway-only node (the one HTTP server with only the
 * gateway's mounts), and `sluis gateway key` to issue an application API key.
 */
#include "cli/commands.h"

#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "gateway/gateway.h"
#include "http/http.h"
#include "store/register.h"
#include "store/store.h"

#define MAX_POLICY 16

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "gebruik / usage: sluis gateway [options]\n"
            "       sluis gateway key --app ID [--db URL] [--actor NAME]\n\n"
            "Een OpenAI-compatibele gateway die alleen doorlaat wat het register en het\n"
            "standpunt toestaan. / An OpenAI-compatible gateway that lets through only what the\n"
            "register and the position allow.\n\n"
            "  --listen ADDR            luisteradres / listen address (127.0.0.1)\n"
            "  --port N                 poort / port (8090; 0 = free port)\n"
            "  --port-file PATH         schrijf de poort hierheen / write the bound port here\n"
            "  --db URL                 register (SQLite path or postgresql://...)\n"
            "  --register FILE          JSON-registerdocument zonder database / without a DB\n"
            "  --policy FILE            beleidsbestand / policy file (repeatable)\n"
            "  --date YYYY-MM-DD        vaste datum / fixed evaluation date (tests)\n"
            "  --usage-log FILE         gebruiksregels als JSON-regels / usage as JSON lines\n"
            "  --threads N              HTTP-threads / HTTP threads\n"
            "  --upstream-timeout-ms N  time-out naar de aanbieder / provider timeout (60000)\n"
            "  --ping-ms N              keep-alive voor het eerste token / before first token\n"
            "  --refresh-ms N           snapshot-TTL (2000)\n"
            "  --max-stale-ms N         weiger bij oudere snapshot / refuse when older (30000)\n"
            "  --max-body N             maximale body / body cap in bytes (4 MiB)\n"
            "  --conn-timeout-s N       inactieve verbinding / idle connection timeout (30)\n"
            "  --node NAME              naam van deze node / node name\n"
            "  --scan-responses         scan ook antwoorden / scan responses too\n"
            "  --oidc-jwks FILE         accepteer X-Sluis-User-Token (JWKS, RS256/ES256) /\n"
            "                           accept user tokens verified against this JWKS\n"
            "  --oidc-issuer ISS        vereiste iss / required issuer of user tokens\n"
            "  --oidc-audience AUD      vereiste aud / required audience (optional)\n");
}

static int parse_num(const char *s, unsigned long *out)
{
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    if (!end || *end || end == s)
        return -1;
    *out = v;
    return 0;
}

static int key_main(int argc, char **argv)
{
    static const struct option opts[] = {{"app", required_argument, NULL, 'a'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"actor", required_argument, NULL, 'u'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *app = NULL, *db = NULL, *actor = "cli";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "a:d:u:h", opts, NULL)) != -1) {
        switch (c) {
        case 'a':
            app = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'u':
            actor = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (!app) {
        fprintf(stderr, "sluis gateway key: --app is verplicht / is required\n");
        return CLI_USAGE;
    }
    char key[80], hex[65];
    if (gateway_key_generate(key, sizeof(key), hex) != 0) {
        fprintf(stderr, "sluis gateway key: geen willekeurige bytes / no random bytes\n");
        return CLI_NO;
    }
    if (db) {
        struct store *st = NULL;
        struct sluis_err err = {0};
        struct store_tx *tx = NULL;
        int rc = store_open(db, &st, &err);
        struct reg_object obj = {0};
        char content[256];
        if (!rc)
            rc = store_tx_begin(st, STORE_TX_WRITE, &tx, &err);
        if (!rc) {
            struct reg_object appobj = {0};
            rc = reg_object_get(tx, GATEWAY_KIND_APPLICATION, app, &appobj, &err);
            snprintf(obj.org_id, sizeof(obj.org_id), "%s", appobj.org_id);
            reg_object_free(&appobj);
        }
        if (!rc) {
            snprintf(obj.kind, sizeof(obj.kind), "%s", GATEWAY_KIND_KEY);
            snprintf(obj.id, sizeof(obj.id), "%s-%.12s", app, hex);
            snprintf(content, sizeof(content),
                     "{\"application\":\"%s\",\"sha256\":\"%s\",\"revoked\":false}", app, hex);
            obj.content = content;
            rc = reg_object_put(tx, &obj, REG_VERSION_CREATE, actor, &err);
            obj.content = NULL;
        }
        if (!rc)
            rc = store_notify(tx, GATEWAY_NOTIFY_CHANNEL, GATEWAY_KIND_KEY, &err);
        if (!rc)
            rc = store_tx_commit(tx, &err);
        else
            store_tx_rollback(tx);
        store_close(st);
        if (rc) {
            fprintf(stderr, "sluis gateway key: %s\n", err.msg);
            return CLI_NO;
        }
        printf("{\"key\":\"%s\",\"key_object\":\"%s\"}\n", key, obj.id);
        fprintf(stderr, "Bewaar de sleutel nu; hij wordt niet opgeslagen. / Keep the key now; "
                        "it is not stored.\n");
        return CLI_OK;
    }
    printf("{\"key\":\"%s\",\"gateway_key\":{\"application\":\"%s\",\"sha256\":\"%s\","
           "\"revoked\":false}}\n",
           key, app, hex);
    return CLI_OK;
}

int cmd_gateway(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "key"))
        return key_main(argc - 1, argv + 1);
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"port-file", required_argument, NULL, 'f'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"register", required_argument, NULL, 'r'},
                                         {"policy", required_argument, NULL, 'P'},
                                         {"date", required_argument, NULL, 'D'},
                                         {"usage-log", required_argument, NULL, 'u'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"upstream-timeout-ms", required_argument, NULL, 'T'},
                                         {"ping-ms", required_argument, NULL, 'i'},
                                         {"refresh-ms", required_argument, NULL, 'R'},
                                         {"max-stale-ms", required_argument, NULL, 'S'},
                                         {"max-body", required_argument, NULL, 'B'},
                                         {"conn-timeout-s", required_argument, NULL, 'C'},
                                         {"node", required_argument, NULL, 'n'},
                                         {"scan-responses", no_argument, NULL, 's'},
                                         {"oidc-jwks", required_argument, NULL, 'J'},
                                         {"oidc-issuer", required_argument, NULL, 'I'},
                                         {"oidc-audience", required_argument, NULL, 'A'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct gateway_config gc = {0};
    struct http_config hc = {0};
    const char *policies[MAX_POLICY];
    size_t n_policies = 0;
    const char *db = NULL, *port_file = NULL;
    hc.host = "127.0.0.1";
    hc.port = 8090;
    /* Gateway requests carry small headers and stream their bodies: a small per-connection
       pool keeps RSS low with many concurrent streams (8 KiB: about 6 KiB of request headers,
       room for an X-Sluis-User-Token of a few KiB; bodies are read in chunks, any size). */
    hc.conn_memory = 8 * 1024;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "l:p:f:d:r:P:D:u:t:T:i:R:S:B:C:n:sJ:I:A:h", opts, NULL)) !=
           -1) {
        unsigned long v = 0;
        if (strchr("ptTiRSBC", c) && parse_num(optarg, &v) != 0) {
            fprintf(stderr, "sluis gateway: geen getal / not a number: '%s'\n", optarg);
            return CLI_USAGE;
        }
        switch (c) {
        case 'l':
            hc.host = optarg;
            break;
        case 'p':
            if (v > 65535) {
                fprintf(stderr, "sluis gateway: ongeldige poort / bad port\n");
                return CLI_USAGE;
            }
            hc.port = (uint16_t)v;
            break;
        case 'f':
            port_file = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'r':
            gc.register_file = optarg;
            break;
        case 'P':
            if (n_policies == MAX_POLICY) {
                fprintf(stderr, "sluis gateway: te veel beleidsbestanden / too many policies\n");
                return CLI_USAGE;
            }
            policies[n_policies++] = optarg;
            break;
        case 'D':
            gc.eval_date = optarg;
            break;
        case 'u':
            gc.usage_file = optarg;
            break;
        case 't':
            hc.threads = (unsigned)v;
            break;
        case 'T':
            gc.upstream_timeout_ms = (unsigned)v;
            break;
        case 'i':
            gc.ping_ms = (unsigned)v;
            break;
        case 'R':
            gc.refresh_ms = (unsigned)v;
            break;
        case 'S':
            gc.max_stale_ms = (unsigned)v;
            break;
        case 'B':
            gc.max_body = v;
            break;
        case 'C':
            hc.conn_timeout_s = (unsigned)v;
            break;
        case 'n':
            gc.node = optarg;
            break;
        case 's':
            gc.scan_responses = 1;
            break;
        case 'J':
            gc.oidc_jwks = optarg;
            break;
        case 'I':
            gc.oidc_issuer = optarg;
            break;
        case 'A':
            gc.oidc_audience = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (!n_policies) {
        static const char def[] = SLUIS_SOURCE_DIR "/policy/standpunt-2025.yaml";
        if (access(def, R_OK) == 0)
            policies[n_policies++] = def;
    }
    gc.policy_paths = policies;
    gc.n_policy_paths = n_policies;
    /* the gateway's own caps; the server's body cap is for other routes only */
    hc.max_body = gc.max_body ? gc.max_body : 4u * 1024 * 1024;
    hc.max_conns = 4096;

    struct sluis_err err = {0};
    struct store *st = NULL;
    struct gateway *gw = NULL;
    struct http_server *srv = NULL;
    int ret = CLI_NO;
    signal(SIGPIPE, SIG_IGN);
    /* few malloc arenas: the request path is short and RSS matters more than lock contention */
    mallopt(M_ARENA_MAX, 2);
    /* a fixed mmap threshold: glibc otherwise raises it after each large free, and transient
       large buffers (usage batches, big request bodies) then stay in the heap for good */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    /* SQLite's page cache is only a speed-up here (usage appends touch a few tail pages): cap
       it process-wide instead of 2 MB per connection (this process only; not `sluis serve`) */
    sqlite3_soft_heap_limit64(1024 * 1024);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (db && store_open(db, &st, &err) != 0)
        goto out;
    gc.store = st;
    if (gateway_new(&gw, &gc, &err) != 0)
        goto out;
    if (http_server_new(&srv, &hc, &err) != 0)
        goto out;
    if (gateway_mount(gw, srv, &err) != 0)
        goto out;
    if (gateway_start(gw, &err) != 0)
        goto out;
    if (http_server_start(srv, &err) != 0)
        goto out;
    fprintf(stderr, "sluis gateway op / on http://%s:%u/v1 (%s)\n", hc.host,
            (unsigned)http_server_port(srv),
            st                 ? "register: database"
            : gc.register_file ? "register: file"
                               : "no register");
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (f) {
            fprintf(f, "%u\n", (unsigned)http_server_port(srv));
            fclose(f);
        }
    }
    while (!g_stop) {
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    ret = CLI_OK;
out:
    if (ret != CLI_OK) {
        char buf[1200];
        sluis_err_format(&err, buf, sizeof(buf));
        fprintf(stderr, "sluis gateway: %s\n", buf);
    }
    gateway_shutdown(gw);
    http_server_stop(srv);
    gateway_free(gw);
    http_server_free(srv);
    store_close(st);
    if (ret == CLI_OK)
        fprintf(stderr, "sluis gateway: gestopt / stopped\n");
    return ret;
}
