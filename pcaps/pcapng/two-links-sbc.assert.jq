.input.packets == 30
.input.link_types == ["EN10MB", "LINUX_SLL2"]
.input.damaged == false
[.calls[] | [.transport, .first_frame, .final_status, .messages]] == [["udp", 1, 200, 7], ["tls", 19, 415, 4]]
.tls_sessions[0].first_frame == 6 and .tls_sessions[0].decrypted == true
[.tls_sessions[0].alerts[].frame] == [23, 27]
[.findings[] | select(.code == "SIP_SECURITY_MISMATCH") | .frames] == [[19, 21]]
[.findings[] | select(.code == "CAPTURE_TRUNCATED")] == []
