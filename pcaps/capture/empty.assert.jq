# Written by pcaps/make-capture-traces.sh from TShark 4.0.17 and capinfos;
# independent of empty.json. One jq expression per line, each must be true.
.input.packets == 0
.input.link_types == ["EN10MB"]
.input.truncated_packets == 0
.input.first_time == null and .input.last_time == null
.findings == []
