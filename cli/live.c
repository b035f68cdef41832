/* live.c: `sipsec live`: capture on an interface, analyze as packets come, stop cleanly on a signal. */
#define _GNU_SOURCE /* setgroups, syscall */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "analyzer.h"
#include "link.h"
#include "pcap_live.h"
#include "pcap_writer.h"
#include "run.h"

enum {
    TICK_MS = 200,  /* timeouts and drop counters run at least this often, packets or not */
    BATCH_MAX = 4096, /* packets per dispatch: ticks and signals stay responsive under load */
    DRAIN_MAX = 1 << 20, /* packets still in the kernel buffer analyzed after a stop */
};

static volatile sig_atomic_t g_stop;
static struct pcap_live *volatile g_live;

/* Async-signal-safe: a flag and pcap_breakloop, nothing else. */
static void on_signal(int sig)
{
    g_stop = sig;
    if (g_live)
        pcap_live_break(g_live);
}

static int install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: the signal ends poll() at once. SA_RESETHAND: a
     * second Ctrl-C kills a stop that got stuck. */
    sa.sa_flags = SA_RESETHAND;
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;
    return 0;
}

static ts_ns clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (ts_ns)t.tv_sec * 1000000000 + t.tv_nsec;
}

#ifdef __linux__
/* Started with file capabilities (setcap): give them all up. */
static int drop_capabilities(void)
{
    struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d) < 0)
        return -1;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return 0;
}
#else
static int drop_capabilities(void) { return 0; }
#endif

/*
 * STYLE.md section 6: the interface and the report are open, so no
 * packet is parsed with privilege. As root, become --user (default
 * nobody; --user root keeps root); otherwise drop any capabilities the
 * binary was given. --write files are created after this, as tcpdump -Z
 * does, so the user must be able to write there.
 */
static int drop_privileges(const struct options *o, char *who, size_t who_len)
{
    snprintf(who, who_len, "%s", "");
    if (geteuid() != 0) {
        if (o->user)
            fprintf(stderr, "sipsec: warning: --user %s ignored: not running as root\n", o->user);
        if (drop_capabilities() < 0)
            fprintf(stderr, "sipsec: warning: could not drop capabilities: %s\n", strerror(errno));
        return 0;
    }
    const char *name = o->user ? o->user : "nobody";
    if (strcmp(name, "root") == 0)
        return 0;
    errno = 0;
    struct passwd *pw = getpwnam(name);
    if (pw == NULL) {
        if (o->user) {
            fprintf(stderr, "sipsec: --user %s: no such user\n", name);
            return -1;
        }
        fprintf(stderr, "sipsec: warning: no user 'nobody' to drop root to; running as root\n");
        return 0;
    }
    gid_t gid = pw->pw_gid;
    uid_t uid = pw->pw_uid;
    if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
        fprintf(stderr, "sipsec: --user %s: cannot switch to that user: %s\n", name, strerror(errno));
        return -1;
    }
    if (uid != 0 && setuid(0) == 0) {
        fprintf(stderr, "sipsec: --user %s: root could be regained; refusing to go on\n", name);
        return -1;
    }
    snprintf(who, who_len, "%s", name);
    return 0;
}

struct live_run {
    struct pipeline *p;
    struct pcap_writer *w;
    bool write_failed;
    char werr[ERRBUF_LEN];
};

static void on_packet(void *ctx, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                      const struct frame_ref *at)
{
    struct live_run *lr = ctx;
    /* Saved before it is parsed: what the analysis saw is in the file. */
    if (lr->w && pcap_writer_write(lr->w, data, caplen, wirelen, at->ts, lr->werr) < 0) {
        fprintf(stderr, "sipsec: --write %s: packets are no longer saved\n", lr->werr);
        pcap_writer_close(lr->w);
        lr->w = NULL;
        lr->write_failed = true;
    }
    pipeline_packet(lr->p, linktype, data, caplen, wirelen, at);
}

static void live_fields(struct input_summary *in, const char *iface, const struct live_stats *st, bool have)
{
    in->files = NULL;
    in->n_files = 0;
    in->interface = iface;
    in->has_capture_stats = have;
    in->capture_received = st->received;
    in->capture_dropped_kernel = st->dropped_kernel;
    in->capture_dropped_interface = st->dropped_interface;
}

int run_live(const struct options *o)
{
    if (check_option_files(o) < 0)
        return EXIT_INPUT;
    char err[ERRBUF_LEN], warn[ERRBUF_LEN];
    struct live_params lp = {
        .iface = o->iface, .snaplen = o->snaplen, .promisc = !o->no_promisc, .buffer_kib = o->buffer_kib,
        .immediate = o->immediate, .bpf = o->bpf,
    };
    struct pcap_live *live = pcap_live_open(&lp, err, warn);
    if (live == NULL) {
        fprintf(stderr, "sipsec: live -i %s\n", err);
        return EXIT_INPUT;
    }
    if (warn[0])
        fprintf(stderr, "sipsec: warning: %s\n", warn);

    struct report_out out = { .fmt = o->fmt, .stream_text = o->fmt == FMT_TEXT, .flush_each = true };
    if (report_open(o, &out) < 0) {
        pcap_live_close(live);
        return EXIT_INPUT;
    }
    int status = EXIT_INPUT;
    struct live_run lr = { .p = pipeline_new(o, &out, true) };
    char who[64];
    if (lr.p == NULL || drop_privileges(o, who, sizeof who) < 0)
        goto done;
    if (o->write_file) {
        struct pcap_writer_params wp = {
            .path = o->write_file, .rotate_bytes = o->rotate_bytes,
            .max_files = o->rotate_count, .linktype = pcap_live_linktype(live), .snaplen = pcap_live_snaplen(live),
        };
        lr.w = pcap_writer_open(&wp, err);
        if (lr.w == NULL) {
            if (who[0])
                fprintf(stderr, "sipsec: --write %s (files are created as user %s; see --user)\n", err, who);
            else
                fprintf(stderr, "sipsec: --write %s\n", err);
            goto done;
        }
    }
    if (install_signals() < 0) {
        fprintf(stderr, "sipsec: cannot install signal handlers: %s\n", strerror(errno));
        goto done;
    }
    g_live = live;
    fprintf(stderr, "sipsec: listening on %s, link-type %s, snapshot length %u bytes%s%s\n", o->iface,
            link_type_name(pcap_live_linktype(live)), pcap_live_snaplen(live), who[0] ? ", running as " : "",
            who);
    fflush(stderr);

    struct input_info info = { 0 };
    struct live_stats st = { 0 }, prev = { 0 };
    struct input_summary in;
    const ts_ns ms = 1000000;
    ts_ns start = clock_ns(CLOCK_MONOTONIC);
    ts_ns end = o->duration_s ? start + (ts_ns)o->duration_s * 1000000000 : 0;
    ts_ns next_tick = start + TICK_MS * ms;
    ts_ns interval = (ts_ns)o->stats_interval_s * 1000000000;
    ts_ns next_interim = interval ? start + interval : 0;
    ts_ns last_tick_time = clock_ns(CLOCK_REALTIME);
    analyzer_ctx(pipeline_analyzer(lr.p))->interim_from = last_tick_time; /* the first interval's start */
    status = EXIT_DONE;
    while (!g_stop) {
        ts_ns mono = clock_ns(CLOCK_MONOTONIC);
        if (end && mono >= end)
            break;
        ts_ns wait = next_tick - mono;
        if (end && end - mono < wait)
            wait = end - mono;
        int n = pcap_live_poll(live, wait > 0 ? (int)((wait + ms - 1) / ms) : 0, BATCH_MAX, on_packet, &lr,
                               &info, err);
        if (n == -1) {
            fprintf(stderr, "sipsec: live -i %s: %s\n", o->iface, err);
            status = EXIT_INPUT;
            break;
        }
        if (n == -2)
            break;
        mono = clock_ns(CLOCK_MONOTONIC);
        if (mono < next_tick)
            continue;
        next_tick = mono + TICK_MS * ms;
        /* Capture time goes on while the wire is quiet: the kernel stamps
         * packets with this clock, so timeouts run on it then. */
        ts_ns now = clock_ns(CLOCK_REALTIME);
        if (info.has_time && info.last_time > now)
            now = info.last_time;
        bool have = pcap_live_stats(live, &st);
        if (have)
            analyzer_capture_drops(pipeline_analyzer(lr.p), last_tick_time, now,
                                   st.dropped_kernel - prev.dropped_kernel,
                                   st.dropped_interface - prev.dropped_interface);
        prev = st;
        last_tick_time = now;
        bool interim = next_interim && mono >= next_interim;
        if (interim)
            next_interim += interval * (1 + (mono - next_interim) / interval);
        struct frame_ref at = { .frame = info.packets, .ts = now };
        pipeline_tick(lr.p, &at, interim);
        if (interim) {
            pipeline_summary(lr.p, o, &info, &in);
            live_fields(&in, o->iface, &st, have);
            pipeline_stats_line(lr.p, &out, &in);
        }
        pcap_writer_flush(lr.w);
    }
    g_live = NULL;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    /* What the kernel already holds was captured before the stop: analyze
     * it too, within a bound (a flood must not keep us from stopping). */
    for (int drained = 0, breaks = 0; status == EXIT_DONE && drained < DRAIN_MAX;) {
        int n = pcap_live_poll(live, 0, BATCH_MAX, on_packet, &lr, &info, err);
        if (n == -2 && breaks++ == 0)
            continue; /* the signal's pcap_breakloop, not seen by a dispatch yet */
        if (n <= 0)
            break;
        drained += n;
    }

    bool have = pcap_live_stats(live, &st);
    if (have)
        analyzer_capture_drops(pipeline_analyzer(lr.p), last_tick_time, clock_ns(CLOCK_REALTIME),
                               st.dropped_kernel - prev.dropped_kernel,
                               st.dropped_interface - prev.dropped_interface);
    pcap_writer_close(lr.w);
    lr.w = NULL;
    memset(&in, 0, sizeof in);
    live_fields(&in, o->iface, &st, have);
    int rc = pipeline_finish(lr.p, o, &out, &info, &in);
    if (status == EXIT_DONE)
        status = lr.write_failed ? EXIT_INPUT : rc;
    if (g_stop)
        fprintf(stderr, "sipsec: stopped by %s\n", g_stop == SIGINT ? "SIGINT" : "SIGTERM");
    fprintf(stderr, "sipsec: %llu packets analyzed; capture: %llu received, %llu dropped by the kernel, "
                    "%llu dropped by the interface\n",
            (unsigned long long)info.packets, (unsigned long long)st.received,
            (unsigned long long)st.dropped_kernel, (unsigned long long)st.dropped_interface);
done:
    pcap_writer_close(lr.w);
    pipeline_free(lr.p);
    pcap_live_close(live);
    return report_close(o, &out, status);
}
