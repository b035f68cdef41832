/* report.h: where the report goes and in which of the SPEC's three formats. */
#ifndef SIPSEC_REPORT_H
#define SIPSEC_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "json_writer.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_NDJSON };

struct report_out {
    enum report_format fmt;
    FILE *f;
    /* The live text view: objects are freed as they complete, as in
     * ndjson, findings are printed as they come and the end writes a
     * summary instead of the full report. */
    bool stream_text;
    /* Write each streamed object out as soon as it is complete (live, or a
     * capture read from standard input, where someone follows the output);
     * otherwise the FILE's buffer decides, a write per call object costing
     * more than the object on a SIP-heavy capture. */
    bool flush_each;
};

/*
 * An object is complete: in ndjson it is written now, as one line
 * {"type": type, ...fields}; in the other formats nothing happens (they
 * write everything at the end). write_fields writes the fields only.
 */
void report_stream_object(struct report_out *out, const char *type,
                          void (*write_fields)(struct jw *w, const void *obj), const void *obj);

/* Objects are written (or dropped) as they complete and then freed. */
static inline bool report_is_streaming(const struct report_out *out)
{
    return out->fmt == FMT_NDJSON || out->stream_text;
}

#endif
