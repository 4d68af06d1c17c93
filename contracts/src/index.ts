// Temporary entry point: the contracts workspace replaces this with generated types and validators.
import topologyJson from '../topology/topology.json';

export const topology = topologyJson;
