/* gw_error.c - the gateway's error codes, their HTTP status and their messages. */
#include "gateway/gw_error.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gw_code {
    const char *code;
    int status;
    const char *nl;
    const char *en;
};

static const struct gw_code codes[] = {
    {"invalid_api_key", 401, "Onbekende of ingetrokken API-sleutel", "Unknown or revoked API key"},
    {"user_token_invalid", 401, "Het gebruikerstoken (X-Sluis-User-Token) is ongeldig",
     "The user token (X-Sluis-User-Token) is invalid"},
    {"application_revoked", 403, "De toepassing is ingetrokken in het register",
     "The application is revoked in the register"},
    {"application_not_approved", 403,
     "De toepassing heeft geen geldig besluit of mag in deze omgeving niet draaien",
     "The application has no valid decision or may not run in this environment"},
    {"org_policy_unavailable", 403,
     "Het eigen beleid van de organisatie kan niet worden geladen; de toepassing wordt geweigerd",
     "The organisation's own policy cannot be loaded; the application is refused"},
    {"exploration_expired", 403, "De verkenningsperiode is voorbij",
     "The exploration time-box has ended"},
    {"model_not_allowed", 403, "Dit model staat niet in het dossier van de toepassing",
     "This model is not in the application's dossier"},
    {"provider_not_registered", 403, "De aanbieder van dit model staat niet in het register",
     "The provider of this model is not in the register"},
    {"consumer_terms_prohibited", 403,
     "Gebruik onder consumentenvoorwaarden is niet toegestaan (standpunt)",
     "Use under consumer terms is not allowed (position)"},
    {"agreement_missing", 403, "Er is geen overeenkomst met de aanbieder",
     "There is no agreement with the provider"},
    {"agreement_expired", 403, "De overeenkomst met de aanbieder is verlopen",
     "The agreement with the provider has expired"},
    {"literacy_required", 403, "De gebruiker heeft niet het vereiste AI-geletterdheidsniveau",
     "The user does not hold the required AI-literacy level"},
    {"sensitive_data_detected", 400, "Het verzoek bevat gevoelige gegevens",
     "The request contains sensitive data"},
    {"classified_marking", 400, "Het verzoek bevat een rubriceringsmarkering",
     "The request contains a classification marking"},
    {"unscannable_content", 400,
     "Het verzoek bevat inhoud die niet op gevoelige gegevens gecontroleerd kan worden",
     "The request contains content that cannot be checked for sensitive data"},
    {"sensitive_data_in_response", 502, "Het antwoord bevat gevoelige gegevens",
     "The response contains sensitive data"},
    {"invalid_json", 400, "De body is geen geldige JSON", "The body is not valid JSON"},
    {"invalid_request", 400, "Ongeldig verzoek", "Invalid request"},
    {"unsupported_media_type", 415, "Content-Type moet application/json zijn",
     "Content-Type must be application/json"},
    {"request_too_large", 413, "Het verzoek is te groot", "The request is too large"},
    {"method_not_allowed", 405, "Methode niet toegestaan", "Method not allowed"},
    {"not_found", 404, "Onbekend pad", "Unknown path"},
    {"model_not_found", 404, "Onbekend model", "Unknown model"},
    {"gateway_unavailable", 503, "De gateway kan nu niet beslissen en weigert (fail closed)",
     "The gateway cannot decide right now and refuses (fail closed)"},
    {"upstream_error", 502, "De aanbieder gaf een ongeldig antwoord of verbrak de verbinding",
     "The provider sent an invalid answer or dropped the connection"},
    {"upstream_timeout", 504, "De aanbieder antwoordde niet op tijd",
     "The provider did not answer in time"},
    {"internal_error", 500, "Interne fout", "Internal error"},
};

static const struct gw_code *find(const char *code)
{
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (!strcmp(codes[i].code, code))
            return &codes[i];
    return NULL;
}

int gw_error_status(const char *code)
{
    const struct gw_code *c = code ? find(code) : NULL;
    return c ? c->status : 500;
}

long gw_error_body(const char *code, const char *param, const char *rule, const char *detectors,
                   const char *detail, char **out)
{
    *out = NULL;
    const struct gw_code *c = code ? find(code) : NULL;
    if (!c)
        c = find("internal_error");
    char msg[768];
    int n = snprintf(msg, sizeof(msg), "%s / %s", c->nl, c->en);
    if (rule && *rule && n > 0 && (size_t)n < sizeof(msg))
        n += snprintf(msg + n, sizeof(msg) - (size_t)n, " [%s]", rule);
    if (detail && *detail && n > 0 && (size_t)n < sizeof(msg))
        snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", detail);
    json_t *err = json_pack("{s:s, s:s, s:o, s:s, s:o}", "message", msg, "type",
                            c->status >= 500 ? "server_error" : "invalid_request_error", "param",
                            param && *param ? json_string(param) : json_null(), "code", c->code,
                            "rule_id", rule && *rule ? json_string(rule) : json_null());
    if (!err)
        return -1;
    if (detectors && *detectors) {
        json_t *arr = json_array();
        const char *p = detectors;
        while (arr && *p) {
            const char *e = strchr(p, ',');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            json_array_append_new(arr, json_stringn(p, l));
            p += l + (e ? 1 : 0);
        }
        if (arr)
            json_object_set_new(err, "detectors", arr);
    }
    json_t *root = json_pack("{s:o}", "error", err);
    if (!root)
        return -1;
    *out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return *out ? (long)strlen(*out) : -1;
}
