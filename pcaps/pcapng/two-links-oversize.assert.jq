.input.packets == 16
.input.damaged == true
.input.damage | test("pcapng block at offset 9856: block of 2147483632 bytes over the 16777216-byte cap")
[.findings[] | select(.code == "CAPTURE_TRUNCATED") | .frames] == [[17]]
.calls[0].final_status == 200
.tls_sessions | length == 1
