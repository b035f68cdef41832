/* ipsec_udp.h: IKE (RFC 7296) and ESP-in-UDP (RFC 3948) on ports 500/4500. */
#ifndef SIPSEC_IPSEC_UDP_H
#define SIPSEC_IPSEC_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"

bool ipsec_udp_port(uint16_t port);
void ipsec_udp_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                        const struct frame_ref *at);

#endif
