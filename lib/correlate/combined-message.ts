// The message of an aggregate Event. The prefix adds 32 bytes to a message that may already be at the
// server's 1024-byte limit, so the latest message is cut in the middle to make room.
import { MAX_MESSAGE_BYTES, truncateMiddle, utf8Length } from '../text.js'

export const COMBINED_PREFIX = '(combined from similar events): '

const ROOM_FOR_LATEST = MAX_MESSAGE_BYTES - utf8Length(COMBINED_PREFIX)

export function combinedMessage (latest: string): string {
  return COMBINED_PREFIX + truncateMiddle(latest, ROOM_FOR_LATEST)
}
