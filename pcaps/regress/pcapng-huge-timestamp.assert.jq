.input.packets == 3
.input.damaged == true
(.input.last_time | startswith("2262-04-11T23:47:16"))
