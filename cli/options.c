/* options.c: command-line parsing for sipsec analyze / live. */
#include "options.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"

void options_usage(FILE *out)
{
    fputs("usage: sipsec analyze [OPTIONS] FILE...   analyze pcap/pcapng files (\"-\" = stdin)\n"
          "       sipsec live -i IFACE [OPTIONS]     live capture (span/mirror port)\n"
          "       sipsec --version | --help\n"
          "\n"
          "options:\n"
          "  --format text|json|ndjson  report format (text; live: ndjson)\n"
          "  -o FILE                    write the report to FILE\n"
          "  --ca-file PEM              trust anchors: verify certificate chains\n"
          "  --keylog FILE              NSS key log to decrypt TLS (repeatable)\n"
          "  --rsa-key PEM              server RSA key for RSA key exchange (repeatable)\n"
          "  --profile NAME             generic (default), exchange-um, ocs2007\n"
          "  --fail-on info|warning|error  exit 3 when a finding reaches that severity\n"
          "  --now ISO8601              reference time for certificate validity\n"
          "  -f BPF                     capture filter\n"
          "  --sip-port N               another port to treat as SIP (repeatable)\n"
          "live only:\n"
          "  -i IFACE                   interface to capture on (span/mirror port)\n"
          "  --duration SECONDS         stop after this long (default: until SIGINT/SIGTERM)\n"
          "  --snaplen N                bytes kept per packet (default 262144)\n"
          "  --no-promisc               do not put the interface in promiscuous mode\n"
          "  --immediate                deliver each packet at once (default: kernel blocks, <= 100 ms)\n"
          "  -B, --buffer-size KiB      kernel capture buffer (default 32768)\n"
          "  --stats-interval SECONDS   ndjson: interim RTP and stats lines (default 10, 0 off)\n"
          "  -w, --write FILE           also save the raw packets (pcap)\n"
          "  -C SIZE                    with -w: a new file past SIZE million bytes, or 100k, 2g (FILE, FILE1, ...)\n"
          "  -W N                       with -C: a ring of N files (FILE0 .. FILE<N-1>)\n"
          "  --user NAME                as root: run as NAME after opening (default nobody; root keeps root)\n"
          "\n"
          "exit status: 0 done, 2 input unusable, 3 --fail-on reached, 64 usage error\n",
          out);
}

__attribute__((format(printf, 3, 4)))
static int usage_error(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    char *end = NULL;
    if (s[0] < '0' || s[0] > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* tcpdump's -C: a bare number is millions of bytes; k, m, g (either
 * case) are 10^3, 10^6, 10^9 bytes. At least 1000 bytes, at most 1 TB. */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (s[0] < '0' || s[0] > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t unit = 1000000;
    if (*end == 'k' || *end == 'K')
        unit = 1000, end++;
    else if (*end == 'm' || *end == 'M')
        unit = 1000000, end++;
    else if (*end == 'g' || *end == 'G')
        unit = 1000000000, end++;
    if (*end != '\0' || v == 0 || v > 1000000000000ULL / unit)
        return false;
    *out = v * unit;
    return *out >= 1000;
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t err_len)
{
    memset(o, 0, sizeof *o);
    o->lim = limits_default;
    o->fmt = FMT_TEXT;
    o->snaplen = 262144;
    o->buffer_kib = 32768;
    o->stats_interval_s = 10;
    if (argc < 2)
        return usage_error(err, err_len, "%s", "missing command: try 'sipsec --help'");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        o->cmd = CMD_VERSION;
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        o->cmd = CMD_HELP;
        return 0;
    }
    if (strcmp(cmd, "analyze") == 0)
        o->cmd = CMD_ANALYZE;
    else if (strcmp(cmd, "live") == 0)
        o->cmd = CMD_LIVE;
    else
        return usage_error(err, err_len, "unknown command '%s': try 'sipsec --help'", cmd);

    bool only_files = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->n_files == FILES_MAX)
                return usage_error(err, err_len, "too many files (at most %s)", "4096");
            o->files[o->n_files++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->cmd = CMD_HELP;
            return 0;
        }
        if (strcmp(a, "--debug-streams") == 0) {
            o->debug_streams = true;
            continue;
        }
        if (strcmp(a, "--no-promisc") == 0) {
            o->no_promisc = true;
            o->live_only_given = true;
            continue;
        }
        if (strcmp(a, "--immediate") == 0) {
            o->immediate = true;
            o->live_only_given = true;
            continue;
        }
        /* Every other option takes a value. */
        static const char *const with_value[] = {
            "--format", "-o", "--ca-file", "--keylog", "--rsa-key", "--profile", "--fail-on", "--now",
            "-f", "--sip-port", "--limit", "-i", "--duration", "--snaplen",
            "-B", "--buffer-size", "--stats-interval", "-w", "--write", "-C", "-W", "--user",
        };
        bool known = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            known |= strcmp(a, with_value[k]) == 0;
        if (!known)
            return usage_error(err, err_len, "unknown option '%s': try 'sipsec --help'", a);
        if (val == NULL)
            return usage_error(err, err_len, "option '%s' needs a value", a);
        i++;
        if (strcmp(a, "--format") == 0) {
            if (strcmp(val, "text") == 0)
                o->fmt = FMT_TEXT;
            else if (strcmp(val, "json") == 0)
                o->fmt = FMT_JSON;
            else if (strcmp(val, "ndjson") == 0)
                o->fmt = FMT_NDJSON;
            else
                return usage_error(err, err_len, "--format %s: expected text, json or ndjson", val);
            o->fmt_given = true;
        } else if (strcmp(a, "-o") == 0) {
            o->output = val;
        } else if (strcmp(a, "--ca-file") == 0) {
            o->ca_file = val;
        } else if (strcmp(a, "--keylog") == 0) {
            if (o->n_keylogs == KEYFILES_MAX)
                return usage_error(err, err_len, "too many --keylog files (at most %s)", "16");
            o->keylogs[o->n_keylogs++] = val;
        } else if (strcmp(a, "--rsa-key") == 0) {
            if (o->n_rsa_keys == KEYFILES_MAX)
                return usage_error(err, err_len, "too many --rsa-key files (at most %s)", "16");
            o->rsa_keys[o->n_rsa_keys++] = val;
        } else if (strcmp(a, "--profile") == 0) {
            if (!profile_parse(val, &o->profile))
                return usage_error(err, err_len, "--profile %s: expected generic, exchange-um or ocs2007", val);
        } else if (strcmp(a, "--fail-on") == 0) {
            if (!severity_parse(val, &o->fail_on))
                return usage_error(err, err_len, "--fail-on %s: expected info, warning or error", val);
            o->has_fail_on = true;
        } else if (strcmp(a, "--now") == 0) {
            if (!ts_parse_iso(val, &o->now))
                return usage_error(err, err_len, "--now %s: expected ISO 8601, e.g. 2026-01-31T12:00:00Z", val);
            o->has_now = true;
        } else if (strcmp(a, "-f") == 0) {
            o->bpf = val;
        } else if (strcmp(a, "--sip-port") == 0) {
            uint32_t port;
            if (!parse_u32(val, 65535, &port) || port == 0)
                return usage_error(err, err_len, "--sip-port %s: expected a port number 1-65535", val);
            if (o->n_sip_ports == SIP_PORTS_MAX - 2)
                return usage_error(err, err_len, "too many --sip-port options (at most %s)", "14");
            o->sip_ports[o->n_sip_ports++] = (uint16_t)port;
        } else if (strcmp(a, "--limit") == 0) {
            char lerr[256];
            if (!limits_set(&o->lim, val, lerr, sizeof lerr))
                return usage_error(err, err_len, "%s", lerr);
        } else if (strcmp(a, "-i") == 0) {
            o->iface = val;
        } else if (strcmp(a, "--duration") == 0) {
            if (!parse_u32(val, UINT32_MAX, &o->duration_s))
                return usage_error(err, err_len, "--duration %s: expected seconds", val);
        } else if (strcmp(a, "--snaplen") == 0) {
            if (!parse_u32(val, 262144, &o->snaplen) || o->snaplen < 64)
                return usage_error(err, err_len, "--snaplen %s: expected 64-262144", val);
        } else if (strcmp(a, "-B") == 0 || strcmp(a, "--buffer-size") == 0) {
            if (!parse_u32(val, 2097151, &o->buffer_kib) || o->buffer_kib < 64)
                return usage_error(err, err_len, "%s %s: expected KiB, 64-2097151", a, val);
        } else if (strcmp(a, "--stats-interval") == 0) {
            if (!parse_u32(val, 86400, &o->stats_interval_s))
                return usage_error(err, err_len, "--stats-interval %s: expected seconds, 0-86400", val);
        } else if (strcmp(a, "-w") == 0 || strcmp(a, "--write") == 0) {
            if (val[0] == '\0')
                return usage_error(err, err_len, "%s: expected a file name", a);
            o->write_file = val;
        } else if (strcmp(a, "-C") == 0) {
            if (!parse_size(val, &o->rotate_bytes))
                return usage_error(err, err_len, "-C %s: expected a size: millions of bytes, or with k, m, g", val);
        } else if (strcmp(a, "-W") == 0) {
            if (!parse_u32(val, 100000, &o->rotate_count) || o->rotate_count == 0)
                return usage_error(err, err_len, "-W %s: expected a file count, 1-100000", val);
        } else if (strcmp(a, "--user") == 0) {
            o->user = val;
        }
        if (strcmp(a, "-i") == 0 || strcmp(a, "--duration") == 0 || strcmp(a, "--snaplen") == 0 ||
            strcmp(a, "-B") == 0 || strcmp(a, "--buffer-size") == 0 || strcmp(a, "--stats-interval") == 0 ||
            strcmp(a, "-w") == 0 || strcmp(a, "--write") == 0 || strcmp(a, "-C") == 0 || strcmp(a, "-W") == 0 ||
            strcmp(a, "--user") == 0)
            o->live_only_given = true;
    }
    if (o->cmd == CMD_ANALYZE && o->live_only_given)
        return usage_error(err, err_len, "%s", "analyze: -i, --duration, --snaplen, --no-promisc, --immediate, -B, "
                                               "--stats-interval, --write, -C, -W and --user are for 'sipsec live'");
    if (o->cmd == CMD_LIVE && o->n_files)
        return usage_error(err, err_len, "live: unexpected argument '%s' (files are for 'sipsec analyze')",
                           o->files[0]);
    if (o->rotate_bytes && o->write_file == NULL)
        return usage_error(err, err_len, "%s", "-C needs --write FILE");
    if (o->rotate_count && o->rotate_bytes == 0)
        return usage_error(err, err_len, "%s", "-W needs -C SIZE (the size at which files rotate)");
    if (o->cmd == CMD_ANALYZE && o->n_files == 0)
        return usage_error(err, err_len, "%s", "analyze: no capture file given");
    if (o->cmd == CMD_LIVE && o->iface == NULL)
        return usage_error(err, err_len, "%s", "live: -i IFACE is required");
    if (o->cmd == CMD_LIVE && !o->fmt_given)
        o->fmt = FMT_NDJSON;
    return 0;
}
