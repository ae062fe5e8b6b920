import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname } from 'node:path'

const SETTLE_MS = 200

/**
 * Calls `reload` when the config file changes (after writes settle) or on SIGHUP; one reload at
 * a time, and a change during a reload schedules one more. Returns a function that stops watching.
 */
export function watchConfig(path: string | undefined, reload: () => Promise<void>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: Promise<void> | undefined
  let again = false
  const trigger = () => {
    if (running) {
      again = true
      return
    }
    running = reload().finally(() => {
      running = undefined
      if (again) {
        again = false
        trigger()
      }
    })
  }
  const settle = () => {
    clearTimeout(timer)
    timer = setTimeout(trigger, SETTLE_MS)
  }
  let watcher: FSWatcher | undefined
  if (path) {
    // Editors often replace the file rather than write it: watch its folder, by name.
    watcher = watch(dirname(path), (_event, name) => {
      if (name === basename(path)) settle()
    })
    watcher.on('error', () => {})
  }
  process.on('SIGHUP', trigger)
  return () => {
    clearTimeout(timer)
    watcher?.close()
    process.off('SIGHUP', trigger)
  }
}
