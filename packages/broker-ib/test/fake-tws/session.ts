/** One client connection to the fake TWS: handshake, framing, and a send queue. */
import type { Socket } from 'node:net';
import { ClientStreamReader, encodeFrame, type Field } from './framing.js';
import { msg } from './wire.js';

export interface SessionHandler {
  onHandshake(session: TwsSession, versionRange: string): void;
  onStartApi(session: TwsSession): void;
  onMessage(session: TwsSession, fields: string[]): void;
  onClose(session: TwsSession): void;
}

export class TwsSession {
  clientId = -1;
  started = false;
  /** half-open: the socket stays up but nothing is written to it (see `FakeTws.goSilent`) */
  silent = false;
  startApiFields: string[] = [];
  readonly #reader = new ClientStreamReader();
  readonly mktData = new Map<number, string>();
  readonly bars = new Map<number, string>();

  constructor(readonly socket: Socket, private readonly handler: SessionHandler, private readonly serverVersion: number) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => handler.onClose(this));
    socket.on('error', () => { /* the client vanished; close follows */ });
  }

  get open(): boolean { return !this.socket.destroyed; }

  send(fields: readonly Field[]): void {
    if (this.open && !this.silent) this.socket.write(encodeFrame(fields));
  }

  /** Writes raw bytes (tests of framing robustness). */
  sendBytes(bytes: Buffer): void {
    if (this.open && !this.silent) this.socket.write(bytes);
  }

  drop(): void { this.socket.destroy(); }

  #onData(chunk: Buffer): void {
    let items;
    try {
      items = this.#reader.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const item of items) {
      if (item.kind === 'handshake') {
        this.handler.onHandshake(this, item.range);
        const time = new Date().toISOString().replace(/[-:]/g, '').replace('T', ' ').slice(0, 15);
        this.send(msg.serverVersion(`${time} GMT`, this.serverVersion));
        continue;
      }
      const fields = item.fields;
      if (fields[0] === '71' && !this.started) {
        this.clientId = Number(fields[2] ?? '0');
        this.startApiFields = fields;
        this.started = true;
        this.handler.onStartApi(this);
        continue;
      }
      this.handler.onMessage(this, fields);
    }
  }
}
