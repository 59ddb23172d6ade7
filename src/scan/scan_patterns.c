/*
 * scan_patterns.c - the candidate patterns. PC/PCN ones are found by the hand-written anchor
 * parser (scan_anchor.c), which reports exactly what these expressions would; they are
 * compiled into Hyperscan only in the reference mode of the tests. P/PN ones (classification
 * markings, the private-key header) are compiled into the one Hyperscan database (scan_db.c).
 * Patterns are selective on purpose (word boundaries, literal anchors); the validators in
 * scan_detect.c decide.
 */
#include "scan/scan_internal.h"

#define CL HS_FLAG_CASELESS
/* clang-format off */
#define P(re, fl, kind, arg) {re, fl, kind, arg, 0, 0}
#define PN(re, fl, kind, arg) {re, fl, kind, arg, 1, 0}
/* found by the hand-written anchor parser (scan_anchor.c); the expression documents what
   it reproduces and is compiled only for the reference mode of the tests */
#define PC(re, fl, kind, arg) {re, fl, kind, arg, 0, 1}
#define PCN(re, fl, kind, arg) {re, fl, kind, arg, 1, 1}
/* clang-format on */

const struct scan_pattern scan_patterns[] = {
    /* digit runs: BSN/RSIN/onderwijsnummer (9), KvK (8), rijbewijs (10), BIG (11),
       vestigingsnummer (12) */
    PC("\\b\\d{8}\\b", 0, RK_D8, 0),
    PC("\\b\\d{9}\\b", 0, RK_D9, 0),
    PC("\\b\\d{10}\\b", 0, RK_D10, 0),
    PC("\\b\\d{11}\\b", 0, RK_D11, 0),
    PC("\\b\\d{12}\\b", 0, RK_D12, 0),
    PC("\\b\\d{4}[. -]\\d{2}[. -]\\d{3}\\b", 0, RK_D9_GROUPED, 0),
    PC("\\b\\d{3}[. -]\\d{3}[. -]\\d{3}\\b", 0, RK_D9_GROUPED, 1),
    /* btw-id */
    PC("\\bNL[ .]?\\d{4}\\.?\\d{2}\\.?\\d{3}[ .]?B\\d{2}\\b", 0, RK_BTW, 0),
    /* IBAN: NL compact and grouped; foreign by country code */
    PC("\\bNL\\d{2}[A-Z]{4}\\d{10}\\b", CL, RK_IBAN, 0),
    PC("\\bNL\\d{2} [A-Z]{4} \\d{4} \\d{4} \\d{2}\\b", CL, RK_IBAN, 0),
    /* foreign: any two capitals; the validator knows the countries and their lengths
       (a list of 80 two-letter literals here would slow the literal matcher down) */
    PC("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\\b", 0, RK_IBAN, 1),
    /* phone numbers */
    PC("(?:\\+|\\b00)31[ -]?(?:\\(0\\)[ -]?)?[1-9](?:[ -]?\\d){6,10}\\b", 0, RK_PHONE, 0),
    PC("\\b0[1-9](?:[ -]?\\d){6,10}\\b", 0, RK_PHONE, 1),
    /* e-mail, from the '@' on */
    PCN("@[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\\.[A-Za-z0-9][A-Za-z0-9-]{0,62}){0,8}\\.[A-Za-z]{2,24}"
        "\\b",
        0, RK_EMAIL, 0),
    /* postcode */
    PC("\\b[1-9]\\d{3}[A-Z]{2}\\b", 0, RK_POSTCODE, 0),
    PC("\\b[1-9]\\d{3} [A-Z]{2}\\b", 0, RK_POSTCODE, 1),
    /* dates (birth only with context) */
    PC("\\b\\d{1,2}[-/.]\\d{1,2}[-/.](?:19|20)\\d{2}\\b", 0, RK_DATE_NUM, 0),
    PC("\\b(?:19|20)\\d{2}-\\d{2}-\\d{2}\\b", 0, RK_DATE_NUM, 1),
    PC("\\b\\d{1,2} (?:jan(?:uari)?|feb(?:ruari)?|m(?:aa)?rt|apr(?:il)?|mei|juni?|juli?|"
       "aug(?:ustus)?|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.? "
       "(?:19|20)\\d{2}\\b",
       CL, RK_DATE_TEXT, 0),
    /* classification markings */
    P("\\bstg\\.? ?(?:zeer geheim|geheim|confidentieel)\\b", CL, RK_CLASS, 0),
    P("\\bstaatsgeheim[ ,:-]{1,3}(?:zeer geheim|geheim|confidentieel)\\b", CL, RK_CLASS, 0),
    P("\\bdep(?:artementaal|\\.)? ?vertrouwelijk\\b", CL, RK_CLASS, 0),
    P("\\bdep\\.v\\.", CL, RK_CLASS, 0),
    P("\\b(?:restreint ue|eu restricted|confidentiel ue|eu confidential|secret ue|eu secret|"
      "eu top secret)\\b",
      CL, RK_CLASS, 0),
    P("\\btr(?:e|\\xc3\\xa8|\\xc3\\x88)s secret ue\\b", CL, RK_CLASS, 0),
    P("\\bnato (?:restricted|confidential|secret)\\b", CL, RK_CLASS, 0),
    P("\\bcosmic top secret\\b", CL, RK_CLASS, 0),
    /* secrets: the validator reads the key body forward */
    P("-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----", 0, RK_PEM, 0),
    PC("\\bsk-", 0, RK_APIKEY, 0),
    PC("\\bgh[pousr]_", 0, RK_APIKEY, 1),
    PC("\\bgithub_pat_", 0, RK_APIKEY, 2),
    PC("\\bAKIA", 0, RK_APIKEY, 3),
    PC("\\bxox[baprs]-", 0, RK_APIKEY, 4),
    PC("\\bAIza", 0, RK_APIKEY, 5),
    PC("\\bglpat-", 0, RK_APIKEY, 6),
    PC("\\b[rs]k_live_", 0, RK_APIKEY, 7),
    /* the validator wants ':' or '=' after the word */
    PCN("\\b(?:wachtwoord|password|passwd|pwd|wachtw|pincode)\\b", CL, RK_PASSWORD, 0),
    /* a letter next to a digit (upper case, optional hyphen): licence plates and
       passport/ID numbers; the validator takes the whole token around it and needs
       context ("kenteken", "paspoort") */
    PCN("[A-Z]-?\\d|\\d-?[A-Z]", 0, RK_TOKEN, 0),

};

const unsigned scan_npatterns = sizeof(scan_patterns) / sizeof(scan_patterns[0]);
