export { DEFAULT_PARTNER_ID } from './engine.js';
export { createSeededRandom, type SeededRandom, seedToUint32 } from './rng.js';
export { SIMULATOR_ROUTES } from './routes.js';
export {
  type AuthConfig,
  type FaultMatch,
  type FaultResponse,
  type FaultRule,
  type FaultTrigger,
  type MfaRule,
  type OutageConfig,
  parseScenario,
  type Scenario,
  type ScenarioIssue,
  ScenarioValidationError,
  scenarioSchema,
  type ThrottleConfig,
  type ThrottleLimit,
} from './scenario.js';
export { scenarios } from './scenarios.js';
export {
  type PartnerCenterSimulator,
  type PartnerCenterSimulatorOptions,
  startPartnerCenterSimulator,
} from './simulator.js';
export type { SimulatorLogEntry, SimulatorStats } from './stats.js';
export type { IssueTokenOptions } from './tokens.js';
