/*
 * scan_patterns.c - the candidate patterns and context words of the one
 * Hyperscan pass. Patterns are selective on purpose (word boundaries, literal
 * anchors such as "@", "NL", "-----BEGIN"), so clean text runs at memory speed;
 * the validators in scan_detect.c decide.
 */
#include "scan/scan_internal.h"

#define CL HS_FLAG_CASELESS
#define P(re, fl, kind, arg)                                                                       \
    {                                                                                              \
        re, fl, kind, arg, 0                                                                       \
    }
#define PN(re, fl, kind, arg)                                                                      \
    {                                                                                              \
        re, fl, kind, arg, 1                                                                       \
    }
#define W(word, cls)                                                                               \
    {                                                                                              \
        "\\b" word "\\b", CL, RK_CTX, cls, 0                                                       \
    }

const struct scan_pattern scan_patterns[] = {
    /* digit runs: BSN/RSIN/onderwijsnummer (9), KvK (8), rijbewijs (10), BIG (11),
       vestigingsnummer (12) */
    P("\\b\\d{8}\\b", 0, RK_D8, 0),
    P("\\b\\d{9}\\b", 0, RK_D9, 0),
    P("\\b\\d{10}\\b", 0, RK_D10, 0),
    P("\\b\\d{11}\\b", 0, RK_D11, 0),
    P("\\b\\d{12}\\b", 0, RK_D12, 0),
    P("\\b\\d{4}[. -]\\d{2}[. -]\\d{3}\\b", 0, RK_D9_GROUPED, 0),
    P("\\b\\d{3}[. -]\\d{3}[. -]\\d{3}\\b", 0, RK_D9_GROUPED, 1),
    /* btw-id */
    P("\\bNL[ .]?\\d{4}\\.?\\d{2}\\.?\\d{3}[ .]?B\\d{2}\\b", CL, RK_BTW, 0),
    /* IBAN: NL compact and grouped; foreign by country code */
    P("\\bNL\\d{2}[A-Z]{4}\\d{10}\\b", CL, RK_IBAN, 0),
    P("\\bNL\\d{2} [A-Z]{4} \\d{4} \\d{4} \\d{2}\\b", CL, RK_IBAN, 0),
    P("\\b(?:AD|AE|AL|AT|AZ|BA|BE|BG|BH|BR|BY|CH|CR|CY|CZ|DE|DK|DO|EE|EG|ES|FI|FO|FR|GB|GE|GI|GL|"
      "GR|GT|HR|HU|IE|IL|IQ|IS|IT|JO|KW|KZ|LB|LC|LI|LT|LU|LV|MC|MD|ME|MK|MR|MT|MU|NO|PK|PL|PS|PT|"
      "QA|RO|RS|SA|SC|SE|SI|SK|SM|ST|SV|TL|TN|TR|UA|VA|VG|XK)\\d{2}(?: ?[A-Z0-9]{4}){2,7}"
      "(?: ?[A-Z0-9]{1,3})?\\b",
      0, RK_IBAN, 1),
    /* phone numbers */
    P("(?:\\+|\\b00)31[ -]?(?:\\(0\\)[ -]?)?[1-9](?:[ -]?\\d){6,10}\\b", 0, RK_PHONE, 0),
    P("\\b0[1-9](?:[ -]?\\d){6,10}\\b", 0, RK_PHONE, 1),
    /* e-mail, from the '@' on */
    PN("@[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\\.[A-Za-z0-9][A-Za-z0-9-]{0,62}){0,8}\\.[A-Za-z]{2,24}"
       "\\b",
       0, RK_EMAIL, 0),
    /* postcode */
    P("\\b[1-9]\\d{3}[A-Z]{2}\\b", 0, RK_POSTCODE, 0),
    P("\\b[1-9]\\d{3} [A-Z]{2}\\b", 0, RK_POSTCODE, 1),
    /* dates (birth only with context) */
    P("\\b\\d{1,2}[-/.]\\d{1,2}[-/.](?:19|20)\\d{2}\\b", 0, RK_DATE_NUM, 0),
    P("\\b(?:19|20)\\d{2}-\\d{2}-\\d{2}\\b", 0, RK_DATE_NUM, 1),
    P("\\b\\d{1,2} (?:jan(?:uari)?|feb(?:ruari)?|m(?:aa)?rt|apr(?:il)?|mei|juni?|juli?|"
      "aug(?:ustus)?|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.? "
      "(?:19|20)\\d{2}\\b",
      CL, RK_DATE_TEXT, 0),
    /* licence plates (sidecodes checked by the validator) */
    P("\\b[A-Z0-9]{1,3}-[A-Z0-9]{2,3}-[A-Z0-9]{1,3}\\b", 0, RK_PLATE, 0),
    P("\\b[A-Z0-9]{6}\\b", 0, RK_PLATE, 1),
    /* passport / identity card */
    P("\\b[A-NP-Z]{2}[A-NP-Z0-9]{6}\\d\\b", 0, RK_DOCNR, 0),
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
    P("\\bsk-", 0, RK_APIKEY, 0),
    P("\\bgh[pousr]_", 0, RK_APIKEY, 1),
    P("\\bgithub_pat_", 0, RK_APIKEY, 2),
    P("\\bAKIA", 0, RK_APIKEY, 3),
    P("\\bxox[baprs]-", 0, RK_APIKEY, 4),
    P("\\bAIza", 0, RK_APIKEY, 5),
    P("\\bglpat-", 0, RK_APIKEY, 6),
    P("\\b[rs]k_live_", 0, RK_APIKEY, 7),
    P("\\b(?:wachtwoord|password|passwd|pwd|wachtw|pincode)\\s{0,3}[:=]", CL, RK_PASSWORD, 0),

    /* context words */
    W("bsn", CX_BSN),
    W("burgerservicenummer", CX_BSN),
    W("burgerservice-nummer", CX_BSN),
    W("burger service nummer", CX_BSN),
    W("sofinummer", CX_BSN),
    W("sofi-nummer", CX_BSN),
    W("sofi nummer", CX_BSN),
    W("citizen service number", CX_BSN),
    W("rsin", CX_RSIN),
    W("fiscaal nummer", CX_RSIN),
    W("fiscaalnummer", CX_RSIN),
    W("fiscal number", CX_RSIN),
    W("onderwijsnummer", CX_ONDERWIJS),
    W("persoonsgebonden nummer", CX_ONDERWIJS),
    W("education number", CX_ONDERWIJS),
    W("kvk", CX_KVK),
    W("kvknummer", CX_KVK),
    W("kamer van koophandel", CX_KVK),
    W("handelsregister", CX_KVK),
    W("chamber of commerce", CX_KVK),
    W("vestigingsnummer", CX_VESTIGING),
    W("vestigingsnr", CX_VESTIGING),
    W("branch number", CX_VESTIGING),
    W("kenteken", CX_KENTEKEN),
    W("kentekens", CX_KENTEKEN),
    W("kentekenplaat", CX_KENTEKEN),
    W("nummerplaat", CX_KENTEKEN),
    W("auto", CX_KENTEKEN),
    W("personenauto", CX_KENTEKEN),
    W("bestelbus", CX_KENTEKEN),
    W("voertuig", CX_KENTEKEN),
    W("license plate", CX_KENTEKEN),
    W("licence plate", CX_KENTEKEN),
    W("number plate", CX_KENTEKEN),
    W("car", CX_KENTEKEN),
    W("paspoort", CX_DOC),
    W("paspoortnummer", CX_DOC),
    W("id-kaart", CX_DOC),
    W("identiteitskaart", CX_DOC),
    W("identiteitsbewijs", CX_DOC),
    W("documentnummer", CX_DOC),
    W("reisdocument", CX_DOC),
    W("passport", CX_DOC),
    W("identity card", CX_DOC),
    W("id card", CX_DOC),
    W("rijbewijs", CX_RIJBEWIJS),
    W("rijbewijsnummer", CX_RIJBEWIJS),
    W("driving licence", CX_RIJBEWIJS),
    W("driving license", CX_RIJBEWIJS),
    W("driver's license", CX_RIJBEWIJS),
    W("drivers license", CX_RIJBEWIJS),
    W("big", CX_BIG),
    W("big-nummer", CX_BIG),
    W("geboren", CX_DOB),
    W("geboortedatum", CX_DOB),
    {"\\bgeb\\.", CL, RK_CTX, CX_DOB, 0},
    W("geboortedag", CX_DOB),
    W("date of birth", CX_DOB),
    W("dob", CX_DOB),
    W("born", CX_DOB),
    W("birth date", CX_DOB),
    W("birthdate", CX_DOB),
    W("tel", CX_PHONE),
    W("telefoon", CX_PHONE),
    W("telefoonnummer", CX_PHONE),
    W("telefonisch", CX_PHONE),
    W("mobiel", CX_PHONE),
    W("gsm", CX_PHONE),
    W("bel", CX_PHONE),
    W("bellen", CX_PHONE),
    W("phone", CX_PHONE),
    W("mobile", CX_PHONE),
    W("fax", CX_PHONE),
    W("whatsapp", CX_PHONE),
    W("postcode", CX_ADDRESS),
    W("adres", CX_ADDRESS),
    W("woonadres", CX_ADDRESS),
    W("postadres", CX_ADDRESS),
    W("woont", CX_ADDRESS),
    W("wonende", CX_ADDRESS),
    W("woonachtig", CX_ADDRESS),
    W("address", CX_ADDRESS),
    W("factuur", CX_NEG),
    W("factuurnummer", CX_NEG),
    W("factuurnr", CX_NEG),
    W("ordernummer", CX_NEG),
    W("ordernr", CX_NEG),
    W("order", CX_NEG),
    W("bestelnummer", CX_NEG),
    W("klantnummer", CX_NEG),
    W("artikelnummer", CX_NEG),
    W("referentie", CX_NEG),
    W("referentienummer", CX_NEG),
    W("kenmerk", CX_NEG),
    W("dossiernummer", CX_NEG),
    W("zaaknummer", CX_NEG),
    W("polisnummer", CX_NEG),
    W("invoice", CX_NEG),
    W("reference", CX_NEG),
    W("case number", CX_NEG),
    W("ticket", CX_NEG),
    W("volgnummer", CX_NEG),
    W("artikel", CX_PRODUCT),
    W("artikelnummer", CX_PRODUCT),
    W("product", CX_PRODUCT),
    W("productcode", CX_PRODUCT),
    W("typenummer", CX_PRODUCT),
    W("type", CX_PRODUCT),
    W("model", CX_PRODUCT),
    W("modelnummer", CX_PRODUCT),
    W("serienummer", CX_PRODUCT),
    W("sku", CX_PRODUCT),
    W("onderdeel", CX_PRODUCT),
    W("onderdeelnummer", CX_PRODUCT),
    W("bestelcode", CX_PRODUCT),
};

const unsigned scan_npatterns = sizeof(scan_patterns) / sizeof(scan_patterns[0]);
