// Test certificates made with the machine's openssl: a CA, a server certificate for 127.0.0.1/localhost,
// and client certificates whose CN is the user name and whose O entries are the groups.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Pki {
  dir: string
  caCert: string
  caKey: string
  serverCert: string
  serverKey: string
  /** paths of the files above, for kubeconfigs that name files */
  files: { caCert: string, serverCert: string, serverKey: string }
  clientCert (user: string, groups?: string[]): { cert: string, key: string, certFile: string, keyFile: string }
}

function openssl (args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' })
}

export function createPki (dir: string = mkdtempSync(join(tmpdir(), 'pino-k8s-events-pki-'))): Pki {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=pino-k8s-events-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt'], dir)
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n')
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=kube-apiserver',
    '-keyout', 'server.key', '-out', 'server.csr'], dir)
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'server.ext', '-out', 'server.crt'], dir)
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8')
  let serial = 0
  return {
    dir,
    caCert: read('ca.crt'),
    caKey: read('ca.key'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    files: { caCert: join(dir, 'ca.crt'), serverCert: join(dir, 'server.crt'), serverKey: join(dir, 'server.key') },
    clientCert (user, groups = []) {
      const base = `client-${++serial}`
      const subject = '/' + [...groups.map(g => `O=${g}`), `CN=${user}`].join('/')
      writeFileSync(join(dir, `${base}.ext`), 'extendedKeyUsage=clientAuth\n')
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject,
        '-keyout', `${base}.key`, '-out', `${base}.csr`], dir)
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
        '-extfile', `${base}.ext`, '-out', `${base}.crt`], dir)
      return { cert: read(`${base}.crt`), key: read(`${base}.key`), certFile: join(dir, `${base}.crt`), keyFile: join(dir, `${base}.key`) }
    }
  }
}
