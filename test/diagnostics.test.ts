import t from 'tap'
import { createDiagnostics, redact } from '../lib/diagnostics.js'

t.test('a repeated diagnostic is printed once per interval, with the count of the suppressed ones', async t => {
  const lines: string[] = []
  const diagnostics = createDiagnostics('pino-k8s-events', line => lines.push(line))
  diagnostics.warn('k', 'first', 50)
  diagnostics.warn('k', 'second', 50)
  diagnostics.warn('k', 'third', 50)
  t.same(lines, ['pino-k8s-events: first'])
  await new Promise(resolve => setTimeout(resolve, 60))
  diagnostics.warn('k', 'fourth', 50)
  t.same(lines, ['pino-k8s-events: first', 'pino-k8s-events: fourth (2 more like this since the last report)'])
})

t.test('tokens, authorization values and private keys never reach a diagnostic', async t => {
  const text = redact('Authorization: Bearer eyJhbGciOi.abc {"token":"s3cr3t"} -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----')
  t.notMatch(text, /eyJhbGciOi|s3cr3t|MIIE/)
  t.match(text, /\[redacted\]/)
})

t.test('Basic credentials, bare JWTs and user:password@ in URLs are redacted too', async t => {
  const text = redact('Authorization: Basic dXNlcjpwYXNz; token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl; server https://admin:hunter2@10.0.0.1:6443/api')
  t.notMatch(text, /dXNlcjpwYXNz|eyJzdWIiOiJ4In0|c2lnbmF0dXJl|hunter2/)
  t.match(text, /https:\/\/\[redacted\]@10\.0\.0\.1:6443\/api/, 'the rest of the address stays readable')
})
