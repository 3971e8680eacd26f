import { readFileSync } from 'node:fs';
import { OrderJournal, StateStore } from '@tradewire/core';
import type { Ledger } from './fake-venue.js';

export interface Audit {
  venueOrders: number;
  journalOrders: number;
  lost: number;
  duplicated: number;
  missingLocally: string[];
  statusMismatch: string[];
  lostNotRejected: string[];
  fillsVenue: number;
  fillsJournal: number;
  fillsMissed: string[];
  fillsExtra: string[];
  positionMismatch: string[];
  journalPositions: Record<string, number>;
  venuePositions: Record<string, number>;
}

/** Compares a state dir with a venue ledger file: the reliability figures of RELIABILITY.md §5. */
export function audit(stateDir: string, ledgerFile: string): Audit {
  const ledger = JSON.parse(readFileSync(ledgerFile, 'utf8')) as Ledger;
  const store = StateStore.openReadOnly(stateDir);
  try {
    const j = new OrderJournal(store);
    const local = new Map(j.orders().map((o) => [o.clientOrderId, o]));
    const venueCids = ledger.orders.map((o) => o.clientOrderId);
    const missingLocally: string[] = [];
    const statusMismatch: string[] = [];
    for (const v of ledger.orders) {
      const l = local.get(v.clientOrderId);
      if (!l) { missingLocally.push(v.clientOrderId); continue; }
      if (l.status !== v.status || Math.abs(l.filledQuantity - v.filledQuantity) > 1e-9) statusMismatch.push(`${v.clientOrderId}: local ${l.status}/${l.filledQuantity}, venue ${v.status}/${v.filledQuantity}`);
    }
    const atVenue = new Set(venueCids);
    const lostNotRejected = [...local.values()].filter((o) => !atVenue.has(o.clientOrderId) && o.status !== 'REJECTED').map((o) => `${o.clientOrderId}:${o.status}`);
    const jf = new Map(j.fills().map((f) => [f.executionId, f]));
    const vf = new Set(ledger.fills.map((f) => f.executionId));
    const jp: Record<string, number> = {};
    for (const p of j.positions()) if (p.quantity !== 0) jp[p.asset] = p.quantity;
    const vp: Record<string, number> = {};
    for (const [a, q] of Object.entries(ledger.positions)) if (q !== 0) vp[a] = q;
    const positionMismatch = [...new Set([...Object.keys(jp), ...Object.keys(vp)])].filter((a) => Math.abs((jp[a] ?? 0) - (vp[a] ?? 0)) > 1e-9);
    return {
      venueOrders: ledger.orders.length, journalOrders: local.size,
      lost: missingLocally.length + lostNotRejected.length,
      duplicated: venueCids.length - atVenue.size,
      missingLocally, statusMismatch, lostNotRejected,
      fillsVenue: ledger.fills.length, fillsJournal: j.fillCount(),
      fillsMissed: [...vf].filter((e) => !jf.has(e)), fillsExtra: [...jf.keys()].filter((e) => !vf.has(e)),
      positionMismatch, journalPositions: jp, venuePositions: vp,
    };
  } finally {
    store.close();
  }
}
