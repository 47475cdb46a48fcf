// 7. Fleets: token-endpoint calls per token lifetime for K processes, memory store vs Redis.
import { runFleetBenchmark } from '../fleet.mjs';

export async function fleet({ log = () => undefined } = {}) {
  return runFleetBenchmark(log);
}
