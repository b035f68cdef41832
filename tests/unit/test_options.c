/* test_options.c: the command line maps to options or to a usage error (exit 64). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"

static struct options o;
static char err[256];

static int parse(int argc, const char **argv)
{
    return options_parse(argc, (char **)argv, &o, err, sizeof err);
}

static void analyze_collects_files_in_order(void **state)
{
    (void)state;
    const char *argv[] = { "sipsec", "analyze", "a.pcap", "--format", "json", "b.pcap", "-" };
    assert_int_equal(parse(7, argv), 0);
    assert_int_equal(o.cmd, CMD_ANALYZE);
    assert_int_equal(o.fmt, FMT_JSON);
    assert_int_equal(o.n_files, 3);
    assert_string_equal(o.files[0], "a.pcap");
    assert_string_equal(o.files[1], "b.pcap");
    assert_string_equal(o.files[2], "-");
}

static void unknown_option_is_a_usage_error(void **state)
{
    (void)state;
    const char *argv[] = { "sipsec", "analyze", "--frobnicate", "a.pcap" };
    assert_int_equal(parse(4, argv), EXIT_USAGE);
    assert_non_null(strstr(err, "--frobnicate"));
}

static void missing_value_is_a_usage_error(void **state)
{
    (void)state;
    const char *argv[] = { "sipsec", "analyze", "a.pcap", "--format" };
    assert_int_equal(parse(4, argv), EXIT_USAGE);
}

static void bad_values_are_refused(void **state)
{
    (void)state;
    const char *fmt[] = { "sipsec", "analyze", "--format", "xml", "a" };
    assert_int_equal(parse(5, fmt), EXIT_USAGE);
    const char *prof[] = { "sipsec", "analyze", "--profile", "ocs2099", "a" };
    assert_int_equal(parse(5, prof), EXIT_USAGE);
    const char *port[] = { "sipsec", "analyze", "--sip-port", "70000", "a" };
    assert_int_equal(parse(5, port), EXIT_USAGE);
    const char *now[] = { "sipsec", "analyze", "--now", "tomorrow", "a" };
    assert_int_equal(parse(5, now), EXIT_USAGE);
    const char *lim[] = { "sipsec", "analyze", "--limit", "flows_max=abc", "a" };
    assert_int_equal(parse(5, lim), EXIT_USAGE);
}

static void profile_fail_on_ports_and_limits_parse(void **state)
{
    (void)state;
    const char *argv[] = { "sipsec", "analyze", "--profile", "ocs2007", "--fail-on", "warning",
                           "--sip-port", "5080", "--limit", "flows_max=10", "--now",
                           "2026-01-01T00:00:00Z", "x.pcap" };
    assert_int_equal(parse(13, argv), 0);
    assert_int_equal(o.profile, PROFILE_OCS2007);
    assert_true(o.has_fail_on);
    assert_int_equal(o.fail_on, SEV_WARNING);
    assert_int_equal(o.n_sip_ports, 1);
    assert_int_equal(o.sip_ports[0], 5080);
    assert_int_equal(o.lim.flows_max, 10);
    assert_true(o.has_now);
}

static void analyze_without_files_is_a_usage_error(void **state)
{
    (void)state;
    const char *argv[] = { "sipsec", "analyze" };
    assert_int_equal(parse(2, argv), EXIT_USAGE);
}

static void live_defaults_to_ndjson_and_needs_an_interface(void **state)
{
    (void)state;
    const char *ok[] = { "sipsec", "live", "-i", "eth0" };
    assert_int_equal(parse(4, ok), 0);
    assert_int_equal(o.fmt, FMT_NDJSON);
    const char *bad[] = { "sipsec", "live" };
    assert_int_equal(parse(2, bad), EXIT_USAGE);
}

static void live_options_parse(void **state)
{
    (void)state;
    const char *argv[] = { "sipsec", "live", "-i", "eth1", "-B", "65536", "--stats-interval", "5",
                           "-w", "/tmp/x", "-C", "20k", "-W", "10", "--user", "pcap", "--duration", "60",
                           "--snaplen", "1500", "--no-promisc", "-f", "udp", "--immediate" };
    assert_int_equal(parse(24, argv), 0);
    assert_true(o.immediate);
    assert_string_equal(o.iface, "eth1");
    assert_int_equal(o.buffer_kib, 65536);
    assert_int_equal(o.stats_interval_s, 5);
    assert_string_equal(o.write_file, "/tmp/x");
    assert_int_equal(o.rotate_bytes, 20000);
    assert_int_equal(o.rotate_count, 10);
    assert_string_equal(o.user, "pcap");
    assert_int_equal(o.duration_s, 60);
    assert_int_equal(o.snaplen, 1500);
    assert_true(o.no_promisc);
    assert_string_equal(o.bpf, "udp");
    const char *mb[] = { "sipsec", "live", "-i", "eth1", "-w", "f", "-C", "100" };
    assert_int_equal(parse(8, mb), 0);
    assert_int_equal(o.rotate_bytes, 100000000); /* tcpdump: millions of bytes */
    const char *defaults[] = { "sipsec", "live", "-i", "eth1" };
    assert_int_equal(parse(4, defaults), 0);
    assert_int_equal(o.buffer_kib, 32768);
    assert_int_equal(o.stats_interval_s, 10);
    assert_null(o.write_file);
    assert_false(o.immediate); /* kernel blocks: docs/PERFORMANCE.md */
}

static void live_option_mistakes_are_usage_errors(void **state)
{
    (void)state;
    const char *c_without_w[] = { "sipsec", "live", "-i", "eth1", "-C", "1" };
    assert_int_equal(parse(6, c_without_w), EXIT_USAGE);
    const char *w_without_c[] = { "sipsec", "live", "-i", "eth1", "-w", "f", "-W", "3" };
    assert_int_equal(parse(8, w_without_c), EXIT_USAGE);
    const char *bad_size[] = { "sipsec", "live", "-i", "eth1", "-w", "f", "-C", "12x" };
    assert_int_equal(parse(8, bad_size), EXIT_USAGE);
    const char *tiny[] = { "sipsec", "live", "-i", "eth1", "-w", "f", "-C", "0k" };
    assert_int_equal(parse(8, tiny), EXIT_USAGE);
    const char *live_opt_offline[] = { "sipsec", "analyze", "--write", "f", "a.pcap" };
    assert_int_equal(parse(5, live_opt_offline), EXIT_USAGE);
    const char *file_live[] = { "sipsec", "live", "-i", "eth1", "a.pcap" };
    assert_int_equal(parse(5, file_live), EXIT_USAGE);
    const char *small_buf[] = { "sipsec", "live", "-i", "eth1", "-B", "1" };
    assert_int_equal(parse(6, small_buf), EXIT_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(analyze_collects_files_in_order),
        cmocka_unit_test(unknown_option_is_a_usage_error),
        cmocka_unit_test(missing_value_is_a_usage_error),
        cmocka_unit_test(bad_values_are_refused),
        cmocka_unit_test(profile_fail_on_ports_and_limits_parse),
        cmocka_unit_test(analyze_without_files_is_a_usage_error),
        cmocka_unit_test(live_defaults_to_ndjson_and_needs_an_interface),
        cmocka_unit_test(live_options_parse),
        cmocka_unit_test(live_option_mistakes_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
