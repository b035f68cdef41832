# The capture is analyzed in full despite the packet stamped 1928.
.input.packets == 84
(.calls | length) == 1
([.rtp_streams[].packets] | sort) == [24, 42]
# The gap that starts at the early packet and ends at frame 30, reported as measured.
(.rtp_streams[] | select(.packets == 24) | .gaps[0] | .frame == 30 and (.start_time | startswith("1928-")))
