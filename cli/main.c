/* main.c: sipsec's entry point: parse options, run the command, exit with its status. */
#include <stdio.h>
#include <stdlib.h>

#include "options.h"
#include "run.h"

static struct options opts; /* large (file list): keep it off the stack */

int main(int argc, char **argv)
{
    char err[512];
    if (options_parse(argc, argv, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "sipsec: %s\n", err);
        return EXIT_USAGE;
    }
    switch (opts.cmd) {
    case CMD_VERSION:
        printf("sipsec %s\n", SIPSEC_VERSION);
        return EXIT_DONE;
    case CMD_HELP:
        options_usage(stdout);
        return EXIT_DONE;
    case CMD_LIVE:
        return run_live(&opts);
    case CMD_ANALYZE:
        break;
    }
    return run_analyze(&opts);
}
