/*
 * gw_error.h - OpenAI-style error objects of the gateway:
 *   {"error": {"message": "Dutch / English", "type": "...", "param": null|"...",
 *              "code": "...", "rule_id": "SP-04"|null, "detectors": [...]?}}
 * Each code has one HTTP status. Messages never contain the matched value of a finding,
 * nor anything from the request except the parameter path.
 */
#ifndef SLUIS_GATEWAY_GW_ERROR_H
#define SLUIS_GATEWAY_GW_ERROR_H

#include <stddef.h>

/* The HTTP status of a code (500 for an unknown code). */
int gw_error_status(const char *code);

/*
 * Writes the error body for code into a malloc'ed NUL-terminated string (*out, caller frees)
 * and returns its length, or -1 when out of memory. param, rule and detectors
 * (comma-separated detector names) may be NULL or "". detail (English, may be NULL) is added
 * to the standard message.
 */
long gw_error_body(const char *code, const char *param, const char *rule, const char *detectors,
                   const char *detail, char **out);

#endif
