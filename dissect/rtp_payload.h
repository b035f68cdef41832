/* rtp_payload.h: tells SRTP from clear RTP by the payload alone, when no SDP says which
 * (RFC 3711 sections 3.1 and 4.2, RFC 4568 section 6.2.1 auth tag lengths, RFC 3551 codecs). */
#ifndef SIPSEC_RTP_PAYLOAD_H
#define SIPSEC_RTP_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/*
 * Bounded work per stream, never per packet: the first
 * RTP_PAYLOAD_SAMPLE_PACKETS packets of a stream's main payload type are
 * tallied (their lengths, their timestamp steps, and the nibbles of at
 * most RTP_PAYLOAD_SAMPLE_BYTES bytes each); after that the tally is
 * full and adding is a no-op.
 */
enum {
    RTP_PAYLOAD_SAMPLE_PACKETS = 16,
    RTP_PAYLOAD_SAMPLE_BYTES = 256,
};

struct rtp_payload_tally {
    uint16_t hi[16], lo[16];                  /* nibble histograms of the sampled bytes */
    uint16_t lens[RTP_PAYLOAD_SAMPLE_PACKETS];  /* payload length of each sampled packet */
    uint16_t steps[RTP_PAYLOAD_SAMPLE_PACKETS]; /* timestamp step to the previous sampled packet */
    uint32_t last_ts;
    uint16_t last_seq;
    uint8_t n;       /* packets sampled */
    uint8_t n_steps; /* steps between consecutive sequence numbers */
};

/* Tally one packet (seq, RTP timestamp, payload after header and padding). */
void rtp_payload_tally_add(struct rtp_payload_tally *t, uint16_t seq, uint32_t ts, struct span payload);
bool rtp_payload_tally_full(const struct rtp_payload_tally *t);

enum srtp_guess { SRTP_GUESS_UNKNOWN, SRTP_GUESS_CLEAR, SRTP_GUESS_SRTP };

/* Why the verdict is what it is. */
enum srtp_basis {
    SRTP_BASIS_FEW_PACKETS,     /* too few packets to judge */
    SRTP_BASIS_UNKNOWN_CODEC,   /* dynamic or variable-rate payload type: no frame size */
    SRTP_BASIS_VARIABLE,        /* lengths or timestamp steps do not settle */
    SRTP_BASIS_AUTH_TAG,        /* payload = codec frames + a 4, 10 or 16 byte auth tag */
    SRTP_BASIS_UNIFORM,         /* frame-sized, bytes uniformly distributed: encrypted, no tag */
    SRTP_BASIS_SPEECH,          /* frame-sized, bytes distributed as clear PCM/G.711 are */
    SRTP_BASIS_COMPRESSED,      /* frame-sized compressed codec: clear, or SRTP without tag */
    SRTP_BASIS_INCONCLUSIVE,    /* frame-sized, byte distribution neither clearly uniform nor not */
    SRTP_BASIS_OTHER_LENGTH,    /* length differs from the codec frame by no known tag */
};

struct rtp_payload_verdict {
    enum srtp_guess guess;
    enum srtp_basis basis;
    uint32_t samples;       /* timestamp step (samples per packet), 0 unknown */
    uint32_t frame_bytes;   /* codec bytes for that step, 0 unknown */
    uint32_t payload_bytes; /* the usual payload length */
    uint32_t tag_bytes;     /* payload - frame when that is an auth tag */
    double chi2;            /* worse of the two nibble chi-square statistics, -1 not computed */
};

/* The verdict for a stream of payload type pt from its tally. Pure. */
void rtp_payload_judge(const struct rtp_payload_tally *t, uint8_t pt, struct rtp_payload_verdict *out);

/* One sentence for reports: "payload 170 bytes = 160-byte PCMU frame + 10-byte auth tag". */
void rtp_payload_describe(const struct rtp_payload_verdict *v, uint8_t pt, char *out, size_t cap);

/* Codec bytes for `samples` timestamp units of static payload type pt,
 * false when the type has no fixed frame size. *pcm: clear payload is
 * PCM or G.711, whose byte distribution is never uniform. */
bool rtp_codec_frame_bytes(uint8_t pt, uint32_t samples, uint32_t *bytes, bool *pcm);

#endif
