# cmake -DIN=file -DOUT=file.c -P embed.cmake: writes api_openapi_json() returning IN's bytes.
file(READ ${IN} _hex HEX)
string(LENGTH "${_hex}" _n)
math(EXPR _len "${_n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" _bytes "${_bytes}")
file(WRITE ${OUT} "/* generated from openapi.json by embed.cmake; do not edit */\n#include <stddef.h>\n\n"
     "const char *api_openapi_json(size_t *len);\n\n"
     "static const char data[] = {\n${_bytes}0x00};\n\n"
     "const char *api_openapi_json(size_t *len)\n{\n    if (len)\n        *len = ${_len};\n"
     "    return data;\n}\n")
