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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
