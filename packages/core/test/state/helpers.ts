import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderIntent } from '@tradewire/core';

const dirs: string[] = [];
export function tempDir(prefix = 'tw-state-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function intent(clientOrderId: string, over: Partial<OrderIntent> = {}): OrderIntent {
  return { clientOrderId, asset: 'AAPL', side: 'BUY', quantity: 10, orderType: 'MARKET', timeInForce: 'DAY', createdAt: 1_000, ...over };
}
