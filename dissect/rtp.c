/* rtp.c: RTP and RTCP headers on UDP (RFC 3550 sections 5.1, 6.4-6.7; RFC 5761 section 4). */
#include "rtp.h"

#include "cursor.h"
#include "media_expect.h"
#include "rtp_event.h"

enum {
    RTP_HDR_LEN = 12,
    RTCP_PT_SR = 200,
    RTCP_PT_RR = 201,
    RTCP_PT_SDES = 202,
    RTCP_PT_BYE = 203,
    RTCP_PT_APP = 204,
};

/*
 * RFC 5761 section 4: the second byte tells RTCP from RTP; RTCP packet
 * types 200-204 (SR, RR, SDES, BYE, APP) fill the whole byte, which RTP
 * would read as marker + payload type 72-76, a range RTP never uses.
 */
static bool byte1_is_rtcp(uint8_t b1)
{
    return b1 >= RTCP_PT_SR && b1 <= RTCP_PT_APP;
}

/* Assigned static types (RFC 3551 table 4/5) or dynamic 96-127. Types
 * 35-95 are unassigned or reserved, so a datagram using one is not RTP. */
static bool pt_plausible(uint8_t pt)
{
    return pt <= 34 || (pt >= 96 && pt <= 127);
}

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers  (CC x 32)  |
 * | [ext: profile-defined 16 | length in 32-bit words 16 | data ] |
 * | payload ... [padding, last byte = padding count]              |
 */
bool rtp_probe(const uint8_t *p, size_t n)
{
    struct cur c = cur_make(p, n);
    uint8_t b0 = 0, b1 = 0;
    if (n < RTP_HDR_LEN || !cur_peek_u8(&c, 0, &b0) || !cur_peek_u8(&c, 1, &b1))
        return false;
    if ((b0 >> 6) != 2)
        return false;
    if (byte1_is_rtcp(b1)) {
        /* RTCP: the first packet's length (32-bit words minus one) fits. */
        uint16_t words = 0;
        if (!cur_peek_be16(&c, 2, &words))
            return false;
        return ((size_t)words + 1) * 4 <= n;
    }
    if (!pt_plausible(b1 & 0x7f))
        return false;
    return RTP_HDR_LEN + (size_t)(b0 & 0x0f) * 4 <= n;
}

static const struct media_hint *find_hint(const struct dissect_ctx *dc, const struct flow_key *k)
{
    if (dc->media == NULL)
        return NULL;
    /* SDP names where an end receives; symmetric RTP also sends from it. */
    const struct media_hint *h = media_expect_find(dc->media, &k->dst, k->dport);
    return h ? h : media_expect_find(dc->media, &k->src, k->sport);
}

static void rtp_parse(struct dissect_ctx *dc, const struct flow_key *k, struct cur c,
                      const struct frame_ref *at)
{
    uint8_t b0 = cur_u8(&c);
    uint8_t b1 = cur_u8(&c);
    struct ev_rtp ev = {
        .pt = b1 & 0x7f,
        .marker = (b1 & 0x80) != 0,
        .hint_clock_pt = 255,
    };
    ev.seq = cur_be16(&c);
    ev.timestamp = cur_be32(&c);
    ev.ssrc = cur_be32(&c);
    cur_skip(&c, (size_t)(b0 & 0x0f) * 4); /* CSRC list */
    if (b0 & 0x10) {                       /* header extension (section 5.3.1) */
        cur_skip(&c, 2);
        cur_skip(&c, (size_t)cur_be16(&c) * 4);
    }
    if (c.short_read) {
        dissect_anomaly(dc, at, k, "rtp", "truncated", "header longer than the datagram", true);
        return;
    }
    size_t payload = cur_left(&c);
    if (b0 & 0x20) { /* padding: its last byte counts the padding, itself included */
        uint8_t pad = 0;
        if (payload == 0 || !cur_peek_u8(&c, payload - 1, &pad) || pad == 0 || pad > payload) {
            dissect_anomaly(dc, at, k, "rtp", "bad_padding", "padding count exceeds payload", true);
            return;
        }
        payload -= pad;
    }
    ev.payload_len = payload > UINT16_MAX ? UINT16_MAX : (uint16_t)payload;
    struct cur pc = cur_take(&c, payload);
    ev.payload = cur_span(&pc);

    const struct media_hint *h = find_hint(dc, k);
    if (h != NULL) {
        ev.has_hint = true;
        ev.is_srtp = h->is_srtp;
        ev.hint_clock_pt = h->clock_pt;
        ev.hint_clock_rate = h->clock_rate;
        /* call_id is a fixed array: stop at its NUL or its end, never past. */
        bool terminated = false;
        for (size_t i = 0; i < sizeof h->call_id; i++) {
            if (h->call_id[i] == '\0') {
                terminated = true;
                break;
            }
        }
        ev.call_id = (terminated && h->call_id[0] != '\0') ? h->call_id : NULL;
        if (h->has_sig) {
            ev.sig_a = &h->sig[0];
            ev.sig_b = &h->sig[1];
        }
    }
    dc->stats.rtp_packets++;
    sink_emit(&dc->sink, EV_RTP, at, k, &ev);
}

/*
 * A compound RTCP datagram is a run of packets, each with its own header:
 * |V=2|P| count |  PT (200-204)  |  length (32-bit words - 1)   |
 * |                     SSRC of sender                        |
 * SRTCP (RFC 3711 section 3.4) appends the E flag, index and tag after
 * the run, so bytes left over that do not form a header end the walk.
 */
static void rtcp_parse(struct dissect_ctx *dc, const struct flow_key *k, struct cur c,
                       const struct frame_ref *at)
{
    struct ev_rtcp ev = { 0 };
    bool first = true;
    while (cur_left(&c) >= 4) {
        uint8_t b0 = 0;
        cur_peek_u8(&c, 0, &b0);
        if ((b0 >> 6) != 2)
            break;
        cur_skip(&c, 1);
        uint8_t pt = cur_u8(&c);
        size_t body_len = (size_t)cur_be16(&c) * 4;
        if (body_len > cur_left(&c)) {
            if (first) {
                dissect_anomaly(dc, at, k, "rtcp", "truncated", "length past the datagram", true);
                return;
            }
            break;
        }
        struct cur body = cur_take(&c, body_len);
        if (first) {
            ev.ssrc = cur_be32(&body);
            first = false;
        }
        switch (pt) {
        case RTCP_PT_SR: ev.n_sr++; break;
        case RTCP_PT_RR: ev.n_rr++; break;
        case RTCP_PT_SDES: ev.n_sdes++; break;
        case RTCP_PT_BYE: ev.n_bye++; break;
        case RTCP_PT_APP: ev.n_app++; break;
        default: ev.n_other++; break;
        }
    }
    if (first) {
        dissect_anomaly(dc, at, k, "rtcp", "truncated", "no complete RTCP header", true);
        return;
    }
    dc->stats.rtcp_packets++;
    sink_emit(&dc->sink, EV_RTCP, at, k, &ev);
}

void rtp_datagram(struct dissect_ctx *dc, const struct flow_key *k, const uint8_t *p, size_t n,
                  const struct frame_ref *at)
{
    struct cur c = cur_make(p, n);
    uint8_t b0 = 0, b1 = 0;
    /* SDP-negotiated ports also carry STUN, DTLS and ZRTP (RFC 7983):
     * anything not version 2 is someone else's and no error. */
    if (n < 4 || !cur_peek_u8(&c, 0, &b0) || !cur_peek_u8(&c, 1, &b1) || (b0 >> 6) != 2)
        return;
    if (byte1_is_rtcp(b1))
        rtcp_parse(dc, k, c, at);
    else if (n < RTP_HDR_LEN)
        dissect_anomaly(dc, at, k, "rtp", "truncated", "shorter than the fixed header", true);
    else
        rtp_parse(dc, k, c, at);
}
