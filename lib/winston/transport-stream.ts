// winston-transport, the base class of every winston transport, is an optional peer: winston brings it, and a
// pino-only application never installs it. Where a strict installer (pnpm) does not link it to this package, it is
// taken from beside winston; with neither, importing this entry says what to install.
import { createRequire } from 'node:module'
import type TransportStreamType from 'winston-transport'
import { isRecord } from '../fields.js'

const require = createRequire(import.meta.url)

export const MISSING_WINSTON = 'pino-k8s-events/winston needs winston (and its winston-transport), which is an optional peer dependency: npm install winston'

function isModuleNotFound (err: unknown): boolean {
  return isRecord(err) && err.code === 'MODULE_NOT_FOUND'
}

function loadTransportStream (): typeof TransportStreamType {
  try {
    return require('winston-transport') as typeof TransportStreamType
  } catch (err) {
    if (!isModuleNotFound(err)) throw err
  }
  try {
    return createRequire(require.resolve('winston'))('winston-transport') as typeof TransportStreamType
  } catch (err) {
    if (!isModuleNotFound(err)) throw err
  }
  throw new Error(MISSING_WINSTON)
}

export const TransportStream = loadTransportStream()
