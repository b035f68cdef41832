/* keylog.h: the key log of pcaps/tlsdec/tls12-gcm-415, for fuzz_tls_decrypt.c (the seeds are that trace). */
#define KEYLOG_TLS12_GCM_415 "CLIENT_RANDOM 144e09ad0f5f9339e2f233d0268850ae459c9560bbed46612274a03f22966ea2 2a63eee019d323c7477099662d327a4103f8cbcc255bc4ee29aeb117ce9db3d738115321c6e83a1de0b3550ce4968043\n"
