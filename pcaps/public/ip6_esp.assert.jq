# Facts from MANIFEST.md, capinfos and tshark (see ip6_esp.md). One jq expression per line.
.input.packets == 121
.input.link_types == ["EN10MB"]
([.ipsec[].esp_packets] | add) == 120
([.ipsec[].spis[]] | unique | length) == 8
([.ipsec[].ike_packets] | add) == 0
