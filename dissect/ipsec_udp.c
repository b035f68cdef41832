/* ipsec_udp.c: IKE on UDP 500/4500 (RFC 7296) and ESP in UDP (RFC 3948). */
#include "ipsec_udp.h"

#include "cursor.h"

bool ipsec_udp_port(uint16_t port)
{
    return port == 500 || port == 4500;
}

static void emit(struct dissect_ctx *dc, const struct flow_key *k, enum ipsec_kind kind,
                 uint32_t spi, bool encap, const struct frame_ref *at)
{
    struct ev_ipsec ev = { .kind = kind, .src = k->src, .dst = k->dst, .spi = spi, .udp_encap = encap };
    sink_emit(&dc->sink, EV_IPSEC, at, k, &ev);
}

/*
 * On 4500 (NAT traversal) a datagram is one of: a one-byte 0xff NAT
 * keepalive; IKE behind a four-byte zero "non-ESP marker"; or ESP, whose
 * SPI is never zero. On 500 it is always IKE.
 */
void ipsec_udp_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                        const struct frame_ref *at)
{
    struct cur c = cur_make(p, n);
    bool natt = k->sport == 4500 || k->dport == 4500;
    if (natt) {
        if (n == 1) /* keepalive */
            return;
        uint32_t first = cur_be32(&c);
        if (!cur_ok(&c)) {
            dissect_anomaly(dc, at, k, "ipsec", "truncated", NULL, true);
            return;
        }
        if (first != 0) {
            dc->stats.esp_in_udp_packets++;
            emit(dc, k, IPSEC_ESP, first, true, at);
            return;
        }
    }
    /* IKE header: initiator SPI(8) responder SPI(8) next(1) version(1) ... length(4) at 24 */
    cur_skip(&c, 17);
    uint8_t version = cur_u8(&c);
    if (!cur_ok(&c) || (version >> 4) < 1 || (version >> 4) > 2) {
        dissect_anomaly(dc, at, k, "ike", "not_ike", NULL, true);
        return;
    }
    dc->stats.ike_packets++;
    emit(dc, k, IPSEC_IKE, 0, false, at);
}
