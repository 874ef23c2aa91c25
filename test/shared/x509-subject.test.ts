// The subject an x509 ACL must name, against what Java's X500Principal.getName() printed for
// the same certificates (made with openssl -subj; the expected strings are Java 17's output).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { x509SubjectRfc2253 } from '../../src/shared/x509-subject.js';

const CASES = [
  {
    what: 'escaped comma and plus, leading and trailing spaces',
    der: 'MIICBTCCAaugAwIBAgIUUgeHBVqEdrHs4BZs3nmI8u5vKzEwCgYIKoZIzj0EAwIwWDELMAkGA1UEBhMCVVMxCzAJBgNVBAgMAkNBMRMwEQYDVQQKDApBY21lLCBJbmMuMRAwDgYDVQQLDAdvcHMrZGV2MRUwEwYDVQQDDAwgemsgd2F0Y2hlciAwHhcNMjYxMjA0MTUwNTEzWhcNMzYxMjAxMTUwNTEzWjBYMQswCQYDVQQGEwJVUzELMAkGA1UECAwCQ0ExEzARBgNVBAoMCkFjbWUsIEluYy4xEDAOBgNVBAsMB29wcytkZXYxFTATBgNVBAMMDCB6ayB3YXRjaGVyIDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABAA1/AzbkB87EcNZl4tWV0RgjIUJPfAG2DdbatcDrgd04rur319AVRD5ThJfh/kxSyt6dLldlMoob5ubdO/HEq+jUzBRMB0GA1UdDgQWBBTX/aixawLNHK2NJp32PkEYKgfQVTAfBgNVHSMEGDAWgBTX/aixawLNHK2NJp32PkEYKgfQVTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCICfyO1XG3tQw9dhw7nNR3QCQYi91F0Up5UR+9DnfwOIgAiEAoERkb9OEeEEcNqrFkxJbzuZFWknJlWpYerE1xQZh5Sg=',
    java: "CN=\\ zk watcher\\ ,OU=ops\\+dev,O=Acme\\, Inc.,ST=CA,C=US",
  },
  {
    what: 'DC and UID by keyword, emailAddress by OID as #hex, every special character escaped',
    der: 'MIICUzCCAfmgAwIBAgIUIOFjbmfWYlliZ/5rCuo4LDWYjxkwCgYIKoZIzj0EAwIwfzETMBEGCgmSJomT8ixkARkWA2NvbTEXMBUGCgmSJomT8ixkARkWB2V4YW1wbGUxFjAUBgoJkiaJk/IsZAEBDAZhZ2VudDcxFDASBgkqhkiG9w0BCQEWBWFAYi5jMSEwHwYDVQQDDBgjaGFzaDtzZW1pPGx0Pmd0InFcYnM9ZXEwHhcNMjYxMjA0MTUwNTA4WhcNMjYxMjA2MTUwNTA4WjB/MRMwEQYKCZImiZPyLGQBGRYDY29tMRcwFQYKCZImiZPyLGQBGRYHZXhhbXBsZTEWMBQGCgmSJomT8ixkAQEMBmFnZW50NzEUMBIGCSqGSIb3DQEJARYFYUBiLmMxITAfBgNVBAMMGCNoYXNoO3NlbWk8bHQ+Z3QicVxicz1lcTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN3AVqlACfp6RhMkTJGJFAX8YQQBu6Srqxl3vieG3GlGdJSgUyXUyNdzJwi3za9cFP5B+Z8dr+2oi9Sz3XhJ+iGjUzBRMB0GA1UdDgQWBBRaFs+TAly/cLP1o6TWz7j5y0HkSTAfBgNVHSMEGDAWgBRaFs+TAly/cLP1o6TWz7j5y0HkSTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQDnlDe22aBMyS0kLzku8tVNMFnrsF2I+XlF1bS/lEXOHAIgQUBpE+5YjdSNZQkIXJOhCsOSakz0CgD6QrQVXmP4VJ8=',
    java: "CN=\\#hash\\;semi\\<lt\\>gt\\\"q\\\\bs\\=eq,1.2.840.113549.1.9.1=#16056140622e63,UID=agent7,DC=example,DC=com",
  },
  {
    what: 'a multi-valued RDN joined by +',
    der: 'MIIBnTCCAUOgAwIBAgIUZzShTwReHrG9aKCPZCCljjiN/LYwCgYIKoZIzj0EAwIwJDEMMAoGA1UECgwDT3JnMRQwCAYDVQQDDAFhMAgGA1UECwwBYjAeFw0yNjEyMDQxNTA1MDhaFw0yNjEyMDYxNTA1MDhaMCQxDDAKBgNVBAoMA09yZzEUMAgGA1UEAwwBYTAIBgNVBAsMAWIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASOAhX+sk7s910KZzwXlGuaQk7n7R8W5PLNYMVw7lN4joLBG9g4ZFfgxvAaRJXig2XY0hG2Ycktt/doMT18OHnqo1MwUTAdBgNVHQ4EFgQUZJTy//47RhJRQPsWPDBQTv9jrtkwHwYDVR0jBBgwFoAUZJTy//47RhJRQPsWPDBQTv9jrtkwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiAm2AvkUM6WoqJW56YOk6PVj5w8uhdeJAzoePyGGYoD+wIhANlq6/7YdDVOOAbAlQ/r1urUIZ+aIOVG9gKeE33a6Cr3',
    java: "CN=a+OU=b,O=Org",
  },
  {
    what: 'UTF-8',
    der: 'MIIBnDCCAUGgAwIBAgIUIv0y2+1cLj2uRjIScoSWEfIuRTYwCgYIKoZIzj0EAwIwIzERMA8GA1UECgwIWm/DqyBMdGQxDjAMBgNVBAMMBWFnZW50MB4XDTI2MTIwNDE1MDUwOFoXDTI2MTIwNjE1MDUwOFowIzERMA8GA1UECgwIWm/DqyBMdGQxDjAMBgNVBAMMBWFnZW50MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEw6pIjjLOjg6+OGRH4uxh6LqLH0uHSsAOdrjB8+r0Nvbae+gynJx6GOApbfHRWBOb2RidtMi9ztzcuoYBzyUdW6NTMFEwHQYDVR0OBBYEFPp9LiRYI1Npi9Zzq4NAjLOIREAGMB8GA1UdIwQYMBaAFPp9LiRYI1Npi9Zzq4NAjLOIREAGMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAMn47/VvBMZz6NAgOhmwFeP0m9eYBpeX3aq57RecbPWOAiEAzh0p9Bhlo9uaVeurrLxvnLWl6Hyphh+bIw1kB/FIWkI=',
    java: "CN=agent,O=Zoë Ltd",
  },
  {
    what: 'a BMPString (openssl string_mask MASK:0x800): Java reads the value bytes as UTF-8, so each UTF-16 zero byte is an escaped NUL',
    der: 'MIIBHDCBwwIUXidaSEkSHvzvFWlFsTMWSOzasfEwCgYIKoZIzj0EAwIwETEPMA0GA1UEAx4GAGIAbQBwMB4XDTI2MTIwNDE1MzU1NFoXDTI2MTIwNTE1MzU1NFowETEPMA0GA1UEAx4GAGIAbQBwMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbI9uuf4VVo1M017P1HIzZOvxNf3g49m9IkYRWa7eHmRLdXqFSrh4KCSZfUoYHPID3Td2OkHMqB9BCW5K8M0iaDAKBggqhkjOPQQDAgNIADBFAiBMguPmEb7fAXse9RORAW/y9t3Xb+ruYX5YYZHMaScqAgIhALvY+rnWBNJG0mAgO2jH9pbrI/XNjCQhCsag7tcEjpIO',
    java: 'CN=\\00b\\00m\\00p',
  },
  {
    what: 'a BMPString beyond ASCII (Zoë ✓), read as UTF-8 the same way: a byte that is no UTF-8 becomes U+FFFD, a control character stays raw',
    der: 'MIIBJTCBywIUJRrf5nvvj465EXuhJh58hmVDUa8wCgYIKoZIzj0EAwIwFTETMBEGA1UEAx4KAFoAbwDrACAnEzAeFw0yNjEyMDQxNTM1MzVaFw0yNjEyMDUxNTM1MzVaMBUxEzARBgNVBAMeCgBaAG8A6wAgJxMwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR8DFDGQPt3jDyIQ34XMkbeoSkZcPU4+baEaEcPO4zBWGmskdlOj6iUY85pyroY9SiZPLd2m1E8oaX8Pb+cJ3i/MAoGCCqGSM49BAMCA0kAMEYCIQDxkcVjqI5IslE+O/kPjHAWdGz7KS3e02V3N8FxXNd+BwIhAKaaU/KqloN17qvNbKbIxODIQbeeieh4vsSdvGsUq94s',
    java: "CN=\\00Z\\00o\\00\ufffd\\00 '\u0013",
  },
  {
    what: 'a T61String with a Latin-1 byte (café, openssl string_mask default): not UTF-8, so U+FFFD',
    der: 'MIIBFzCBvwIUILig8V9lNyT5/Kkf61dAZPkLWtAwCgYIKoZIzj0EAwIwDzENMAsGA1UEAxQEY2Fm6TAeFw0yNjEyMDQxNTM1MzVaFw0yNjEyMDUxNTM1MzVaMA8xDTALBgNVBAMUBGNhZukwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARP9ioi4ECdvo6l7WHOcwgruv5GO8OcJwB3uQAvZmjYky5rxxUzMWrzU9XrkvZ82DpK4R7YvD4nc6qy5fVSPaE1MAoGCCqGSM49BAMCA0cAMEQCIBiuUS7FShlUYyZGzbnLpI6fjbdpx8AOrA4xNBY5AjPqAiAqyx2ODaTcXyguHyWdnW8TAjQQioSZ8vQ5LEzt45f23g==',
    java: 'CN=caf\ufffd',
  },
];

test("the subject, as ZooKeeper's X509AuthenticationProvider (Java) names it", () => {
  for (const c of CASES) assert.equal(x509SubjectRfc2253(Buffer.from(c.der, 'base64')), c.java, c.what);
});

test('DER that is not a certificate throws instead of naming someone', () => {
  for (const bad of [Buffer.alloc(0), Buffer.from([0x30, 0x82, 0xff]), Buffer.from([0x30, 0x03, 0x30, 0x01, 0x00])]) assert.throws(() => x509SubjectRfc2253(bad));
});
