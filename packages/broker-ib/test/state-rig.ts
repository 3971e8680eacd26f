import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStateLayer, type StateLayer } from '@tradewire/core';
import type { IBBroker } from '@tradewire/broker-ib';
import type { Rig } from './support.js';

/** The state-layer side of the IB recovery specs: temporary state dirs, layers on them, a restart. */
export interface StateRig {
  stateDir(): string;
  /** a state layer on `dir` (closed by `closeLayers`) */
  openLayer(dir: string): StateLayer;
  /** a restart: the old layer closed, a new one on the same dir, a fresh adapter (with that layer's kv) connected */
  restart(dir: string, old: StateLayer): Promise<{ layer: StateLayer; broker: IBBroker }>;
  /** the placeOrder messages TWS received for our clientOrderId (orderRef) */
  placed(ref: string): string[][];
  closeLayers(): void;
  removeDirs(): void;
}

/** `current`: the test's rig (assigned in each test). */
export function stateRig(prefix: string, current: () => Rig): StateRig {
  const dirs: string[] = [];
  const layers: StateLayer[] = [];
  const openLayer = (dir: string): StateLayer => { const l = createStateLayer({ stateDir: dir, breakStaleLock: true }); layers.push(l); return l; };
  return {
    stateDir() { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; },
    openLayer,
    async restart(dir, old) {
      old.close();
      const layer = openLayer(dir);
      const broker = current().fresh({}, { kv: layer.kv });
      await broker.connect();
      return { layer, broker };
    },
    placed: (ref) => current().tws.messages(3).map((m) => m.fields).filter((f) => f[26] === ref),
    closeLayers() { for (const l of layers.splice(0)) { try { l.close(); } catch { /* closed */ } } },
    removeDirs() { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); },
  };
}
