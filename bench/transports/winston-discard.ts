// The baseline winston transport: it takes each line and does nothing with it.
import Transport from 'winston-transport'

export class DiscardTransport extends Transport {
  override log (_info: unknown, callback: () => void): void {
    callback()
  }
}
