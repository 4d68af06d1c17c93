import { randomUUID } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { assertValid, type PipelineEvent } from '@sluice/contracts';

export type PipelineEventType = PipelineEvent['type'];

export interface PipelineEventInput {
  /**
   * The event id. Leave it out for a fresh random one; pass a deterministic one (derived from what
   * the event announces) so that re-announcing after a retry keeps the id consumers deduplicate on.
   */
  id?: string;
  type: PipelineEventType;
  assetId: string;
  tenantId: string;
  detail: Record<string, unknown>;
}

export interface PipelineEventPublisher {
  publish(input: PipelineEventInput): Promise<PipelineEvent>;
}

/** Publishes validated pipeline events to SNS, with a `type` attribute for subscription filters. */
export class SnsPipelineEventPublisher implements PipelineEventPublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly source: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(input: PipelineEventInput): Promise<PipelineEvent> {
    const event = assertValid('pipeline-event/v1', {
      specVersion: '1.0',
      id: input.id ?? randomUUID(),
      type: input.type,
      time: this.now().toISOString(),
      source: this.source,
      assetId: input.assetId,
      tenantId: input.tenantId,
      detail: input.detail,
    });
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Message: JSON.stringify(event),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: event.type },
          tenantId: { DataType: 'String', StringValue: event.tenantId },
        },
      }),
    );
    return event;
  }
}
