// Names the server makes up: generateName suffixes and object uids.
import { randomInt, randomUUID } from 'node:crypto'

/** The real generator's alphabet: no vowels, so that no words are spelled by chance. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'
const MAX_PREFIX_LENGTH = 58
const SUFFIX_LENGTH = 5

export function generateName (prefix: string): string {
  let suffix = ''
  for (let i = 0; i < SUFFIX_LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)]
  return prefix.slice(0, MAX_PREFIX_LENGTH) + suffix
}

export function newUid (): string {
  return randomUUID()
}
