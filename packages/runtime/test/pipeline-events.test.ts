import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsPipelineEventPublisher } from '../src/pipeline-events';

const sns = mockClient(SNSClient);
const topic = 'arn:aws:sns:us-east-1:000000000000:pipeline-events';
const input = {
  type: 'asset.processed' as const,
  assetId: '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c',
  tenantId: 'acme',
  detail: { manifestKey: 'manifests/0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c.json', renditions: 2 },
};

describe('SnsPipelineEventPublisher', () => {
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
  });

  it('keeps a caller-given id, so a re-announcement can be deduplicated', async () => {
    const publisher = new SnsPipelineEventPublisher(new SNSClient({}), topic, 'processor');
    const id = '7d1f3a2b-4c5d-8e6f-9a0b-1c2d3e4f5a6b';
    const event = await publisher.publish({ ...input, id });
    expect(event.id).toBe(id);
    const sent = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(JSON.parse(sent?.Message ?? '{}').id).toBe(id);
    expect(sent?.MessageAttributes?.type?.StringValue).toBe('asset.processed');
  });

  it('draws a fresh id for each event otherwise', async () => {
    const publisher = new SnsPipelineEventPublisher(new SNSClient({}), topic, 'processor');
    const a = await publisher.publish(input);
    const b = await publisher.publish(input);
    expect(a.id).not.toBe(b.id);
  });
});
