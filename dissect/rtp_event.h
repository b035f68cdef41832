/* rtp_event.h: the facts the RTP/RTCP dissector hands up (RFC 3550 sections 5.1 and 6). */
#ifndef SIPSEC_RTP_EVENT_H
#define SIPSEC_RTP_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "netaddr.h"

/*
 * EV_RTP: one RTP packet. The flow (event.flow) gives the direction; a
 * stream is SSRC + that flow. Everything is borrowed for the emit only:
 * call_id points into the SDP hint table and must be copied if kept.
 */
struct ev_rtp {
    uint32_t ssrc;
    uint32_t timestamp;
    uint16_t seq;
    uint8_t pt;           /* payload type, 0..127 */
    bool marker;
    uint16_t payload_len; /* bytes after header, CSRCs, extension and padding */
    struct span payload;  /* those bytes, borrowed: for rtp_payload_tally_add only */
    /* The SDP's word on this endpoint (media_expect), copied per packet. */
    bool has_hint;
    bool is_srtp;         /* SAVP / crypto / fingerprint accepted */
    uint8_t hint_clock_pt;    /* dynamic payload type the hint knows, or 255 */
    uint32_t hint_clock_rate; /* its rtpmap clock rate, 0 unknown */
    const char *call_id;  /* NULL when unknown */
    /* The call's signaling hosts (may differ from the media addresses), NULL
     * when unknown; point into the hint table like call_id. */
    const struct ip_addr *sig_a, *sig_b;
};

/* EV_RTCP: one (compound) RTCP datagram, its packet types counted. */
struct ev_rtcp {
    uint32_t ssrc; /* sender SSRC of the first packet in the compound */
    uint16_t n_sr, n_rr, n_sdes, n_bye, n_app, n_other;
};

#endif
