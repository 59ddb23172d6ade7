/* roles.c - the user roles of the register and their bit set. */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} roles[] = {
    {"owner", ROLE_OWNER}, {"cio_office", ROLE_CIO_OFFICE}, {"ciso", ROLE_CISO},
    {"fg", ROLE_FG},       {"jurist", ROLE_JURIST},         {"procurement", ROLE_PROCUREMENT},
    {"admin", ROLE_ADMIN}, {"read_only", ROLE_READ_ONLY},
};

unsigned api_role_bit(const char *name)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (!strcmp(roles[i].name, name))
            return roles[i].bit;
    return 0;
}

const char *api_role_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (roles[i].bit == bit)
            return roles[i].name;
    return NULL;
}

int api_roles_parse(const json_t *arr, unsigned *bits, char *bad, size_t bad_cap)
{
    *bits = 0;
    if (bad_cap)
        bad[0] = '\0';
    if (!json_is_array(arr) || json_array_size(arr) > 8)
        return SLUIS_EINVAL;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        unsigned b = s ? api_role_bit(s) : 0;
        if (!b) {
            snprintf(bad, bad_cap, "/roles/%zu", i);
            return SLUIS_EINVAL;
        }
        *bits |= b;
    }
    return 0;
}
