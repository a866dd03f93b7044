// A minimal SERVICE-side worker for the boundary test route (src/routes/dev/boundary): it takes
// PrivatizedBatches through a ServiceInbox (validate, log, unpack — exactly what the real service
// worker does before its model runs) and, for the test, also records every message event that
// reached it, as it arrived, so the test can search all of it for raw text.

import * as Comlink from 'comlink';
import { BoundaryError } from '../boundary/batch';
import type { BoundaryOutcome, BoundaryServiceApi, ReceiveReceipt } from '../boundary/worker-types';
import { ServiceInbox } from './boundary-service';

const inbox = new ServiceInbox();
const received: unknown[] = [];

// Registered before comlink's own listener: sees every message first, whatever it is.
self.addEventListener('message', (ev: MessageEvent) => {
  received.push(ev.data);
});

const api: BoundaryServiceApi = {
  async setVocabSize(v: number): Promise<void> {
    inbox.setVocabSize(v);
  },
  async receive(batch: unknown): Promise<BoundaryOutcome<ReceiveReceipt>> {
    try {
      const input = inbox.receive(batch);
      return { ok: true, value: { seq: input.entry.seq, shape: input.shape } };
    } catch (e) {
      const err = e as Error;
      return { ok: false, error: { kind: e instanceof BoundaryError ? 'boundary' : 'internal', message: err.message, name: err.name } };
    }
  },
  async log() {
    return inbox.log.toJSON();
  },
  async received(): Promise<unknown[]> {
    return received.slice();
  },
  async clear(): Promise<void> {
    inbox.log.clear();
    received.length = 0;
  }
};

Comlink.expose(api);
