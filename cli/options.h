/* options.h: the command line of SPEC "Command line", parsed without side effects. */
#ifndef SIPSEC_OPTIONS_H
#define SIPSEC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "dissect.h"
#include "caps.h"
#include "report.h"

/* Exit status (SPEC): cli/ is the only place that exits. */
enum exit_code { EXIT_DONE = 0, EXIT_INPUT = 2, EXIT_FAIL_ON = 3, EXIT_USAGE = 64 };

enum command { CMD_ANALYZE, CMD_LIVE, CMD_VERSION, CMD_HELP };

enum { FILES_MAX = 4096, KEYFILES_MAX = 16 };

struct options {
    enum command cmd;
    enum report_format fmt;
    bool fmt_given;
    const char *output;            /* NULL: stdout */
    const char *ca_file;
    const char *keylogs[KEYFILES_MAX];
    size_t n_keylogs;
    const char *rsa_keys[KEYFILES_MAX];
    size_t n_rsa_keys;
    enum profile profile;
    bool has_fail_on;
    enum severity fail_on;
    bool has_now;
    ts_ns now;
    const char *bpf;
    uint16_t sip_ports[SIP_PORTS_MAX];
    size_t n_sip_ports;
    struct limits lim;
    bool debug_streams;            /* hidden: digest unclaimed TCP streams into stats */
    const char *files[FILES_MAX];
    size_t n_files;
    /* live */
    const char *iface;
    uint32_t duration_s, snaplen;
    bool no_promisc;
    bool immediate;                /* each packet at once, not in kernel blocks (docs/LIVE.md) */
    uint32_t buffer_kib;           /* -B: kernel buffer, KiB */
    uint32_t stats_interval_s;     /* 0: no interim lines */
    const char *write_file;        /* -w/--write: save the raw packets */
    uint64_t rotate_bytes;         /* -C: new file past this size (tcpdump: N million bytes, or Nk/Nm/Ng) */
    uint32_t rotate_count;         /* -W: ring of N files */
    const char *user;              /* --user: drop to this user after opening (root) */
    bool live_only_given;          /* some live-only option was given */
};

/* Returns 0, or EXIT_USAGE with a one-line message in err. */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t err_len);
void options_usage(FILE *out);

#endif
