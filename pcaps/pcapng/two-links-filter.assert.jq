.input.packets == 23
.input.link_types == ["EN10MB", "LINUX_SLL2"]
[.calls[] | [.transport, .first_frame, .final_status]] == [["tls", 14, 415]]
.tls_sessions[0].first_frame == 1 and .tls_sessions[0].decrypted == true
.stats.udp_packets == 0
