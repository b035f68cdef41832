/* tls_names.c: names from the IANA TLS registries (cipher suites, alerts, versions). */
#include <stdlib.h>

#include "tls_event.h"

struct suite_name {
    uint16_t id;
    const char *name;
};

/* IANA "TLS Cipher Suites" registry, the suites OpenSSL and common SIP
 * stacks negotiate; sorted by id for bsearch. */
static const struct suite_name suites[] = {
    { 0x0001, "TLS_RSA_WITH_NULL_MD5" },
    { 0x0002, "TLS_RSA_WITH_NULL_SHA" },
    { 0x0004, "TLS_RSA_WITH_RC4_128_MD5" },
    { 0x0005, "TLS_RSA_WITH_RC4_128_SHA" },
    { 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
    { 0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA" },
    { 0x002c, "TLS_PSK_WITH_NULL_SHA" },
    { 0x002d, "TLS_DHE_PSK_WITH_NULL_SHA" },
    { 0x002e, "TLS_RSA_PSK_WITH_NULL_SHA" },
    { 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA" },
    { 0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA" },
    { 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA" },
    { 0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA" },
    { 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
    { 0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA" },
    { 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA" },
    { 0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA" },
    { 0x003b, "TLS_RSA_WITH_NULL_SHA256" },
    { 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256" },
    { 0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256" },
    { 0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256" },
    { 0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA" },
    { 0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA" },
    { 0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA" },
    { 0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA" },
    { 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256" },
    { 0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256" },
    { 0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256" },
    { 0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256" },
    { 0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256" },
    { 0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA" },
    { 0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA" },
    { 0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA" },
    { 0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA" },
    { 0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA" },
    { 0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA" },
    { 0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA" },
    { 0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA" },
    { 0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA" },
    { 0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA" },
    { 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
    { 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384" },
    { 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" },
    { 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
    { 0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256" },
    { 0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384" },
    { 0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256" },
    { 0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384" },
    { 0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256" },
    { 0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384" },
    { 0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256" },
    { 0x00ab, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384" },
    { 0x00ac, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256" },
    { 0x00ad, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384" },
    { 0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256" },
    { 0x00af, "TLS_PSK_WITH_AES_256_CBC_SHA384" },
    { 0x00b0, "TLS_PSK_WITH_NULL_SHA256" },
    { 0x00b1, "TLS_PSK_WITH_NULL_SHA384" },
    { 0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256" },
    { 0x00b3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384" },
    { 0x00b4, "TLS_DHE_PSK_WITH_NULL_SHA256" },
    { 0x00b5, "TLS_DHE_PSK_WITH_NULL_SHA384" },
    { 0x00b6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256" },
    { 0x00b7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384" },
    { 0x00b8, "TLS_RSA_PSK_WITH_NULL_SHA256" },
    { 0x00b9, "TLS_RSA_PSK_WITH_NULL_SHA384" },
    { 0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0x00bd, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0x00bf, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256" },
    { 0x00c3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256" },
    { 0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256" },
    { 0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256" },
    { 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" },
    { 0x1301, "TLS_AES_128_GCM_SHA256" },
    { 0x1302, "TLS_AES_256_GCM_SHA384" },
    { 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
    { 0x1304, "TLS_AES_128_CCM_SHA256" },
    { 0x1305, "TLS_AES_128_CCM_8_SHA256" },
    { 0x5600, "TLS_FALLBACK_SCSV" },
    { 0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA" },
    { 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
    { 0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" },
    { 0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA" },
    { 0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA" },
    { 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" },
    { 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
    { 0xc015, "TLS_ECDH_anon_WITH_NULL_SHA" },
    { 0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA" },
    { 0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA" },
    { 0xc01d, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA" },
    { 0xc01e, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA" },
    { 0xc01f, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA" },
    { 0xc020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA" },
    { 0xc021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA" },
    { 0xc022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA" },
    { 0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" },
    { 0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" },
    { 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256" },
    { 0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384" },
    { 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
    { 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
    { 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
    { 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
    { 0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA" },
    { 0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA" },
    { 0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256" },
    { 0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384" },
    { 0xc039, "TLS_ECDHE_PSK_WITH_NULL_SHA" },
    { 0xc03a, "TLS_ECDHE_PSK_WITH_NULL_SHA256" },
    { 0xc03b, "TLS_ECDHE_PSK_WITH_NULL_SHA384" },
    { 0xc050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256" },
    { 0xc051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384" },
    { 0xc052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256" },
    { 0xc053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384" },
    { 0xc056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256" },
    { 0xc057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384" },
    { 0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256" },
    { 0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384" },
    { 0xc060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256" },
    { 0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384" },
    { 0xc06a, "TLS_PSK_WITH_ARIA_128_GCM_SHA256" },
    { 0xc06b, "TLS_PSK_WITH_ARIA_256_GCM_SHA384" },
    { 0xc06c, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256" },
    { 0xc06d, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384" },
    { 0xc06e, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256" },
    { 0xc06f, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384" },
    { 0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384" },
    { 0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384" },
    { 0xc094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0xc095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384" },
    { 0xc096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0xc097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384" },
    { 0xc098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0xc099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384" },
    { 0xc09a, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256" },
    { 0xc09b, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384" },
    { 0xc09c, "TLS_RSA_WITH_AES_128_CCM" },
    { 0xc09d, "TLS_RSA_WITH_AES_256_CCM" },
    { 0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM" },
    { 0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM" },
    { 0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8" },
    { 0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8" },
    { 0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8" },
    { 0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8" },
    { 0xc0a4, "TLS_PSK_WITH_AES_128_CCM" },
    { 0xc0a5, "TLS_PSK_WITH_AES_256_CCM" },
    { 0xc0a6, "TLS_DHE_PSK_WITH_AES_128_CCM" },
    { 0xc0a7, "TLS_DHE_PSK_WITH_AES_256_CCM" },
    { 0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8" },
    { 0xc0a9, "TLS_PSK_WITH_AES_256_CCM_8" },
    { 0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8" },
    { 0xc0ab, "TLS_PSK_DHE_WITH_AES_256_CCM_8" },
    { 0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM" },
    { 0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM" },
    { 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" },
    { 0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8" },
    { 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256" },
};

static int suite_cmp(const void *key, const void *elem)
{
    uint16_t id = *(const uint16_t *)key;
    const struct suite_name *s = elem;
    return id < s->id ? -1 : id > s->id ? 1 : 0;
}

const char *tls_cipher_suite_name(uint16_t id)
{
    const struct suite_name *s = bsearch(&id, suites, sizeof suites / sizeof suites[0], sizeof suites[0], suite_cmp);
    return s ? s->name : NULL;
}

const char *tls_version_name(uint16_t v)
{
    switch (v) {
    case TLS_V_SSL2: return "SSL2.0";
    case TLS_V_SSL3: return "SSL3.0";
    case TLS_V_TLS10: return "TLS1.0";
    case TLS_V_TLS11: return "TLS1.1";
    case TLS_V_TLS12: return "TLS1.2";
    case TLS_V_TLS13: return "TLS1.3";
    case TLS_V_DTLS10: return "DTLS1.0";
    case 0x0100: return "DTLS1.0"; /* OpenSSL's pre-RFC 4347 DTLS1_BAD_VER */
    case TLS_V_DTLS12: return "DTLS1.2";
    case TLS_V_DTLS13: return "DTLS1.3";
    default: return NULL;
    }
}

/* RFC 8446 section 6 and RFC 5246 section 7.2 (older values kept). */
const char *tls_alert_name(uint8_t desc)
{
    switch (desc) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 21: return "decryption_failed";
    case 22: return "record_overflow";
    case 30: return "decompression_failure";
    case 40: return "handshake_failure";
    case 41: return "no_certificate";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 60: return "export_restriction";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 111: return "certificate_unobtainable";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 114: return "bad_certificate_hash_value";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return NULL;
    }
}
