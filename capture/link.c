/* link.c: Ethernet with 802.1Q/802.1ad tags, Linux cooked v1/v2, raw IP, BSD loopback. */
#include "link.h"

#include <pcap/pcap.h>
#include <stdio.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/* Tags stacked deeper than this are not real traffic (QinQinQ is 3). */
enum { VLAN_TAGS_MAX = 8 };

static int is_vlan_tpid(uint16_t t)
{
    return t == 0x8100 || t == 0x88a8 || t == 0x9100 || t == 0x9200;
}

/*
 * Ethernet II: dst(6) src(6) type(2), then any number of
 * 802.1Q/802.1ad tags: TCI(2) type(2). A type below 1536 is an 802.3
 * length (LLC follows): not IP.
 */
static enum link_rc link_ethernet(struct cur *c, uint16_t *ethertype)
{
    cur_skip(c, 12);
    uint16_t type = cur_be16(c);
    for (int tags = 0; is_vlan_tpid(type); tags++) {
        if (tags == VLAN_TAGS_MAX)
            return LINK_NOT_IP;
        cur_skip(c, 2);
        type = cur_be16(c);
    }
    if (!cur_ok(c))
        return LINK_TRUNCATED;
    *ethertype = type;
    return LINK_OK;
}

/* Version nibble decides: raw IP has no link header at all. */
static enum link_rc link_raw(struct cur *c, uint16_t *ethertype)
{
    uint8_t first;
    if (!cur_peek_u8(c, 0, &first))
        return LINK_TRUNCATED;
    if (first >> 4 == 4)
        *ethertype = ETHERTYPE_IPV4;
    else if (first >> 4 == 6)
        *ethertype = ETHERTYPE_IPV6;
    else
        return LINK_NOT_IP;
    return LINK_OK;
}

/* BSD address families: AF_INET is 2 everywhere, AF_INET6 differs by OS. */
static enum link_rc link_family(uint32_t family, uint16_t *ethertype)
{
    if (family == 2)
        *ethertype = ETHERTYPE_IPV4;
    else if (family == 10 || family == 24 || family == 28 || family == 30)
        *ethertype = ETHERTYPE_IPV6;
    else
        return LINK_NOT_IP;
    return LINK_OK;
}

enum link_rc link_decode(int dlt, struct cur *c, uint16_t *ethertype)
{
    switch (dlt) {
    case DLT_EN10MB:
        return link_ethernet(c, ethertype);
    case DLT_LINUX_SLL: {
        /* pkttype(2) hatype(2) halen(2) addr(8) protocol(2) */
        cur_skip(c, 14);
        *ethertype = cur_be16(c);
        return cur_ok(c) ? LINK_OK : LINK_TRUNCATED;
    }
    case DLT_LINUX_SLL2: {
        /* protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8) */
        *ethertype = cur_be16(c);
        cur_skip(c, 18);
        return cur_ok(c) ? LINK_OK : LINK_TRUNCATED;
    }
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return link_raw(c, ethertype);
    case DLT_NULL: {
        /* 4-byte family in the capturing host's byte order: try both. */
        uint32_t fam = cur_le32(c);
        if (!cur_ok(c))
            return LINK_TRUNCATED;
        if (fam > 0xffff)
            fam = ((fam & 0xff) << 24) | ((fam & 0xff00) << 8) | ((fam >> 8) & 0xff00) | (fam >> 24);
        return link_family(fam, ethertype);
    }
    case DLT_LOOP: {
        uint32_t fam = cur_be32(c);
        if (!cur_ok(c))
            return LINK_TRUNCATED;
        return link_family(fam, ethertype);
    }
    default:
        return LINK_UNSUPPORTED;
    }
}

const char *link_type_name(int dlt)
{
    static char unknown[24];
    const char *name = pcap_datalink_val_to_name(dlt);
    if (name)
        return name;
    snprintf(unknown, sizeof unknown, "DLT_%d", dlt);
    return unknown;
}
