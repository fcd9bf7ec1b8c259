// Kubernetes protobuf request bodies, for the kinds kubectl's generators send that way: `kubectl create namespace`
// posts a Namespace as application/vnd.kubernetes.protobuf and does not retry as JSON when a server answers 415.
// The envelope is "k8s\0" + runtime.Unknown { typeMeta, raw }, and raw is the object's generated.proto message.
// Only the fields listed here are read; any other field fails the request clearly instead of being lost.

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf'
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00])

type FieldType = 'string' | 'int' | 'bool' | 'bytes' | 'time' | 'stringMap' | Schema
interface FieldSpec { name: string, type: FieldType, repeated?: boolean }
interface Schema { message: string, fields: Record<number, FieldSpec> }

const TYPE_META: Schema = { message: 'TypeMeta', fields: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } }
const UNKNOWN: Schema = {
  message: 'runtime.Unknown',
  fields: { 1: { name: 'typeMeta', type: TYPE_META }, 2: { name: 'raw', type: 'bytes' }, 3: { name: 'contentEncoding', type: 'string' }, 4: { name: 'contentType', type: 'string' } }
}
const OWNER_REFERENCE: Schema = {
  message: 'OwnerReference',
  fields: {
    1: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' },
    5: { name: 'apiVersion', type: 'string' }, 6: { name: 'controller', type: 'bool' }, 7: { name: 'blockOwnerDeletion', type: 'bool' }
  }
}
const OBJECT_META: Schema = {
  message: 'ObjectMeta',
  fields: {
    1: { name: 'name', type: 'string' }, 2: { name: 'generateName', type: 'string' }, 3: { name: 'namespace', type: 'string' },
    4: { name: 'selfLink', type: 'string' }, 5: { name: 'uid', type: 'string' }, 6: { name: 'resourceVersion', type: 'string' },
    7: { name: 'generation', type: 'int' }, 8: { name: 'creationTimestamp', type: 'time' }, 9: { name: 'deletionTimestamp', type: 'time' },
    10: { name: 'deletionGracePeriodSeconds', type: 'int' }, 11: { name: 'labels', type: 'stringMap' },
    12: { name: 'annotations', type: 'stringMap' }, 13: { name: 'ownerReferences', type: OWNER_REFERENCE, repeated: true },
    14: { name: 'finalizers', type: 'string', repeated: true }
  }
}
const NAMESPACE: Schema = {
  message: 'Namespace',
  fields: {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'spec', type: { message: 'NamespaceSpec', fields: { 1: { name: 'finalizers', type: 'string', repeated: true } } } },
    // Conditions are set by the namespace controller, never by a client.
    3: { name: 'status', type: { message: 'NamespaceStatus', fields: { 1: { name: 'phase', type: 'string' } } } }
  }
}
/** apiVersion/kind → the message schema this server reads. */
const KINDS: Record<string, Schema> = { 'v1/Namespace': NAMESPACE }

export class ProtobufError extends Error {}

class Reader {
  private offset = 0
  constructor (private readonly bytes: Buffer) {}
  get done (): boolean { return this.offset >= this.bytes.length }

  varint (): bigint {
    let result = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.offset >= this.bytes.length) throw new ProtobufError('truncated varint')
      const byte = this.bytes[this.offset++]
      result |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return result
    }
    throw new ProtobufError('varint too long')
  }

  chunk (): Buffer {
    const length = Number(this.varint())
    if (this.offset + length > this.bytes.length) throw new ProtobufError('truncated field')
    const slice = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return slice
  }

  skip (wireType: number): void {
    if (wireType === 0) this.varint()
    else if (wireType === 2) this.chunk()
    else if (wireType === 1) this.offset += 8
    else if (wireType === 5) this.offset += 4
    else throw new ProtobufError(`wire type ${wireType} is not supported`)
  }
}

/** '' for the zero time, which Go writes as an empty message and as null in JSON. */
function decodeTime (bytes: Buffer): string {
  const time = decodeMessage(bytes, { message: 'Time', fields: { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } } })
  if (time.seconds === undefined) return ''
  return new Date(Number(time.seconds) * 1000).toISOString().slice(0, 19) + 'Z'
}

function decodeStringMapEntry (bytes: Buffer): [string, string] {
  const entry = decodeMessage(bytes, { message: 'map entry', fields: { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: 'string' } } })
  return [String(entry.key ?? ''), String(entry.value ?? '')]
}

/** One message as Go's JSON would show it: empty strings, zero numbers and false left out, as `omitempty` does. */
function decodeMessage (bytes: Buffer, schema: Schema): Record<string, any> {
  const out: Record<string, any> = {}
  const reader = new Reader(bytes)
  while (!reader.done) {
    const key = reader.varint()
    const fieldNumber = Number(key >> 3n)
    const wireType = Number(key & 7n)
    const spec = schema.fields[fieldNumber]
    if (spec === undefined) throw new ProtobufError(`field ${fieldNumber} of ${schema.message} is not read by this server; send the object as JSON`)
    let value: unknown
    if (spec.type === 'int' || spec.type === 'bool') {
      if (wireType !== 0) throw new ProtobufError(`field ${spec.name} of ${schema.message} has wire type ${wireType}`)
      const number = reader.varint()
      value = spec.type === 'bool' ? number !== 0n : Number(BigInt.asIntN(64, number))
      if (value === 0 || value === false) continue
    } else {
      if (wireType !== 2) throw new ProtobufError(`field ${spec.name} of ${schema.message} has wire type ${wireType}`)
      const chunk = reader.chunk()
      if (spec.type === 'string') value = chunk.toString('utf8')
      else if (spec.type === 'bytes') value = chunk
      else if (spec.type === 'time') value = decodeTime(chunk)
      else if (spec.type === 'stringMap') {
        const [k, v] = decodeStringMapEntry(chunk)
        out[spec.name] = { ...(out[spec.name] ?? {}), [k]: v }
        continue
      } else value = decodeMessage(chunk, spec.type)
      if (value === '' && spec.repeated !== true) continue
    }
    if (spec.repeated === true) (out[spec.name] ??= []).push(value)
    else out[spec.name] = value
  }
  return out
}

/** The object in a protobuf request body, or why it cannot be read: 'unsupported' for a kind this server does not read. */
export function decodeProtobufObject (body: Buffer): { object: Record<string, any> } | { unsupported: string } | { error: string } {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) return { error: 'the body does not start with the Kubernetes protobuf prefix' }
  try {
    const envelope = decodeMessage(body.subarray(MAGIC.length), UNKNOWN)
    const typeMeta = envelope.typeMeta ?? {}
    const apiVersion = String(typeMeta.apiVersion ?? '')
    const kind = String(typeMeta.kind ?? '')
    const schema = KINDS[`${apiVersion}/${kind}`]
    if (schema === undefined) return { unsupported: `${apiVersion} ${kind}` }
    const object = decodeMessage(envelope.raw ?? Buffer.alloc(0), schema)
    return { object: { apiVersion, kind, ...object } }
  } catch (err) {
    if (err instanceof ProtobufError) return { error: err.message }
    throw err
  }
}
