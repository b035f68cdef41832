.tls_sessions[0].decrypted == true
[.findings[] | select(.code == "CERT_NAME_MISMATCH")] | length == 2
[.findings[] | select(.code == "CERT_NAME_MISMATCH") | .refs.certificate] == ["9f951d5d31d86c40c5c11b5fb34707b146ca5f29", "66a79fd4ff5611b87794d7e0c71b934227be6a6c"]
[.findings[] | select(.code == "CERT_NAME_MISMATCH") | .summary | test("127.0.0.2|gw2.example.com")] == [true, true]
[.findings[] | select(.code == "CERT_NAME_MISMATCH") | .frames] == [[14], [14]]
.calls[0].final_status == 415
