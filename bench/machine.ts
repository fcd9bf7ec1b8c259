// The machine a run happened on, for the report: figures from different machines are not comparable.
import { readFileSync } from 'node:fs'
import os from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memoryGb: number
  node: string
  os: string
  date: string
  /** 1-minute load average when the run began: other work on the machine makes figures noisier */
  loadAtStart: number
}

function cpuModel (): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find(entry => entry.startsWith('model name'))
    if (line !== undefined) return line.slice(line.indexOf(':') + 1).trim()
  } catch {}
  return os.cpus()[0]?.model ?? 'unknown CPU'
}

export function describeMachine (): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAtStart: os.loadavg()[0]
  }
}

export function machineLine (machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb.toFixed(1)} GB RAM, Node ${machine.node}, ` +
    `${machine.os}, ${machine.date} (load average ${machine.loadAtStart.toFixed(2)} at start)`
}
