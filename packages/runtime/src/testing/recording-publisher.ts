import type { PipelineEvent } from '@sluice/contracts';
import { assertValid } from '@sluice/contracts';
import type { PipelineEventInput, PipelineEventPublisher } from '../pipeline-events';

/** Collects published pipeline events, validated against the contract as the SNS publisher does. */
export class RecordingPublisher implements PipelineEventPublisher {
  readonly events: PipelineEvent[] = [];

  async publish(input: PipelineEventInput): Promise<PipelineEvent> {
    const event = assertValid('pipeline-event/v1', {
      specVersion: '1.0',
      id: `00000000-0000-4000-8000-${String(this.events.length).padStart(12, '0')}`,
      time: '2026-01-01T00:00:00.000Z',
      source: 'test',
      ...input,
    });
    this.events.push(event);
    return event;
  }
}
