# Facts from MANIFEST.md, capinfos and tshark (see linux_dlt_sll2.md). One jq expression per line.
.input.packets == 6
.input.link_types == ["LINUX_SLL2"]
