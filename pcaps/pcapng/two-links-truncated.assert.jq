.input.packets == 29
.input.damaged == true
.input.damage | test("pcapng block at offset [0-9]+: the file ends inside a block header")
[.findings[] | select(.code == "CAPTURE_TRUNCATED") | .frames] == [[30]]
[.calls[] | .final_status] == [200, 415]
