export { startPaymentSandbox } from './sandbox';
export { pendingTimers } from '../util/timers';
export type {
  PaymentSandbox,
  PaymentSandboxOptions,
  SandboxClientAuth,
  SandboxTlsOptions,
  SandboxRequest,
  SandboxCounters,
} from './sandbox-types';
export type { SandboxAssertion } from './sandbox-assertions';
export type { SandboxDpopProof, SandboxDpopRecord } from './sandbox-dpop';
export type { SandboxClient, SandboxLifetimes, SandboxTokenState, SandboxPublicJwk } from './sandbox-auth';
export type { SandboxFault, SandboxRoute } from './sandbox-faults';
export type { SandboxPayment } from './sandbox-payments';
