// One door to every mechanism: createPrivatizer(gpu, table, spec) checks the spec (spec.ts) and
// builds the mechanism class for spec.mechanism. The client worker, the CLI and the tests all get
// their privatizers here, so adding a mechanism means adding one line to MAKERS.

import type { GpuContext } from '../gpu/context';
import { DchiPrivatizer } from '../privacy/dchi';
import { LaplacePrivatizer } from '../privacy/laplace';
import { SanTextPlusPrivatizer, SanTextPrivatizer } from '../privacy/santext';
import { CusTextPrivatizer } from '../privacy/custext';
import type { EmbeddingTable, MechanismName, MechanismSpec, Privatizer } from '../privacy/types';
import { checkMechanismSpec, MechanismSpecError } from './spec';

type Maker = (gpu: GpuContext, table: EmbeddingTable, spec: MechanismSpec) => Privatizer;

const MAKERS: Partial<Record<MechanismName, Maker>> = {
  dchi: (gpu, table, spec) => new DchiPrivatizer(gpu, table, spec),
  laplace: (gpu, table, spec) => new LaplacePrivatizer(gpu, table, spec),
  santext: (gpu, table, spec) => new SanTextPrivatizer(gpu, table, spec),
  'santext+': (gpu, table, spec) => new SanTextPlusPrivatizer(gpu, table, spec),
  custext: (gpu, table, spec) => new CusTextPrivatizer(gpu, table, spec)
};

/** Whether this build has an implementation of the mechanism. */
export function hasMechanism(name: MechanismName): boolean {
  return MAKERS[name] !== undefined;
}

/** The mechanisms this build can run, in the order of MECHANISMS. */
export function availableMechanisms(): MechanismName[] {
  return (Object.keys(MAKERS) as MechanismName[]).filter((m) => MAKERS[m] !== undefined);
}

/** A privatizer for `spec` on `table`. Throws MechanismSpecError for a spec that cannot run. */
export function createPrivatizer(gpu: GpuContext, table: EmbeddingTable, spec: MechanismSpec): Privatizer & { isCandidate?(id: number): boolean } {
  checkMechanismSpec(spec);
  const make = MAKERS[spec.mechanism];
  if (!make) throw new MechanismSpecError(`mechanism ${spec.mechanism} is not available in this build (available: ${availableMechanisms().join(', ')})`);
  return make(gpu, table, spec);
}
