// HTTP route settings must name routes the trigger has: a setting for a missing route would silently do nothing.
import { topology } from '../src';

describe('topology.json routes', () => {
  it('gives route settings only to routes the service has', () => {
    const stray = Object.entries(topology.services).flatMap(([service, spec]) => {
      const trigger = spec.trigger as { type: string; routes?: string[]; routeSettings?: object };
      if (trigger.type !== 'http') return [];
      return Object.keys(trigger.routeSettings ?? {})
        .filter((route) => !trigger.routes?.includes(route))
        .map((route) => `${service}: routeSettings for unknown route "${route}"`);
    });
    expect(stray).toEqual([]);
  });
});
