.tls_sessions[0].decrypted == true
.calls[0].final_status == 415
[.findings[] | select(.code == "CERT_NAME_MISMATCH")] | length == 1
[.findings[] | select(.code == "CERT_NAME_MISMATCH")][0].refs.certificate == "66a79fd4ff5611b87794d7e0c71b934227be6a6c"
[.findings[] | select(.code == "CERT_NAME_MISMATCH")][0].frames == [14]
[.findings[] | select(.code == "CERT_NAME_MISMATCH")][0].summary | test("^Add sbc.example.com to the client certificate gw.example.com of 127.0.0.1:[0-9]+: the topmost Record-Route of the INVITE it sent names it$")
[.findings[] | select(.code == "CERT_NAME_MISMATCH")][0].detail | test("configure that proxy or SBC to record-route with the FQDN its certificate carries")
[.findings[] | select(.code == "CERT_NAME_MISMATCH") | .summary | test("um-pool")] | any | not
