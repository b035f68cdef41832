# Written by pcaps/make-capture-traces.sh from TShark 4.0.17 and capinfos;
# independent of esp-ike.json. One jq expression per line, each must be true.
.input.packets == 13
.input.link_types == ["EN10MB"]
.input.truncated_packets == 0
.input.first_time | startswith("2026-11-23T02:40:56.966070")
.input.last_time | startswith("2026-11-23T02:41:02.187655")
(.ipsec | length) == 2
(.ipsec[] | select(.hosts == ["10.98.0.1","10.98.0.2"]) | [.esp_packets, .ike_packets, (.spis | sort)]) == [8, 1, ["0x00001001","0x00002002"]]
(.ipsec[] | select(.hosts == ["10.98.0.1","10.98.0.3"]) | [.esp_packets, .ike_packets, .spis]) == [3, 1, ["0x00003003"]]
