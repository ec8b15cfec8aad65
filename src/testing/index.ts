export type { AccessToken, TokenProvider, TokenRequest } from '../auth/TokenProvider.js';
export type { CustomerReadStats } from './customerReads.js';
export { DEFAULT_PARTNER_ID } from './engine.js';
export { createSeededRandom, type SeededRandom, seedToUint32 } from './rng.js';
export { SIMULATOR_ROUTES } from './routes.js';
export type {
  AuthConfig,
  FaultMatch,
  FaultResponse,
  FaultRule,
  FaultTrigger,
  MfaRule,
  OperationsConfig,
  OutageConfig,
  PagingConfig,
  QuotaMatch,
  QuotaRule,
  QuotaScope,
  Scenario,
  ThrottleConfig,
  ThrottleLimit,
} from './scenario.js';
export { QUOTA_SCOPES } from './scenario.js';
export {
  parseScenario,
  type ScenarioIssue,
  ScenarioValidationError,
} from './scenarioSchema.js';
export {
  type LostOrdersOptions,
  lostOrders,
  type QuotaLimitedOptions,
  quotaLimited,
  scenarios,
} from './scenarios.js';
export {
  type PartnerCenterSimulator,
  type PartnerCenterSimulatorOptions,
  startPartnerCenterSimulator,
} from './simulator.js';
export type { QuotaStats, SimulatorLogEntry, SimulatorStats } from './stats.js';
export type { IssueTokenOptions } from './tokens.js';
