// Worker thread of the write-behind journal (`process` and `batch` durability): applies batches of order,
// fill, position and journal rows in one transaction each, on its own SQLite connection, and
// signals completion through a shared counter so the main thread can wait synchronously.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { NATIVE_UNAVAILABLE, applyBatch, discardSegment, noteReserved, prepareBatchStatements, type PostedBatch, type WriterInit } from './write-behind-sql.js';

const init = workerData as WriterInit;
const done = new Int32Array(init.signal);
const db = new Database(init.file);
db.pragma('busy_timeout = 10000');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -16384');
db.pragma('wal_autocheckpoint = 4000'); // as on the store's connection (`open-database.ts`): the batches commit here, so their checkpoints run here
const st = prepareBatchStatements(db, (why) => parentPort?.postMessage({ warn: `${NATIVE_UNAVAILABLE} (${why})` }));
const apply = db.transaction((b: PostedBatch) => applyBatch(st, b));

let failedOnce = false;
parentPort?.on('message', (b: PostedBatch | { close: true }) => {
  if ('close' in b) {
    db.close();
    Atomics.store(done, 2, 1); // tell the main thread the connection is closed (it waits for this)
    Atomics.notify(done, 2);
    parentPort?.close();
    return;
  }
  try {
    // after a failed batch, later ones must not commit: their journal_log_seq would cover the
    // failed batch's records too, and a restart would then skip them instead of replaying them
    if (failedOnce) throw new Error(`an earlier batch failed; batch ${b.id} not written`);
    const reserved = apply.immediate(b);
    if (reserved !== undefined) noteReserved(init.signal, b.id, reserved); // before the batch is marked written
    if (b.discard !== undefined) discardSegment(b.discard, (warn) => parentPort?.postMessage({ warn })); // before too: a closed store has no segment left behind
    Atomics.store(done, 0, b.id);
  } catch (err) {
    failedOnce = true;
    Atomics.store(done, 1, b.id);
    parentPort?.postMessage({ error: (err as Error).message, id: b.id });
    Atomics.store(done, 0, b.id);
  }
  Atomics.notify(done, 0);
});
