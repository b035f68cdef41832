/* dissect.c: helpers every dissector shares. */
#include "dissect.h"

bool dissect_is_sip_port(const struct dissect_ctx *dc, uint16_t port)
{
    for (size_t i = 0; i < dc->n_sip_ports; i++)
        if (dc->sip_ports[i] == port)
            return true;
    return false;
}

void dissect_anomaly(struct dissect_ctx *dc, const struct frame_ref *at, const struct flow_key *k,
                     const char *layer, const char *code, const char *detail, bool decode_error)
{
    if (decode_error)
        dc->stats.decode_errors++;
    struct ev_anomaly a = { .layer = layer, .code = code, .detail = detail,
                            .counts_as_decode_error = decode_error };
    sink_emit(&dc->sink, EV_ANOMALY, at, k, &a);
}
