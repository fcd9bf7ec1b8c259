// A compact stand-in for a message text: the aggregator only needs to tell messages apart, and holding up to
// maxEvents - 1 texts of up to 1 KB for each of cacheSize keys would cost tens of megabytes under a flood.

const FNV_PRIME = 0x01000193
const FNV_OFFSET = 0x811c9dc5
// A second basis gives a second, independent-enough 32-bit hash of the same text.
const SECOND_OFFSET = 0x050c5d1f
const LOW_BITS = 2 ** 21

/**
 * A 53-bit FNV-1a fingerprint of the text (two 32-bit hashes over its UTF-16 code units, combined into one safe
 * integer). Two different texts may share a fingerprint; they then count as one distinct message, which only
 * delays aggregation by one message and is acceptable.
 */
export function fingerprint (text: string): number {
  let first = FNV_OFFSET
  let second = SECOND_OFFSET
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    first = Math.imul(first ^ (unit & 0xff), FNV_PRIME)
    first = Math.imul(first ^ (unit >>> 8), FNV_PRIME)
    second = Math.imul(second ^ (unit >>> 8), FNV_PRIME)
    second = Math.imul(second ^ (unit & 0xff), FNV_PRIME)
  }
  return (first >>> 0) * LOW_BITS + ((second >>> 0) % LOW_BITS)
}
