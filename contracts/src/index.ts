// @sluice/contracts: the types, precompiled validators and wiring that every service codes against.
import topologyJson from '../topology/topology.json';
import type { Topology } from './generated/types';

export { type SchemaName, type SchemaTypes, schemaIds } from './generated/registry';
export * from './generated/types';
export { assertValid, ContractViolationError, type ValidationResult, validate } from './validation';

/**
 * The platform's wiring (contracts/topology/topology.json). The contracts tests prove it valid against
 * topology/v1 and internally consistent, so it is typed here without a runtime check.
 */
export const topology: Topology = topologyJson as Topology;
