/* run.h: wiring capture -> dissect -> analyze -> report for one command. */
#ifndef SIPSEC_RUN_H
#define SIPSEC_RUN_H

#include "options.h"

/* Returns the process exit status; messages go to stderr. */
int run_analyze(const struct options *o);
int run_live(const struct options *o);

#endif
