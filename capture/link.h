/* link.h: link-layer headers down to the network protocol (DLT_* types). */
#ifndef SIPSEC_LINK_H
#define SIPSEC_LINK_H

#include <stdint.h>

#include "cursor.h"

enum { ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86dd };

enum link_rc {
    LINK_OK,          /* *ethertype set, c positioned at the network header */
    LINK_NOT_IP,      /* ARP, LLC, ...: nothing for us */
    LINK_TRUNCATED,   /* header cut short */
    LINK_UNSUPPORTED, /* a link type we do not decode */
};

/* Strip the link header of type dlt from c. */
enum link_rc link_decode(int dlt, struct cur *c, uint16_t *ethertype);
/* libpcap's name for a DLT ("EN10MB"), or "DLT_<n>". Static storage. */
const char *link_type_name(int dlt);

#endif
