import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StateError } from '../errors.js';
import type { Fill } from '../domain/fill.js';
import type { Order } from '../domain/order.js';
import type { Unsubscribe } from '../protocols/broker.js';
import type { PaperBroker } from './paper-broker.js';

type Line = { t: 'order'; order: Order } | { t: 'fill'; fill: Fill };

/**
 * Makes the paper broker a venue whose books survive its process: every order update and fill
 * is appended to a JSON-lines file (`appendFileSync`: in the OS page cache before the call
 * returns, so it survives a process crash), and the broker is rebuilt from it at start. Tests
 * and the demo use it as "the venue's ledger" to check a restarted engine against. A torn last
 * line (crash mid-write) is ignored; any other unreadable line is a `StateError` naming the file.
 * @public
 */
export class PaperLedgerFile {
  #unsubs: Unsubscribe[] = [];
  constructor(readonly file: string) {}

  /** Reads the file (if any) into the broker and starts appending its events. */
  attach(broker: PaperBroker): { orders: number; fills: number } {
    const { orders, fills } = this.read();
    broker.restoreHistory(orders, fills);
    mkdirSync(dirname(this.file), { recursive: true });
    this.#unsubs.push(broker.onOrderUpdate((order) => this.#append({ t: 'order', order })));
    this.#unsubs.push(broker.onFill((fill) => this.#append({ t: 'fill', fill })));
    return { orders: orders.length, fills: fills.length };
  }

  detach(): void {
    for (const u of this.#unsubs.splice(0)) u();
  }

  /** The last state of every order and every fill recorded. */
  read(): { orders: Order[]; fills: Fill[] } {
    if (!existsSync(this.file)) return { orders: [], fills: [] };
    const lines = readFileSync(this.file, 'utf8').split('\n');
    const orders = new Map<string, Order>();
    const fills: Fill[] = [];
    lines.forEach((raw, i) => {
      if (raw.trim() === '') return;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch (err) {
        if (i >= lines.length - 2) return; // torn final line from a crash mid-append
        throw new StateError(`paper ledger ${this.file}: line ${i + 1} is not valid JSON`, 'STATE_CORRUPT', { cause: err, details: { file: this.file, line: i + 1 } });
      }
      if (line.t === 'order') orders.set(line.order.clientOrderId, line.order);
      else if (line.t === 'fill') fills.push(line.fill);
    });
    return { orders: [...orders.values()], fills };
  }

  #append(line: Line): void {
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}
