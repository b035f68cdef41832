/* registry.h: the table of dissectors and the hooks capture/ calls. */
#ifndef SIPSEC_REGISTRY_H
#define SIPSEC_REGISTRY_H

#include "decode.h"
#include "dissect.h"

struct dissect_registry;

/* sip_ports: extra ports from --sip-port (5060/5061 are always SIP). */
struct dissect_registry *registry_new(const struct sink *sink, const struct limits *lim,
                                      const uint16_t *sip_ports, size_t n_sip_ports);
/* End of input: what is still partial (DTLS handshake messages) is
 * reported as incomplete. Call before analyzer_finish. */
void registry_finish(struct dissect_registry *r);
void registry_free(struct dissect_registry *r);
const struct decode_hooks *registry_hooks(struct dissect_registry *r);
struct dissect_ctx *registry_ctx(struct dissect_registry *r);

#endif
