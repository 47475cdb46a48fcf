export { startPaymentSandbox } from './sandbox';
export { pendingTimers } from '../util/timers';
export type { PaymentSandbox, PaymentSandboxOptions, SandboxRequest, SandboxCounters } from './sandbox';
export type { SandboxClient, SandboxLifetimes, SandboxTokenState } from './sandbox-auth';
export type { SandboxFault, SandboxRoute } from './sandbox-faults';
export type { SandboxPayment } from './sandbox-payments';
